using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dA = dZ·W, i.e. dA[i, k] = Σ_j dZ[i, j]·W[j, k] — the notes' dA[l-1] = W[l]ᵀ·dZ[l] with samples as rows.
    /// dZ is m × nOut, W is nOut × nIn; dA (m × nIn) is overwritten.
    /// </summary>
    public static void DenseBackwardInput(ReadOnlySpan<float> dZ, ReadOnlySpan<float> W, Span<float> dA, int m, int nIn, int nOut)
    {
        RequireMatrix(dZ.Length, m, nOut, nameof(dZ));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireMatrix(dA.Length, m, nIn, nameof(dA));

        dA.Slice(0, m * nIn).Clear();
        ref float dz0 = ref Ref(dZ);
        ref float w0 = ref Ref(W);
        ref float da0 = ref Ref(dA);
        for (int i = 0; i < m; i++)
        {
            ref float dz = ref Unsafe.Add(ref dz0, (nint)i * nOut);
            ref float da = ref Unsafe.Add(ref da0, (nint)i * nIn);
            for (int j = 0; j < nOut; j++)
                Axpy(Unsafe.Add(ref dz, j), ref Unsafe.Add(ref w0, (nint)j * nIn), ref da, nIn);
        }
    }
}
