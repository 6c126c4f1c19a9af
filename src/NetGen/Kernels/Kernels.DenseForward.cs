using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Z = A·Wᵀ + b, i.e. Z[i, j] = Σ_k A[i, k]·W[j, k] + b[j] — the notes' Z[l] = W[l]·A[l-1] + b[l] with samples as rows.
    /// A is m × nIn, W is nOut × nIn (row-major), b has nOut elements, Z is m × nOut.
    /// </summary>
    /// <remarks>
    /// Every Z[i, j] is a dot product of two contiguous rows, A[i, ·] and W[j, ·]. A batch of a wide layer (12 samples or
    /// more, 32 units or more) packs Wᵀ and runs <see cref="DenseForwardPacked"/> (AVX-512); one to three samples of a W
    /// too big for L1 run <see cref="DenseForwardOne"/> each. Otherwise <see cref="RowsProduct"/>: register tiles of
    /// samples × units at the widest width that fits in a row, else one scalar dot product per output.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForward(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Z, int m, int nIn, int nOut)
        => DenseForward(A, W, b, Z, m, nIn, nOut, new IdentityFunction());

    /// <summary>
    /// Z = g(A·Wᵀ + b), i.e. Z[i, j] = g(Σ_k A[i, k]·W[j, k] + b[j]): <see cref="DenseForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>
    /// and the activation in one call. A batch of a wide layer applies g in registers before the store (no second pass
    /// over Z); the other strategies apply it over Z afterwards. Z holds the activations, not the pre-activations.
    /// </summary>
    /// <typeparam name="TActivation">The activation, a struct (the JIT compiles one copy per activation, g inlined).</typeparam>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForward<TActivation>(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Z, int m, int nIn, int nOut, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(A.Length, m, nIn, nameof(A));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireLength(b.Length, nOut, nameof(b));
        RequireMatrix(Z.Length, m, nOut, nameof(Z));

        if (Width512.IsAccelerated && Avx512F.IsSupported && m >= NarrowRows && nOut >= 32 && nIn >= Width512.Count)
        {
            DenseForwardPacked(ref Ref(A), ref Ref(W), ref Ref(b), ref Ref(Z), m, nIn, nOut, g);
            return;
        }
        if (m < 4 && Avx512F.IsSupported && StreamsRows(nIn, nOut))
        {
            // One to three samples of a wide layer: each through the one-sample kernel, which reads W row after row
            // (faster than the 1 × 8 tiles below, which read 8 rows side by side).
            for (int i = 0; i < m; i++)
                DenseForwardOne(A.Slice(i * nIn, nIn), W.Slice(0, nOut * nIn), b.Slice(0, nOut), Z.Slice(i * nOut, nOut), g);
            return;
        }
        RowsProduct(ref Ref(A), ref Ref(W), ref Ref(b), true, ref Ref(Z), m, nIn, nOut);
        ApplyInPlace(ref Ref(Z), m * nOut, g);
    }

    /// <summary>Z = A·Wᵀ (+ b when <paramref name="hasBias"/>) with samples as rows: Z[i, j] = A[i, ·]·W[j, ·], in
    /// register tiles at the widest accelerated width whose vector fits in a row (Vector512, else Vector256, else
    /// Vector128, NEON on ARM64); else one scalar <see cref="Dot"/> per output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RowsProduct(ref float a0, ref float w0, ref float b0, bool hasBias, ref float z0, int m, int nIn, int nOut)
    {
        if (Width512.IsAccelerated && nIn >= Width512.Count)
            RowsTiles<Width512>(ref a0, ref w0, ref b0, hasBias, ref z0, m, nIn, nOut);
        else if (Width256.IsAccelerated && nIn >= Width256.Count)
            RowsTiles<Width256>(ref a0, ref w0, ref b0, hasBias, ref z0, m, nIn, nOut);
        else if (Width128.IsAccelerated && nIn >= Width128.Count)
            RowsTiles<Width128>(ref a0, ref w0, ref b0, hasBias, ref z0, m, nIn, nOut);
        else
            for (int i = 0; i < m; i++)
            {
                ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
                ref float z = ref Unsafe.Add(ref z0, (nint)i * nOut);
                for (int j = 0; j < nOut; j++)
                    Unsafe.Add(ref z, j) = Dot(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), nIn) + (hasBias ? Unsafe.Add(ref b0, j) : 0f);
            }
    }

    /// <summary>
    /// <see cref="RowsProduct"/> at one width (nIn ≥ one vector): 4 samples × 4 units at a time (16 sums) with 32
    /// registers, 2 × 4 with 16; the last samples one at a time × 8 units; a layer of fewer than 4 units, 4 samples ×
    /// all of them. Enough independent sums to hide the FMA latency, each vector of A and of W loaded once per tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RowsTiles<TVec>(ref float a0, ref float w0, ref float b0, bool hasBias, ref float z0, int m, int nIn, int nOut)
        where TVec : struct, IVector<TVec>
    {
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            ref float z = ref Unsafe.Add(ref z0, (nint)i * nOut);
            switch (nOut)
            {
                case 1: UnitsAcross<TVec, Four, One>(ref a, ref w0, ref b0, hasBias, ref z, nIn, nOut); break;
                case 2: UnitsAcross<TVec, Four, Two>(ref a, ref w0, ref b0, hasBias, ref z, nIn, nOut); break;
                case 3 when TVec.HasManyRegisters: UnitsAcross<TVec, Four, Three>(ref a, ref w0, ref b0, hasBias, ref z, nIn, nOut); break;
                case 3:
                    UnitsAcross<TVec, Two, Three>(ref a, ref w0, ref b0, hasBias, ref z, nIn, nOut);
                    UnitsAcross<TVec, Two, Three>(ref Unsafe.Add(ref a, 2 * nIn), ref w0, ref b0, hasBias, ref Unsafe.Add(ref z, 2 * nOut), nIn, nOut);
                    break;
                default:
                    if (TVec.HasManyRegisters)
                        UnitsAcross<TVec, Four, Four>(ref a, ref w0, ref b0, hasBias, ref z, nIn, nOut);
                    else
                    {
                        UnitsAcross<TVec, Two, Four>(ref a, ref w0, ref b0, hasBias, ref z, nIn, nOut);
                        UnitsAcross<TVec, Two, Four>(ref Unsafe.Add(ref a, 2 * nIn), ref w0, ref b0, hasBias, ref Unsafe.Add(ref z, 2 * nOut), nIn, nOut);
                    }
                    break;
            }
        }
        for (; i < m; i++)
        {
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            ref float z = ref Unsafe.Add(ref z0, (nint)i * nOut);
            if (nOut >= 8)
                UnitsAcross<TVec, One, Eight>(ref a, ref w0, ref b0, hasBias, ref z, nIn, nOut);
            else
                for (int j = 0; j < nOut; j++)
                    Unsafe.Add(ref z, j) = Dot<TVec>(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), nIn) + (hasBias ? Unsafe.Add(ref b0, j) : 0f);
        }
    }

    /// <summary><typeparamref name="TSamples"/> rows of Z across all nOut ≥ <typeparamref name="TUnits"/> units, in tiles
    /// of that many units; the last tile ends at nOut and overlaps the one before (it writes the same values again).</summary>
    /// <remarks>A call of its own, compiled optimized at once, with its one tile inlined: inlined into
    /// <see cref="RowsTiles"/> with the other shapes, the JIT's inlining budget ran out and left the tiles as calls
    /// compiled unoptimized at first.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void UnitsAcross<TVec, TSamples, TUnits>(ref float a, ref float w0, ref float b0, bool hasBias, ref float z, int nIn, int nOut)
        where TVec : struct, IVector<TVec>
        where TSamples : struct, ICount
        where TUnits : struct, ICount
    {
        int units = TUnits.Value;
        for (int j = 0; ; j += units)
        {
            if (j > nOut - units) j = nOut - units; // the last tile overlaps the previous one: same values, stored again
            RowsTile<TVec, TSamples, TUnits>(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), ref Unsafe.Add(ref b0, hasBias ? j : 0), hasBias,
                ref Unsafe.Add(ref z, j), nIn, nOut);
            if (j + units >= nOut) break;
        }
    }

    /// <summary>
    /// Z[s, u] = A[s, ·]·W[u, ·] (+ b[u]) for <typeparamref name="TSamples"/> samples (1, 2 or 4) and
    /// <typeparamref name="TUnits"/> units (1 to 4), or one sample and 8 units (whose units 4 to 7 take the sums of
    /// sample 1): TSamples × TUnits vectors of partial sums, the rows and units past the counts compiled away. Full
    /// vectors first, then the last full vector again with the lanes already summed masked out of A (no mask in the main
    /// loop); each sample's four sums fold into one Vector128.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowsTile<TVec, TSamples, TUnits>(ref float a, ref float w, ref float b, bool hasBias, ref float z, int nIn, int nOut)
        where TVec : struct, IVector<TVec>
        where TSamples : struct, ICount
        where TUnits : struct, ICount
    {
        int samples = TSamples.Value, units = TUnits.Value;
        nuint row = (nuint)nIn;
        TVec c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        TVec c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        for (int step = 0, steps = (nIn + TVec.Count - 1) / TVec.Count; step < steps; step++)
        {
            nuint at;
            TVec x0, x1 = default, x2 = default, x3 = default;
            if (step < nIn / TVec.Count)
            {
                at = (nuint)(step * TVec.Count);
                x0 = TVec.Load(ref a, at);
                if (samples > 1) x1 = TVec.Load(ref a, at + row);
                if (samples > 2) { x2 = TVec.Load(ref a, at + 2 * row); x3 = TVec.Load(ref a, at + 3 * row); }
            }
            else
            {
                at = (nuint)(nIn - TVec.Count);
                TVec mask = TVec.TailMask(nIn - step * TVec.Count);
                x0 = TVec.Load(ref a, at) & mask;
                if (samples > 1) x1 = TVec.Load(ref a, at + row) & mask;
                if (samples > 2) { x2 = TVec.Load(ref a, at + 2 * row) & mask; x3 = TVec.Load(ref a, at + 3 * row) & mask; }
            }
            TVec v = TVec.Load(ref w, at);
            c00 = TVec.MultiplyAdd(x0, v, c00);
            if (samples > 1) c10 = TVec.MultiplyAdd(x1, v, c10);
            if (samples > 2) { c20 = TVec.MultiplyAdd(x2, v, c20); c30 = TVec.MultiplyAdd(x3, v, c30); }
            if (units > 1)
            {
                v = TVec.Load(ref w, at + row);
                c01 = TVec.MultiplyAdd(x0, v, c01);
                if (samples > 1) c11 = TVec.MultiplyAdd(x1, v, c11);
                if (samples > 2) { c21 = TVec.MultiplyAdd(x2, v, c21); c31 = TVec.MultiplyAdd(x3, v, c31); }
            }
            if (units > 2)
            {
                v = TVec.Load(ref w, at + 2 * row);
                c02 = TVec.MultiplyAdd(x0, v, c02);
                if (samples > 1) c12 = TVec.MultiplyAdd(x1, v, c12);
                if (samples > 2) { c22 = TVec.MultiplyAdd(x2, v, c22); c32 = TVec.MultiplyAdd(x3, v, c32); }
            }
            if (units > 3)
            {
                v = TVec.Load(ref w, at + 3 * row);
                c03 = TVec.MultiplyAdd(x0, v, c03);
                if (samples > 1) c13 = TVec.MultiplyAdd(x1, v, c13);
                if (samples > 2) { c23 = TVec.MultiplyAdd(x2, v, c23); c33 = TVec.MultiplyAdd(x3, v, c33); }
            }
            if (units > 4)
            {
                c10 = TVec.MultiplyAdd(x0, TVec.Load(ref w, at + 4 * row), c10);
                c11 = TVec.MultiplyAdd(x0, TVec.Load(ref w, at + 5 * row), c11);
                c12 = TVec.MultiplyAdd(x0, TVec.Load(ref w, at + 6 * row), c12);
                c13 = TVec.MultiplyAdd(x0, TVec.Load(ref w, at + 7 * row), c13);
            }
        }
        Vector128<float> bias = hasBias ? LoadFew(ref b, units) : default;
        StoreFew(SumEach(c00, c01, c02, c03) + bias, ref z, units);
        if (units > 4) (SumEach(c10, c11, c12, c13) + (hasBias ? Vector128.LoadUnsafe(ref b, 4) : default)).StoreUnsafe(ref z, 4);
        if (samples > 1) StoreFew(SumEach(c10, c11, c12, c13) + bias, ref Unsafe.Add(ref z, nOut), units);
        if (samples > 2)
        {
            StoreFew(SumEach(c20, c21, c22, c23) + bias, ref Unsafe.Add(ref z, 2 * nOut), units);
            StoreFew(SumEach(c30, c31, c32, c33) + bias, ref Unsafe.Add(ref z, 3 * nOut), units);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<float> LoadFew(ref float p, int count) => count >= 4 ? Vector128.LoadUnsafe(ref p)
            : Vector128.Create(p, count > 1 ? Unsafe.Add(ref p, 1) : 0f, count > 2 ? Unsafe.Add(ref p, 2) : 0f, 0f);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void StoreFew(Vector128<float> v, ref float p, int count)
        {
            if (count >= 4) { v.StoreUnsafe(ref p); return; }
            p = v.ToScalar();
            if (count > 1) Unsafe.Add(ref p, 1) = v.GetElement(1);
            if (count > 2) Unsafe.Add(ref p, 2) = v.GetElement(2);
        }
    }

    /// <summary>[Σ p, Σ q, Σ r, Σ s]: four horizontal sums at the cost of about one, by folding to 128 bits and two
    /// rounds of pairwise adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumEach<TVec>(TVec p, TVec q, TVec r, TVec s) where TVec : struct, IVector<TVec>
        => PairwiseSums(PairwiseSums(TVec.Fold128(p), TVec.Fold128(q)), PairwiseSums(TVec.Fold128(r), TVec.Fold128(s)));

    /// <summary>[p0 + p1, p2 + p3, q0 + q1, q2 + q3]: one instruction with SSE3 (haddps) or NEON (faddp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> PairwiseSums(Vector128<float> p, Vector128<float> q)
    {
        if (Sse3.IsSupported) return Sse3.HorizontalAdd(p, q);
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.AddPairwise(p, q);
        return Vector128.Create(p[0] + p[1], p[2] + p[3], q[0] + q[1], q[2] + q[3]);
    }
}
