using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dZ = dA where Z &gt; 0, else 0 — ReLU's g′ (dZ may be dA itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> Z, ReadOnlySpan<float> dA, Span<float> dZ)
        => LeakyReluBackward(Z, dA, dZ, 0f);
}
