using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Z = A·Wᵀ + b, i.e. Z[i, j] = b[j] + Σ_k A[i, k]·W[j, k] — the notes' Z[l] = W[l]·A[l-1] + b[l] with samples as rows.
    /// A is m × nIn, W is nOut × nIn (row-major), b has nOut elements, Z is m × nOut.
    /// </summary>
    public static void DenseForward(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Z, int m, int nIn, int nOut)
    {
        RequireMatrix(A.Length, m, nIn, nameof(A));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireLength(b.Length, nOut, nameof(b));
        RequireMatrix(Z.Length, m, nOut, nameof(Z));

        ref float a0 = ref Ref(A);
        ref float w0 = ref Ref(W);
        ref float b0 = ref Ref(b);
        ref float z0 = ref Ref(Z);
        for (int i = 0; i < m; i++)
        {
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            ref float z = ref Unsafe.Add(ref z0, (nint)i * nOut);
            for (int j = 0; j < nOut; j++)
                Unsafe.Add(ref z, j) = Unsafe.Add(ref b0, j) + Dot(ref a, ref Unsafe.Add(ref w0, (nint)j * nIn), nIn);
        }
    }
}
