using System;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dW += c·W with c = λ/m: the gradient of the L2 penalty (λ/2m)·‖W‖²_F.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void L2Gradient(ReadOnlySpan<float> W, Span<float> dW, float c)
    {
        RequireLength(dW.Length, W.Length, nameof(dW));
        TensorPrimitives.MultiplyAdd(W, c, dW.Slice(0, W.Length), dW);
    }
}
