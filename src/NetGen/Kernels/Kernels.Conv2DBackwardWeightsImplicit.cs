using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dW = (1/m)·Σ_s dZ[s] ⋆ A[s] and db = (1/m)·Σ_s Σ dZ[s, f] for stride 1 over the implicit grid
    /// (<see cref="ConvGrid"/>): dW[f, c, ky, kx] = (1/m)·Σ_s Σ_q dZ'[s, f, q]·X[s, c, q + ky·Width + kx], where dZ' is
    /// dZ spread onto the padded map's rows (0 in the columns that are not outputs) and X is A padded; each sum a dot
    /// product of two contiguous rows, in register tiles of up to 6 filters (2 with 16 registers) × 4 taps. Scratch: the padded copy of one
    /// sample (none when A needs no padding) and dZ' of one sample.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv2DBackwardWeightsImplicit(ref float a0, ref float dz0, ref float dw0, ref float db0,
        int samples, in ConvGeometry g, Span<float> scratch)
    {
        ConvGrid grid = ForwardGrid(g);
        int padded = grid.PaddedLength(g.InChannels), spread = grid.ProductLength(g.Filters);
        ref float xp = ref Ref(scratch);
        ref float dzp = ref Unsafe.Add(ref xp, padded);
        // Padding and the columns of dZ' that are not outputs stay 0: each sample overwrites the same interior.
        scratch.Slice(0, padded + spread).Clear();
        var dw = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref dw0, g.WeightCount);
        var db = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref db0, g.Filters);
        dw.Clear();
        db.Clear();
        for (int s = 0; s < samples; s++)
        {
            ref float aS = ref Unsafe.Add(ref a0, (nint)s * g.InputSize);
            ref float dzS = ref Unsafe.Add(ref dz0, (nint)s * g.OutputSize);
            if (!grid.Alias) CopyIntoGrid(ref aS, ref xp, g.InChannels, g.InHeight, g.InWidth, grid);
            if (!grid.Direct) SpreadOntoGrid(ref dzS, ref dzp, g.Filters, g.OutHeight, g.OutWidth, grid);
            ref float x = ref grid.Alias ? ref aS : ref xp;
            ref float d = ref grid.Direct ? ref dzS : ref dzp;
            switch (ImplicitWidth(grid.Count))
            {
                case 16: WeightsRows<Width512>(ref d, ref x, ref dw0, ref db0, g, grid); break;
                case 8: WeightsRows<Width256>(ref d, ref x, ref dw0, ref db0, g, grid); break;
                default: WeightsRows<Width128>(ref d, ref x, ref dw0, ref db0, g, grid); break;
            }
        }
        float scale = 1f / samples;
        for (int i = 0; i < dw.Length; i++) dw[i] *= scale;
        for (int i = 0; i < db.Length; i++) db[i] *= scale;
    }

    /// <summary>dZ'[r, oy·Width + ox] = dZ[r, oy, ox]: <see cref="CopyFromGrid"/>'s inverse (the other columns are
    /// left as they are: 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadOntoGrid(ref float source, ref float product, int rows, int height, int width, in ConvGrid grid)
    {
        uint bytes = (uint)width * sizeof(float);
        for (int r = 0; r < rows; r++)
        {
            ref float from = ref Unsafe.Add(ref source, (nint)r * height * width);
            ref float to = ref Unsafe.Add(ref product, (nint)r * grid.Count);
            for (int y = 0; y < height; y++)
                Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref to, (nint)y * grid.Width)),
                    ref Unsafe.As<float, byte>(ref Unsafe.Add(ref from, (nint)y * width)), bytes);
        }
    }

    /// <summary>One sample's dW[f, c, ky, kx] += Σ_q dZ'[f, q]·X[c, q + ky·Width + kx] and db[f] += Σ_q dZ'[f, q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightsRows<TVec>(ref float d, ref float x, ref float dw, ref float db, in ConvGeometry g,
        in ConvGrid grid)
        where TVec : struct, IVector<TVec>
    {
        int count = grid.Count, kh = g.KernelHeight, kw = g.KernelWidth, cIn = g.InChannels;
        int most = TVec.HasManyRegisters ? 6 : 2, k = cIn * kh * kw;
        for (int f = 0; f < g.Filters; f++)
            Unsafe.Add(ref db, f) += RowSum<TVec>(ref Unsafe.Add(ref d, (nint)f * count), count);
        for (int f = 0; f < g.Filters;)
        {
            int rows = Math.Min(most, g.Filters - f);
            ref float dF = ref Unsafe.Add(ref d, (nint)f * count);
            for (int c = 0; c < cIn; c++)
                for (int ky = 0; ky < kh; ky++)
                {
                    ref float xr = ref Unsafe.Add(ref x, (nint)c * grid.Plane + (nint)ky * grid.Width);
                    ref float wr = ref Unsafe.Add(ref dw, (nint)f * k + ((nint)c * kh + ky) * kw);
                    for (int kx = 0; kx < kw; kx += 4)
                        WeightsTaps<TVec>(rows, Math.Min(4, kw - kx), ref dF, ref Unsafe.Add(ref xr, kx),
                            ref Unsafe.Add(ref wr, kx), k, count);
                }
            f += rows;
        }
    }

    /// <summary>Σ_q p[q] for q &lt; count (≥ one vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowSum<TVec>(ref float p, int count) where TVec : struct, IVector<TVec>
    {
        TVec sum = default;
        int n = TVec.Count, full = count / n;
        for (int i = 0; i < full; i++) sum += TVec.Load(ref p, (nuint)(i * n));
        if (full * n < count) sum += TVec.Load(ref p, (nuint)(count - n)) & TVec.TailMask(count - full * n);
        return TVec.Sum(sum);
    }

    /// <summary>A tile of <paramref name="rows"/> (1 to 6) filters × <paramref name="taps"/> (1 to 4) taps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WeightsTaps<TVec>(int rows, int taps, ref float d, ref float x, ref float dw, int k, int count)
        where TVec : struct, IVector<TVec>
    {
        switch (rows)
        {
            case 1: WeightsTapsOf<TVec, One>(taps, ref d, ref x, ref dw, k, count); break;
            case 2: WeightsTapsOf<TVec, Two>(taps, ref d, ref x, ref dw, k, count); break;
            case 3: WeightsTapsOf<TVec, Three>(taps, ref d, ref x, ref dw, k, count); break;
            case 4: WeightsTapsOf<TVec, Four>(taps, ref d, ref x, ref dw, k, count); break;
            case 5: WeightsTapsOf<TVec, Five>(taps, ref d, ref x, ref dw, k, count); break;
            default: WeightsTapsOf<TVec, Six>(taps, ref d, ref x, ref dw, k, count); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WeightsTapsOf<TVec, TRows>(int taps, ref float d, ref float x, ref float dw, int k, int count)
        where TVec : struct, IVector<TVec>
        where TRows : struct, ICount
    {
        switch (taps)
        {
            case 1: WeightsTile<TVec, TRows, One>(ref d, ref x, ref dw, k, count); break;
            case 2: WeightsTile<TVec, TRows, Two>(ref d, ref x, ref dw, k, count); break;
            case 3: WeightsTile<TVec, TRows, Three>(ref d, ref x, ref dw, k, count); break;
            default: WeightsTile<TVec, TRows, Four>(ref d, ref x, ref dw, k, count); break;
        }
    }

    /// <summary>dW[r·k + t] += Σ_q dZ'[r·count + q]·X[q + t] for <typeparamref name="TRows"/> filters r and
    /// <typeparamref name="TTaps"/> taps t: full vectors, then the last vector again with the lanes already summed
    /// masked out of dZ'; each row's four sums fold into one Vector128.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WeightsTile<TVec, TRows, TTaps>(ref float d, ref float x, ref float dw, int k, int count)
        where TVec : struct, IVector<TVec>
        where TRows : struct, ICount
        where TTaps : struct, ICount
    {
        int rows = TRows.Value, taps = TTaps.Value, n = TVec.Count;
        nuint row = (nuint)count;
        TVec c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        TVec c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        TVec c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
        int full = count / n, steps = (count + n - 1) / n;
        for (int step = 0; step < steps; step++)
        {
            nuint at;
            TVec d0, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default;
            if (step < full)
            {
                at = (nuint)(step * n);
                d0 = TVec.Load(ref d, at);
                if (rows > 1) d1 = TVec.Load(ref d, at + row);
                if (rows > 2) d2 = TVec.Load(ref d, at + 2 * row);
                if (rows > 3) d3 = TVec.Load(ref d, at + 3 * row);
                if (rows > 4) d4 = TVec.Load(ref d, at + 4 * row);
                if (rows > 5) d5 = TVec.Load(ref d, at + 5 * row);
            }
            else
            {
                at = (nuint)(count - n);
                TVec mask = TVec.TailMask(count - full * n);
                d0 = TVec.Load(ref d, at) & mask;
                if (rows > 1) d1 = TVec.Load(ref d, at + row) & mask;
                if (rows > 2) d2 = TVec.Load(ref d, at + 2 * row) & mask;
                if (rows > 3) d3 = TVec.Load(ref d, at + 3 * row) & mask;
                if (rows > 4) d4 = TVec.Load(ref d, at + 4 * row) & mask;
                if (rows > 5) d5 = TVec.Load(ref d, at + 5 * row) & mask;
            }
            TVec v = TVec.Load(ref x, at);
            c00 = TVec.MultiplyAdd(d0, v, c00);
            if (rows > 1) c10 = TVec.MultiplyAdd(d1, v, c10);
            if (rows > 2) c20 = TVec.MultiplyAdd(d2, v, c20);
            if (rows > 3) c30 = TVec.MultiplyAdd(d3, v, c30);
            if (rows > 4) c40 = TVec.MultiplyAdd(d4, v, c40);
            if (rows > 5) c50 = TVec.MultiplyAdd(d5, v, c50);
            if (taps > 1)
            {
                v = TVec.Load(ref x, at + 1);
                c01 = TVec.MultiplyAdd(d0, v, c01);
                if (rows > 1) c11 = TVec.MultiplyAdd(d1, v, c11);
                if (rows > 2) c21 = TVec.MultiplyAdd(d2, v, c21);
                if (rows > 3) c31 = TVec.MultiplyAdd(d3, v, c31);
                if (rows > 4) c41 = TVec.MultiplyAdd(d4, v, c41);
                if (rows > 5) c51 = TVec.MultiplyAdd(d5, v, c51);
            }
            if (taps > 2)
            {
                v = TVec.Load(ref x, at + 2);
                c02 = TVec.MultiplyAdd(d0, v, c02);
                if (rows > 1) c12 = TVec.MultiplyAdd(d1, v, c12);
                if (rows > 2) c22 = TVec.MultiplyAdd(d2, v, c22);
                if (rows > 3) c32 = TVec.MultiplyAdd(d3, v, c32);
                if (rows > 4) c42 = TVec.MultiplyAdd(d4, v, c42);
                if (rows > 5) c52 = TVec.MultiplyAdd(d5, v, c52);
            }
            if (taps > 3)
            {
                v = TVec.Load(ref x, at + 3);
                c03 = TVec.MultiplyAdd(d0, v, c03);
                if (rows > 1) c13 = TVec.MultiplyAdd(d1, v, c13);
                if (rows > 2) c23 = TVec.MultiplyAdd(d2, v, c23);
                if (rows > 3) c33 = TVec.MultiplyAdd(d3, v, c33);
                if (rows > 4) c43 = TVec.MultiplyAdd(d4, v, c43);
                if (rows > 5) c53 = TVec.MultiplyAdd(d5, v, c53);
            }
        }
        AddFew(SumEach(c00, c01, c02, c03), ref dw, taps);
        if (rows > 1) AddFew(SumEach(c10, c11, c12, c13), ref Unsafe.Add(ref dw, k), taps);
        if (rows > 2) AddFew(SumEach(c20, c21, c22, c23), ref Unsafe.Add(ref dw, 2 * k), taps);
        if (rows > 3) AddFew(SumEach(c30, c31, c32, c33), ref Unsafe.Add(ref dw, 3 * k), taps);
        if (rows > 4) AddFew(SumEach(c40, c41, c42, c43), ref Unsafe.Add(ref dw, 4 * k), taps);
        if (rows > 5) AddFew(SumEach(c50, c51, c52, c53), ref Unsafe.Add(ref dw, 5 * k), taps);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void AddFew(Vector128<float> v, ref float p, int count)
        {
            p += v.ToScalar();
            if (count > 1) Unsafe.Add(ref p, 1) += v.GetElement(1);
            if (count > 2) Unsafe.Add(ref p, 2) += v.GetElement(2);
            if (count > 3) Unsafe.Add(ref p, 3) += v.GetElement(3);
        }
    }
}
