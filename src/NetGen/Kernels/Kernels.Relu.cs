using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = max(0, Z), element-wise (A may be Z itself); NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> Z, Span<float> A)
    {
        int n = Z.Length;
        RequireLength(A.Length, n, nameof(A));
        ref float z = ref Ref(Z);
        ref float a = ref Ref(A);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref z, (nuint)i);
                Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512<float>.Zero), Vector512<float>.Zero, v).StoreUnsafe(ref a, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref a, i) = Relu(Unsafe.Add(ref z, i));
    }

    /// <summary>max(0, z) for one value; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float z) => z < 0f ? 0f : z;

    /// <summary>g(z) = max(0, z) as an <see cref="IActivationFunction"/>; NaN stays NaN.</summary>
    public readonly struct ReluFunction : IActivationFunction
    {
        /// <inheritdoc/>
        public float Apply(float z) => Relu(z);

        /// <inheritdoc/>
        public Vector128<float> Apply(Vector128<float> z)
            => Vector128.ConditionalSelect(Vector128.LessThan(z, Vector128<float>.Zero), Vector128<float>.Zero, z);

        /// <inheritdoc/>
        public Vector256<float> Apply(Vector256<float> z)
            => Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256<float>.Zero), Vector256<float>.Zero, z);

        /// <inheritdoc/>
        public Vector512<float> Apply(Vector512<float> z)
            => Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512<float>.Zero), Vector512<float>.Zero, z);
    }
}
