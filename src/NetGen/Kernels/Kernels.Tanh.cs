using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = tanh(Z), element-wise (A may be Z itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> Z, Span<float> A) => TensorPrimitives.Tanh(Z, A);

    /// <summary>tanh(z) for one value.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float z) => MathF.Tanh(z);

    /// <summary>g(z) = tanh(z) as an <see cref="IActivationFunction"/>: sign(z)·(−e)/(e + 2) with e = e^(−2|z|) − 1 (the formula of
    /// TensorPrimitives.Tanh, after AMD's AOCL-LibM).</summary>
    public readonly struct TanhFunction : IActivationFunction
    {
        /// <inheritdoc/>
        public float Apply(float z) => Tanh(z);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Apply(Vector128<float> z) => Tanh(new Width128(z)).V;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Apply(Vector256<float> z) => Tanh(new Width256(z)).V;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> z) => Tanh(new Width512(z)).V;
    }
}
