using System;
using System.Runtime.CompilerServices;
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
}
