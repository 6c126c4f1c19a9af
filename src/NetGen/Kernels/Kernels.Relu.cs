using System;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = max(0, Z), element-wise (A may be Z itself).</summary>
    public static void Relu(ReadOnlySpan<float> Z, Span<float> A) => TensorPrimitives.Max(Z, 0f, A);

    /// <summary>max(0, z) for one value (NaN stays NaN, as in the span form).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static float Relu(float z) => MathF.Max(z, 0f);
}
