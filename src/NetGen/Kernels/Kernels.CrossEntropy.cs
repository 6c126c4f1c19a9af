using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Σ_i Σ_j −y[i, j]·log softmax(z[i])_j = Σ_i Σ_j y[i, j]·(logΣexp(z[i]) − z[i, j]), computed from the logits Z
    /// (max-shifted, so finite for any z). Divide by m for the cost J.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double CrossEntropy(ReadOnlySpan<float> Z, ReadOnlySpan<float> Y, int m, int n)
    {
        RequireSize(m, nameof(m)); RequireSize(n, nameof(n));
        RequireMatrix(Z.Length, m, n, nameof(Z));
        RequireMatrix(Y.Length, m, n, nameof(Y));
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> z = Z.Slice(i * n, n);
            ReadOnlySpan<float> y = Y.Slice(i * n, n);
            double max = double.NegativeInfinity;
            for (int j = 0; j < n; j++) max = Math.Max(max, z[j]);
            double total = 0;
            for (int j = 0; j < n; j++) total += Math.Exp(z[j] - max);
            double logSumExp = max + Math.Log(total);
            for (int j = 0; j < n; j++) sum += y[j] * (logSumExp - z[j]);
        }
        return sum;
    }
}
