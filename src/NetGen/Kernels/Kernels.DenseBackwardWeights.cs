using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dW = (1/m)·dZᵀ·A and db = (1/m)·Σ_i dZ[i, ·] — the notes' dW[l] = (1/m) dZ[l]·A[l-1]ᵀ and db[l] = (1/m) Σ dZ[l].
    /// dZ is m × nOut, A is m × nIn; dW (nOut × nIn) and db (nOut) are overwritten.
    /// </summary>
    public static void DenseBackwardWeights(ReadOnlySpan<float> dZ, ReadOnlySpan<float> A, Span<float> dW, Span<float> db, int m, int nIn, int nOut)
    {
        RequireMatrix(dZ.Length, m, nOut, nameof(dZ));
        RequireMatrix(A.Length, m, nIn, nameof(A));
        RequireMatrix(dW.Length, nOut, nIn, nameof(dW));
        RequireLength(db.Length, nOut, nameof(db));

        dW = dW.Slice(0, nOut * nIn);
        db = db.Slice(0, nOut);
        dW.Clear();
        db.Clear();
        ref float dz0 = ref Ref(dZ);
        ref float a0 = ref Ref(A);
        ref float dw0 = ref Ref(dW);
        ref float db0 = ref Ref(db);
        for (int i = 0; i < m; i++)
        {
            ref float dz = ref Unsafe.Add(ref dz0, (nint)i * nOut);
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            for (int j = 0; j < nOut; j++)
            {
                float g = Unsafe.Add(ref dz, j);
                Unsafe.Add(ref db0, j) += g;
                Axpy(g, ref a, ref Unsafe.Add(ref dw0, (nint)j * nIn), nIn);
            }
        }
        float scale = 1f / m;
        TensorPrimitives.Multiply(dW, scale, dW);
        TensorPrimitives.Multiply(db, scale, db);
    }
}
