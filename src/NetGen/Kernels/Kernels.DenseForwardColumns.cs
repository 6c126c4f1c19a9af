using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Z = W·A + b with samples as columns — the notes' own layout: Z[j, i] = Σ_k W[j, k]·A[k, i] + b[j].
    /// A is nIn × m, W is nOut × nIn (row-major), b has nOut elements, Z is nOut × m.
    /// </summary>
    /// <remarks>
    /// For narrow layers, where a row of W is too short to fill a vector, the vectors run across samples instead: the
    /// tiles of <see cref="DenseForwardColumns{TActivation}"/> with g the identity, each W[j, k] broadcast and multiplied
    /// with the row A[k, i..i+16].
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForwardColumns(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Z, int m, int nIn, int nOut)
    {
        RequireMatrix(A.Length, nIn, m, nameof(A));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireLength(b.Length, nOut, nameof(b));
        RequireMatrix(Z.Length, nOut, m, nameof(Z));
        if (m == 1)
            DenseForward(A, W, b, Z, 1, nIn, nOut); // one sample: both layouts are the same vector, and dot products are the fast way
        else
            DenseForwardColumns(A, W, b, default, Z, m, nIn, nOut, default(IdentityFunction));
    }

    /// <summary>
    /// Out[r, i] = bias[r] + Σ_k S[r, k]·V[k, i] for r &lt; rows, i &lt; m, where S[r, k] is read at r·rowStride + k·columnStride
    /// (so W or Wᵀ without copying) and V is k × m, row-major.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ColumnsProduct(ref float s0, int rowStride, int columnStride, ref float v0, ref float out0, ref float bias, bool hasBias,
        int rows, int depth, int m)
    {
        if (!Vector512.IsHardwareAccelerated || m < 16)
        {
            ColumnsProductScalar(ref s0, rowStride, columnStride, ref v0, ref out0, ref bias, hasBias, rows, depth, m);
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref float s = ref Unsafe.Add(ref s0, (nint)r * rowStride);
            for (int i = 0; ; i += 16)
            {
                if (i > m - 16) i = m - 16; // the last block overlaps the previous one: same values, stored again
                Vector512<float> c0 = hasBias ? Vector512.Create(Unsafe.Add(ref bias, r)) : default;
                Vector512<float> c1 = hasBias ? Vector512.Create(Unsafe.Add(ref bias, r + 1)) : default;
                Vector512<float> c2 = hasBias ? Vector512.Create(Unsafe.Add(ref bias, r + 2)) : default;
                Vector512<float> c3 = hasBias ? Vector512.Create(Unsafe.Add(ref bias, r + 3)) : default;
                ref float v = ref Unsafe.Add(ref v0, i);
                for (int k = 0; k < depth; k++)
                {
                    Vector512<float> x = Vector512.LoadUnsafe(ref v, (nuint)((nint)k * m));
                    ref float sk = ref Unsafe.Add(ref s, (nint)k * columnStride);
                    c0 = Vector512.FusedMultiplyAdd(Vector512.Create(sk), x, c0);
                    c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref sk, rowStride)), x, c1);
                    c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref sk, 2 * rowStride)), x, c2);
                    c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref sk, 3 * rowStride)), x, c3);
                }
                ref float o = ref Unsafe.Add(ref out0, (nint)r * m + i);
                c0.StoreUnsafe(ref o);
                c1.StoreUnsafe(ref o, (nuint)m);
                c2.StoreUnsafe(ref o, (nuint)(2 * m));
                c3.StoreUnsafe(ref o, (nuint)(3 * m));
                if (i + 16 >= m) break;
            }
        }
        for (; r < rows; r++)
        {
            // One row alone: four blocks of 16 samples at a time, so that four independent sums hide the FMA latency.
            ref float s = ref Unsafe.Add(ref s0, (nint)r * rowStride);
            Vector512<float> start = hasBias ? Vector512.Create(Unsafe.Add(ref bias, r)) : default;
            ref float o = ref Unsafe.Add(ref out0, (nint)r * m);
            int i = 0;
            for (; i + 64 <= m; i += 64)
            {
                Vector512<float> c0 = start, c1 = start, c2 = start, c3 = start;
                ref float v = ref Unsafe.Add(ref v0, i);
                for (int k = 0; k < depth; k++)
                {
                    Vector512<float> weight = Vector512.Create(Unsafe.Add(ref s, (nint)k * columnStride));
                    ref float vk = ref Unsafe.Add(ref v, (nint)k * m);
                    c0 = Vector512.FusedMultiplyAdd(weight, Vector512.LoadUnsafe(ref vk), c0);
                    c1 = Vector512.FusedMultiplyAdd(weight, Vector512.LoadUnsafe(ref vk, 16), c1);
                    c2 = Vector512.FusedMultiplyAdd(weight, Vector512.LoadUnsafe(ref vk, 32), c2);
                    c3 = Vector512.FusedMultiplyAdd(weight, Vector512.LoadUnsafe(ref vk, 48), c3);
                }
                c0.StoreUnsafe(ref o, (nuint)i);
                c1.StoreUnsafe(ref o, (nuint)i + 16);
                c2.StoreUnsafe(ref o, (nuint)i + 32);
                c3.StoreUnsafe(ref o, (nuint)i + 48);
            }
            for (; i < m; i += 16)
            {
                if (i > m - 16) i = m - 16; // the last block overlaps the previous one: same values, stored again
                Vector512<float> c = start;
                for (int k = 0; k < depth; k++)
                    c = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref s, (nint)k * columnStride)), Vector512.LoadUnsafe(ref v0, (nuint)((nint)k * m + i)), c);
                c.StoreUnsafe(ref o, (nuint)i);
            }
        }
    }

    /// <summary>The reference strategy of <see cref="ColumnsProduct"/>: plain loops.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ColumnsProductScalar(ref float s0, int rowStride, int columnStride, ref float v0, ref float out0, ref float bias, bool hasBias,
        int rows, int depth, int m)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float o = ref Unsafe.Add(ref out0, (nint)r * m);
            float start = hasBias ? Unsafe.Add(ref bias, r) : 0f;
            for (int i = 0; i < m; i++) Unsafe.Add(ref o, i) = start;
            for (int k = 0; k < depth; k++)
            {
                float weight = Unsafe.Add(ref s0, (nint)r * rowStride + (nint)k * columnStride);
                ref float v = ref Unsafe.Add(ref v0, (nint)k * m);
                for (int i = 0; i < m; i++)
                    Unsafe.Add(ref o, i) = MathF.FusedMultiplyAdd(weight, Unsafe.Add(ref v, i), Unsafe.Add(ref o, i));
            }
        }
    }
}
