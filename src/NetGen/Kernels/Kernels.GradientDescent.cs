using System;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>θ ← θ − α·dθ, element-wise.</summary>
    public static void GradientDescent(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
        => TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
}
