using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Z = W·A + b and A_out = g(Z) in one pass, with samples as columns: A_out[j, i] = g(Σ_k W[j, k]·A[k, i] + b[j]).
    /// A is nIn × m, W is nOut × nIn (row-major), b has nOut elements; Z and A_out are nOut × m. Z is written only when
    /// it is not empty (training keeps it for g′ and the cost; a prediction needs A_out alone). A_out may be Z itself,
    /// but neither may overlap A.
    /// </summary>
    /// <remarks>
    /// g is applied in registers as each block of Z is finished, so no second pass reads Z back. The vectors run across
    /// samples: a tile of rows of W times 32 or 64 samples keeps 8 to 12 independent sums in flight, enough to hide the
    /// FMA latency even for a layer of 3 units. The last tile starts at m − its width and recomputes a few columns
    /// identically instead of masking.
    /// Without AVX-512 (Vector512 not accelerated) but with AVX2 and FMA, the same tiles run with 8-wide Vector256: four
    /// rows times 16 samples (8 sums, 11 of the 16 ymm registers), the remainder rows as three times 16, two or one times
    /// 32, or one row times 8 samples, each with the same overlapping last tile; fewer than 8 samples take the scalar loops.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForwardColumns<TActivation>(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Z, Span<float> A_out,
        int m, int nIn, int nOut, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(A.Length, nIn, m, nameof(A));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireLength(b.Length, nOut, nameof(b));
        bool keepZ = !Z.IsEmpty;
        if (keepZ) RequireMatrix(Z.Length, nOut, m, nameof(Z));
        RequireMatrix(A_out.Length, nOut, m, nameof(A_out));
        if (m == 1)
        {
            // One sample: both layouts are the same vector, and dot products are the fast way.
            DenseForward(A, W, b, A_out, 1, nIn, nOut);
            if (keepZ) A_out.Slice(0, nOut).CopyTo(Z);
            for (int j = 0; j < nOut; j++) A_out[j] = g.Apply(A_out[j]);
            return;
        }
        ref float a0 = ref Ref(A), w0 = ref Ref(W), b0 = ref Ref(b), z0 = ref Ref(Z), y0 = ref Ref(A_out);
        if (!Vector512.IsHardwareAccelerated || m < 16)
        {
            if (!Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && Fma.IsSupported && m >= 8)
                Columns256Activated(ref a0, ref w0, ref b0, ref z0, ref y0, keepZ, m, nIn, nOut, g);
            else
                ColumnsActivatedScalar(ref a0, ref w0, ref b0, ref z0, ref y0, keepZ, m, nIn, nOut, g);
            return;
        }
        int r = 0;
        if (m >= 32)
            for (; r + 4 <= nOut; r += 4)
                ColumnsActivated4x2(ref a0, ref Unsafe.Add(ref w0, (nint)r * nIn), ref Unsafe.Add(ref b0, r), ref Unsafe.Add(ref z0, (nint)r * m),
                    ref Unsafe.Add(ref y0, (nint)r * m), keepZ, m, nIn, g);
        if (m >= 64)
        {
            int left = nOut - r;
            ref float w = ref Unsafe.Add(ref w0, (nint)r * nIn), bias = ref Unsafe.Add(ref b0, r);
            ref float z = ref Unsafe.Add(ref z0, (nint)r * m), y = ref Unsafe.Add(ref y0, (nint)r * m);
            if (left == 3) ColumnsActivated3x4(ref a0, ref w, ref bias, ref z, ref y, keepZ, m, nIn, g);
            else if (left == 2) ColumnsActivated2x4(ref a0, ref w, ref bias, ref z, ref y, keepZ, m, nIn, g);
            else if (left == 1) ColumnsActivated1x4(ref a0, ref w, ref bias, ref z, ref y, keepZ, m, nIn, g);
            if (left < 4) return;
        }
        for (; r < nOut; r++)
            ColumnsActivated1x1(ref a0, ref Unsafe.Add(ref w0, (nint)r * nIn), ref Unsafe.Add(ref b0, r), ref Unsafe.Add(ref z0, (nint)r * m),
                ref Unsafe.Add(ref y0, (nint)r * m), keepZ, m, nIn, g);
    }

    /// <summary>Stores one finished block: Z (if kept) and g(Z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreActivated<TActivation>(Vector512<float> z, ref float zRow, ref float yRow, nuint i, bool keepZ, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        if (keepZ) z.StoreUnsafe(ref zRow, i);
        g.Apply(z).StoreUnsafe(ref yRow, i);
    }

    /// <summary>Four rows of W times 32 samples: 8 sums. Needs m ≥ 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsActivated4x2<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector512<float> bias0 = Vector512.Create(bias), bias1 = Vector512.Create(Unsafe.Add(ref bias, 1));
        Vector512<float> bias2 = Vector512.Create(Unsafe.Add(ref bias, 2)), bias3 = Vector512.Create(Unsafe.Add(ref bias, 3));
        for (int i = 0; ; i += 32)
        {
            if (i > m - 32) i = m - 32; // the last tile overlaps the previous one: same values, stored again
            Vector512<float> c00 = bias0, c01 = bias0, c10 = bias1, c11 = bias1, c20 = bias2, c21 = bias2, c30 = bias3, c31 = bias3;
            ref float v = ref Unsafe.Add(ref a0, i);
            ref float wk = ref w;
            for (int k = 0; k < nIn; k++)
            {
                Vector512<float> x0 = Vector512.LoadUnsafe(ref v), x1 = Vector512.LoadUnsafe(ref v, 16);
                Vector512<float> w0 = Vector512.Create(wk), w1 = Vector512.Create(Unsafe.Add(ref wk, nIn));
                c00 = Vector512.FusedMultiplyAdd(w0, x0, c00);
                c01 = Vector512.FusedMultiplyAdd(w0, x1, c01);
                c10 = Vector512.FusedMultiplyAdd(w1, x0, c10);
                c11 = Vector512.FusedMultiplyAdd(w1, x1, c11);
                Vector512<float> w2 = Vector512.Create(Unsafe.Add(ref wk, 2 * nIn)), w3 = Vector512.Create(Unsafe.Add(ref wk, 3 * nIn));
                c20 = Vector512.FusedMultiplyAdd(w2, x0, c20);
                c21 = Vector512.FusedMultiplyAdd(w2, x1, c21);
                c30 = Vector512.FusedMultiplyAdd(w3, x0, c30);
                c31 = Vector512.FusedMultiplyAdd(w3, x1, c31);
                v = ref Unsafe.Add(ref v, m);
                wk = ref Unsafe.Add(ref wk, 1);
            }
            nuint at = (nuint)i, row = (nuint)m;
            StoreActivated(c00, ref z, ref y, at, keepZ, g);
            StoreActivated(c01, ref z, ref y, at + 16, keepZ, g);
            StoreActivated(c10, ref z, ref y, at + row, keepZ, g);
            StoreActivated(c11, ref z, ref y, at + row + 16, keepZ, g);
            StoreActivated(c20, ref z, ref y, at + 2 * row, keepZ, g);
            StoreActivated(c21, ref z, ref y, at + 2 * row + 16, keepZ, g);
            StoreActivated(c30, ref z, ref y, at + 3 * row, keepZ, g);
            StoreActivated(c31, ref z, ref y, at + 3 * row + 16, keepZ, g);
            if (i + 32 >= m) break;
        }
    }

    /// <summary>Three rows of W times 64 samples: 12 sums. Needs m ≥ 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsActivated3x4<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector512<float> bias0 = Vector512.Create(bias), bias1 = Vector512.Create(Unsafe.Add(ref bias, 1)), bias2 = Vector512.Create(Unsafe.Add(ref bias, 2));
        for (int i = 0; ; i += 64)
        {
            if (i > m - 64) i = m - 64; // the last tile overlaps the previous one: same values, stored again
            Vector512<float> c00 = bias0, c01 = bias0, c02 = bias0, c03 = bias0;
            Vector512<float> c10 = bias1, c11 = bias1, c12 = bias1, c13 = bias1;
            Vector512<float> c20 = bias2, c21 = bias2, c22 = bias2, c23 = bias2;
            ref float v = ref Unsafe.Add(ref a0, i);
            ref float wk = ref w;
            for (int k = 0; k < nIn; k++)
            {
                Vector512<float> x0 = Vector512.LoadUnsafe(ref v), x1 = Vector512.LoadUnsafe(ref v, 16);
                Vector512<float> x2 = Vector512.LoadUnsafe(ref v, 32), x3 = Vector512.LoadUnsafe(ref v, 48);
                Vector512<float> w0 = Vector512.Create(wk);
                c00 = Vector512.FusedMultiplyAdd(w0, x0, c00);
                c01 = Vector512.FusedMultiplyAdd(w0, x1, c01);
                c02 = Vector512.FusedMultiplyAdd(w0, x2, c02);
                c03 = Vector512.FusedMultiplyAdd(w0, x3, c03);
                Vector512<float> w1 = Vector512.Create(Unsafe.Add(ref wk, nIn));
                c10 = Vector512.FusedMultiplyAdd(w1, x0, c10);
                c11 = Vector512.FusedMultiplyAdd(w1, x1, c11);
                c12 = Vector512.FusedMultiplyAdd(w1, x2, c12);
                c13 = Vector512.FusedMultiplyAdd(w1, x3, c13);
                Vector512<float> w2 = Vector512.Create(Unsafe.Add(ref wk, 2 * nIn));
                c20 = Vector512.FusedMultiplyAdd(w2, x0, c20);
                c21 = Vector512.FusedMultiplyAdd(w2, x1, c21);
                c22 = Vector512.FusedMultiplyAdd(w2, x2, c22);
                c23 = Vector512.FusedMultiplyAdd(w2, x3, c23);
                v = ref Unsafe.Add(ref v, m);
                wk = ref Unsafe.Add(ref wk, 1);
            }
            nuint at = (nuint)i, row = (nuint)m;
            StoreActivated(c00, ref z, ref y, at, keepZ, g);
            StoreActivated(c01, ref z, ref y, at + 16, keepZ, g);
            StoreActivated(c02, ref z, ref y, at + 32, keepZ, g);
            StoreActivated(c03, ref z, ref y, at + 48, keepZ, g);
            StoreActivated(c10, ref z, ref y, at + row, keepZ, g);
            StoreActivated(c11, ref z, ref y, at + row + 16, keepZ, g);
            StoreActivated(c12, ref z, ref y, at + row + 32, keepZ, g);
            StoreActivated(c13, ref z, ref y, at + row + 48, keepZ, g);
            StoreActivated(c20, ref z, ref y, at + 2 * row, keepZ, g);
            StoreActivated(c21, ref z, ref y, at + 2 * row + 16, keepZ, g);
            StoreActivated(c22, ref z, ref y, at + 2 * row + 32, keepZ, g);
            StoreActivated(c23, ref z, ref y, at + 2 * row + 48, keepZ, g);
            if (i + 64 >= m) break;
        }
    }

    /// <summary>Two rows of W times 64 samples: 8 sums. Needs m ≥ 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsActivated2x4<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector512<float> bias0 = Vector512.Create(bias), bias1 = Vector512.Create(Unsafe.Add(ref bias, 1));
        for (int i = 0; ; i += 64)
        {
            if (i > m - 64) i = m - 64; // the last tile overlaps the previous one: same values, stored again
            Vector512<float> c00 = bias0, c01 = bias0, c02 = bias0, c03 = bias0;
            Vector512<float> c10 = bias1, c11 = bias1, c12 = bias1, c13 = bias1;
            ref float v = ref Unsafe.Add(ref a0, i);
            ref float wk = ref w;
            for (int k = 0; k < nIn; k++)
            {
                Vector512<float> x0 = Vector512.LoadUnsafe(ref v), x1 = Vector512.LoadUnsafe(ref v, 16);
                Vector512<float> x2 = Vector512.LoadUnsafe(ref v, 32), x3 = Vector512.LoadUnsafe(ref v, 48);
                Vector512<float> w0 = Vector512.Create(wk), w1 = Vector512.Create(Unsafe.Add(ref wk, nIn));
                c00 = Vector512.FusedMultiplyAdd(w0, x0, c00);
                c01 = Vector512.FusedMultiplyAdd(w0, x1, c01);
                c02 = Vector512.FusedMultiplyAdd(w0, x2, c02);
                c03 = Vector512.FusedMultiplyAdd(w0, x3, c03);
                c10 = Vector512.FusedMultiplyAdd(w1, x0, c10);
                c11 = Vector512.FusedMultiplyAdd(w1, x1, c11);
                c12 = Vector512.FusedMultiplyAdd(w1, x2, c12);
                c13 = Vector512.FusedMultiplyAdd(w1, x3, c13);
                v = ref Unsafe.Add(ref v, m);
                wk = ref Unsafe.Add(ref wk, 1);
            }
            nuint at = (nuint)i, row = (nuint)m;
            StoreActivated(c00, ref z, ref y, at, keepZ, g);
            StoreActivated(c01, ref z, ref y, at + 16, keepZ, g);
            StoreActivated(c02, ref z, ref y, at + 32, keepZ, g);
            StoreActivated(c03, ref z, ref y, at + 48, keepZ, g);
            StoreActivated(c10, ref z, ref y, at + row, keepZ, g);
            StoreActivated(c11, ref z, ref y, at + row + 16, keepZ, g);
            StoreActivated(c12, ref z, ref y, at + row + 32, keepZ, g);
            StoreActivated(c13, ref z, ref y, at + row + 48, keepZ, g);
            if (i + 64 >= m) break;
        }
    }

    /// <summary>One row of W times 64 samples: 4 sums. Needs m ≥ 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsActivated1x4<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector512<float> bias0 = Vector512.Create(bias);
        for (int i = 0; ; i += 64)
        {
            if (i > m - 64) i = m - 64; // the last tile overlaps the previous one: same values, stored again
            Vector512<float> c0 = bias0, c1 = bias0, c2 = bias0, c3 = bias0;
            ref float v = ref Unsafe.Add(ref a0, i);
            for (int k = 0; k < nIn; k++)
            {
                Vector512<float> w0 = Vector512.Create(Unsafe.Add(ref w, k));
                c0 = Vector512.FusedMultiplyAdd(w0, Vector512.LoadUnsafe(ref v), c0);
                c1 = Vector512.FusedMultiplyAdd(w0, Vector512.LoadUnsafe(ref v, 16), c1);
                c2 = Vector512.FusedMultiplyAdd(w0, Vector512.LoadUnsafe(ref v, 32), c2);
                c3 = Vector512.FusedMultiplyAdd(w0, Vector512.LoadUnsafe(ref v, 48), c3);
                v = ref Unsafe.Add(ref v, m);
            }
            nuint at = (nuint)i;
            StoreActivated(c0, ref z, ref y, at, keepZ, g);
            StoreActivated(c1, ref z, ref y, at + 16, keepZ, g);
            StoreActivated(c2, ref z, ref y, at + 32, keepZ, g);
            StoreActivated(c3, ref z, ref y, at + 48, keepZ, g);
            if (i + 64 >= m) break;
        }
    }

    /// <summary>One row of W times 16 samples: the remainder rows of a short batch. Needs m ≥ 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsActivated1x1<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector512<float> bias0 = Vector512.Create(bias);
        for (int i = 0; ; i += 16)
        {
            if (i > m - 16) i = m - 16; // the last block overlaps the previous one: same values, stored again
            Vector512<float> c = bias0;
            ref float v = ref Unsafe.Add(ref a0, i);
            for (int k = 0; k < nIn; k++)
            {
                c = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, k)), Vector512.LoadUnsafe(ref v), c);
                v = ref Unsafe.Add(ref v, m);
            }
            StoreActivated(c, ref z, ref y, (nuint)i, keepZ, g);
            if (i + 16 >= m) break;
        }
    }

    /// <summary>
    /// The Vector256 strategy of <see cref="DenseForwardColumns{TActivation}"/> (AVX2 and FMA, no AVX-512): four rows of W
    /// times 16 samples, then the remainder rows. Needs m ≥ 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns256Activated<TActivation>(ref float a0, ref float w0, ref float b0, ref float z0, ref float y0, bool keepZ, int m, int nIn, int nOut,
        TActivation g)
        where TActivation : struct, IActivationFunction
    {
        int r = 0;
        if (m >= 16)
            for (; r + 4 <= nOut; r += 4)
                Columns256Activated4x2(ref a0, ref Unsafe.Add(ref w0, (nint)r * nIn), ref Unsafe.Add(ref b0, r), ref Unsafe.Add(ref z0, (nint)r * m),
                    ref Unsafe.Add(ref y0, (nint)r * m), keepZ, m, nIn, g);
        int left = nOut - r;
        if (left == 0) return;
        ref float w = ref Unsafe.Add(ref w0, (nint)r * nIn), bias = ref Unsafe.Add(ref b0, r);
        ref float z = ref Unsafe.Add(ref z0, (nint)r * m), y = ref Unsafe.Add(ref y0, (nint)r * m);
        if (left == 3 && m >= 16)
        {
            Columns256Activated3x2(ref a0, ref w, ref bias, ref z, ref y, keepZ, m, nIn, g);
            return;
        }
        if (left < 3 && m >= 32)
        {
            if (left == 2) Columns256Activated2x4(ref a0, ref w, ref bias, ref z, ref y, keepZ, m, nIn, g);
            else Columns256Activated1x4(ref a0, ref w, ref bias, ref z, ref y, keepZ, m, nIn, g);
            return;
        }
        for (; r < nOut; r++)
            Columns256Activated1x1(ref a0, ref Unsafe.Add(ref w0, (nint)r * nIn), ref Unsafe.Add(ref b0, r), ref Unsafe.Add(ref z0, (nint)r * m),
                ref Unsafe.Add(ref y0, (nint)r * m), keepZ, m, nIn, g);
    }

    /// <summary>
    /// Stores two finished 8-wide blocks side by side (16 samples at i): Z (if kept) and g(Z). The identity and ReLU run
    /// in Vector256; any other g runs its own Vector512 Apply on the pair (emulated as two halves without AVX-512).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreActivated256<TActivation>(Vector256<float> lo, Vector256<float> hi, ref float zRow, ref float yRow, nuint i, bool keepZ, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        if (keepZ)
        {
            lo.StoreUnsafe(ref zRow, i);
            hi.StoreUnsafe(ref zRow, i + 8);
        }
        if (typeof(TActivation) == typeof(IdentityFunction))
        {
            lo.StoreUnsafe(ref yRow, i);
            hi.StoreUnsafe(ref yRow, i + 8);
        }
        else if (typeof(TActivation) == typeof(ReluFunction))
        {
            Vector256.ConditionalSelect(Vector256.LessThan(lo, Vector256<float>.Zero), Vector256<float>.Zero, lo).StoreUnsafe(ref yRow, i);
            Vector256.ConditionalSelect(Vector256.LessThan(hi, Vector256<float>.Zero), Vector256<float>.Zero, hi).StoreUnsafe(ref yRow, i + 8);
        }
        else
        {
            Vector512<float> a = g.Apply(Vector512.Create(lo, hi));
            a.GetLower().StoreUnsafe(ref yRow, i);
            a.GetUpper().StoreUnsafe(ref yRow, i + 8);
        }
    }

    /// <summary>Stores one finished 8-wide block at i: Z (if kept) and g(Z), as <see cref="StoreActivated256{TActivation}(Vector256{float}, Vector256{float}, ref float, ref float, nuint, bool, TActivation)"/> does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreActivated256<TActivation>(Vector256<float> c, ref float zRow, ref float yRow, nuint i, bool keepZ, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        if (keepZ) c.StoreUnsafe(ref zRow, i);
        if (typeof(TActivation) == typeof(IdentityFunction))
            c.StoreUnsafe(ref yRow, i);
        else if (typeof(TActivation) == typeof(ReluFunction))
            Vector256.ConditionalSelect(Vector256.LessThan(c, Vector256<float>.Zero), Vector256<float>.Zero, c).StoreUnsafe(ref yRow, i);
        else
            g.Apply(Vector512.Create(c, c)).GetLower().StoreUnsafe(ref yRow, i);
    }

    /// <summary>Four rows of W times 16 samples, two Vector256 per row: 8 sums. Needs m ≥ 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns256Activated4x2<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        for (int i = 0; ; i += 16)
        {
            if (i > m - 16) i = m - 16; // the last tile overlaps the previous one: same values, stored again
            Vector256<float> c00 = Vector256.Create(bias), c10 = Vector256.Create(Unsafe.Add(ref bias, 1));
            Vector256<float> c20 = Vector256.Create(Unsafe.Add(ref bias, 2)), c30 = Vector256.Create(Unsafe.Add(ref bias, 3));
            Vector256<float> c01 = c00, c11 = c10, c21 = c20, c31 = c30;
            ref float v = ref Unsafe.Add(ref a0, i);
            ref float wk = ref w;
            for (int k = 0; k < nIn; k++)
            {
                Vector256<float> x0 = Vector256.LoadUnsafe(ref v), x1 = Vector256.LoadUnsafe(ref v, 8);
                Vector256<float> w0 = Vector256.Create(wk);
                c00 = Vector256.FusedMultiplyAdd(w0, x0, c00);
                c01 = Vector256.FusedMultiplyAdd(w0, x1, c01);
                Vector256<float> w1 = Vector256.Create(Unsafe.Add(ref wk, nIn));
                c10 = Vector256.FusedMultiplyAdd(w1, x0, c10);
                c11 = Vector256.FusedMultiplyAdd(w1, x1, c11);
                Vector256<float> w2 = Vector256.Create(Unsafe.Add(ref wk, 2 * nIn));
                c20 = Vector256.FusedMultiplyAdd(w2, x0, c20);
                c21 = Vector256.FusedMultiplyAdd(w2, x1, c21);
                Vector256<float> w3 = Vector256.Create(Unsafe.Add(ref wk, 3 * nIn));
                c30 = Vector256.FusedMultiplyAdd(w3, x0, c30);
                c31 = Vector256.FusedMultiplyAdd(w3, x1, c31);
                v = ref Unsafe.Add(ref v, m);
                wk = ref Unsafe.Add(ref wk, 1);
            }
            nuint at = (nuint)i, row = (nuint)m;
            StoreActivated256(c00, c01, ref z, ref y, at, keepZ, g);
            StoreActivated256(c10, c11, ref z, ref y, at + row, keepZ, g);
            StoreActivated256(c20, c21, ref z, ref y, at + 2 * row, keepZ, g);
            StoreActivated256(c30, c31, ref z, ref y, at + 3 * row, keepZ, g);
            if (i + 16 >= m) break;
        }
    }

    /// <summary>Three rows of W times 16 samples: 6 sums. Needs m ≥ 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns256Activated3x2<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        for (int i = 0; ; i += 16)
        {
            if (i > m - 16) i = m - 16; // the last tile overlaps the previous one: same values, stored again
            Vector256<float> c00 = Vector256.Create(bias), c10 = Vector256.Create(Unsafe.Add(ref bias, 1)), c20 = Vector256.Create(Unsafe.Add(ref bias, 2));
            Vector256<float> c01 = c00, c11 = c10, c21 = c20;
            ref float v = ref Unsafe.Add(ref a0, i);
            ref float wk = ref w;
            for (int k = 0; k < nIn; k++)
            {
                Vector256<float> x0 = Vector256.LoadUnsafe(ref v), x1 = Vector256.LoadUnsafe(ref v, 8);
                Vector256<float> w0 = Vector256.Create(wk);
                c00 = Vector256.FusedMultiplyAdd(w0, x0, c00);
                c01 = Vector256.FusedMultiplyAdd(w0, x1, c01);
                Vector256<float> w1 = Vector256.Create(Unsafe.Add(ref wk, nIn));
                c10 = Vector256.FusedMultiplyAdd(w1, x0, c10);
                c11 = Vector256.FusedMultiplyAdd(w1, x1, c11);
                Vector256<float> w2 = Vector256.Create(Unsafe.Add(ref wk, 2 * nIn));
                c20 = Vector256.FusedMultiplyAdd(w2, x0, c20);
                c21 = Vector256.FusedMultiplyAdd(w2, x1, c21);
                v = ref Unsafe.Add(ref v, m);
                wk = ref Unsafe.Add(ref wk, 1);
            }
            nuint at = (nuint)i, row = (nuint)m;
            StoreActivated256(c00, c01, ref z, ref y, at, keepZ, g);
            StoreActivated256(c10, c11, ref z, ref y, at + row, keepZ, g);
            StoreActivated256(c20, c21, ref z, ref y, at + 2 * row, keepZ, g);
            if (i + 16 >= m) break;
        }
    }

    /// <summary>Two rows of W times 32 samples: 8 sums. Needs m ≥ 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns256Activated2x4<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        for (int i = 0; ; i += 32)
        {
            if (i > m - 32) i = m - 32; // the last tile overlaps the previous one: same values, stored again
            Vector256<float> c00 = Vector256.Create(bias), c10 = Vector256.Create(Unsafe.Add(ref bias, 1));
            Vector256<float> c01 = c00, c02 = c00, c03 = c00, c11 = c10, c12 = c10, c13 = c10;
            ref float v = ref Unsafe.Add(ref a0, i);
            ref float wk = ref w;
            for (int k = 0; k < nIn; k++)
            {
                Vector256<float> x0 = Vector256.LoadUnsafe(ref v), x1 = Vector256.LoadUnsafe(ref v, 8);
                Vector256<float> x2 = Vector256.LoadUnsafe(ref v, 16), x3 = Vector256.LoadUnsafe(ref v, 24);
                Vector256<float> w0 = Vector256.Create(wk), w1 = Vector256.Create(Unsafe.Add(ref wk, nIn));
                c00 = Vector256.FusedMultiplyAdd(w0, x0, c00);
                c01 = Vector256.FusedMultiplyAdd(w0, x1, c01);
                c02 = Vector256.FusedMultiplyAdd(w0, x2, c02);
                c03 = Vector256.FusedMultiplyAdd(w0, x3, c03);
                c10 = Vector256.FusedMultiplyAdd(w1, x0, c10);
                c11 = Vector256.FusedMultiplyAdd(w1, x1, c11);
                c12 = Vector256.FusedMultiplyAdd(w1, x2, c12);
                c13 = Vector256.FusedMultiplyAdd(w1, x3, c13);
                v = ref Unsafe.Add(ref v, m);
                wk = ref Unsafe.Add(ref wk, 1);
            }
            nuint at = (nuint)i, row = (nuint)m;
            StoreActivated256(c00, c01, ref z, ref y, at, keepZ, g);
            StoreActivated256(c02, c03, ref z, ref y, at + 16, keepZ, g);
            StoreActivated256(c10, c11, ref z, ref y, at + row, keepZ, g);
            StoreActivated256(c12, c13, ref z, ref y, at + row + 16, keepZ, g);
            if (i + 32 >= m) break;
        }
    }

    /// <summary>One row of W times 32 samples: 4 sums. Needs m ≥ 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns256Activated1x4<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        for (int i = 0; ; i += 32)
        {
            if (i > m - 32) i = m - 32; // the last tile overlaps the previous one: same values, stored again
            Vector256<float> c0 = Vector256.Create(bias), c1 = c0, c2 = c0, c3 = c0;
            ref float v = ref Unsafe.Add(ref a0, i);
            for (int k = 0; k < nIn; k++)
            {
                Vector256<float> w0 = Vector256.Create(Unsafe.Add(ref w, k));
                c0 = Vector256.FusedMultiplyAdd(w0, Vector256.LoadUnsafe(ref v), c0);
                c1 = Vector256.FusedMultiplyAdd(w0, Vector256.LoadUnsafe(ref v, 8), c1);
                c2 = Vector256.FusedMultiplyAdd(w0, Vector256.LoadUnsafe(ref v, 16), c2);
                c3 = Vector256.FusedMultiplyAdd(w0, Vector256.LoadUnsafe(ref v, 24), c3);
                v = ref Unsafe.Add(ref v, m);
            }
            nuint at = (nuint)i;
            StoreActivated256(c0, c1, ref z, ref y, at, keepZ, g);
            StoreActivated256(c2, c3, ref z, ref y, at + 16, keepZ, g);
            if (i + 32 >= m) break;
        }
    }

    /// <summary>One row of W times 8 samples: the remainder rows of a short batch. Needs m ≥ 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns256Activated1x1<TActivation>(ref float a0, ref float w, ref float bias, ref float z, ref float y, bool keepZ, int m, int nIn, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        Vector256<float> bias0 = Vector256.Create(bias);
        for (int i = 0; ; i += 8)
        {
            if (i > m - 8) i = m - 8; // the last block overlaps the previous one: same values, stored again
            Vector256<float> c = bias0;
            ref float v = ref Unsafe.Add(ref a0, i);
            for (int k = 0; k < nIn; k++)
            {
                c = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref w, k)), Vector256.LoadUnsafe(ref v), c);
                v = ref Unsafe.Add(ref v, m);
            }
            StoreActivated256(c, ref z, ref y, (nuint)i, keepZ, g);
            if (i + 8 >= m) break;
        }
    }

    /// <summary>The reference strategy of <see cref="DenseForwardColumns{TActivation}"/>: plain loops, one value at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ColumnsActivatedScalar<TActivation>(ref float a0, ref float w0, ref float b0, ref float z0, ref float y0, bool keepZ, int m, int nIn, int nOut, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        for (int j = 0; j < nOut; j++)
        {
            ref float w = ref Unsafe.Add(ref w0, (nint)j * nIn);
            float bias = Unsafe.Add(ref b0, j);
            for (int i = 0; i < m; i++)
            {
                float sum = bias;
                for (int k = 0; k < nIn; k++)
                    sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref w, k), Unsafe.Add(ref a0, (nint)k * m + i), sum);
                if (keepZ) Unsafe.Add(ref z0, (nint)j * m + i) = sum;
                Unsafe.Add(ref y0, (nint)j * m + i) = g.Apply(sum);
            }
        }
    }
}
