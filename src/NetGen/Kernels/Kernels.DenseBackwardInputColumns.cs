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

    /// <summary>
    /// dZ = (Wᵀ·dZ_out) ⊙ g′ with samples as columns, g′ read off the layer's own output A: the notes' dA[l-1] =
    /// W[l]ᵀ·dZ[l] and the layer below's dZ[l-1] = dA[l-1] ⊙ g′[l-1] in one pass, dA[l-1] never stored.
    /// dZ_out is nOut × m, W is nOut × nIn, A (nIn × m) is the layer's input — the layer below's output;
    /// dZ (nIn × m) is overwritten.
    /// </summary>
    /// <typeparam name="TDerivative">g′ as a function of A: <see cref="TanhDerivative"/> or <see cref="SigmoidDerivative"/>.</typeparam>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardInputColumns<TDerivative>(ReadOnlySpan<float> dZ_out, ReadOnlySpan<float> W, ReadOnlySpan<float> A,
        Span<float> dZ, int m, int nIn, int nOut, TDerivative gPrime)
        where TDerivative : struct, IActivationFunction
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ_out.Length, nOut, m, nameof(dZ_out));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireMatrix(A.Length, nIn, m, nameof(A));
        RequireMatrix(dZ.Length, nIn, m, nameof(dZ));
        float none = 0f;
        ColumnsProduct<StoreTimesY, TDerivative>(ref Ref(W), 1, nIn, ref Ref(dZ_out), ref none, false, ref Ref(dZ),
            ref Ref(A), nIn, nOut, m, gPrime);
    }
}
