using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dZ = dA where Z &gt; 0, else slope·dA — leaky ReLU's g′ (dZ may be dA itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluBackward(ReadOnlySpan<float> Z, ReadOnlySpan<float> dA, Span<float> dZ, float slope)
    {
        int n = dA.Length;
        RequireLength(Z.Length, n, nameof(Z));
        RequireLength(dZ.Length, n, nameof(dZ));
        ref float z = ref Ref(Z);
        ref float da = ref Ref(dA);
        ref float dz = ref Ref(dZ);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(slope);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> vd = Vector256.LoadUnsafe(ref da, (nuint)i);
                Vector256<float> positive = Vector256.GreaterThan(Vector256.LoadUnsafe(ref z, (nuint)i), Vector256<float>.Zero);
                Vector256.ConditionalSelect(positive, vd, vd * s).StoreUnsafe(ref dz, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float di = Unsafe.Add(ref da, i);
            Unsafe.Add(ref dz, i) = Unsafe.Add(ref z, i) > 0f ? di : slope * di;
        }
    }

    /// <summary>Leaky ReLU′ = (A &gt; 0 ? 1 : slope), read off its output A (positive exactly where Z is, for a slope
    /// ≥ 0), as an <see cref="IActivationFunction"/>: the factor <see cref="DenseBackwardInputColumns{TDerivative}"/>
    /// multiplies its product by — the same numbers as <see cref="LeakyReluBackward"/>.</summary>
    /// <param name="slope">The slope for A ≤ 0.</param>
    public readonly struct LeakyReluDerivative(float slope) : IActivationFunction
    {
        /// <inheritdoc/>
        public float Apply(float a) => a > 0f ? 1f : slope;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Apply(Vector128<float> a)
            => Vector128.ConditionalSelect(Vector128.GreaterThan(a, Vector128<float>.Zero), Vector128<float>.One, Vector128.Create(slope));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Apply(Vector256<float> a)
            => Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), Vector256<float>.One, Vector256.Create(slope));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> a)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), Vector512<float>.One, Vector512.Create(slope));
    }
}
