using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dW += c·sign(W) with c = λ/2m: the gradient of the L1 penalty (λ/2m)·‖W‖₁ (sign(0) = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void L1Gradient(ReadOnlySpan<float> W, Span<float> dW, float c)
    {
        RequireLength(dW.Length, W.Length, nameof(dW));
        for (int i = 0; i < W.Length; i++)
            dW[i] += c * MathF.Sign(W[i]);
    }
}
