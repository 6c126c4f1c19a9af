using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>This thread's packed W of a narrow softmax layer (see <see cref="PackSoftmaxWeights"/>).</summary>
    [ThreadStatic] private static AlignedScratch t_softmaxWeights;

    /// <summary>Samples per block of the fused softmax layer: 6 × up to 4 accumulators.</summary>
    private const int SoftmaxRows = 6;

    /// <summary>
    /// Y = softmax(A·Wᵀ + b) row by row: with z = A[i, ·]·Wᵀ + b, Y[i, j] = e^(z[j] − max_k z[k]) / Σ_k e^(z[k] − max_k z[k]).
    /// A is m × nIn, W is nOut × nIn (row-major), b has nOut elements, Y is m × nOut: the output layer of a classifier,
    /// <see cref="DenseForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>
    /// then <see cref="Softmax"/>, in one pass.
    /// </summary>
    /// <remarks>
    /// With AVX-512 and at most 16 units, the logits never leave registers. W is packed (every call: it is small) so that
    /// each 128-bit lane of a vector holds four consecutive inputs of one unit — four units per vector, ⌈nOut/4⌉ vectors
    /// per four inputs — and each sample's four inputs are broadcast to the four lanes: 6 samples × ⌈nOut/4⌉
    /// accumulators per block, one broadcast per sample and one load per unit group for every 6·⌈nOut/4⌉ FMAs. A sample's
    /// accumulators then fold into one vector of its logits (lane j = z[j]); the maximum and the sum run across the lanes
    /// in registers; the row is stored once. The last block starts at m − 6 and writes a few rows again (the same values).
    /// Otherwise (more than 16 units, fewer than 4 inputs, no AVX-512) it is the two kernels one after the other.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void DenseForwardSoftmax(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Y, int m, int nIn, int nOut)
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(A.Length, m, nIn, nameof(A));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireLength(b.Length, nOut, nameof(b));
        RequireMatrix(Y.Length, m, nOut, nameof(Y));
        if (m <= 0 || nOut <= 0)
            return;
        if (!Avx512F.IsSupported || nOut > 16 || nIn < 4)
        {
            Span<float> y = Y.Slice(0, m * nOut);
            DenseForward(A, W, b, y, m, nIn, nOut);
            Softmax(y, y, m, nOut);
            return;
        }

        fixed (float* pa = A, pw = W, pb = b, py = Y)
        {
            switch ((nOut + 3) / 4)
            {
                case 1: DenseForwardSoftmax<One>(pa, pw, pb, py, m, nIn, nOut); break;
                case 2: DenseForwardSoftmax<Two>(pa, pw, pb, py, m, nIn, nOut); break;
                case 3: DenseForwardSoftmax<Three>(pa, pw, pb, py, m, nIn, nOut); break;
                default: DenseForwardSoftmax<Four>(pa, pw, pb, py, m, nIn, nOut); break;
            }
        }
    }

    /// <summary>The kernel for ⌈nOut/4⌉ = <typeparamref name="TGroups"/> groups of four units.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DenseForwardSoftmax<TGroups>(float* a0, float* w, float* b, float* y, int m, int nIn, int nOut)
        where TGroups : struct, ICount
    {
        int groups = TGroups.Value, steps = (nIn + 3) / 4, last = nIn - 4, length = m * nOut;
        float* q0 = PackSoftmaxWeights(w, nIn, nOut, groups);
        Vector512<float> valid = Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(nOut)).AsSingle();
        Vector512<float> bias = Avx512F.MaskLoad(b, valid, Vector512<float>.Zero);

        // Rows one at a time while fewer than 6 are left; then blocks of 6, the last one ending at row m − 1.
        int i = 0;
        for (; i < m && m < SoftmaxRows; i++)
        {
            float* a = a0 + (nint)i * nIn;
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
            float* q = q0;
            for (int s = 0; s < steps; s++, q += groups * 16)
            {
                Vector512<float> x = Avx512F.BroadcastVector128ToVector512(a + Math.Min(4 * s, last));
                Fma4(x, q, ref c0, ref c1, ref c2, ref c3);
            }
            FinishSoftmaxRow(c0, c1, c2, c3, bias, valid, y, i * nOut, length);
        }
        for (; i < m; i += SoftmaxRows)
        {
            int first = Math.Min(i, m - SoftmaxRows);
            float* a = a0 + (nint)first * nIn;
            nint row = nIn;
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
            Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
            float* q = q0;
            for (int s = 0; s < steps; s++, q += groups * 16)
            {
                // The last step of a row whose length is not a multiple of 4 reloads its last four inputs; the packed W
                // holds zeros for the ones already summed.
                float* ak = a + Math.Min(4 * s, last);
                Fma4(Avx512F.BroadcastVector128ToVector512(ak), q, ref c00, ref c01, ref c02, ref c03);
                Fma4(Avx512F.BroadcastVector128ToVector512(ak + row), q, ref c10, ref c11, ref c12, ref c13);
                Fma4(Avx512F.BroadcastVector128ToVector512(ak + 2 * row), q, ref c20, ref c21, ref c22, ref c23);
                Fma4(Avx512F.BroadcastVector128ToVector512(ak + 3 * row), q, ref c30, ref c31, ref c32, ref c33);
                Fma4(Avx512F.BroadcastVector128ToVector512(ak + 4 * row), q, ref c40, ref c41, ref c42, ref c43);
                Fma4(Avx512F.BroadcastVector128ToVector512(ak + 5 * row), q, ref c50, ref c51, ref c52, ref c53);
            }
            FinishSoftmaxRow(c00, c01, c02, c03, bias, valid, y, first * nOut, length);
            FinishSoftmaxRow(c10, c11, c12, c13, bias, valid, y, (first + 1) * nOut, length);
            FinishSoftmaxRow(c20, c21, c22, c23, bias, valid, y, (first + 2) * nOut, length);
            FinishSoftmaxRow(c30, c31, c32, c33, bias, valid, y, (first + 3) * nOut, length);
            FinishSoftmaxRow(c40, c41, c42, c43, bias, valid, y, (first + 4) * nOut, length);
            FinishSoftmaxRow(c50, c51, c52, c53, bias, valid, y, (first + 5) * nOut, length);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Fma4(Vector512<float> x, float* q, ref Vector512<float> c0, ref Vector512<float> c1, ref Vector512<float> c2, ref Vector512<float> c3)
        {
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(q), c0);
            if (TGroups.Value > 1) c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(q + 16), c1);
            if (TGroups.Value > 2) c2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(q + 32), c2);
            if (TGroups.Value > 3) c3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(q + 48), c3);
        }
    }

    /// <summary>
    /// W packed for <see cref="DenseForwardSoftmax(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>
    /// (nIn ≥ 4): vector s·groups + g holds, in its 128-bit lane u, unit 4g + u's inputs 4s .. 4s + 3 (zeros past nOut).
    /// A last step past nIn holds inputs nIn − 4 .. nIn − 1, with zeros for those the step before already has.
    /// </summary>
    private static unsafe float* PackSoftmaxWeights(float* w, int nIn, int nOut, int groups)
    {
        int steps = (nIn + 3) / 4, full = nIn / 4, needed = steps * groups * 16;
        float* q0 = (float*)Unsafe.AsPointer(ref t_softmaxWeights.Get(needed)); // pinned: the pointer stays valid
        Vector128<float> tail = Vector128.LessThan(Vector128.Create(nIn - 4) + Vector128.Create(0, 1, 2, 3), Vector128.Create(4 * full)).AsSingle();
        for (int g = 0; g < groups; g++)
            for (int u = 0; u < 4; u++)
            {
                int j = 4 * g + u;
                float* to = q0 + g * 16 + u * 4, row = w + (nint)j * nIn;
                for (int s = 0; s < steps; s++, to += groups * 16)
                {
                    Vector128<float> quad = j >= nOut ? Vector128<float>.Zero
                        : s < full ? Vector128.Load(row + 4 * s)
                        : Vector128.AndNot(Vector128.Load(row + nIn - 4), tail);
                    quad.Store(to);
                }
            }
        return q0;
    }

    /// <summary>
    /// One sample's accumulators (group g's 128-bit lane u: partial sums of unit 4g + u) → its logits z (lane j = unit j),
    /// then softmax(z) stored at y[start …]: the maximum and the sum over the valid lanes, across the vector in registers.
    /// Stores 16 floats where they fit in y (the rest is the next rows, written after this one), else only what is left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FinishSoftmaxRow(Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3,
                                                Vector512<float> bias, Vector512<float> valid, float* y, int start, int length)
    {
        // RowsOfFour puts unit 4g + u at lane 4u + g; the permutation puts unit j at lane j.
        Vector512<float> z = Avx512F.PermuteVar16x32(RowsOfFour(c0, c1, c2, c3), Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)) + bias;
        Vector512<float> e = SoftmaxOfLanes(z, valid);
        if (length - start >= 16)
            e.Store(y + start);
        else
            InRegisters.Store(new Span<float>(y, length), start, e);
    }

    /// <summary>softmax over the <paramref name="valid"/> lanes of z (the first n), zeros in the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SoftmaxOfLanes(Vector512<float> z, Vector512<float> valid)
    {
        z = Vector512.ConditionalSelect(valid, z, Vector512.Create(float.NegativeInfinity));
        // The lanes past nOut are −∞ for the maximum, then 0 for e^x (masked out after): e^−∞ would be clamped to e^−87.3,
        // whose intermediate steps are denormal numbers, which this hardware handles slowly.
        Vector512<float> e = Exp((z - AcrossLanes(z, max: true)) & valid) & valid;
        return e / AcrossLanes(e, max: false);
    }

    /// <summary>The maximum (or the sum) of the 16 lanes of v, in every lane: halves, quarters, pairs, neighbours.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> AcrossLanes(Vector512<float> v, bool max)
    {
        Vector512<float> t = Avx512F.Shuffle4x128(v, v, 0b01_00_11_10);
        v = max ? Avx512F.Max(v, t) : v + t;
        t = Avx512F.Shuffle4x128(v, v, 0b10_11_00_01);
        v = max ? Avx512F.Max(v, t) : v + t;
        t = Avx512F.Permute4x32(v, 0b01_00_11_10);
        v = max ? Avx512F.Max(v, t) : v + t;
        t = Avx512F.Permute4x32(v, 0b10_11_00_01);
        return max ? Avx512F.Max(v, t) : v + t;
    }
}
