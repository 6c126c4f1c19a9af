using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>θ ← θ − α·dθ, element-wise.</summary>
    /// <exception cref="ArgumentException"><paramref name="gradients"/> does not hold one float per parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is NaN or ∞ (it would make every
    /// parameter NaN or ∞); nothing has changed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientDescent(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (gradients.Length != parameters.Length)
            throw new ArgumentException(
                $"gradients must hold {parameters.Length} floats, one per parameter, but has {gradients.Length}.",
                nameof(gradients));
        RequireFiniteHyperparameter(learningRate, nameof(learningRate));
        TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
    }

    /// <summary>Throws unless <paramref name="value"/> is finite; one scalar test on entry, never in a loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RequireFiniteHyperparameter(float value, string name)
    {
        if (!float.IsFinite(value))
            ThrowNotFinite(value, name);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNotFinite(float value, string name)
        => throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture,
            $"{name} must be a finite number, but is {value}: the step would make the parameters NaN or ∞."));
}
