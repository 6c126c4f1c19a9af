using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// The building blocks of the one-sample forward of a small network (input and every layer at most 32 wide), which
    /// the generator writes out layer by layer with every size a constant: each layer's A is one or two Vector512 held
    /// in registers from the input to the output — no buffer, no loop, no call. A row of W times A is a vector of
    /// products (<see cref="Products"/> where A takes two vectors); <see cref="FoldRows"/> folds up to sixteen such rows
    /// — those the layer has — into one vector of their sums, and rows of 1, 2, 4 or 8
    /// inputs are packed 16/n to a vector against A <see cref="Repeat">repeated</see>, then folded by
    /// <see cref="FoldPairs"/>, <see cref="FoldFours"/> or <see cref="FoldEights"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class InRegisters
    {
        /// <summary>True where the blocks run (AVX-512); elsewhere the generated code takes the layer-by-layer path.</summary>
        public static bool IsSupported => Avx512F.IsSupported && Avx512DQ.IsSupported;

        /// <summary>[s[start], …, s[start + count − 1], 0, …]: count (up to 16) floats from s, the other lanes zero. Lanes that
        /// would lie outside s read as zero: nothing past s is read, and there is no exception to prepare for (a call that
        /// might throw makes the JIT save every live vector around it).</summary>
        /// <remarks>Short loads are put together from plain 8-, 4-, 2- and 1-float loads, not a masked load: on this
        /// hardware a masked load next to a masked store (the previous call's output) waited for that store to finish.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ReadOnlySpan<float> s, int start, int count)
        {
            int available = s.Length - start;
            if ((uint)start > (uint)s.Length || count <= 0)
                return Vector512<float>.Zero;
            ref float first = ref Unsafe.Add(ref MemoryMarshal.GetReference(s), start);
            if (available >= 16)
            {
                // A whole vector fits: keep its first lanes (the rest is the next row, or the next layer).
                Vector512<float> v = Vector512.LoadUnsafe(ref first);
                return count >= 16 ? v : v & FirstLanes(count);
            }
            return LoadFew(ref first, Math.Min(count, available));
        }

        /// <summary>Writes the first min(16, y.Length − start) lanes of v to y[start…] (nothing when start is past y), with
        /// plain stores (see <see cref="Load"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Span<float> y, int start, Vector512<float> v)
        {
            if ((uint)start >= (uint)y.Length)
                return;
            ref float first = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), start);
            int count = y.Length - start;
            if (count >= 16)
            {
                v.StoreUnsafe(ref first);
                return;
            }
            Vector256<float> part = v.GetLower();
            if (count >= 8)
            {
                part.StoreUnsafe(ref first);
                first = ref Unsafe.Add(ref first, 8);
                part = v.GetUpper();
                count -= 8;
            }
            Vector128<float> quarter = part.GetLower();
            if (count >= 4)
            {
                quarter.StoreUnsafe(ref first);
                first = ref Unsafe.Add(ref first, 4);
                quarter = part.GetUpper();
                count -= 4;
            }
            if (count >= 2)
            {
                Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref first), quarter.AsDouble().ToScalar());
                first = ref Unsafe.Add(ref first, 2);
                quarter = Vector128.Shuffle(quarter, Vector128.Create(2, 3, 0, 1));
                count -= 2;
            }
            if (count >= 1)
                first = quarter.ToScalar();
        }

        /// <summary>count (1 to 15) floats from plain loads of 8, 4, 2 and 1, the other lanes zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> LoadFew(ref float s, int count)
        {
            if (count >= 8)
                return Avx512F.InsertVector256(Vector256.LoadUnsafe(ref s).ToVector512(), LoadFew256(ref Unsafe.Add(ref s, 8), count - 8), 1);
            return LoadFew256(ref s, count).ToVector512();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> LoadFew256(ref float s, int count)
        {
            if (count >= 4)
                return Avx.InsertVector128(Vector128.LoadUnsafe(ref s).ToVector256(), LoadFew128(ref Unsafe.Add(ref s, 4), count - 4), 1);
            return LoadFew128(ref s, count).ToVector256();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> LoadFew128(ref float s, int count) => count switch
        {
            <= 0 => Vector128<float>.Zero,
            1 => Vector128.CreateScalar(s),
            2 => Vector128.CreateScalar(Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref s))).AsSingle(),
            _ => Vector128.CreateScalar(Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref s))).AsSingle().WithElement(2, Unsafe.Add(ref s, 2)),
        };

        /// <summary>The first n ∈ {1, 2, 4, 8} lanes of a repeated 16/n times: [a0 … a(n−1), a0 … a(n−1), …].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Repeat(Vector512<float> a, int n) => n switch
        {
            1 => Vector512.Create(a.ToScalar()),
            2 => Vector512.Create(a.AsDouble().ToScalar()).AsSingle(),
            4 => Avx512F.Shuffle4x128(a, a, 0),
            _ => Avx512F.Shuffle4x128(a, a, 0b01_00_01_00),
        };

        // The folds take the vectors a layer has: those it leaves out are the rows past its last unit, zeros.

        /// <summary>Rows of 2 packed 8 to a vector (p: rows 0-7, q: rows 8-15, zeros when left out) → the 16 rows'
        /// sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FoldPairs(Vector512<float> p, Vector512<float> q = default) => AdjacentPairSums(p, q);

        /// <summary>Rows of 4 packed 4 to a vector (p0: rows 0-3, …, p3: rows 12-15; zeros when left out) → the 16
        /// rows' sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FoldFours(Vector512<float> p0, Vector512<float> p1 = default,
            Vector512<float> p2 = default, Vector512<float> p3 = default)
            => Avx512F.PermuteVar16x32(RowsOfFour(p0, p1, p2, p3), Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));

        /// <summary>Rows of 8 packed 2 to a vector (p0: rows 0-1, …, p7: rows 14-15; zeros when left out) → the 16
        /// rows' sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FoldEights(Vector512<float> p0, Vector512<float> p1 = default,
            Vector512<float> p2 = default, Vector512<float> p3 = default, Vector512<float> p4 = default,
            Vector512<float> p5 = default, Vector512<float> p6 = default, Vector512<float> p7 = default)
        {
            Vector512<float> u0 = RowsOfFour(p0, p1, p2, p3), u1 = RowsOfFour(p4, p5, p6, p7);
            // u0's 128-bit lanes: rows 0 2 4 6 (first halves), their second halves, then rows 1 3 5 7 likewise; u1: rows 8-15.
            Vector512<float> halves = Avx512F.Shuffle4x128(u0, u1, 0b10_00_10_00) + Avx512F.Shuffle4x128(u0, u1, 0b11_01_11_01);
            return Avx512F.PermuteVar16x32(halves, Vector512.Create(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15));
        }

        /// <summary>Up to sixteen rows of products (one vector per row; the rows left out are zeros) → lane j holds row j's
        /// sum. A layer of n &lt; 16 units passes its n rows: <c>FoldRows(r0, r1, r2)</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FoldRows(Vector512<float> r0, Vector512<float> r1 = default,
            Vector512<float> r2 = default, Vector512<float> r3 = default, Vector512<float> r4 = default,
            Vector512<float> r5 = default, Vector512<float> r6 = default, Vector512<float> r7 = default,
            Vector512<float> r8 = default, Vector512<float> r9 = default, Vector512<float> r10 = default,
            Vector512<float> r11 = default, Vector512<float> r12 = default, Vector512<float> r13 = default,
            Vector512<float> r14 = default, Vector512<float> r15 = default)
            => LaneSums(RowsOfFour(r0, r1, r2, r3), RowsOfFour(r4, r5, r6, r7), RowsOfFour(r8, r9, r10, r11), RowsOfFour(r12, r13, r14, r15));

        /// <summary>One row of W times A where A is held in two vectors (a0: units 0-15, a1: units 16-31): the row is
        /// count (17 to 32) floats of w from start, and lane k of the result is W[k]·A[k] + W[16 + k]·A[16 + k] — the row's
        /// vector of products, which <see cref="FoldRows"/> sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Products(ReadOnlySpan<float> w, int start, int count, Vector512<float> a0,
                                                Vector512<float> a1)
            => Vector512.FusedMultiplyAdd(Load(w, start, 16), a0, Load(w, start + 16, count - 16) * a1);
    }
}
