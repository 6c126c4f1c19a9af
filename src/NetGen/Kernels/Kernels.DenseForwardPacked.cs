using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Units per panel of the packed Wᵀ: two Vector512 of outputs per row.</summary>
    private const int PanelWidth = 32;

    /// <summary>Rows of A (samples) per register block: 12 × 2 accumulators, the most that leave registers for the operands.</summary>
    private const int PanelRows = 12;

    /// <summary>This thread's packed Wᵀ (grown when a layer needs more, then reused: no allocation in steady state).</summary>
    [ThreadStatic] private static float[]? t_packed;

    /// <summary>
    /// Z = A·Wᵀ + b for a batch of a wide layer (m ≥ 12, nOut ≥ 32, nIn ≥ 16), the way fast matrix products do it:
    /// Wᵀ is first packed into panels of 32 units (panel[k][0..32) = W[32p + c, k], zeros past nOut), then each
    /// block of 12 samples × 32 units is 24 Vector512 accumulators, fed per k by two loads of the panel and twelve
    /// broadcasts of A[i, k] — 24 FMAs for every 2 vector loads, and no horizontal sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DenseForwardPacked(ref float a0, ref float w0, ref float b0, bool hasBias, ref float z0, int m, int nIn, int nOut)
    {
        int panels = (nOut + PanelWidth - 1) / PanelWidth;
        int needed = panels * PanelWidth * nIn;
        float[] packed = t_packed is { } cached && cached.Length >= needed ? cached : (t_packed = new float[needed]);
        PackTransposed(ref w0, packed, nIn, nOut, panels);

        Span<float> partial = stackalloc float[PanelRows * PanelWidth];
        ref float p0 = ref packed[0];
        for (int p = 0; p < panels; p++)
        {
            int j0 = p * PanelWidth, valid = Math.Min(PanelWidth, nOut - j0);
            ref float panel = ref Unsafe.Add(ref p0, (nint)p * nIn * PanelWidth);
            Vector512<float> bias0 = default, bias1 = default;
            if (hasBias)
            {
                // The bias of the panel's units (zeros past nOut).
                Span<float> b = partial.Slice(0, PanelWidth);
                b.Clear();
                for (int c = 0; c < valid; c++) b[c] = Unsafe.Add(ref b0, j0 + c);
                bias0 = Vector512.Create((ReadOnlySpan<float>)b.Slice(0, 16));
                bias1 = Vector512.Create((ReadOnlySpan<float>)b.Slice(16, 16));
            }
            for (int i = 0; i < m; i += PanelRows)
            {
                int rows = Math.Min(PanelRows, m - i);
                ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
                if (rows == PanelRows && valid == PanelWidth)
                    Block12x32(ref a, ref panel, ref Unsafe.Add(ref z0, (nint)i * nOut + j0), nIn, nOut, bias0, bias1);
                else
                {
                    // A block at an edge: each row alone, into a scratch row, then the valid columns.
                    for (int r = 0; r < rows; r++)
                    {
                        Block1x32(ref Unsafe.Add(ref a, (nint)r * nIn), ref panel, ref partial[0], nIn, bias0, bias1);
                        partial.Slice(0, valid).CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref Unsafe.Add(ref z0, (nint)(i + r) * nOut + j0), valid));
                    }
                }
            }
        }
    }

    /// <summary>panel p, row k: W[32p + c, k] for c &lt; 32 (zero past nOut). Full 16 × 16 tiles are transposed in
    /// registers; the rest (the k tail, a partial last panel) is copied one by one.</summary>
    private static void PackTransposed(ref float w0, float[] packed, int nIn, int nOut, int panels)
    {
        ref float p0 = ref packed[0];
        bool inRegisters = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        for (int p = 0; p < panels; p++)
        {
            int j0 = p * PanelWidth, valid = Math.Min(PanelWidth, nOut - j0);
            ref float panel = ref Unsafe.Add(ref p0, (nint)p * nIn * PanelWidth);
            int k0 = 0;
            if (inRegisters && valid == PanelWidth)
            {
                for (; k0 + 16 <= nIn; k0 += 16)
                {
                    Transpose16x16(ref Unsafe.Add(ref w0, (nint)j0 * nIn + k0), nIn, ref Unsafe.Add(ref panel, (nint)k0 * PanelWidth), PanelWidth);
                    Transpose16x16(ref Unsafe.Add(ref w0, (nint)(j0 + 16) * nIn + k0), nIn, ref Unsafe.Add(ref panel, (nint)k0 * PanelWidth + 16), PanelWidth);
                }
            }
            for (int k = k0; k < nIn; k++)
            {
                ref float to = ref Unsafe.Add(ref panel, (nint)k * PanelWidth);
                for (int c = 0; c < PanelWidth; c++)
                    Unsafe.Add(ref to, c) = c < valid ? Unsafe.Add(ref w0, (nint)(j0 + c) * nIn + k) : 0f;
            }
        }
    }

    /// <summary>destination[t, r] = source[r, t] for a 16 × 16 tile: unpack pairs of rows, then pairs of pairs, then two
    /// rounds of 128-bit lane shuffles — 64 shuffles for 256 floats, all in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(ref float source, int sourceStride, ref float destination, int destinationStride)
    {
        // Within each 128-bit lane L, Quad(g, q) holds rows 4g..4g+3 of column 4L + q.
        Quads(ref source, sourceStride, 0, out Vector512<float> u0, out Vector512<float> u1, out Vector512<float> u2, out Vector512<float> u3);
        Quads(ref source, sourceStride, 4, out Vector512<float> u4, out Vector512<float> u5, out Vector512<float> u6, out Vector512<float> u7);
        Quads(ref source, sourceStride, 8, out Vector512<float> u8, out Vector512<float> u9, out Vector512<float> u10, out Vector512<float> u11);
        Quads(ref source, sourceStride, 12, out Vector512<float> u12, out Vector512<float> u13, out Vector512<float> u14, out Vector512<float> u15);
        // Across lanes: column 4L + q gathers lane L of the four quads of q.
        Columns(u0, u4, u8, u12, ref destination, destinationStride, 0);
        Columns(u1, u5, u9, u13, ref destination, destinationStride, 1);
        Columns(u2, u6, u10, u14, ref destination, destinationStride, 2);
        Columns(u3, u7, u11, u15, ref destination, destinationStride, 3);

        static void Quads(ref float source, int stride, int first, out Vector512<float> q0, out Vector512<float> q1, out Vector512<float> q2, out Vector512<float> q3)
        {
            Vector512<float> r0 = Vector512.LoadUnsafe(ref source, (nuint)((nint)first * stride));
            Vector512<float> r1 = Vector512.LoadUnsafe(ref source, (nuint)((nint)(first + 1) * stride));
            Vector512<float> r2 = Vector512.LoadUnsafe(ref source, (nuint)((nint)(first + 2) * stride));
            Vector512<float> r3 = Vector512.LoadUnsafe(ref source, (nuint)((nint)(first + 3) * stride));
            Vector512<float> t0 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(r0, r1), t1 = System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(r0, r1);
            Vector512<float> t2 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(r2, r3), t3 = System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(r2, r3);
            q0 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle();
            q1 = System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();
            q2 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle();
            q3 = System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();
        }

        static void Columns(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, ref float destination, int stride, int q)
        {
            Vector512<float> v0 = System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(a, b, 0x88), v1 = System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(a, b, 0xDD);
            Vector512<float> v2 = System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(c, d, 0x88), v3 = System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(c, d, 0xDD);
            System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(v0, v2, 0x88).StoreUnsafe(ref destination, (nuint)((nint)q * stride));
            System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(v1, v3, 0x88).StoreUnsafe(ref destination, (nuint)((nint)(4 + q) * stride));
            System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(v0, v2, 0xDD).StoreUnsafe(ref destination, (nuint)((nint)(8 + q) * stride));
            System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(v1, v3, 0xDD).StoreUnsafe(ref destination, (nuint)((nint)(12 + q) * stride));
        }
    }

    /// <summary>Z[r, 0..32) = b + Σ_k A[r, k]·panel[k, 0..32) for 12 rows r: 24 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block12x32(ref float a, ref float panel, ref float z, int nIn, int nOut, Vector512<float> b0, Vector512<float> b1)
    {
        Vector512<float> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
        Vector512<float> c60 = b0, c61 = b1, c70 = b0, c71 = b1, c80 = b0, c81 = b1, c90 = b0, c91 = b1, cA0 = b0, cA1 = b1, cB0 = b0, cB1 = b1;
        nint row = nIn;
        for (int k = 0; k < nIn; k++)
        {
            Vector512<float> v0 = Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth), v1 = Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth + 16);
            ref float ak = ref Unsafe.Add(ref a, k);
            Vector512<float> x = Vector512.Create(ak);
            c00 = Vector512.FusedMultiplyAdd(x, v0, c00); c01 = Vector512.FusedMultiplyAdd(x, v1, c01);
            x = Vector512.Create(Unsafe.Add(ref ak, row)); c10 = Vector512.FusedMultiplyAdd(x, v0, c10); c11 = Vector512.FusedMultiplyAdd(x, v1, c11);
            x = Vector512.Create(Unsafe.Add(ref ak, 2 * row)); c20 = Vector512.FusedMultiplyAdd(x, v0, c20); c21 = Vector512.FusedMultiplyAdd(x, v1, c21);
            x = Vector512.Create(Unsafe.Add(ref ak, 3 * row)); c30 = Vector512.FusedMultiplyAdd(x, v0, c30); c31 = Vector512.FusedMultiplyAdd(x, v1, c31);
            x = Vector512.Create(Unsafe.Add(ref ak, 4 * row)); c40 = Vector512.FusedMultiplyAdd(x, v0, c40); c41 = Vector512.FusedMultiplyAdd(x, v1, c41);
            x = Vector512.Create(Unsafe.Add(ref ak, 5 * row)); c50 = Vector512.FusedMultiplyAdd(x, v0, c50); c51 = Vector512.FusedMultiplyAdd(x, v1, c51);
            x = Vector512.Create(Unsafe.Add(ref ak, 6 * row)); c60 = Vector512.FusedMultiplyAdd(x, v0, c60); c61 = Vector512.FusedMultiplyAdd(x, v1, c61);
            x = Vector512.Create(Unsafe.Add(ref ak, 7 * row)); c70 = Vector512.FusedMultiplyAdd(x, v0, c70); c71 = Vector512.FusedMultiplyAdd(x, v1, c71);
            x = Vector512.Create(Unsafe.Add(ref ak, 8 * row)); c80 = Vector512.FusedMultiplyAdd(x, v0, c80); c81 = Vector512.FusedMultiplyAdd(x, v1, c81);
            x = Vector512.Create(Unsafe.Add(ref ak, 9 * row)); c90 = Vector512.FusedMultiplyAdd(x, v0, c90); c91 = Vector512.FusedMultiplyAdd(x, v1, c91);
            x = Vector512.Create(Unsafe.Add(ref ak, 10 * row)); cA0 = Vector512.FusedMultiplyAdd(x, v0, cA0); cA1 = Vector512.FusedMultiplyAdd(x, v1, cA1);
            x = Vector512.Create(Unsafe.Add(ref ak, 11 * row)); cB0 = Vector512.FusedMultiplyAdd(x, v0, cB0); cB1 = Vector512.FusedMultiplyAdd(x, v1, cB1);
        }
        nint o = nOut;
        c00.StoreUnsafe(ref z); c01.StoreUnsafe(ref z, 16);
        c10.StoreUnsafe(ref Unsafe.Add(ref z, o)); c11.StoreUnsafe(ref Unsafe.Add(ref z, o + 16));
        c20.StoreUnsafe(ref Unsafe.Add(ref z, 2 * o)); c21.StoreUnsafe(ref Unsafe.Add(ref z, 2 * o + 16));
        c30.StoreUnsafe(ref Unsafe.Add(ref z, 3 * o)); c31.StoreUnsafe(ref Unsafe.Add(ref z, 3 * o + 16));
        c40.StoreUnsafe(ref Unsafe.Add(ref z, 4 * o)); c41.StoreUnsafe(ref Unsafe.Add(ref z, 4 * o + 16));
        c50.StoreUnsafe(ref Unsafe.Add(ref z, 5 * o)); c51.StoreUnsafe(ref Unsafe.Add(ref z, 5 * o + 16));
        c60.StoreUnsafe(ref Unsafe.Add(ref z, 6 * o)); c61.StoreUnsafe(ref Unsafe.Add(ref z, 6 * o + 16));
        c70.StoreUnsafe(ref Unsafe.Add(ref z, 7 * o)); c71.StoreUnsafe(ref Unsafe.Add(ref z, 7 * o + 16));
        c80.StoreUnsafe(ref Unsafe.Add(ref z, 8 * o)); c81.StoreUnsafe(ref Unsafe.Add(ref z, 8 * o + 16));
        c90.StoreUnsafe(ref Unsafe.Add(ref z, 9 * o)); c91.StoreUnsafe(ref Unsafe.Add(ref z, 9 * o + 16));
        cA0.StoreUnsafe(ref Unsafe.Add(ref z, 10 * o)); cA1.StoreUnsafe(ref Unsafe.Add(ref z, 10 * o + 16));
        cB0.StoreUnsafe(ref Unsafe.Add(ref z, 11 * o)); cB1.StoreUnsafe(ref Unsafe.Add(ref z, 11 * o + 16));
    }

    /// <summary>out[0..32) = b + Σ_k a[k]·panel[k, 0..32): one row of <see cref="Block12x32"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x32(ref float a, ref float panel, ref float output, int nIn, Vector512<float> b0, Vector512<float> b1)
    {
        Vector512<float> c0 = b0, c1 = b1;
        for (int k = 0; k < nIn; k++)
        {
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref a, k));
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth + 16), c1);
        }
        c0.StoreUnsafe(ref output);
        c1.StoreUnsafe(ref output, 16);
    }
}
