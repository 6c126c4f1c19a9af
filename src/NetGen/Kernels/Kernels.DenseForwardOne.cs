using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// a = g(W·x + b) for one sample: a[j] = g(Σ_k W[j, k]·x[k] + b[j]). x has nIn elements, W is nOut × nIn (row-major),
    /// b and a have nOut; nIn and nOut are read from x and a. The activation g is applied in registers, before the store.
    /// </summary>
    /// <remarks>
    /// Each row of W is a dot product with x, so the work is to add up many short vectors at once. Groups of 16 rows are
    /// multiplied by x, lane by lane, and the products are folded together — pairs of lanes first, then 128-bit lanes —
    /// until one Vector512 holds the 16 sums in order: one horizontal reduction per 16 rows instead of one per row.
    /// Rows of 1, 2, 4 or 8 inputs are packed 16/nIn to a vector (x repeated across it), so a tiny layer is a handful of
    /// loads. A W too big for L1 (long rows, <see cref="StreamsRows"/>) is read row after row instead, as one sequential
    /// stream, which the hardware reads faster than rows side by side. Without AVX-512, the row tiles of
    /// <see cref="RowsProduct"/> at the widest accelerated width, one sample × 8 units at a time.
    /// </remarks>
    // Never inlined: inside a caller, the JIT's inlining budget ran out and left the folds and g as calls that pass
    // vectors through memory.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void DenseForwardOne<TActivation>(ReadOnlySpan<float> x, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> a, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        int nIn = x.Length, nOut = a.Length;
        // The product in 64 bits: in int, 65 536 × 65 537 wraps around to 65 536 and a W that small would pass.
        if (W.Length != (long)nIn * nOut || b.Length != nOut || nIn == 0)
            ThrowOneSampleShape(nIn, nOut, W.Length, b.Length);

        if (!Avx512F.IsSupported)
        {
            // The row tiles of every width, one sample × 8 units at a time.
            RowsProduct(ref Ref(x), ref Ref(W), ref Ref(b), true, ref Ref(a), 1, nIn, nOut);
            ApplyInPlace(ref Ref(a), nOut, g);
            return;
        }

        if (StreamsRows(nIn, nOut))
        {
            ForwardStreamed(x, W, b, a, g);
            return;
        }
        fixed (float* px = x, pw = W, pb = b, pa = a)
        {
            for (int j = 0; j < nOut; j += 16)
            {
                int rows = Math.Min(16, nOut - j);
                float* w = pw + (nint)j * nIn;
                Vector512<float> z = nIn switch
                {
                    1 or 2 or 4 or 8 => PackedRowSums(px, w, nIn, rows),
                    _ when rows == 16 && nIn >= 16 => RowSums16(px, w, nIn),
                    _ => RowSums(px, w, nIn, rows),
                };
                StoreGroup(pa + j, pb + j, rows, z, g);
            }
        }
    }

    /// <summary>a[0..rows) = g(z + b[0..rows)) for one group of up to 16 units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreGroup<TActivation>(float* a, float* b, int rows, Vector512<float> z, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        if (rows == 16)
            g.Apply(z + Vector512.Load(b)).Store(a);
        else if (rows == 8)
            g.Apply(z + Vector256.Load(b).ToVector512()).GetLower().Store(a); // plain 256-bit moves: cheaper than masked ones
        else // plain loads and stores of 8, 4, 2 and 1: a masked store delays the next layer's loads of these floats
            InRegisters.Store(new Span<float>(a, rows), 0, g.Apply(z + InRegisters.Load(new ReadOnlySpan<float>(b, rows), 0, rows)));
    }

    /// <summary>The streamed strategy (<see cref="StreamsRows"/>): x copied once to a 64-byte-aligned buffer at the same
    /// offset within a cache line as the row of W it meets, then each group of 16 rows by <see cref="StreamedRowSums"/>.</summary>
    /// <remarks>Aligned loads of both x and W: misaligned ones straddle two cache lines.
    /// Its own method, so that the stack buffer does not change the code of the other strategies. SkipLocalsInit: the
    /// buffer is written before it is read.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static unsafe void ForwardStreamed<TActivation>(ReadOnlySpan<float> x, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> a, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        int nIn = x.Length, nOut = a.Length;
        byte* buffer = stackalloc byte[StreamBufferBytes(nIn)];
        Vector512<float>* rowVectors = (Vector512<float>*)AlignUp(buffer);
        fixed (float* px = x, pw = W, pb = b, pa = a)
        {
            float* xs = AlignedCopyOfX(px, nIn, pw, buffer);
            for (int j = 0; j < nOut; j += 16)
            {
                int rows = Math.Min(16, nOut - j);
                StoreGroup(pa + j, pb + j, rows, StreamedRowSums(xs, pw + (nint)j * nIn, nIn, rows, rowVectors), g);
            }
        }
    }

    /// <summary>Whether one sample reads W row after row (<see cref="StreamedRowSums"/>): rows of 256 to 8192 inputs and a W of
    /// 128 KB or more, where streaming beat 16 rows side by side (<see cref="RowSums16"/>); below, the per-row reduction
    /// weighs more, or W stays in L1.</summary>
    internal static bool StreamsRows(int nIn, int nOut) => nIn >= 256 && nIn <= MaxStreamedInputs && (long)nIn * nOut >= 32 * 1024;

    /// <summary>The widest x that <see cref="StreamsRows"/> copies to the stack (32 KB).</summary>
    private const int MaxStreamedInputs = 8192;

    /// <summary>The stack the streamed strategy needs: 16 row vectors, then x with 16 zeros before it and 32 after, 64-byte aligned.</summary>
    private static int StreamBufferBytes(int nIn) => 16 * 64 + (nIn + 64) * sizeof(float) + 64;

    private static unsafe byte* AlignUp(byte* p) => (byte*)(((nuint)p + 63) & ~(nuint)63);

    /// <summary>Copies x after the 16 row vectors in <paramref name="buffer"/> so that x[k] sits at the same offset within
    /// its cache line as W[0, k], with zeros before and after it, and returns where x[0] now is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float* AlignedCopyOfX(float* x, int nIn, float* w, byte* buffer)
    {
        float* start = (float*)(AlignUp(buffer) + 16 * 64);
        float* copy = start + 16 + (int)(((nuint)w / sizeof(float)) & 15);
        Vector512<float>.Zero.Store(start);
        Vector512<float>.Zero.Store(start + 16);
        Buffer.MemoryCopy(x, copy, (long)nIn * sizeof(float), (long)nIn * sizeof(float));
        Vector512<float>.Zero.Store(copy + nIn);
        Vector512<float>.Zero.Store(copy + nIn + 16);
        return copy;
    }

    /// <summary>The sums of `rows` (≤ 16) rows of nIn ≥ 64 inputs, read one row after the other: W is one sequential stream.</summary>
    /// <remarks>Each row is read in aligned vectors from the cache line it starts in: the first and the last vector are
    /// masked to the row, and x (see <see cref="AlignedCopyOfX"/>) is read at the same shift, where its zeros meet the
    /// masked lanes. Eight accumulators per row (four were slower), then each row's vector waits in <paramref name="rowVectors"/> until
    /// <see cref="InRegisters.FoldRows"/> turns the sixteen into one vector of sums.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> StreamedRowSums(float* x, float* w, int nIn, int rows, Vector512<float>* rowVectors)
    {
        Vector512<int> lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (int r = 0; r < rows; r++, w += nIn)
        {
            int shift = (int)(((nuint)w / sizeof(float)) & 15);
            float* wa = w - shift, xa = x - shift;
            nint last = (shift + nIn - 1) & ~15; // the offset of the row's last vector
            Vector512<float> head = Vector512.GreaterThanOrEqual(lanes, Vector512.Create(shift)).AsSingle();
            Vector512<float> tail = Vector512.LessThan(lanes, Vector512.Create(shift + nIn - (int)last)).AsSingle();
            // Masked loads never touch the masked lanes, so nothing outside W is read.
            Vector512<float> c0 = Avx512F.MaskLoad(wa, head, Vector512<float>.Zero) * Vector512.Load(xa);
            Vector512<float> c1 = Avx512F.MaskLoad(wa + last, tail, Vector512<float>.Zero) * Vector512.Load(xa + last);
            Vector512<float> c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            nint k = 16;
            for (; k + 128 <= last; k += 128)
            {
                c0 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k), Vector512.Load(wa + k), c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 16), Vector512.Load(wa + k + 16), c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 32), Vector512.Load(wa + k + 32), c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 48), Vector512.Load(wa + k + 48), c3);
                c4 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 64), Vector512.Load(wa + k + 64), c4);
                c5 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 80), Vector512.Load(wa + k + 80), c5);
                c6 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 96), Vector512.Load(wa + k + 96), c6);
                c7 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 112), Vector512.Load(wa + k + 112), c7);
            }
            for (; k + 64 <= last; k += 64)
            {
                c0 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k), Vector512.Load(wa + k), c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 16), Vector512.Load(wa + k + 16), c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 32), Vector512.Load(wa + k + 32), c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k + 48), Vector512.Load(wa + k + 48), c3);
            }
            for (; k < last; k += 16)
                c0 = Vector512.FusedMultiplyAdd(Vector512.Load(xa + k), Vector512.Load(wa + k), c0);
            rowVectors[r] = ((c0 + c4) + (c1 + c5)) + ((c2 + c6) + (c3 + c7));
        }
        for (int r = rows; r < 16; r++)
            rowVectors[r] = default;
        return InRegisters.FoldRows(rowVectors[0], rowVectors[1], rowVectors[2], rowVectors[3], rowVectors[4], rowVectors[5], rowVectors[6], rowVectors[7],
                                    rowVectors[8], rowVectors[9], rowVectors[10], rowVectors[11], rowVectors[12], rowVectors[13], rowVectors[14], rowVectors[15]);
    }

    /// <summary>The sums of `rows` (≤ 16) rows of nIn ∈ {1, 2, 4, 8} inputs, packed 16/nIn rows to a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> PackedRowSums(float* x, float* w, int nIn, int rows)
    {
        // x repeated 16/nIn times, so that one multiply covers 16/nIn rows.
        Vector512<float> xs = nIn switch
        {
            1 => Vector512.Create(*x),
            2 => Vector512.Create(*(double*)x).AsSingle(),
            4 => Avx512F.BroadcastVector128ToVector512(x),
            _ => Avx512DQ.IsSupported ? Avx512DQ.BroadcastVector256ToVector512(x) : Avx512F.InsertVector256(Vector256.Load(x).ToVector512Unsafe(), Vector256.Load(x), 1),
        };
        int count = rows * nIn;
        Vector512<float> p0 = LoadFirst(w, count) * xs;
        if (nIn == 1) return p0;
        Vector512<float> p1 = LoadFirst(w + 16, count - 16) * xs;
        if (nIn == 2) return InRegisters.FoldPairs(p0, p1);
        Vector512<float> p2 = LoadFirst(w + 32, count - 32) * xs, p3 = LoadFirst(w + 48, count - 48) * xs;
        if (nIn == 4)
            return InRegisters.FoldFours(p0, p1, p2, p3);
        if (count <= 64)
            return InRegisters.FoldEights(p0, p1, p2, p3, default, default, default, default);
        return InRegisters.FoldEights(p0, p1, p2, p3, LoadFirst(w + 64, count - 64) * xs, LoadFirst(w + 80, count - 80) * xs,
                                      LoadFirst(w + 96, count - 96) * xs, LoadFirst(w + 112, count - 112) * xs);
    }

    /// <summary>The sums of 16 full rows of nIn ≥ 16 inputs: 16 accumulators, one load of x for 16 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> RowSums16(float* x, float* w, int nIn)
    {
        nint r = nIn;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        int k = 0;
        Vector512<float> mask = Vector512<float>.AllBitsSet;
        // Full vectors, then (if nIn is not a multiple of 16) the last full vector again with the lanes already summed masked out of x.
        for (int step = 0, steps = (nIn + 15) / 16; step < steps; step++)
        {
            if (step == nIn / 16)
            {
                mask = Width512.TailMask(nIn - step * 16).V;
                k = nIn - 16;
            }
            Vector512<float> v = Vector512.Load(x + k) & mask;
            float* p = w + k;
            c0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p), c0);
            c1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + r), c1);
            c2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 2 * r), c2);
            c3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 3 * r), c3);
            p += 4 * r;
            c4 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p), c4);
            c5 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + r), c5);
            c6 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 2 * r), c6);
            c7 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 3 * r), c7);
            p += 4 * r;
            c8 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p), c8);
            c9 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + r), c9);
            c10 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 2 * r), c10);
            c11 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 3 * r), c11);
            p += 4 * r;
            c12 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p), c12);
            c13 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + r), c13);
            c14 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 2 * r), c14);
            c15 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + 3 * r), c15);
            k += 16;
        }
        return LaneSums(RowsOfFour(c0, c1, c2, c3), RowsOfFour(c4, c5, c6, c7), RowsOfFour(c8, c9, c10, c11), RowsOfFour(c12, c13, c14, c15));
    }

    /// <summary>The sums of `rows` (≤ 16) rows of any width, four rows at a time; rows past the last are zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> RowSums(float* x, float* w, int nIn, int rows)
    {
        Vector512<float> u0 = RowsOfFour(x, w, nIn, rows);
        Vector512<float> u1 = rows > 4 ? RowsOfFour(x, w + 4 * nIn, nIn, rows - 4) : default;
        Vector512<float> u2 = rows > 8 ? RowsOfFour(x, w + 8 * nIn, nIn, rows - 8) : default;
        Vector512<float> u3 = rows > 12 ? RowsOfFour(x, w + 12 * nIn, nIn, rows - 12) : default;
        return LaneSums(u0, u1, u2, u3);
    }

    /// <summary>For up to four rows (the first `rows`), each 128-bit lane ℓ of the result holds that lane's partial sums
    /// [row 0, row 1, row 2, row 3]; rows past the last repeat it (their lanes are never stored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> RowsOfFour(float* x, float* w, int nIn, int rows)
    {
        nint r1 = Math.Min(1, rows - 1) * nIn, r2 = Math.Min(2, rows - 1) * nIn, r3 = Math.Min(3, rows - 1) * nIn;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        if (nIn < 16)
        {
            // Shorter than a vector: masked loads, so nothing past the row (or past W) is read.
            Vector512<float> valid = FirstLanes(nIn), v = Avx512F.MaskLoad(x, valid, Vector512<float>.Zero);
            c0 = v * Avx512F.MaskLoad(w, valid, Vector512<float>.Zero);
            c1 = v * Avx512F.MaskLoad(w + r1, valid, Vector512<float>.Zero);
            c2 = v * Avx512F.MaskLoad(w + r2, valid, Vector512<float>.Zero);
            c3 = v * Avx512F.MaskLoad(w + r3, valid, Vector512<float>.Zero);
            return RowsOfFour(c0, c1, c2, c3);
        }
        int k = 0;
        Vector512<float> mask = Vector512<float>.AllBitsSet;
        for (int step = 0, steps = (nIn + 15) / 16; step < steps; step++)
        {
            if (step == nIn / 16)
            {
                mask = Width512.TailMask(nIn - step * 16).V;
                k = nIn - 16;
            }
            Vector512<float> v = Vector512.Load(x + k) & mask;
            float* p = w + k;
            c0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p), c0);
            c1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + r1), c1);
            c2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + r2), c2);
            c3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(p + r3), c3);
            k += 16;
        }
        return RowsOfFour(c0, c1, c2, c3);
    }

    /// <summary>Four vectors folded into one whose 128-bit lane ℓ holds [Σ_ℓ a, Σ_ℓ b, Σ_ℓ c, Σ_ℓ d], each a sum over that lane's four floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> RowsOfFour(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        Vector512<float> ab = Avx512F.UnpackLow(a, b) + Avx512F.UnpackHigh(a, b); // [a0+a2, b0+b2, a1+a3, b1+b3] per lane
        Vector512<float> cd = Avx512F.UnpackLow(c, d) + Avx512F.UnpackHigh(c, d);
        return Avx512F.Shuffle(ab, cd, 0b01_00_01_00) + Avx512F.Shuffle(ab, cd, 0b11_10_11_10);
    }

    /// <summary>Four results of <see cref="RowsOfFour(Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float})"/> (16 rows) summed across
    /// their 128-bit lanes: lane j of the result is row j's total.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LaneSums(Vector512<float> u0, Vector512<float> u1, Vector512<float> u2, Vector512<float> u3)
    {
        Vector512<float> h01 = Avx512F.Shuffle4x128(u0, u1, 0b10_00_10_00) + Avx512F.Shuffle4x128(u0, u1, 0b11_01_11_01);
        Vector512<float> h23 = Avx512F.Shuffle4x128(u2, u3, 0b10_00_10_00) + Avx512F.Shuffle4x128(u2, u3, 0b11_01_11_01);
        return Avx512F.Shuffle4x128(h01, h23, 0b10_00_10_00) + Avx512F.Shuffle4x128(h01, h23, 0b11_01_11_01);
    }

    /// <summary>Adjacent lanes of p then q added: [p0+p1, p2+p3, …, p14+p15, q0+q1, …, q14+q15].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> AdjacentPairSums(Vector512<float> p, Vector512<float> q)
        => Avx512F.PermuteVar16x32x2(p, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), q)
         + Avx512F.PermuteVar16x32x2(p, Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), q);

    /// <summary>The first `count` floats at p (all 16 when count ≥ 16, none when count ≤ 0), zeros after: never reads past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> LoadFirst(float* p, int count)
        => count >= 16 ? Vector512.Load(p) : count <= 0 ? Vector512<float>.Zero : Avx512F.MaskLoad(p, FirstLanes(count), Vector512<float>.Zero);

    /// <summary>A mask of the first `count` lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FirstLanes(int count)
        => Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(count)).AsSingle();

    [System.Diagnostics.CodeAnalysis.DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOneSampleShape(int nIn, int nOut, int wLength, int bLength)
        => throw new ArgumentException($"one sample of {nIn} inputs and {nOut} outputs needs W of {nOut} × {nIn} = {(long)nIn * nOut} floats and b of {nOut}, " +
                                       $"but W has {wLength} and b {bLength}" + (nIn == 0 ? "; and x is empty." : "."));
}
