using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A[i, j] = e^(Z[i, j] − max_k Z[i, k]) / Σ_k e^(Z[i, k] − max_k Z[i, k]), over the n units of each of the m rows (A may be Z itself).</summary>
    /// <remarks>Shifting by the row's maximum keeps every exponent ≤ 0, so nothing overflows. The exponentials of the whole
    /// m × n block run as one vectorised call, which is what makes short rows (a few classes) fast.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> Z, Span<float> A, int m, int n)
    {
        RequireSize(m, nameof(m)); RequireSize(n, nameof(n));
        RequireMatrix(Z.Length, m, n, nameof(Z));
        RequireMatrix(A.Length, m, n, nameof(A));
        if (m == 1 && n <= 16 && InRegisters.IsSupported)
        {
            // One short row (a one-sample Predict): in one vector, faster than the block path below.
            InRegisters.Store(A.Slice(0, n), 0, SoftmaxOfLanes(InRegisters.Load(Z, 0, n), FirstLanes(n)));
            return;
        }
        ref float z0 = ref Ref(Z);
        ref float a0 = ref Ref(A);
        for (int i = 0; i < m; i++)
        {
            ref float z = ref Unsafe.Add(ref z0, (nint)i * n);
            ref float a = ref Unsafe.Add(ref a0, (nint)i * n);
            float max = z;
            for (int j = 1; j < n; j++) max = MathF.Max(max, Unsafe.Add(ref z, j));
            for (int j = 0; j < n; j++) Unsafe.Add(ref a, j) = Unsafe.Add(ref z, j) - max;
        }
        Span<float> block = A.Slice(0, m * n);
        TensorPrimitives.Exp(block, block);
        for (int i = 0; i < m; i++)
        {
            ref float a = ref Unsafe.Add(ref a0, (nint)i * n);
            float sum = 0f;
            for (int j = 0; j < n; j++) sum += Unsafe.Add(ref a, j);
            float scale = 1f / sum;
            for (int j = 0; j < n; j++) Unsafe.Add(ref a, j) *= scale;
        }
    }
}
