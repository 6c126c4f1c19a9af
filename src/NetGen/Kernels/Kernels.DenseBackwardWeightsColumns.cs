using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics.Tensors;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dW = (1/m)·dZ·Aᵀ and db = (1/m)·Σ_i dZ[·, i] with samples as columns — the notes' own formulas:
    /// dW[j, k] = (1/m)·Σ_i dZ[j, i]·A[k, i], a dot product of two rows of length m.
    /// dZ is nOut × m, A is nIn × m; dW (nOut × nIn) and db (nOut) are overwritten.
    /// </summary>
    /// <remarks>
    /// With Vector512, the register-blocked dense forward kernel runs on the rows. Otherwise, at the widest accelerated
    /// width, tiles of four rows of dZ times two rows of A keep 8 sums over the samples (6 loads for 8 FMAs), the last
    /// vector masked; the last tile of each direction overlaps the previous one and writes the same values again
    /// (<see cref="RowDots{TVec}"/>). Fewer than four rows of dZ or a single row of A take one dot product per element.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardWeightsColumns(ReadOnlySpan<float> dZ, ReadOnlySpan<float> A, Span<float> dW, Span<float> db,
        int m, int nIn, int nOut)
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ.Length, nOut, m, nameof(dZ));
        RequireMatrix(A.Length, nIn, m, nameof(A));
        RequireMatrix(dW.Length, nOut, nIn, nameof(dW));
        RequireLength(db.Length, nOut, nameof(db));

        float scale = 1f / m;
        for (int j = 0; j < nOut; j++)
            db[j] = TensorPrimitives.Sum(dZ.Slice(j * m, m)) * scale;

        // Each dW[j, k] is the dot product dZ[j, ·]·A[k, ·]: the dense forward kernel's own shape (rows of dZ against
        // rows of A, both of length m), without a bias.
        float none = 0f;
        bool tiles = nOut >= 4 && nIn >= 2;
        if (Vector512.IsHardwareAccelerated && Sse3.IsSupported && m >= 16)
            DenseForwardBlocked(ref Ref(dZ), ref Ref(A), ref none, false, ref Ref(dW), nOut, m, nIn);
        else if (tiles && Width256.IsAccelerated && m >= Width256.Count)
            RowDots<Width256>(ref Ref(dZ), ref Ref(A), ref Ref(dW), m, nIn, nOut);
        else if (tiles && Width128.IsAccelerated && m >= Width128.Count)
            RowDots<Width128>(ref Ref(dZ), ref Ref(A), ref Ref(dW), m, nIn, nOut);
        else
            DenseForwardDots(ref Ref(dZ), ref Ref(A), ref none, false, ref Ref(dW), nOut, m, nIn);
        TensorPrimitives.Multiply(dW.Slice(0, nOut * nIn), scale, dW.Slice(0, nOut * nIn));
    }

    /// <summary>
    /// Out[j, k] = Σ_i P[j, i]·Q[k, i] (P is rows × m, Q is columns × m, Out is rows × columns) in tiles of 4 × 2.
    /// Needs m ≥ one vector, rows ≥ 4, columns ≥ 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RowDots<TVec>(ref float p0, ref float q0, ref float out0, int m, int columns, int rows)
        where TVec : struct, IVector<TVec>
    {
        int n = TVec.Count, full = m - m % n;
        TVec mask = TVec.TailMask(m - full); // the lanes of the last full vector not yet summed (none when m % n = 0)
        nuint last = (nuint)(m - n), row = (nuint)m;
        for (int j = 0; ; j += 4)
        {
            if (j > rows - 4) j = rows - 4; // the last tile overlaps the previous one: same values, stored again
            ref float p = ref Unsafe.Add(ref p0, (nint)j * m);
            for (int k = 0; ; k += 2)
            {
                if (k > columns - 2) k = columns - 2;
                ref float q = ref Unsafe.Add(ref q0, (nint)k * m);
                TVec c00 = default, c01 = default, c10 = default, c11 = default;
                TVec c20 = default, c21 = default, c30 = default, c31 = default;
                for (nuint i = 0; ; i += (nuint)n)
                {
                    bool tail = i >= (nuint)full;
                    if (tail)
                    {
                        if (full == m) break;
                        i = last; // masked tail: the last full vector again, only its lanes not yet summed
                    }
                    TVec x0 = TVec.Load(ref q, i), x1 = TVec.Load(ref q, i + row);
                    if (tail) { x0 &= mask; x1 &= mask; }
                    TVec y = TVec.Load(ref p, i);
                    c00 = TVec.MultiplyAdd(y, x0, c00);
                    c01 = TVec.MultiplyAdd(y, x1, c01);
                    y = TVec.Load(ref p, i + row);
                    c10 = TVec.MultiplyAdd(y, x0, c10);
                    c11 = TVec.MultiplyAdd(y, x1, c11);
                    y = TVec.Load(ref p, i + 2 * row);
                    c20 = TVec.MultiplyAdd(y, x0, c20);
                    c21 = TVec.MultiplyAdd(y, x1, c21);
                    y = TVec.Load(ref p, i + 3 * row);
                    c30 = TVec.MultiplyAdd(y, x0, c30);
                    c31 = TVec.MultiplyAdd(y, x1, c31);
                    if (tail) break;
                }
                ref float o = ref Unsafe.Add(ref out0, (nint)j * columns + k);
                o = TVec.Sum(c00);
                Unsafe.Add(ref o, 1) = TVec.Sum(c01);
                Unsafe.Add(ref o, columns) = TVec.Sum(c10);
                Unsafe.Add(ref o, columns + 1) = TVec.Sum(c11);
                Unsafe.Add(ref o, 2 * columns) = TVec.Sum(c20);
                Unsafe.Add(ref o, 2 * columns + 1) = TVec.Sum(c21);
                Unsafe.Add(ref o, 3 * columns) = TVec.Sum(c30);
                Unsafe.Add(ref o, 3 * columns + 1) = TVec.Sum(c31);
                if (k + 2 >= columns) break;
            }
            if (j + 4 >= rows) break;
        }
    }
}
