using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = σ(Z) = 1 / (1 + e^−Z), element-wise (A may be Z itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> Z, Span<float> A) => TensorPrimitives.Sigmoid(Z, A);

    /// <summary>σ(z) = 1 / (1 + e^−z) for one value.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    /// <summary>g(z) = σ(z) = 1 / (1 + e^−z) as an <see cref="IActivationFunction"/> (the formula of TensorPrimitives.Sigmoid).</summary>
    public readonly struct SigmoidFunction : IActivationFunction
    {
        /// <inheritdoc/>
        public float Apply(float z) => Sigmoid(z);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Apply(Vector128<float> z) => Sigmoid(new Width128(z)).V;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Apply(Vector256<float> z) => Sigmoid(new Width256(z)).V;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> z) => Sigmoid(new Width512(z)).V;
    }
}
