using System;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A = A ⊙ D / keep: inverted dropout, so that the expected activation is unchanged. Also the backward step
    /// dA = dA ⊙ D / keep, which lets exactly the kept units pass their gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dropout(Span<float> A, ReadOnlySpan<float> D, float keep)
    {
        RequireLength(D.Length, A.Length, nameof(D));
        TensorPrimitives.Multiply(A, D.Slice(0, A.Length), A);
        TensorPrimitives.Divide(A, keep, A);
    }
}
