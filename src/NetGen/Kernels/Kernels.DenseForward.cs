using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Z = A·Wᵀ + b, i.e. Z[i, j] = Σ_k A[i, k]·W[j, k] + b[j] — the notes' Z[l] = W[l]·A[l-1] + b[l] with samples as rows.
    /// A is m × nIn, W is nOut × nIn (row-major), b has nOut elements, Z is m × nOut.
    /// </summary>
    /// <remarks>
    /// Every Z[i, j] is a dot product of two contiguous rows, A[i, ·] and W[j, ·]. Rows shorter than one Vector512 run
    /// the sequential scalar sum (the order the unrolled one-sample code uses too). A batch of a wide layer (12 samples or
    /// more, 32 units or more) packs Wᵀ and runs <see cref="DenseForwardPacked"/>; one to three samples of a W too big
    /// for L1 run <see cref="DenseForwardOne"/> each. Otherwise longer rows run register blocks:
    /// 4 samples × 4 units at a time (16 accumulators, each A and W vector loaded once per block), or 1 sample × 8 units
    /// for a single sample; the k tail reloads the last full vector and masks the lanes already summed.
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

        if (Vector512.IsHardwareAccelerated && m >= 12 && nOut >= 32 && nIn >= Vector512<float>.Count)
        {
            DenseForwardPacked(ref Ref(A), ref Ref(W), ref Ref(b), true, ref Ref(Z), m, nIn, nOut, g);
            return;
        }
        if (m < 4 && Avx512F.IsSupported && StreamsRows(nIn, nOut))
        {
            // One to three samples of a wide layer: each through the one-sample kernel, which reads W row after row
            // (net C: 2.2 µs a sample, where the 1 × 8 register blocks below read 8 rows side by side in 3.2).
            for (int i = 0; i < m; i++)
                DenseForwardOne(A.Slice(i * nIn, nIn), W.Slice(0, nOut * nIn), b.Slice(0, nOut), Z.Slice(i * nOut, nOut), g);
            return;
        }
        if (Vector512.IsHardwareAccelerated && Sse3.IsSupported && nIn >= Vector512<float>.Count)
            DenseForwardBlocked(ref Ref(A), ref Ref(W), ref Ref(b), true, ref Ref(Z), m, nIn, nOut);
        else
            DenseForwardDots(ref Ref(A), ref Ref(W), ref Ref(b), true, ref Ref(Z), m, nIn, nOut);
        ApplyInPlace(ref Ref(Z), m * nOut, g);
    }

    /// <summary>The reference strategy: one <see cref="Dot"/> per output (plus b[j] when <paramref name="hasBias"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DenseForwardDots(ref float a0, ref float w0, ref float b0, bool hasBias, ref float z0, int m, int nIn, int nOut)
    {
        for (int i = 0; i < m; i++)
        {
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            ref float z = ref Unsafe.Add(ref z0, (nint)i * nOut);
            for (int j = 0; j < nOut; j++)
                Unsafe.Add(ref z, j) = Dot(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), nIn) + (hasBias ? Unsafe.Add(ref b0, j) : 0f);
        }
    }

    /// <summary>The register-blocked strategy (Vector512, nIn ≥ 16), plus b[j] when <paramref name="hasBias"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DenseForwardBlocked(ref float a0, ref float w0, ref float b0, bool hasBias, ref float z0, int m, int nIn, int nOut)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            ref float z = ref Unsafe.Add(ref z0, (nint)i * nOut);
            int j = 0;
            for (; j + 4 <= nOut; j += 4)
                Block4x4(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), ref Unsafe.Add(ref b0, hasBias ? j : 0), hasBias, ref Unsafe.Add(ref z, j), nIn, nOut);
            if (j < nOut && nOut >= 4)
            {
                // The last units: one more block ending at nOut, overlapping the one before (it writes the same values
                // again), instead of a dot product and a horizontal sum per unit and sample.
                j = nOut - 4;
                Block4x4(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), ref Unsafe.Add(ref b0, hasBias ? j : 0), hasBias, ref Unsafe.Add(ref z, j), nIn, nOut);
                j = nOut;
            }
            for (; j < nOut; j++)
                for (int r = 0; r < 4; r++)
                    Unsafe.Add(ref z, (nint)r * nOut + j) = Dot512(ref Unsafe.Add(ref a, (nint)r * nIn), ref Unsafe.Add(ref w0, (nint)j * nIn), nIn) + (hasBias ? Unsafe.Add(ref b0, j) : 0f);
        }
        for (; i < m; i++)
        {
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            ref float z = ref Unsafe.Add(ref z0, (nint)i * nOut);
            int j = 0;
            for (; j + 8 <= nOut; j += 8)
                Block1x8(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), ref Unsafe.Add(ref b0, hasBias ? j : 0), hasBias, ref Unsafe.Add(ref z, j), nIn);
            if (j < nOut && nOut >= 8)
            {
                j = nOut - 8; // the last units, overlapping the block before (same values written again)
                Block1x8(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), ref Unsafe.Add(ref b0, hasBias ? j : 0), hasBias, ref Unsafe.Add(ref z, j), nIn);
                j = nOut;
            }
            for (; j < nOut; j++)
                Unsafe.Add(ref z, j) = Dot512(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), nIn) + (hasBias ? Unsafe.Add(ref b0, j) : 0f);
        }
    }

    /// <summary>Σ_k x[k]·y[k] with Vector512 (n ≥ 16), the tail masked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot512(ref float x, ref float y, int n)
    {
        Vector512<float> acc = Vector512<float>.Zero;
        int k = 0;
        for (; k <= n - 16; k += 16)
            acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)k), Vector512.LoadUnsafe(ref y, (nuint)k), acc);
        if (k < n)
        {
            nuint last = (nuint)(n - 16);
            acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, last) & TailMask512(n - k), Vector512.LoadUnsafe(ref y, last), acc);
        }
        return Vector512.Sum(acc);
    }

    /// <summary>Z[r, c] = A[r, ·]·W[c, ·] + b[c] for 4 samples r and 4 units c: 16 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x4(ref float a, ref float w, ref float b, bool hasBias, ref float z, int nIn, int nOut)
    {
        ref float a1 = ref Unsafe.Add(ref a, nIn), a2 = ref Unsafe.Add(ref a, 2 * nIn), a3 = ref Unsafe.Add(ref a, 3 * nIn);
        ref float w1 = ref Unsafe.Add(ref w, nIn), w2 = ref Unsafe.Add(ref w, 2 * nIn), w3 = ref Unsafe.Add(ref w, 3 * nIn);
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        // Full vectors, then the masked tail (as in Block1x8: no mask in the main loop).
        for (int step = 0, steps = (nIn + 15) / 16; step < steps; step++)
        {
            nuint at;
            Vector512<float> x0, x1, x2, x3;
            if (step < nIn / 16)
            {
                at = (nuint)step * 16;
                x0 = Vector512.LoadUnsafe(ref a, at); x1 = Vector512.LoadUnsafe(ref a1, at);
                x2 = Vector512.LoadUnsafe(ref a2, at); x3 = Vector512.LoadUnsafe(ref a3, at);
            }
            else
            {
                at = (nuint)(nIn - 16);
                Vector512<float> mask = TailMask512(nIn - step * 16);
                x0 = Vector512.LoadUnsafe(ref a, at) & mask; x1 = Vector512.LoadUnsafe(ref a1, at) & mask;
                x2 = Vector512.LoadUnsafe(ref a2, at) & mask; x3 = Vector512.LoadUnsafe(ref a3, at) & mask;
            }
            Vector512<float> v = Vector512.LoadUnsafe(ref w, at);
            c00 = Vector512.FusedMultiplyAdd(x0, v, c00); c10 = Vector512.FusedMultiplyAdd(x1, v, c10);
            c20 = Vector512.FusedMultiplyAdd(x2, v, c20); c30 = Vector512.FusedMultiplyAdd(x3, v, c30);
            v = Vector512.LoadUnsafe(ref w1, at);
            c01 = Vector512.FusedMultiplyAdd(x0, v, c01); c11 = Vector512.FusedMultiplyAdd(x1, v, c11);
            c21 = Vector512.FusedMultiplyAdd(x2, v, c21); c31 = Vector512.FusedMultiplyAdd(x3, v, c31);
            v = Vector512.LoadUnsafe(ref w2, at);
            c02 = Vector512.FusedMultiplyAdd(x0, v, c02); c12 = Vector512.FusedMultiplyAdd(x1, v, c12);
            c22 = Vector512.FusedMultiplyAdd(x2, v, c22); c32 = Vector512.FusedMultiplyAdd(x3, v, c32);
            v = Vector512.LoadUnsafe(ref w3, at);
            c03 = Vector512.FusedMultiplyAdd(x0, v, c03); c13 = Vector512.FusedMultiplyAdd(x1, v, c13);
            c23 = Vector512.FusedMultiplyAdd(x2, v, c23); c33 = Vector512.FusedMultiplyAdd(x3, v, c33);
        }
        Vector128<float> bias = hasBias ? Vector128.LoadUnsafe(ref b) : Vector128<float>.Zero;
        (SumEach(c00, c01, c02, c03) + bias).StoreUnsafe(ref z);
        (SumEach(c10, c11, c12, c13) + bias).StoreUnsafe(ref Unsafe.Add(ref z, nOut));
        (SumEach(c20, c21, c22, c23) + bias).StoreUnsafe(ref Unsafe.Add(ref z, 2 * nOut));
        (SumEach(c30, c31, c32, c33) + bias).StoreUnsafe(ref Unsafe.Add(ref z, 3 * nOut));
    }

    /// <summary>Z[c] = a·W[c, ·] + b[c] for one sample and 8 units: 8 independent accumulators hide the FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x8(ref float a, ref float w, ref float b, bool hasBias, ref float z, int nIn)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        nuint row = (nuint)nIn;
        nuint at = 0;
        Vector512<float> mask = Vector512<float>.AllBitsSet;
        // Full vectors, then (if nIn is not a multiple of 16) the last full vector again with the lanes already summed
        // masked out. The mask stays out of the main loop: there it cost a fifth of the time.
        for (int step = 0, steps = (nIn + 15) / 16; step < steps; step++)
        {
            Vector512<float> x;
            if (step < nIn / 16)
            {
                at = (nuint)step * 16;
                x = Vector512.LoadUnsafe(ref a, at);
            }
            else
            {
                at = (nuint)(nIn - 16);
                mask = TailMask512(nIn - step * 16);
                x = Vector512.LoadUnsafe(ref a, at) & mask;
            }
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at + row), c1);
            c2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at + 2 * row), c2);
            c3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at + 3 * row), c3);
            c4 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at + 4 * row), c4);
            c5 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at + 5 * row), c5);
            c6 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at + 6 * row), c6);
            c7 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref w, at + 7 * row), c7);
        }
        Vector128<float> low = hasBias ? Vector128.LoadUnsafe(ref b) : Vector128<float>.Zero;
        Vector128<float> high = hasBias ? Vector128.LoadUnsafe(ref Unsafe.Add(ref b, 4)) : Vector128<float>.Zero;
        (SumEach(c0, c1, c2, c3) + low).StoreUnsafe(ref z);
        (SumEach(c4, c5, c6, c7) + high).StoreUnsafe(ref Unsafe.Add(ref z, 4));
    }

    /// <summary>[Σ p, Σ q, Σ r, Σ s]: four horizontal sums at the cost of about one, by folding 512 → 128 bits and two rounds of pairwise adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumEach(Vector512<float> p, Vector512<float> q, Vector512<float> r, Vector512<float> s)
    {
        Vector128<float> p4 = Fold(p), q4 = Fold(q), r4 = Fold(r), s4 = Fold(s);
        return Sse3.HorizontalAdd(Sse3.HorizontalAdd(p4, q4), Sse3.HorizontalAdd(r4, s4));

        static Vector128<float> Fold(Vector512<float> v)
        {
            Vector256<float> half = v.GetLower() + v.GetUpper();
            return half.GetLower() + half.GetUpper();
        }
    }

    /// <summary>A Vector512 mask whose last <paramref name="count"/> lanes are all ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> TailMask512(int count)
        => Vector512.GreaterThanOrEqual(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(16 - count)).AsSingle();
}
