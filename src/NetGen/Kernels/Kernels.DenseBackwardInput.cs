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

        if (Width512.IsAccelerated && nIn >= Width512.Count)
            InputGradients<Width512>(ref Ref(dZ), ref Ref(W), ref Ref(dA), m, nIn, nOut);
        else if (Width256.IsAccelerated && nIn >= Width256.Count)
            InputGradients<Width256>(ref Ref(dZ), ref Ref(W), ref Ref(dA), m, nIn, nOut);
        else if (Width128.IsAccelerated && nIn >= Width128.Count)
            InputGradients<Width128>(ref Ref(dZ), ref Ref(W), ref Ref(dA), m, nIn, nOut);
        else
            for (int i = 0; i < m; i++)
            {
                // dA[i, ·] += dZ[i, j]·W[j, ·] unit by unit.
                ref float dz = ref Unsafe.Add(ref Ref(dZ), (nint)i * nOut);
                ref float da = ref Unsafe.Add(ref Ref(dA), (nint)i * nIn);
                for (int k = 0; k < nIn; k++) Unsafe.Add(ref da, k) = 0f;
                for (int j = 0; j < nOut; j++)
                    Axpy(Unsafe.Add(ref dz, j), ref Unsafe.Add(ref Ref(W), (nint)j * nIn), ref da, nIn);
            }
    }

    /// <summary><see cref="DenseBackwardInput"/> at one width (nIn ≥ one vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InputGradients<TVec>(ref float dz0, ref float w0, ref float da0, int m, int nIn, int nOut)
        where TVec : struct, IVector<TVec>
    {
        int c = TVec.Count;
        for (int k = 0; ; k += c)
        {
            if (k > nIn - c) k = nIn - c; // the last block overlaps the previous one: same values, stored again
            ref float w = ref Unsafe.Add(ref w0, k);
            int i = 0;
            for (; i + 4 <= m; i += 4)
                SamplesTile<TVec, Four>(ref Unsafe.Add(ref dz0, (nint)i * nOut), ref w, ref Unsafe.Add(ref da0, (nint)i * nIn + k), nIn, nOut);
            for (; i < m; i++)
                SamplesTile<TVec, One>(ref Unsafe.Add(ref dz0, (nint)i * nOut), ref w, ref Unsafe.Add(ref da0, (nint)i * nIn + k), nIn, nOut);
            if (k + c >= nIn) break;
        }
    }

    /// <summary>dA[s, k..k+c] = Σ_j dZ[s, j]·W[j, k..k+c] for <typeparamref name="TSamples"/> samples (1 or 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SamplesTile<TVec, TSamples>(ref float dz, ref float w, ref float da, int nIn, int nOut)
        where TVec : struct, IVector<TVec>
        where TSamples : struct, ICount
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
        TVec.Store(c0, ref da, 0);
        if (TSamples.Value > 1)
        {
            TVec.Store(c1, ref da, (nuint)nIn);
            TVec.Store(c2, ref da, (nuint)(2 * nIn));
            TVec.Store(c3, ref da, (nuint)(3 * nIn));
        }
    }
}
