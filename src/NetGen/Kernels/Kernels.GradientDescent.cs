using System;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>θ ← θ − α·dθ, element-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientDescent(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
        => TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
}
