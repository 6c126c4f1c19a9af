using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    private readonly struct Six : ICount { public static int Value => 6; }

    /// <summary>
    /// A stride-1 convolution read as a one-dimensional one (an implicit im2col): over a map padded to
    /// <see cref="Height"/> × <see cref="Width"/> = (oh + kh − 1) × (ow + kw − 1), output pixel (oy, ox) at
    /// q = oy·Width + ox reads X[c, q + ky·Width + kx], so Z'[f, q] = Σ_c,ky,kx W[f, c, ky, kx]·X[c, q + ky·Width + kx]
    /// for q &lt; <see cref="Count"/> = (oh − 1)·Width + ow is a product of W (filters × c·kh·kw) with shifted views of
    /// X: no patch is copied. The columns ox ≥ ow of Z' are not outputs (they straddle two rows) and are dropped.
    /// </summary>
    internal readonly struct ConvGrid
    {
        public ConvGrid(int inHeight, int inWidth, int outHeight, int outWidth, int kh, int kw, int padTop, int padLeft)
        {
            Height = outHeight + kh - 1;
            Width = outWidth + kw - 1;
            Count = (outHeight - 1) * Width + outWidth;
            PadTop = padTop;
            PadLeft = padLeft;
            InHeight = inHeight;
            InWidth = inWidth;
            // Unpadded, as wide as the input and no taller: the input itself is the padded map (no copy).
            Alias = padTop == 0 && padLeft == 0 && Width == inWidth && Height <= inHeight;
            Plane = Alias ? inHeight * inWidth : Height * Width;
            Direct = Width == outWidth;
        }

        /// <summary>The padded map's rows.</summary>
        public int Height { get; }

        /// <summary>The padded map's columns: the distance between two output rows in Z'.</summary>
        public int Width { get; }

        /// <summary>The columns of Z': (oh − 1)·Width + ow.</summary>
        public int Count { get; }

        public int PadTop { get; }
        public int PadLeft { get; }
        public int InHeight { get; }
        public int InWidth { get; }

        /// <summary>Whether the input map is already the padded map.</summary>
        public bool Alias { get; }

        /// <summary>The floats between two channel planes of the map read.</summary>
        public int Plane { get; }

        /// <summary>Whether Z' is the output itself (Width = ow: no columns to drop).</summary>
        public bool Direct { get; }

        /// <summary>The floats of a padded copy of <paramref name="channels"/> planes (0 when aliased).</summary>
        public int PaddedLength(int channels) => Alias ? 0 : channels * Plane;

        /// <summary>The floats of Z' for <paramref name="rows"/> rows (0 when it is the output itself).</summary>
        public int ProductLength(int rows) => Direct ? 0 : rows * Count;
    }

    /// <summary>The grid of <see cref="Conv2DForward"/> (and of <see cref="Conv2DBackwardWeights"/>), which reads A.</summary>
    internal static ConvGrid ForwardGrid(in ConvGeometry g)
        => new(g.InHeight, g.InWidth, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.PadTop, g.PadLeft);

    /// <summary>The grid of <see cref="Conv2DBackwardInput"/>: dZ padded by kh − 1 − padTop rows and kw − 1 − padLeft
    /// columns, convolved (stride 1) with W flipped to give dA's h × w.</summary>
    internal static ConvGrid BackwardInputGrid(in ConvGeometry g)
        => new(g.OutHeight, g.OutWidth, g.InHeight, g.InWidth, g.KernelHeight, g.KernelWidth,
            g.KernelHeight - 1 - g.PadTop, g.KernelWidth - 1 - g.PadLeft);

    /// <summary>
    /// The floats per vector of the implicit product for <paramref name="count"/> columns: the widest accelerated width
    /// whose tile of two vectors fits in them, 0 when none does (no vectors on this machine, or a map too small: the
    /// direct loops then).
    /// </summary>
    internal static int ImplicitWidth(int count)
        => Width512.IsAccelerated && count >= 2 * Width512.Count ? Width512.Count
            : Width256.IsAccelerated && count >= 2 * Width256.Count ? Width256.Count
            : Width128.IsAccelerated && count >= 2 * Width128.Count ? Width128.Count
            : 0;

    /// <summary>
    /// The multiply-adds (rows × columns of Z' × depth) below which the direct loops stay. Measured (quick mode,
    /// "Switch point", AVX-512 host): the implicit product is faster wherever its tile of two vectors fits, 2.2× at
    /// 144 multiply-adds (1 × 4 × 4 → 1, 3 × 3 Same) and 29× at 21 600; below 128 nothing was measured, and the
    /// hand-sized cases of the kernel tests (≤ 117) keep the direct loops and need no scratch.
    /// </summary>
    internal const int ImplicitMinimumMultiplyAdds = 128;

    /// <summary>Whether a stride-1 convolution over <paramref name="grid"/> with <paramref name="rows"/> outputs per
    /// column and <paramref name="depth"/> products per output takes the implicit product.</summary>
    internal static bool ImplicitPays(in ConvGrid grid, int stride, int rows, int depth)
        => stride == 1 && ImplicitWidth(grid.Count) > 0 && (long)rows * grid.Count * depth >= ImplicitMinimumMultiplyAdds;

    /// <summary>Copies <paramref name="channels"/> planes of <paramref name="height"/> × <paramref name="width"/> into
    /// the padded map of <paramref name="grid"/> (whose padding is already 0), clipped to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyIntoGrid(ref float source, ref float padded, int channels, int height, int width, in ConvGrid grid)
    {
        int rows = Math.Min(height, grid.Height - grid.PadTop), columns = Math.Min(width, grid.Width - grid.PadLeft);
        uint bytes = (uint)columns * sizeof(float);
        for (int c = 0; c < channels; c++)
        {
            ref float from = ref Unsafe.Add(ref source, (nint)c * height * width);
            ref float to = ref Unsafe.Add(ref padded, (nint)c * grid.Plane + (nint)grid.PadTop * grid.Width + grid.PadLeft);
            for (int y = 0; y < rows; y++)
                Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref to, (nint)y * grid.Width)),
                    ref Unsafe.As<float, byte>(ref Unsafe.Add(ref from, (nint)y * width)), bytes);
        }
    }

    /// <summary>Z[r, oy, ox] = Z'[r, oy·Width + ox]: the output columns of Z' (rows × Count) into
    /// <paramref name="rows"/> maps of <paramref name="height"/> × <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyFromGrid(ref float product, ref float target, int rows, int height, int width, in ConvGrid grid)
    {
        uint bytes = (uint)width * sizeof(float);
        for (int r = 0; r < rows; r++)
        {
            ref float from = ref Unsafe.Add(ref product, (nint)r * grid.Count);
            ref float to = ref Unsafe.Add(ref target, (nint)r * height * width);
            for (int y = 0; y < height; y++)
                Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref to, (nint)y * width)),
                    ref Unsafe.As<float, byte>(ref Unsafe.Add(ref from, (nint)y * grid.Width)), bytes);
        }
    }

    /// <summary>
    /// Z'[f, q] = b[f] + Σ_c Σ_ky Σ_kx W[f, c, ky, kx]·X[c·plane + ky·rowWidth + kx + q] for f &lt; filters and
    /// q &lt; count (Z' is filters × count; b is 0 unless <paramref name="hasBias"/>): the implicit product, in register
    /// tiles of up to 6 filters (4 with 16 registers) × two vectors of q, the last tile of each row overlapping the
    /// one before (it stores the same values again). <paramref name="count"/> ≥ two vectors of
    /// <see cref="ImplicitWidth"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ImplicitProduct(ref float x, int plane, int rowWidth, ref float w, ref float b, bool hasBias,
        ref float z, int filters, int channels, int kh, int kw, int count)
    {
        switch (ImplicitWidth(count))
        {
            case 16: ImplicitRows<Width512>(ref x, plane, rowWidth, ref w, ref b, hasBias, ref z, filters,
                channels, kh, kw, count); break;
            case 8: ImplicitRows<Width256>(ref x, plane, rowWidth, ref w, ref b, hasBias, ref z, filters,
                channels, kh, kw, count); break;
            default: ImplicitRows<Width128>(ref x, plane, rowWidth, ref w, ref b, hasBias, ref z, filters,
                channels, kh, kw, count); break;
        }
    }

    private static void ImplicitRows<TVec>(ref float x, int plane, int rowWidth, ref float w, ref float b, bool hasBias,
        ref float z, int filters, int channels, int kh, int kw, int count)
        where TVec : struct, IVector<TVec>
    {
        int most = TVec.HasManyRegisters ? 6 : 4, k = channels * kh * kw;
        for (int f = 0; f < filters;)
        {
            int rows = Math.Min(most, filters - f);
            // Five filters with 16 registers would be a tile of 4 and one of 1: 3 + 2 keeps both tiles wide.
            if (!TVec.HasManyRegisters && rows == 4 && filters - f == 5) rows = 3;
            ref float wF = ref Unsafe.Add(ref w, (nint)f * k);
            ref float bF = ref Unsafe.Add(ref b, hasBias ? f : 0);
            ref float zF = ref Unsafe.Add(ref z, (nint)f * count);
            switch (rows)
            {
                case 1: ImplicitAcross<TVec, One>(ref x, plane, rowWidth, ref wF, ref bF, hasBias, ref zF,
                    channels, kh, kw, count); break;
                case 2: ImplicitAcross<TVec, Two>(ref x, plane, rowWidth, ref wF, ref bF, hasBias, ref zF,
                    channels, kh, kw, count); break;
                case 3: ImplicitAcross<TVec, Three>(ref x, plane, rowWidth, ref wF, ref bF, hasBias, ref zF,
                    channels, kh, kw, count); break;
                case 4: ImplicitAcross<TVec, Four>(ref x, plane, rowWidth, ref wF, ref bF, hasBias, ref zF,
                    channels, kh, kw, count); break;
                case 5: ImplicitAcross<TVec, Five>(ref x, plane, rowWidth, ref wF, ref bF, hasBias, ref zF,
                    channels, kh, kw, count); break;
                default: ImplicitAcross<TVec, Six>(ref x, plane, rowWidth, ref wF, ref bF, hasBias, ref zF,
                    channels, kh, kw, count); break;
            }
            f += rows;
        }
    }

    /// <summary><typeparamref name="TRows"/> rows of Z' across all its columns, two vectors at a time.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ImplicitAcross<TVec, TRows>(ref float x, int plane, int rowWidth, ref float w, ref float b,
        bool hasBias, ref float z, int channels, int kh, int kw, int count)
        where TVec : struct, IVector<TVec>
        where TRows : struct, ICount
    {
        int span = 2 * TVec.Count;
        for (int q = 0; ; q += span)
        {
            if (q > count - span) q = count - span; // the last tile overlaps the previous one: same values, stored again
            ImplicitTile<TVec, TRows>(ref Unsafe.Add(ref x, q), plane, rowWidth, ref w, ref b, hasBias,
                ref Unsafe.Add(ref z, q), channels, kh, kw, count);
            if (q + span >= count) break;
        }
    }

    /// <summary>Z'[r, 0 .. 2 vectors) = b[r] + Σ_k W[r, k]·X_k[0 .. 2 vectors) for <typeparamref name="TRows"/> rows:
    /// per k two loads of X and one broadcast of W per row, 2·rows accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ImplicitTile<TVec, TRows>(ref float x, int plane, int rowWidth, ref float w, ref float b,
        bool hasBias, ref float z, int channels, int kh, int kw, int count)
        where TVec : struct, IVector<TVec>
        where TRows : struct, ICount
    {
        int rows = TRows.Value;
        nint k = channels * kh * kw;
        nuint n = (nuint)TVec.Count;
        TVec c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVec c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (hasBias)
        {
            c00 = c01 = TVec.Broadcast(b);
            if (rows > 1) c10 = c11 = TVec.Broadcast(Unsafe.Add(ref b, 1));
            if (rows > 2) c20 = c21 = TVec.Broadcast(Unsafe.Add(ref b, 2));
            if (rows > 3) c30 = c31 = TVec.Broadcast(Unsafe.Add(ref b, 3));
            if (rows > 4) c40 = c41 = TVec.Broadcast(Unsafe.Add(ref b, 4));
            if (rows > 5) c50 = c51 = TVec.Broadcast(Unsafe.Add(ref b, 5));
        }
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < kh; ky++)
            {
                ref float xr = ref Unsafe.Add(ref x, (nint)c * plane + (nint)ky * rowWidth);
                ref float wr = ref Unsafe.Add(ref w, ((nint)c * kh + ky) * kw);
                for (int kx = 0; kx < kw; kx++)
                {
                    TVec v0 = TVec.Load(ref xr, (nuint)kx), v1 = TVec.Load(ref xr, (nuint)kx + n);
                    ref float wk = ref Unsafe.Add(ref wr, kx);
                    TVec s = TVec.Broadcast(wk);
                    c00 = TVec.MultiplyAdd(s, v0, c00); c01 = TVec.MultiplyAdd(s, v1, c01);
                    if (rows > 1) { s = TVec.Broadcast(Unsafe.Add(ref wk, k)); c10 = TVec.MultiplyAdd(s, v0, c10); c11 = TVec.MultiplyAdd(s, v1, c11); }
                    if (rows > 2) { s = TVec.Broadcast(Unsafe.Add(ref wk, 2 * k)); c20 = TVec.MultiplyAdd(s, v0, c20); c21 = TVec.MultiplyAdd(s, v1, c21); }
                    if (rows > 3) { s = TVec.Broadcast(Unsafe.Add(ref wk, 3 * k)); c30 = TVec.MultiplyAdd(s, v0, c30); c31 = TVec.MultiplyAdd(s, v1, c31); }
                    if (rows > 4) { s = TVec.Broadcast(Unsafe.Add(ref wk, 4 * k)); c40 = TVec.MultiplyAdd(s, v0, c40); c41 = TVec.MultiplyAdd(s, v1, c41); }
                    if (rows > 5) { s = TVec.Broadcast(Unsafe.Add(ref wk, 5 * k)); c50 = TVec.MultiplyAdd(s, v0, c50); c51 = TVec.MultiplyAdd(s, v1, c51); }
                }
            }
        nuint o = (nuint)count;
        TVec.Store(c00, ref z, 0); TVec.Store(c01, ref z, n);
        if (rows > 1) { TVec.Store(c10, ref z, o); TVec.Store(c11, ref z, o + n); }
        if (rows > 2) { TVec.Store(c20, ref z, 2 * o); TVec.Store(c21, ref z, 2 * o + n); }
        if (rows > 3) { TVec.Store(c30, ref z, 3 * o); TVec.Store(c31, ref z, 3 * o + n); }
        if (rows > 4) { TVec.Store(c40, ref z, 4 * o); TVec.Store(c41, ref z, 4 * o + n); }
        if (rows > 5) { TVec.Store(c50, ref z, 5 * o); TVec.Store(c51, ref z, 5 * o + n); }
    }
}
