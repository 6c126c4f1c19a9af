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
}
