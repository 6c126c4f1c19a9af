using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Σ ½·(a − y)² over all elements. Divide by m for the cost J.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MeanSquaredError(ReadOnlySpan<float> A, ReadOnlySpan<float> Y)
    {
        RequireLength(Y.Length, A.Length, nameof(Y));
        double sum = 0;
        for (int i = 0; i < A.Length; i++)
        {
            double d = (double)A[i] - Y[i];
            sum += 0.5 * d * d;
        }
        return sum;
    }
}
