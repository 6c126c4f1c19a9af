using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Bᵀ = A: destination[c, r] = source[r, c] for a rows × columns source (row-major), e.g. the batch X (m × n)
    /// into the notes' layout Xᵀ (n × m).</summary>
    /// <remarks>Two columns (X of a two-feature network) or two rows (its way back) are the common narrow cases: there,
    /// 16 samples at a time are split or interleaved with two permutes instead of 32 scalar moves.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns)
    {
        RequireSize(rows, nameof(rows)); RequireSize(columns, nameof(columns));
        RequireMatrix(source.Length, rows, columns, nameof(source));
        RequireMatrix(destination.Length, columns, rows, nameof(destination));
        ref float s0 = ref Ref(source);
        ref float d0 = ref Ref(destination);
        if (Avx512F.IsSupported && columns == 2 && rows >= 16)
        {
            SplitPairs(ref s0, ref d0, rows);
            return;
        }
        if (Avx512F.IsSupported && rows == 2 && columns >= 16)
        {
            InterleavePairs(ref s0, ref d0, columns);
            return;
        }
        // Tiles of 16 × 16 keep both the rows read and the rows written in cache.
        for (int r0 = 0; r0 < rows; r0 += 16)
        {
            int r1 = Math.Min(r0 + 16, rows);
            for (int c0 = 0; c0 < columns; c0 += 16)
            {
                int c1 = Math.Min(c0 + 16, columns);
                for (int r = r0; r < r1; r++)
                {
                    ref float s = ref Unsafe.Add(ref s0, (nint)r * columns);
                    for (int c = c0; c < c1; c++)
                        Unsafe.Add(ref d0, (nint)c * rows + r) = Unsafe.Add(ref s, c);
                }
            }
        }
    }

    /// <summary>n × 2 → 2 × n: the even floats to row 0, the odd ones to row 1 (n ≥ 16; the last block overlaps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SplitPairs(ref float s0, ref float d0, int n)
    {
        Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odd = even + Vector512<int>.One;
        ref float d1 = ref Unsafe.Add(ref d0, n);
        for (int i = 0; ; i += 16)
        {
            if (i > n - 16) i = n - 16; // the last block overlaps the previous one: same values, stored again
            Vector512<float> lo = Vector512.LoadUnsafe(ref s0, (nuint)(2 * i)), hi = Vector512.LoadUnsafe(ref s0, (nuint)(2 * i + 16));
            Avx512F.PermuteVar16x32x2(lo, even, hi).StoreUnsafe(ref d0, (nuint)i);
            Avx512F.PermuteVar16x32x2(lo, odd, hi).StoreUnsafe(ref d1, (nuint)i);
            if (i + 16 >= n) break;
        }
    }

    /// <summary>2 × n → n × 2: row 0 to the even floats, row 1 to the odd ones (n ≥ 16; the last block overlaps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InterleavePairs(ref float s0, ref float d0, int n)
    {
        Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        Vector512<int> high = low + Vector512.Create(8);
        ref float s1 = ref Unsafe.Add(ref s0, n);
        for (int i = 0; ; i += 16)
        {
            if (i > n - 16) i = n - 16; // the last block overlaps the previous one: same values, stored again
            Vector512<float> a = Vector512.LoadUnsafe(ref s0, (nuint)i), b = Vector512.LoadUnsafe(ref s1, (nuint)i);
            Avx512F.PermuteVar16x32x2(a, low, b).StoreUnsafe(ref d0, (nuint)(2 * i));
            Avx512F.PermuteVar16x32x2(a, high, b).StoreUnsafe(ref d0, (nuint)(2 * i + 16));
            if (i + 16 >= n) break;
        }
    }
}
