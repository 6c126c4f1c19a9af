using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>‖W‖²_F = Σ w², accumulated in double: the L2 penalty's cost term before its factor λ/2m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares(ReadOnlySpan<float> W)
    {
        double sum = 0;
        for (int i = 0; i < W.Length; i++) sum += (double)W[i] * W[i];
        return sum;
    }
}
