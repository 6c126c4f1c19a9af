using System;
using System.Runtime.CompilerServices;
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
}
