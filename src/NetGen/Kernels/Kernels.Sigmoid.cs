using System;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = σ(Z) = 1 / (1 + e^−Z), element-wise (A may be Z itself).</summary>
    public static void Sigmoid(ReadOnlySpan<float> Z, Span<float> A) => TensorPrimitives.Sigmoid(Z, A);
}
