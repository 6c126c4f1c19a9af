using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>z where z &gt; 0, else slope·z, for one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LeakyRelu(float z, float slope) => z > 0f ? z : slope * z;

    /// <summary>A = Z where Z &gt; 0, else slope·Z, element-wise (A may be Z itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyRelu(ReadOnlySpan<float> Z, Span<float> A, float slope)
    {
        int n = Z.Length;
        RequireLength(A.Length, n, nameof(A));
        ref float z = ref Ref(Z);
        ref float a = ref Ref(A);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(slope);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> vz = Vector256.LoadUnsafe(ref z, (nuint)i);
                Vector256.ConditionalSelect(Vector256.GreaterThan(vz, Vector256<float>.Zero), vz, vz * s).StoreUnsafe(ref a, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float zi = Unsafe.Add(ref z, i);
            Unsafe.Add(ref a, i) = zi > 0f ? zi : slope * zi;
        }
    }

    /// <summary>g(z) = z where z &gt; 0, else slope·z, as an <see cref="IActivationFunction"/>.</summary>
    public readonly struct LeakyReluFunction(float slope) : IActivationFunction
    {
        private readonly float _slope = slope;

        /// <inheritdoc/>
        public float Apply(float z) => LeakyRelu(z, _slope);

        /// <inheritdoc/>
        public Vector128<float> Apply(Vector128<float> z)
            => Vector128.ConditionalSelect(Vector128.GreaterThan(z, Vector128<float>.Zero), z, z * Vector128.Create(_slope));

        /// <inheritdoc/>
        public Vector256<float> Apply(Vector256<float> z)
            => Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), z, z * Vector256.Create(_slope));

        /// <inheritdoc/>
        public Vector512<float> Apply(Vector512<float> z)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<float>.Zero), z, z * Vector512.Create(_slope));
    }
}
