using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dA = Wᵀ·dZ with samples as columns — the notes' dA[l-1] = W[l]ᵀ·dZ[l]: dA[k, i] = Σ_j W[j, k]·dZ[j, i].
    /// dZ is nOut × m, W is nOut × nIn; dA (nIn × m) is overwritten. Runs as <see cref="DenseForwardColumns"/> does,
    /// reading W by columns in place of a transposed copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardInputColumns(ReadOnlySpan<float> dZ, ReadOnlySpan<float> W, Span<float> dA, int m, int nIn, int nOut)
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ.Length, nOut, m, nameof(dZ));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireMatrix(dA.Length, nIn, m, nameof(dA));
        float none = 0f;
        ColumnsProduct<StoreZ, IdentityFunction>(ref Ref(W), 1, nIn, ref Ref(dZ), ref none, false, ref Ref(dA), ref Ref(dA), nIn, nOut, m,
            default);
    }
}
