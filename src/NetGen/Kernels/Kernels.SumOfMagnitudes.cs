using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>‖W‖₁ = Σ |w|, accumulated in double: the L1 penalty's cost term before its factor λ/2m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfMagnitudes(ReadOnlySpan<float> W)
    {
        double sum = 0;
        for (int i = 0; i < W.Length; i++) sum += Math.Abs(W[i]);
        return sum;
    }
}
