using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dZ = dA ⊙ σ(Z) ⊙ (1 − σ(Z)): sigmoid's g′ taken from Z, for a layer whose A was changed by dropout
    /// (dZ may be dA itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidBackwardFromZ(ReadOnlySpan<float> Z, ReadOnlySpan<float> dA, Span<float> dZ)
    {
        int n = dA.Length;
        RequireLength(Z.Length, n, nameof(Z));
        RequireLength(dZ.Length, n, nameof(dZ));
        for (int i = 0; i < n; i++)
        {
            float a = 1f / (1f + MathF.Exp(-Z[i]));
            dZ[i] = dA[i] * a * (1f - a);
        }
    }
}
