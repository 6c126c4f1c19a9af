using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Σ [−y·log σ(z) − (1−y)·log(1−σ(z))] over all elements, computed from the logits Z in the stable form
    /// max(z, 0) − z·y + log(1 + e^−|z|): finite even where σ(z) rounds to 0 or 1. Divide by m for the cost J.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double BinaryCrossEntropy(ReadOnlySpan<float> Z, ReadOnlySpan<float> Y)
    {
        RequireLength(Y.Length, Z.Length, nameof(Y));
        double sum = 0;
        for (int i = 0; i < Z.Length; i++)
        {
            double z = Z[i];
            sum += Math.Max(z, 0.0) - z * Y[i] + Math.Log(1.0 + Math.Exp(-Math.Abs(z)));
        }
        return sum;
    }
}
