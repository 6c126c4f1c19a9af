using System;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dZ[i, j] = A[i, j]·(dA[i, j] − Σ_k dA[i, k]·A[i, k]) — the softmax Jacobian applied to dA, row by row (dZ may be dA itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxBackward(ReadOnlySpan<float> A, ReadOnlySpan<float> dA, Span<float> dZ, int m, int n)
    {
        RequireSize(m, nameof(m)); RequireSize(n, nameof(n));
        RequireMatrix(A.Length, m, n, nameof(A));
        RequireMatrix(dA.Length, m, n, nameof(dA));
        RequireMatrix(dZ.Length, m, n, nameof(dZ));
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> a = A.Slice(i * n, n);
            float s = TensorPrimitives.Dot(dA.Slice(i * n, n), a);
            Span<float> dz = dZ.Slice(i * n, n);
            TensorPrimitives.Subtract(dA.Slice(i * n, n), s, dz);
            TensorPrimitives.Multiply(dz, a, dz);
        }
    }
}
