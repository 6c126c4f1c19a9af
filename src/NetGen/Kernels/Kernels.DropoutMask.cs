using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>D[i] = 1 with probability keep, else 0: a fresh inverted-dropout mask drawn from <paramref name="rng"/>
    /// (32 random bits per element, compared with keep·2³²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DropoutMask(Span<float> D, float keep, ref Rng rng)
    {
        if (!(keep > 0f && keep <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keep), keep, "the keep probability must be in (0, 1].");
        ulong threshold = (ulong)((double)keep * 4294967296.0); // keep·2³²; keep = 1 keeps every unit
        ref float d = ref Ref(D);
        int n = D.Length, i = 0;
        for (; i + 1 < n; i += 2)
        {
            ulong bits = rng.NextUInt64();
            Unsafe.Add(ref d, i) = (bits & 0xFFFFFFFFUL) < threshold ? 1f : 0f;
            Unsafe.Add(ref d, i + 1) = (bits >> 32) < threshold ? 1f : 0f;
        }
        if (i < n)
            Unsafe.Add(ref d, i) = (rng.NextUInt64() & 0xFFFFFFFFUL) < threshold ? 1f : 0f;
    }
}
