using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Units per wide panel of the packed Wᵀ: four Vector512 of outputs per row.</summary>
    private const int PanelWidth = 64;

    /// <summary>Samples per block of a wide panel: 6 × 4 accumulators.</summary>
    private const int PanelRows = 6;

    /// <summary>Units per narrow panel (the last one, when 32 units or fewer remain): two Vector512 per row.</summary>
    private const int NarrowWidth = 32;

    /// <summary>Samples per block of the narrow panel: 12 × 2 accumulators.</summary>
    private const int NarrowRows = 12;

    /// <summary>This thread's packed Wᵀ. Aligned, the panel rows start on cache lines (unaligned, each of the pack's
    /// 64-byte stores touches two).</summary>
    [ThreadStatic] private static AlignedScratch t_packed;

    /// <summary>This thread's bias, padded with zeros to whole panels.</summary>
    [ThreadStatic] private static float[]? t_packedBias;

    /// <summary>
    /// W[l]ᵀ packed once into the panels of <see cref="DenseForwardPacked"/>, with its bias padded to whole panels: what
    /// a frozen network keeps so that its batches skip the pack. Immutable after <see cref="Of"/>, so any number of
    /// threads may read it at once.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public sealed class PackedWeights
    {
        // Written by the constructor only; Get never reallocates since the scratch already holds _length floats.
        private AlignedScratch _panels;
        private readonly int _length;
        private readonly float[] _bias;

        /// <summary>n[l-1]: the inputs of the layer packed.</summary>
        public int Inputs { get; }

        /// <summary>n[l]: the units of the layer packed.</summary>
        public int Units { get; }

        private PackedWeights(ReadOnlySpan<float> W, ReadOnlySpan<float> b, int nIn, int nOut)
        {
            Inputs = nIn;
            Units = nOut;
            PanelLayout(nIn, nOut, out _length, out int padded);
            _bias = new float[padded];
            Pack(ref Ref(W), ref Ref(b), nIn, nOut, ref _panels.Get(_length), ref MemoryMarshal.GetArrayDataReference(_bias));
        }

        /// <summary>The first panel float, 64-byte aligned (pinned).</summary>
        internal ref float Panels => ref _panels.Get(_length);

        /// <summary>The bias padded with zeros to whole panels.</summary>
        internal ref float Bias => ref MemoryMarshal.GetArrayDataReference(_bias);

        /// <summary>W (nOut × nIn, row-major) and b packed for <see cref="DenseForward{TActivation}(ReadOnlySpan{float},
        /// ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, TActivation, PackedWeights?)"/>; null
        /// where this machine or this shape never takes the packed path (no AVX-512, nOut &lt; 32 or nIn &lt; 16), so
        /// that the batch runs exactly as the mutable network's.</summary>
        /// <exception cref="ArgumentException">A length does not match nIn and nOut.</exception>
        public static PackedWeights? Of(ReadOnlySpan<float> W, ReadOnlySpan<float> b, int nIn, int nOut)
        {
            RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
            RequireMatrix(W.Length, nOut, nIn, nameof(W));
            RequireLength(b.Length, nOut, nameof(b));
            return PacksPanels(nIn, nOut) ? new PackedWeights(W, b, nIn, nOut) : null;
        }
    }

    /// <summary>Whether a layer of this shape packs Wᵀ for a batch of 12 samples or more on this machine.</summary>
    private static bool PacksPanels(int nIn, int nOut)
        => Width512.IsAccelerated && Avx512F.IsSupported && nOut >= 32 && nIn >= Width512.Count;

    /// <summary>
    /// Z = g(A·Wᵀ + b), as <see cref="DenseForward{TActivation}(ReadOnlySpan{float}, ReadOnlySpan{float},
    /// ReadOnlySpan{float}, Span{float}, int, int, int, TActivation)"/>, with W already packed: a batch that would pack
    /// Wᵀ runs on <paramref name="packed"/>'s panels instead (the same panels, the same sums: bit for bit the same Z);
    /// any other batch, or a null <paramref name="packed"/>, runs the overload without it. <paramref name="packed"/> must
    /// have been packed from this W and b (the frozen networks pack their own copy, never written again).
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match m, nIn and nOut, or <paramref name="packed"/> was
    /// packed from a layer of other sizes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForward<TActivation>(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Z,
        int m, int nIn, int nOut, TActivation g, PackedWeights? packed)
        where TActivation : struct, IActivationFunction
    {
        if (packed is null || m < NarrowRows)
        {
            DenseForward(A, W, b, Z, m, nIn, nOut, g);
            return;
        }
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        if (packed.Inputs != nIn || packed.Units != nOut)
            throw new ArgumentException(
                $"the packed weights are {packed.Units} × {packed.Inputs}, but the layer is {nOut} × {nIn}", nameof(packed));
        RequireMatrix(A.Length, m, nIn, nameof(A));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireLength(b.Length, nOut, nameof(b));
        RequireMatrix(Z.Length, m, nOut, nameof(Z));
        DenseForwardPanels(ref Ref(A), ref packed.Panels, ref packed.Bias, ref Ref(Z), m, nIn, nOut, g);
    }

    /// <summary>The floats of the packed Wᵀ and of the padded bias for a layer of nOut units.</summary>
    private static void PanelLayout(int nIn, int nOut, out int needed, out int padded)
    {
        int wide = nOut / PanelWidth, rest = nOut - wide * PanelWidth;
        // A remainder of more than 32 units takes one more (partial) wide panel, one of 32 or fewer a narrow panel.
        if (rest > NarrowWidth) { wide++; rest = 0; }
        int narrowStart = wide * PanelWidth;
        needed = narrowStart * nIn + (rest > 0 ? NarrowWidth * nIn : 0);
        padded = narrowStart + (rest > 0 ? NarrowWidth : 0);
    }

    /// <summary>Wᵀ into panels at <paramref name="p0"/> and b into <paramref name="bias0"/>, padded with zeros (the
    /// layout of <see cref="PanelLayout"/>).</summary>
    private static void Pack(ref float w0, ref float b0, int nIn, int nOut, ref float p0, ref float bias0)
    {
        int wide = nOut / PanelWidth, rest = nOut - wide * PanelWidth;
        if (rest > NarrowWidth) { wide++; rest = 0; }
        int narrowStart = wide * PanelWidth;
        int padded = narrowStart + (rest > 0 ? NarrowWidth : 0);
        for (int j = 0; j < padded; j++)
            Unsafe.Add(ref bias0, j) = j < nOut ? Unsafe.Add(ref b0, j) : 0f;
        for (int p = 0; p < wide; p++)
            PackPanel(ref w0, ref Unsafe.Add(ref p0, (nint)p * nIn * PanelWidth), nIn, nOut, p * PanelWidth, PanelWidth);
        if (rest > 0)
            PackPanel(ref w0, ref Unsafe.Add(ref p0, (nint)narrowStart * nIn), nIn, nOut, narrowStart, NarrowWidth);
    }

    /// <summary>
    /// Z = g(A·Wᵀ + b) for a batch of a wide layer (m ≥ 12, nOut ≥ 32, nIn ≥ 16), the way fast matrix products do it:
    /// Wᵀ is first packed into panels of 64 units (panel[k][0..64) = W[j0 + c, k], zeros past nOut; the last panel is 32
    /// wide when 32 units or fewer remain) in this thread's scratch, then <see cref="DenseForwardPanels"/> runs on them.
    /// A frozen network packs once instead (<see cref="PackedWeights"/>) and calls DenseForwardPanels directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DenseForwardPacked<TActivation>(ref float a0, ref float w0, ref float b0, ref float z0, int m, int nIn, int nOut, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        PanelLayout(nIn, nOut, out int needed, out int padded);
        float[] bias = t_packedBias is { } cachedBias && cachedBias.Length >= padded ? cachedBias : (t_packedBias = new float[padded]);
        ref float bias0 = ref MemoryMarshal.GetArrayDataReference(bias);
        ref float p0 = ref t_packed.Get(needed);
        Pack(ref w0, ref b0, nIn, nOut, ref p0, ref bias0);
        DenseForwardPanels(ref a0, ref p0, ref bias0, ref z0, m, nIn, nOut, g);
    }

    /// <summary>
    /// Z = g(A·Wᵀ + b) from Wᵀ packed into panels (<see cref="Pack"/>) and b padded: each block of 6 samples × 64 units
    /// is 24 Vector512 accumulators, fed per k by four loads of the panel and six broadcasts of A[i, k] — 24 FMAs for 10
    /// loads (the 12 × 32 block needed 14, and this core issues about one vector load per cycle). b and g are applied in
    /// registers before the one store. The last 1 to 5 rows of a wide panel run a block of exactly that many rows; the
    /// last block of the narrow panel starts at m − 12 and recomputes a few rows (Z depends on A only, so writing a row
    /// twice writes the same values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DenseForwardPanels<TActivation>(ref float a0, ref float p0, ref float bias0, ref float z0, int m, int nIn, int nOut, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        int wide = nOut / PanelWidth, rest = nOut - wide * PanelWidth;
        if (rest > NarrowWidth) { wide++; rest = 0; }
        int narrowStart = wide * PanelWidth;

        Span<float> scratch = stackalloc float[PanelRows * PanelWidth];
        ref float s0 = ref MemoryMarshal.GetReference(scratch);

        // Wide panels, samples outer: the block's 6 rows of A stay in L1 while it sweeps the panels (from L2).
        int whole = m - m % PanelRows;
        for (int i = 0; i < whole; i += PanelRows)
        {
            int first = i;
            ref float a = ref Unsafe.Add(ref a0, (nint)first * nIn);
            for (int p = 0; p < wide; p++)
            {
                int j0 = p * PanelWidth, valid = Math.Min(PanelWidth, nOut - j0);
                ref float panel = ref Unsafe.Add(ref p0, (nint)p * nIn * PanelWidth);
                ref float z = ref Unsafe.Add(ref z0, (nint)first * nOut + j0);
                if (valid == PanelWidth)
                    Block6x64(ref a, ref panel, ref Unsafe.Add(ref bias0, j0), ref z, nIn, nOut, g);
                else
                {
                    // A partial panel: the whole block into scratch, then its valid columns.
                    Block6x64(ref a, ref panel, ref Unsafe.Add(ref bias0, j0), ref s0, nIn, PanelWidth, g);
                    for (int r = 0; r < PanelRows; r++)
                        scratch.Slice(r * PanelWidth, valid).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref z, (nint)r * nOut), valid));
                }
            }
        }
        if (whole < m)
        {
            // The last 1 to 5 rows: a block of exactly that many (a 6-row block ending at m − 1 would compute up to 5
            // rows twice).
            int rows = m - whole;
            ref float a = ref Unsafe.Add(ref a0, (nint)whole * nIn);
            for (int p = 0; p < wide; p++)
            {
                int j0 = p * PanelWidth, valid = Math.Min(PanelWidth, nOut - j0);
                ref float panel = ref Unsafe.Add(ref p0, (nint)p * nIn * PanelWidth);
                ref float z = ref Unsafe.Add(ref z0, (nint)whole * nOut + j0);
                if (valid == PanelWidth)
                    LastRowsX64(rows, ref a, ref panel, ref Unsafe.Add(ref bias0, j0), ref z, nIn, nOut, g);
                else
                {
                    LastRowsX64(rows, ref a, ref panel, ref Unsafe.Add(ref bias0, j0), ref s0, nIn, PanelWidth, g);
                    for (int r = 0; r < rows; r++)
                        scratch.Slice(r * PanelWidth, valid).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref z, (nint)r * nOut), valid));
                }
            }
        }

        if (rest > 0)
        {
            ref float panel = ref Unsafe.Add(ref p0, (nint)narrowStart * nIn);
            for (int i = 0; i < m; i += NarrowRows)
            {
                int first = Math.Min(i, m - NarrowRows);
                ref float a = ref Unsafe.Add(ref a0, (nint)first * nIn);
                ref float z = ref Unsafe.Add(ref z0, (nint)first * nOut + narrowStart);
                if (rest == NarrowWidth)
                    Block12x32(ref a, ref panel, ref Unsafe.Add(ref bias0, narrowStart), ref z, nIn, nOut, g);
                else
                {
                    Block12x32(ref a, ref panel, ref Unsafe.Add(ref bias0, narrowStart), ref s0, nIn, NarrowWidth, g);
                    for (int r = 0; r < NarrowRows; r++)
                        scratch.Slice(r * NarrowWidth, rest).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref z, (nint)r * nOut), rest));
                }
            }
        }
    }

    /// <summary>One panel of <paramref name="width"/> units from unit j0: panel[k, c] = W[j0 + c, k] (zero past nOut).
    /// Full 16 × 16 tiles are transposed in registers; the rest (the k tail, units past nOut) is copied one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackPanel(ref float w0, ref float panel, int nIn, int nOut, int j0, int width)
    {
        for (int group = 0; group < width; group += 16)
        {
            int valid = Math.Clamp(nOut - j0 - group, 0, 16);
            int k0 = 0;
            if (valid == 16)
                for (; k0 + 16 <= nIn; k0 += 16)
                    Transpose16x16(ref Unsafe.Add(ref w0, (nint)(j0 + group) * nIn + k0), nIn, ref Unsafe.Add(ref panel, (nint)k0 * width + group), width);
            for (int k = k0; k < nIn; k++)
            {
                ref float to = ref Unsafe.Add(ref panel, (nint)k * width + group);
                for (int c = 0; c < 16; c++)
                    Unsafe.Add(ref to, c) = c < valid ? Unsafe.Add(ref w0, (nint)(j0 + group + c) * nIn + k) : 0f;
            }
        }
    }

    /// <summary>destination[t, r] = source[r, t] for a 16 × 16 tile: unpack pairs of rows, then pairs of pairs, then two
    /// rounds of 128-bit lane shuffles — 64 shuffles for 256 floats, all in registers. Every helper is inlined: called,
    /// they passed their vectors through the stack.</summary>
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Quads(ref float source, int stride, int first, out Vector512<float> q0, out Vector512<float> q1, out Vector512<float> q2, out Vector512<float> q3)
        {
            Vector512<float> r0 = Vector512.LoadUnsafe(ref source, (nuint)((nint)first * stride));
            Vector512<float> r1 = Vector512.LoadUnsafe(ref source, (nuint)((nint)(first + 1) * stride));
            Vector512<float> r2 = Vector512.LoadUnsafe(ref source, (nuint)((nint)(first + 2) * stride));
            Vector512<float> r3 = Vector512.LoadUnsafe(ref source, (nuint)((nint)(first + 3) * stride));
            Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
            Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
            q0 = Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle();
            q1 = Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();
            q2 = Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle();
            q3 = Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Columns(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, ref float destination, int stride, int q)
        {
            Vector512<float> v0 = Avx512F.Shuffle4x128(a, b, 0x88), v1 = Avx512F.Shuffle4x128(a, b, 0xDD);
            Vector512<float> v2 = Avx512F.Shuffle4x128(c, d, 0x88), v3 = Avx512F.Shuffle4x128(c, d, 0xDD);
            Avx512F.Shuffle4x128(v0, v2, 0x88).StoreUnsafe(ref destination, (nuint)((nint)q * stride));
            Avx512F.Shuffle4x128(v1, v3, 0x88).StoreUnsafe(ref destination, (nuint)((nint)(4 + q) * stride));
            Avx512F.Shuffle4x128(v0, v2, 0xDD).StoreUnsafe(ref destination, (nuint)((nint)(8 + q) * stride));
            Avx512F.Shuffle4x128(v1, v3, 0xDD).StoreUnsafe(ref destination, (nuint)((nint)(12 + q) * stride));
        }
    }

    /// <summary>Z[r, 0..64) = g(b + Σ_k A[r, k]·panel[k, 0..64)) for 6 rows r: 24 accumulators, Z rows <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block6x64<TActivation>(ref float a, ref float panel, ref float bias, ref float z, int nIn, int stride, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector512<float> b0 = Vector512.LoadUnsafe(ref bias), b1 = Vector512.LoadUnsafe(ref bias, 16), b2 = Vector512.LoadUnsafe(ref bias, 32), b3 = Vector512.LoadUnsafe(ref bias, 48);
        Vector512<float> c00 = b0, c01 = b1, c02 = b2, c03 = b3, c10 = b0, c11 = b1, c12 = b2, c13 = b3, c20 = b0, c21 = b1, c22 = b2, c23 = b3;
        Vector512<float> c30 = b0, c31 = b1, c32 = b2, c33 = b3, c40 = b0, c41 = b1, c42 = b2, c43 = b3, c50 = b0, c51 = b1, c52 = b2, c53 = b3;
        nint row = nIn;
        ref float pk = ref panel;
        for (int k = 0; k < nIn; k++)
        {
            Vector512<float> v0 = Vector512.LoadUnsafe(ref pk), v1 = Vector512.LoadUnsafe(ref pk, 16), v2 = Vector512.LoadUnsafe(ref pk, 32), v3 = Vector512.LoadUnsafe(ref pk, 48);
            pk = ref Unsafe.Add(ref pk, PanelWidth);
            ref float ak = ref Unsafe.Add(ref a, k);
            Vector512<float> x = Vector512.Create(ak);
            c00 = Vector512.FusedMultiplyAdd(x, v0, c00); c01 = Vector512.FusedMultiplyAdd(x, v1, c01); c02 = Vector512.FusedMultiplyAdd(x, v2, c02); c03 = Vector512.FusedMultiplyAdd(x, v3, c03);
            x = Vector512.Create(Unsafe.Add(ref ak, row));
            c10 = Vector512.FusedMultiplyAdd(x, v0, c10); c11 = Vector512.FusedMultiplyAdd(x, v1, c11); c12 = Vector512.FusedMultiplyAdd(x, v2, c12); c13 = Vector512.FusedMultiplyAdd(x, v3, c13);
            x = Vector512.Create(Unsafe.Add(ref ak, 2 * row));
            c20 = Vector512.FusedMultiplyAdd(x, v0, c20); c21 = Vector512.FusedMultiplyAdd(x, v1, c21); c22 = Vector512.FusedMultiplyAdd(x, v2, c22); c23 = Vector512.FusedMultiplyAdd(x, v3, c23);
            x = Vector512.Create(Unsafe.Add(ref ak, 3 * row));
            c30 = Vector512.FusedMultiplyAdd(x, v0, c30); c31 = Vector512.FusedMultiplyAdd(x, v1, c31); c32 = Vector512.FusedMultiplyAdd(x, v2, c32); c33 = Vector512.FusedMultiplyAdd(x, v3, c33);
            x = Vector512.Create(Unsafe.Add(ref ak, 4 * row));
            c40 = Vector512.FusedMultiplyAdd(x, v0, c40); c41 = Vector512.FusedMultiplyAdd(x, v1, c41); c42 = Vector512.FusedMultiplyAdd(x, v2, c42); c43 = Vector512.FusedMultiplyAdd(x, v3, c43);
            x = Vector512.Create(Unsafe.Add(ref ak, 5 * row));
            c50 = Vector512.FusedMultiplyAdd(x, v0, c50); c51 = Vector512.FusedMultiplyAdd(x, v1, c51); c52 = Vector512.FusedMultiplyAdd(x, v2, c52); c53 = Vector512.FusedMultiplyAdd(x, v3, c53);
        }
        nint o = stride;
        Store4(ref z, c00, c01, c02, c03, g);
        Store4(ref Unsafe.Add(ref z, o), c10, c11, c12, c13, g);
        Store4(ref Unsafe.Add(ref z, 2 * o), c20, c21, c22, c23, g);
        Store4(ref Unsafe.Add(ref z, 3 * o), c30, c31, c32, c33, g);
        Store4(ref Unsafe.Add(ref z, 4 * o), c40, c41, c42, c43, g);
        Store4(ref Unsafe.Add(ref z, 5 * o), c50, c51, c52, c53, g);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Store4(ref float z, Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3, TActivation g)
        {
            g.Apply(q0).StoreUnsafe(ref z); g.Apply(q1).StoreUnsafe(ref z, 16); g.Apply(q2).StoreUnsafe(ref z, 32); g.Apply(q3).StoreUnsafe(ref z, 48);
        }
    }

    /// <summary>Z[r, 0..64) = g(b + Σ_k A[r, k]·panel[k, 0..64)) for the last <paramref name="rows"/> (1 to 5) rows r.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LastRowsX64<TActivation>(int rows, ref float a, ref float panel, ref float bias, ref float z, int nIn, int stride, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        switch (rows)
        {
            case 1: RowsX64<TActivation, One>(ref a, ref panel, ref bias, ref z, nIn, stride, g); break;
            case 2: RowsX64<TActivation, Two>(ref a, ref panel, ref bias, ref z, nIn, stride, g); break;
            case 3: RowsX64<TActivation, Three>(ref a, ref panel, ref bias, ref z, nIn, stride, g); break;
            case 4: RowsX64<TActivation, Four>(ref a, ref panel, ref bias, ref z, nIn, stride, g); break;
            default: RowsX64<TActivation, Five>(ref a, ref panel, ref bias, ref z, nIn, stride, g); break;
        }
    }

    /// <summary><see cref="Block6x64"/> for <typeparamref name="TRows"/> rows (1 to 5): 4 accumulators per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowsX64<TActivation, TRows>(ref float a, ref float panel, ref float bias, ref float z, int nIn, int stride, TActivation g)
        where TActivation : struct, IActivationFunction
        where TRows : struct, ICount
    {
        Vector512<float> b0 = Vector512.LoadUnsafe(ref bias), b1 = Vector512.LoadUnsafe(ref bias, 16), b2 = Vector512.LoadUnsafe(ref bias, 32), b3 = Vector512.LoadUnsafe(ref bias, 48);
        Vector512<float> c00 = b0, c01 = b1, c02 = b2, c03 = b3, c10 = b0, c11 = b1, c12 = b2, c13 = b3, c20 = b0, c21 = b1, c22 = b2, c23 = b3;
        Vector512<float> c30 = b0, c31 = b1, c32 = b2, c33 = b3, c40 = b0, c41 = b1, c42 = b2, c43 = b3;
        nint row = nIn;
        ref float pk = ref panel;
        for (int k = 0; k < nIn; k++)
        {
            Vector512<float> v0 = Vector512.LoadUnsafe(ref pk), v1 = Vector512.LoadUnsafe(ref pk, 16), v2 = Vector512.LoadUnsafe(ref pk, 32), v3 = Vector512.LoadUnsafe(ref pk, 48);
            pk = ref Unsafe.Add(ref pk, PanelWidth);
            ref float ak = ref Unsafe.Add(ref a, k);
            Vector512<float> x = Vector512.Create(ak);
            c00 = Vector512.FusedMultiplyAdd(x, v0, c00); c01 = Vector512.FusedMultiplyAdd(x, v1, c01); c02 = Vector512.FusedMultiplyAdd(x, v2, c02); c03 = Vector512.FusedMultiplyAdd(x, v3, c03);
            if (TRows.Value > 1)
            {
                x = Vector512.Create(Unsafe.Add(ref ak, row));
                c10 = Vector512.FusedMultiplyAdd(x, v0, c10); c11 = Vector512.FusedMultiplyAdd(x, v1, c11); c12 = Vector512.FusedMultiplyAdd(x, v2, c12); c13 = Vector512.FusedMultiplyAdd(x, v3, c13);
            }
            if (TRows.Value > 2)
            {
                x = Vector512.Create(Unsafe.Add(ref ak, 2 * row));
                c20 = Vector512.FusedMultiplyAdd(x, v0, c20); c21 = Vector512.FusedMultiplyAdd(x, v1, c21); c22 = Vector512.FusedMultiplyAdd(x, v2, c22); c23 = Vector512.FusedMultiplyAdd(x, v3, c23);
            }
            if (TRows.Value > 3)
            {
                x = Vector512.Create(Unsafe.Add(ref ak, 3 * row));
                c30 = Vector512.FusedMultiplyAdd(x, v0, c30); c31 = Vector512.FusedMultiplyAdd(x, v1, c31); c32 = Vector512.FusedMultiplyAdd(x, v2, c32); c33 = Vector512.FusedMultiplyAdd(x, v3, c33);
            }
            if (TRows.Value > 4)
            {
                x = Vector512.Create(Unsafe.Add(ref ak, 4 * row));
                c40 = Vector512.FusedMultiplyAdd(x, v0, c40); c41 = Vector512.FusedMultiplyAdd(x, v1, c41); c42 = Vector512.FusedMultiplyAdd(x, v2, c42); c43 = Vector512.FusedMultiplyAdd(x, v3, c43);
            }
        }
        nint o = stride;
        Store4(ref z, c00, c01, c02, c03, g);
        if (TRows.Value > 1) Store4(ref Unsafe.Add(ref z, o), c10, c11, c12, c13, g);
        if (TRows.Value > 2) Store4(ref Unsafe.Add(ref z, 2 * o), c20, c21, c22, c23, g);
        if (TRows.Value > 3) Store4(ref Unsafe.Add(ref z, 3 * o), c30, c31, c32, c33, g);
        if (TRows.Value > 4) Store4(ref Unsafe.Add(ref z, 4 * o), c40, c41, c42, c43, g);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Store4(ref float z, Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3, TActivation g)
        {
            g.Apply(q0).StoreUnsafe(ref z); g.Apply(q1).StoreUnsafe(ref z, 16); g.Apply(q2).StoreUnsafe(ref z, 32); g.Apply(q3).StoreUnsafe(ref z, 48);
        }
    }

    /// <summary>Z[r, 0..32) = g(b + Σ_k A[r, k]·panel[k, 0..32)) for 12 rows r: 24 accumulators, Z rows <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block12x32<TActivation>(ref float a, ref float panel, ref float bias, ref float z, int nIn, int stride, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector512<float> b0 = Vector512.LoadUnsafe(ref bias), b1 = Vector512.LoadUnsafe(ref bias, 16);
        Vector512<float> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
        Vector512<float> c60 = b0, c61 = b1, c70 = b0, c71 = b1, c80 = b0, c81 = b1, c90 = b0, c91 = b1, cA0 = b0, cA1 = b1, cB0 = b0, cB1 = b1;
        nint row = nIn;
        ref float pk = ref panel;
        for (int k = 0; k < nIn; k++)
        {
            Vector512<float> v0 = Vector512.LoadUnsafe(ref pk), v1 = Vector512.LoadUnsafe(ref pk, 16);
            pk = ref Unsafe.Add(ref pk, NarrowWidth);
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
        nint o = stride;
        Store2(ref z, c00, c01, g); Store2(ref Unsafe.Add(ref z, o), c10, c11, g);
        Store2(ref Unsafe.Add(ref z, 2 * o), c20, c21, g); Store2(ref Unsafe.Add(ref z, 3 * o), c30, c31, g);
        Store2(ref Unsafe.Add(ref z, 4 * o), c40, c41, g); Store2(ref Unsafe.Add(ref z, 5 * o), c50, c51, g);
        Store2(ref Unsafe.Add(ref z, 6 * o), c60, c61, g); Store2(ref Unsafe.Add(ref z, 7 * o), c70, c71, g);
        Store2(ref Unsafe.Add(ref z, 8 * o), c80, c81, g); Store2(ref Unsafe.Add(ref z, 9 * o), c90, c91, g);
        Store2(ref Unsafe.Add(ref z, 10 * o), cA0, cA1, g); Store2(ref Unsafe.Add(ref z, 11 * o), cB0, cB1, g);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Store2(ref float z, Vector512<float> q0, Vector512<float> q1, TActivation g)
        {
            g.Apply(q0).StoreUnsafe(ref z); g.Apply(q1).StoreUnsafe(ref z, 16);
        }
    }
}
