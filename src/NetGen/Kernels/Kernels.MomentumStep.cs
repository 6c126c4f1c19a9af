using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>v ← β·v + (1 − β)·dθ, then θ ← θ − α·v: gradient descent with momentum (the notes' form).</summary>
    /// <exception cref="ArgumentException"><paramref name="gradients"/> or <paramref name="velocity"/> holds fewer floats
    /// than <paramref name="parameters"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> or <paramref name="beta"/> is NaN or
    /// ∞; nothing has changed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MomentumStep(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float learningRate, float beta)
    {
        int n = parameters.Length;
        RequireLength(gradients.Length, n, nameof(gradients));
        RequireLength(velocity.Length, n, nameof(velocity));
        RequireFiniteHyperparameter(learningRate, nameof(learningRate));
        RequireFiniteHyperparameter(beta, nameof(beta));
        velocity = velocity.Slice(0, n);
        TensorPrimitives.Multiply(velocity, beta, velocity);
        TensorPrimitives.MultiplyAdd(gradients.Slice(0, n), 1f - beta, velocity, velocity);
        TensorPrimitives.MultiplyAdd(velocity, -learningRate, parameters, parameters);
    }
}
