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
    /// For a block of 4 samples × 16 inputs, 4 Vector512 accumulators gather dZ[i, j] (broadcast) times the row
    /// W[j, k..k+16] over every unit j, and are stored once; the last k block overlaps the previous one and stores the
    /// same values again instead of masking.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardInput(ReadOnlySpan<float> dZ, ReadOnlySpan<float> W, Span<float> dA, int m, int nIn, int nOut)
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ.Length, m, nOut, nameof(dZ));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireMatrix(dA.Length, m, nIn, nameof(dA));

        if (Vector512.IsHardwareAccelerated && nIn >= Vector512<float>.Count)
            InputGradientsBlocked(ref Ref(dZ), ref Ref(W), ref Ref(dA), m, nIn, nOut);
        else
            InputGradientsAxpy(ref Ref(dZ), ref Ref(W), ref Ref(dA), m, nIn, nOut);
    }

    /// <summary>The reference strategy: dA[i, ·] += dZ[i, j]·W[j, ·] unit by unit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InputGradientsAxpy(ref float dz0, ref float w0, ref float da0, int m, int nIn, int nOut)
    {
        for (int i = 0; i < m; i++)
        {
            ref float dz = ref Unsafe.Add(ref dz0, (nint)i * nOut);
            ref float da = ref Unsafe.Add(ref da0, (nint)i * nIn);
            for (int k = 0; k < nIn; k++) Unsafe.Add(ref da, k) = 0f;
            for (int j = 0; j < nOut; j++)
                Axpy(Unsafe.Add(ref dz, j), ref Unsafe.Add(ref w0, (nint)j * nIn), ref da, nIn);
        }
    }

    /// <summary>The register-blocked strategy (Vector512, nIn ≥ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InputGradientsBlocked(ref float dz0, ref float w0, ref float da0, int m, int nIn, int nOut)
    {
        for (int k = 0; ; k += 16)
        {
            if (k > nIn - 16) k = nIn - 16; // the last block overlaps the previous one: same values, stored again
            ref float w = ref Unsafe.Add(ref w0, k);
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                ref float dz = ref Unsafe.Add(ref dz0, (nint)i * nOut);
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
                for (int j = 0; j < nOut; j++)
                {
                    Vector512<float> v = Vector512.LoadUnsafe(ref w, (nuint)((nint)j * nIn));
                    c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, j)), v, c0);
                    c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, nOut + j)), v, c1);
                    c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 2 * nOut + j)), v, c2);
                    c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 3 * nOut + j)), v, c3);
                }
                ref float da = ref Unsafe.Add(ref da0, (nint)i * nIn + k);
                c0.StoreUnsafe(ref da);
                c1.StoreUnsafe(ref da, (nuint)nIn);
                c2.StoreUnsafe(ref da, (nuint)(2 * nIn));
                c3.StoreUnsafe(ref da, (nuint)(3 * nIn));
            }
            for (; i < m; i++)
            {
                ref float dz = ref Unsafe.Add(ref dz0, (nint)i * nOut);
                Vector512<float> c = default;
                for (int j = 0; j < nOut; j++)
                    c = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, j)), Vector512.LoadUnsafe(ref w, (nuint)((nint)j * nIn)), c);
                c.StoreUnsafe(ref da0, (nuint)((nint)i * nIn + k));
            }
            if (k + 16 >= nIn) break;
        }
    }
}
