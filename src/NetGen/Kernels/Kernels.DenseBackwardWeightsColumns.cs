using System;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dW = (1/m)·dZ·Aᵀ and db = (1/m)·Σ_i dZ[·, i] with samples as columns — the notes' own formulas:
    /// dW[j, k] = (1/m)·Σ_i dZ[j, i]·A[k, i], a dot product of two rows of length m.
    /// dZ is nOut × m, A is nIn × m; dW (nOut × nIn) and db (nOut) are overwritten.
    /// </summary>
    /// <remarks>
    /// The rows of dZ and of A are both m long: <see cref="RowsProduct"/> runs on them as on samples and units, in
    /// register tiles at the widest accelerated width (the vectors run across the samples), then dW is scaled.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardWeightsColumns(ReadOnlySpan<float> dZ, ReadOnlySpan<float> A, Span<float> dW, Span<float> db,
        int m, int nIn, int nOut)
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ.Length, nOut, m, nameof(dZ));
        RequireMatrix(A.Length, nIn, m, nameof(A));
        RequireMatrix(dW.Length, nOut, nIn, nameof(dW));
        RequireLength(db.Length, nOut, nameof(db));

        float scale = 1f / m;
        for (int j = 0; j < nOut; j++)
            db[j] = TensorPrimitives.Sum(dZ.Slice(j * m, m)) * scale;

        // Each dW[j, k] is the dot product dZ[j, ·]·A[k, ·]: the row-layout forward's own shape (rows of dZ against
        // rows of A, both of length m), without a bias.
        float none = 0f;
        RowsProduct(ref Ref(dZ), ref Ref(A), ref none, false, ref Ref(dW), nOut, m, nIn);
        TensorPrimitives.Multiply(dW.Slice(0, nOut * nIn), scale, dW.Slice(0, nOut * nIn));
    }
}
