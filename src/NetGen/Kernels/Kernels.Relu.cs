using System;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = max(0, Z), element-wise (A may be Z itself).</summary>
    public static void Relu(ReadOnlySpan<float> Z, Span<float> A) => TensorPrimitives.Max(Z, 0f, A);
}
