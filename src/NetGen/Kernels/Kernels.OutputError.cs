using System;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dZ = A − Y: the output layer's error for sigmoid + binary cross-entropy and softmax + cross-entropy,
    /// and dA[L] for the mean squared error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OutputError(ReadOnlySpan<float> A, ReadOnlySpan<float> Y, Span<float> dZ) => TensorPrimitives.Subtract(A, Y, dZ);
}
