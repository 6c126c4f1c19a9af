using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Adam, step t ≥ 1: m ← β₁·m + (1 − β₁)·dθ; v ← β₂·v + (1 − β₂)·dθ²; θ ← θ − α·m̂ / (√v̂ + ε) with
    /// m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="gradients"/>, <paramref name="m"/> or <paramref name="v"/>
    /// holds fewer floats than <paramref name="parameters"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> &lt; 1, or <paramref name="learningRate"/>,
    /// <paramref name="beta1"/>, <paramref name="beta2"/> or <paramref name="epsilon"/> is NaN or ∞; nothing has
    /// changed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdamStep(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, int t,
        float learningRate, float beta1, float beta2, float epsilon)
    {
        int n = parameters.Length;
        RequireLength(gradients.Length, n, nameof(gradients));
        RequireLength(m.Length, n, nameof(m));
        RequireLength(v.Length, n, nameof(v));
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Adam's steps count from 1.");
        RequireFiniteHyperparameter(learningRate, nameof(learningRate));
        RequireFiniteHyperparameter(beta1, nameof(beta1));
        RequireFiniteHyperparameter(beta2, nameof(beta2));
        RequireFiniteHyperparameter(epsilon, nameof(epsilon));
        float correction1 = 1f / (1f - MathF.Pow(beta1, t)), correction2 = 1f / (1f - MathF.Pow(beta2, t));
        ref float p = ref Ref(parameters);
        ref float g = ref Ref(gradients);
        ref float m0 = ref Ref(m);
        ref float v0 = ref Ref(v);
        for (int i = 0; i < n; i++)
        {
            float gi = Unsafe.Add(ref g, i);
            float mi = beta1 * Unsafe.Add(ref m0, i) + (1f - beta1) * gi;
            float vi = beta2 * Unsafe.Add(ref v0, i) + (1f - beta2) * gi * gi;
            Unsafe.Add(ref m0, i) = mi;
            Unsafe.Add(ref v0, i) = vi;
            Unsafe.Add(ref p, i) -= learningRate * (mi * correction1) / (MathF.Sqrt(vi * correction2) + epsilon);
        }
    }
}
