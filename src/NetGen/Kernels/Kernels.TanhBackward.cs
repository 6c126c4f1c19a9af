using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dZ = dA ⊙ (1 − A²), tanh's g′(Z) written with its output A = tanh(Z) (dZ may be dA itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> A, ReadOnlySpan<float> dA, Span<float> dZ)
    {
        int n = dA.Length;
        RequireLength(A.Length, n, nameof(A));
        RequireLength(dZ.Length, n, nameof(dZ));
        ref float a = ref Ref(A);
        ref float da = ref Ref(dA);
        ref float dz = ref Ref(dZ);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> one = Vector256<float>.One;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> va = Vector256.LoadUnsafe(ref a, (nuint)i);
                (Vector256.LoadUnsafe(ref da, (nuint)i) * (one - va * va)).StoreUnsafe(ref dz, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float ai = Unsafe.Add(ref a, i);
            Unsafe.Add(ref dz, i) = Unsafe.Add(ref da, i) * (1f - ai * ai);
        }
    }

    /// <summary>tanh′ = 1 − A², a function of tanh's output A, as an <see cref="IActivationFunction"/>: the factor
    /// <see cref="DenseBackwardInputColumns{TDerivative}"/> multiplies its product by.</summary>
    public readonly struct TanhDerivative : IActivationFunction
    {
        /// <inheritdoc/>
        public float Apply(float a) => 1f - a * a;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Apply(Vector128<float> a) => Vector128<float>.One - a * a;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Apply(Vector256<float> a) => Vector256<float>.One - a * a;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> a) => Vector512<float>.One - a * a;
    }
}
