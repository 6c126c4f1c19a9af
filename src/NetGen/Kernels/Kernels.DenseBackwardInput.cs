using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dA = dZ·W, i.e. dA[i, k] = Σ_j dZ[i, j]·W[j, k] — the notes' dA[l-1] = W[l]ᵀ·dZ[l] with samples as rows.
    /// dZ is m × nOut, W is nOut × nIn; dA (m × nIn) is overwritten.
    /// </summary>
    /// <remarks>
    /// For a block of 4 samples × one vector of inputs, 4 accumulators gather dZ[i, j] (broadcast) times the row
    /// W[j, k..] over every unit j, and are stored once, at the widest accelerated width that fits in a row of dA; the
    /// last k block overlaps the previous one and stores the same values again instead of masking.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardInput(ReadOnlySpan<float> dZ, ReadOnlySpan<float> W, Span<float> dA, int m, int nIn, int nOut)
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ.Length, m, nOut, nameof(dZ));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireMatrix(dA.Length, m, nIn, nameof(dA));

        Product(ref Ref(dZ), ref Ref(W), ref Ref(dA), ref Ref(dA), m, nIn, nOut, default(IdentityFunction));
    }

    /// <summary>
    /// dZ = (dZ_out·W) ⊙ g′ with samples as rows, g′ read off the layer's own input A: the notes' dA[l-1] =
    /// W[l]ᵀ·dZ[l] and the layer below's dZ[l-1] = dA[l-1] ⊙ g′[l-1] in one pass, dA[l-1] never stored and read back.
    /// dZ_out is m × nOut, W is nOut × nIn, A (m × nIn) is the layer's input — the layer below's output;
    /// dZ (m × nIn) is overwritten.
    /// </summary>
    /// <typeparam name="TDerivative">g′ as a function of A: <see cref="ReluDerivative"/>, <see cref="TanhDerivative"/>,
    /// ….</typeparam>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardInput<TDerivative>(ReadOnlySpan<float> dZ_out, ReadOnlySpan<float> W, ReadOnlySpan<float> A,
        Span<float> dZ, int m, int nIn, int nOut, TDerivative gPrime)
        where TDerivative : struct, IActivationFunction
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ_out.Length, m, nOut, nameof(dZ_out));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireMatrix(A.Length, m, nIn, nameof(A));
        RequireMatrix(dZ.Length, m, nIn, nameof(dZ));
        Product(ref Ref(dZ_out), ref Ref(W), ref Ref(dZ), ref Ref(A), m, nIn, nOut, gPrime);
    }

    /// <summary>dA = dZ·W, times g′(A) unless <typeparamref name="TDerivative"/> is the identity, at the widest width
    /// that fits in a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Product<TDerivative>(ref float dz, ref float w, ref float da, ref float a, int m, int nIn, int nOut,
        TDerivative gPrime)
        where TDerivative : struct, IActivationFunction
    {
        if (Width512.IsAccelerated && nIn >= Width512.Count)
            InputGradients<Width512, TDerivative>(ref dz, ref w, ref da, ref a, m, nIn, nOut, gPrime);
        else if (Width256.IsAccelerated && nIn >= Width256.Count)
            InputGradients<Width256, TDerivative>(ref dz, ref w, ref da, ref a, m, nIn, nOut, gPrime);
        else if (Width128.IsAccelerated && nIn >= Width128.Count)
            InputGradients<Width128, TDerivative>(ref dz, ref w, ref da, ref a, m, nIn, nOut, gPrime);
        else
            for (int i = 0; i < m; i++)
            {
                // dA[i, ·] += dZ[i, j]·W[j, ·] unit by unit, then times g′(A[i, ·]).
                ref float dzi = ref Unsafe.Add(ref dz, (nint)i * nOut);
                ref float dai = ref Unsafe.Add(ref da, (nint)i * nIn);
                for (int k = 0; k < nIn; k++) Unsafe.Add(ref dai, k) = 0f;
                for (int j = 0; j < nOut; j++)
                    Axpy(Unsafe.Add(ref dzi, j), ref Unsafe.Add(ref w, (nint)j * nIn), ref dai, nIn);
                if (typeof(TDerivative) != typeof(IdentityFunction))
                {
                    ref float ai = ref Unsafe.Add(ref a, (nint)i * nIn);
                    for (int k = 0; k < nIn; k++) Unsafe.Add(ref dai, k) *= gPrime.Apply(Unsafe.Add(ref ai, k));
                }
            }
    }

    /// <summary><see cref="DenseBackwardInput"/> at one width (nIn ≥ one vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InputGradients<TVec, TDerivative>(ref float dz0, ref float w0, ref float da0, ref float a0, int m,
        int nIn, int nOut, TDerivative gPrime)
        where TVec : struct, IVector<TVec>
        where TDerivative : struct, IActivationFunction
    {
        int c = TVec.Count;
        for (int k = 0; ; k += c)
        {
            if (k > nIn - c) k = nIn - c; // the last block overlaps the previous one: same values, stored again
            ref float w = ref Unsafe.Add(ref w0, k);
            int i = 0;
            for (; i + 4 <= m; i += 4)
                SamplesTile<TVec, Four, TDerivative>(ref Unsafe.Add(ref dz0, (nint)i * nOut), ref w,
                    ref Unsafe.Add(ref da0, (nint)i * nIn + k), ref Unsafe.Add(ref a0, (nint)i * nIn + k), nIn, nOut, gPrime);
            for (; i < m; i++)
                SamplesTile<TVec, One, TDerivative>(ref Unsafe.Add(ref dz0, (nint)i * nOut), ref w,
                    ref Unsafe.Add(ref da0, (nint)i * nIn + k), ref Unsafe.Add(ref a0, (nint)i * nIn + k), nIn, nOut, gPrime);
            if (k + c >= nIn) break;
        }
    }

    /// <summary>dA[s, k..k+c] = Σ_j dZ[s, j]·W[j, k..k+c] for <typeparamref name="TSamples"/> samples (1 or 4), times
    /// g′(A[s, k..k+c]) in registers unless <typeparamref name="TDerivative"/> is the identity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SamplesTile<TVec, TSamples, TDerivative>(ref float dz, ref float w, ref float da, ref float a, int nIn,
        int nOut, TDerivative gPrime)
        where TVec : struct, IVector<TVec>
        where TSamples : struct, ICount
        where TDerivative : struct, IActivationFunction
    {
        TVec c0 = default, c1 = default, c2 = default, c3 = default;
        for (int j = 0; j < nOut; j++)
        {
            TVec v = TVec.Load(ref w, (nuint)((nint)j * nIn));
            c0 = TVec.MultiplyAdd(TVec.Broadcast(Unsafe.Add(ref dz, j)), v, c0);
            if (TSamples.Value > 1)
            {
                c1 = TVec.MultiplyAdd(TVec.Broadcast(Unsafe.Add(ref dz, nOut + j)), v, c1);
                c2 = TVec.MultiplyAdd(TVec.Broadcast(Unsafe.Add(ref dz, 2 * nOut + j)), v, c2);
                c3 = TVec.MultiplyAdd(TVec.Broadcast(Unsafe.Add(ref dz, 3 * nOut + j)), v, c3);
            }
        }
        if (typeof(TDerivative) != typeof(IdentityFunction))
        {
            // The layer below's g′, read off its output A where the product sits in registers: dA is never stored.
            c0 *= TVec.Apply(TVec.Load(ref a, 0), gPrime);
            if (TSamples.Value > 1)
            {
                c1 *= TVec.Apply(TVec.Load(ref a, (nuint)nIn), gPrime);
                c2 *= TVec.Apply(TVec.Load(ref a, (nuint)(2 * nIn)), gPrime);
                c3 *= TVec.Apply(TVec.Load(ref a, (nuint)(3 * nIn)), gPrime);
            }
        }
        TVec.Store(c0, ref da, 0);
        if (TSamples.Value > 1)
        {
            TVec.Store(c1, ref da, (nuint)nIn);
            TVec.Store(c2, ref da, (nuint)(2 * nIn));
            TVec.Store(c3, ref da, (nuint)(3 * nIn));
        }
    }
}
