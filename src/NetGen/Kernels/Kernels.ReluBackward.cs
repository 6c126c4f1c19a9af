using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dZ = dA where Z &gt; 0, else 0 — ReLU's g′ (dZ may be dA itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> Z, ReadOnlySpan<float> dA, Span<float> dZ)
        => LeakyReluBackward(Z, dA, dZ, 0f);

    /// <summary>ReLU′ = (A &gt; 0 ? 1 : 0), read off ReLU's output A (positive exactly where Z is), as an
    /// <see cref="IActivationFunction"/>: the factor <see cref="DenseBackwardInputColumns{TDerivative}"/> multiplies
    /// its product by — dA·1 or dA·0, the same numbers as <see cref="ReluBackward"/>.</summary>
    public readonly struct ReluDerivative : IActivationFunction
    {
        /// <inheritdoc/>
        public float Apply(float a) => a > 0f ? 1f : 0f;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Apply(Vector128<float> a) => Vector128.GreaterThan(a, Vector128<float>.Zero) & Vector128<float>.One;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Apply(Vector256<float> a) => Vector256.GreaterThan(a, Vector256<float>.Zero) & Vector256<float>.One;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> a) => Vector512.GreaterThan(a, Vector512<float>.Zero) & Vector512<float>.One;
    }
}
