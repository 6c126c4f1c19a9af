using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
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
    /// <remarks>
    /// Vector512: tiles of four rows times 16 samples, then single rows 64 and 16 samples at a time. Without AVX-512 but
    /// with AVX2 and FMA, <see cref="ColumnsProduct256"/> runs the same tiles 8 samples to a vector. Each last tile
    /// overlaps the previous one; m below one vector takes the scalar loops.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ColumnsProduct(ref float s0, int rowStride, int columnStride, ref float v0, ref float out0, ref float bias, bool hasBias,
        int rows, int depth, int m)
    {
        if (!Vector512.IsHardwareAccelerated || m < 16)
        {
            if (!Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && Fma.IsSupported && m >= 8)
                ColumnsProduct256(ref s0, rowStride, columnStride, ref v0, ref out0, ref bias, hasBias, rows, depth, m);
            else
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

    /// <summary>
    /// The Vector256 strategy of <see cref="ColumnsProduct"/> (AVX2 and FMA, no AVX-512): four rows times 16 samples (8
    /// sums), then each remaining row alone, 32 samples at a time and 8 at a time after them. Needs m ≥ 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsProduct256(ref float s0, int rowStride, int columnStride, ref float v0, ref float out0, ref float bias, bool hasBias,
        int rows, int depth, int m)
    {
        int r = 0;
        if (m >= 16)
            for (; r + 4 <= rows; r += 4)
            {
                ref float s = ref Unsafe.Add(ref s0, (nint)r * rowStride);
                ref float o = ref Unsafe.Add(ref out0, (nint)r * m);
                for (int i = 0; ; i += 16)
                {
                    if (i > m - 16) i = m - 16; // the last tile overlaps the previous one: same values, stored again
                    Vector256<float> c00 = hasBias ? Vector256.Create(Unsafe.Add(ref bias, r)) : default;
                    Vector256<float> c10 = hasBias ? Vector256.Create(Unsafe.Add(ref bias, r + 1)) : default;
                    Vector256<float> c20 = hasBias ? Vector256.Create(Unsafe.Add(ref bias, r + 2)) : default;
                    Vector256<float> c30 = hasBias ? Vector256.Create(Unsafe.Add(ref bias, r + 3)) : default;
                    Vector256<float> c01 = c00, c11 = c10, c21 = c20, c31 = c30;
                    ref float v = ref Unsafe.Add(ref v0, i);
                    ref float sk = ref s;
                    for (int k = 0; k < depth; k++)
                    {
                        Vector256<float> x0 = Vector256.LoadUnsafe(ref v), x1 = Vector256.LoadUnsafe(ref v, 8);
                        Vector256<float> w0 = Vector256.Create(sk);
                        c00 = Vector256.FusedMultiplyAdd(w0, x0, c00);
                        c01 = Vector256.FusedMultiplyAdd(w0, x1, c01);
                        Vector256<float> w1 = Vector256.Create(Unsafe.Add(ref sk, rowStride));
                        c10 = Vector256.FusedMultiplyAdd(w1, x0, c10);
                        c11 = Vector256.FusedMultiplyAdd(w1, x1, c11);
                        Vector256<float> w2 = Vector256.Create(Unsafe.Add(ref sk, 2 * rowStride));
                        c20 = Vector256.FusedMultiplyAdd(w2, x0, c20);
                        c21 = Vector256.FusedMultiplyAdd(w2, x1, c21);
                        Vector256<float> w3 = Vector256.Create(Unsafe.Add(ref sk, 3 * rowStride));
                        c30 = Vector256.FusedMultiplyAdd(w3, x0, c30);
                        c31 = Vector256.FusedMultiplyAdd(w3, x1, c31);
                        v = ref Unsafe.Add(ref v, m);
                        sk = ref Unsafe.Add(ref sk, columnStride);
                    }
                    nuint at = (nuint)i, row = (nuint)m;
                    c00.StoreUnsafe(ref o, at);
                    c01.StoreUnsafe(ref o, at + 8);
                    c10.StoreUnsafe(ref o, at + row);
                    c11.StoreUnsafe(ref o, at + row + 8);
                    c20.StoreUnsafe(ref o, at + 2 * row);
                    c21.StoreUnsafe(ref o, at + 2 * row + 8);
                    c30.StoreUnsafe(ref o, at + 3 * row);
                    c31.StoreUnsafe(ref o, at + 3 * row + 8);
                    if (i + 16 >= m) break;
                }
            }
        for (; r < rows; r++)
        {
            // One row alone: four blocks of 8 samples at a time, so that four independent sums hide the FMA latency.
            ref float s = ref Unsafe.Add(ref s0, (nint)r * rowStride);
            Vector256<float> start = hasBias ? Vector256.Create(Unsafe.Add(ref bias, r)) : default;
            ref float o = ref Unsafe.Add(ref out0, (nint)r * m);
            int i = 0;
            for (; i + 32 <= m; i += 32)
            {
                Vector256<float> c0 = start, c1 = start, c2 = start, c3 = start;
                ref float v = ref Unsafe.Add(ref v0, i);
                for (int k = 0; k < depth; k++)
                {
                    Vector256<float> weight = Vector256.Create(Unsafe.Add(ref s, (nint)k * columnStride));
                    ref float vk = ref Unsafe.Add(ref v, (nint)k * m);
                    c0 = Vector256.FusedMultiplyAdd(weight, Vector256.LoadUnsafe(ref vk), c0);
                    c1 = Vector256.FusedMultiplyAdd(weight, Vector256.LoadUnsafe(ref vk, 8), c1);
                    c2 = Vector256.FusedMultiplyAdd(weight, Vector256.LoadUnsafe(ref vk, 16), c2);
                    c3 = Vector256.FusedMultiplyAdd(weight, Vector256.LoadUnsafe(ref vk, 24), c3);
                }
                c0.StoreUnsafe(ref o, (nuint)i);
                c1.StoreUnsafe(ref o, (nuint)i + 8);
                c2.StoreUnsafe(ref o, (nuint)i + 16);
                c3.StoreUnsafe(ref o, (nuint)i + 24);
            }
            for (; i < m; i += 8)
            {
                if (i > m - 8) i = m - 8; // the last block overlaps the previous one: same values, stored again
                Vector256<float> c = start;
                for (int k = 0; k < depth; k++)
                    c = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref s, (nint)k * columnStride)), Vector256.LoadUnsafe(ref v0, (nuint)((nint)k * m + i)), c);
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
