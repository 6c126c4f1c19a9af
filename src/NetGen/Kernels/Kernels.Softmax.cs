using System;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A[i, j] = e^Z[i, j] / Σ_k e^Z[i, k], over the n units of each of the m rows (A may be Z itself).</summary>
    public static void Softmax(ReadOnlySpan<float> Z, Span<float> A, int m, int n)
    {
        RequireMatrix(Z.Length, m, n, nameof(Z));
        RequireMatrix(A.Length, m, n, nameof(A));
        for (int i = 0; i < m; i++)
            TensorPrimitives.SoftMax(Z.Slice(i * n, n), A.Slice(i * n, n));
    }
}
