using System;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = tanh(Z), element-wise (A may be Z itself).</summary>
    public static void Tanh(ReadOnlySpan<float> Z, Span<float> A) => TensorPrimitives.Tanh(Z, A);
}
