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
}
