using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Bᵀ = A: destination[c, r] = source[r, c] for a rows × columns source (row-major), e.g. the batch X (m × n)
    /// into the notes' layout Xᵀ (n × m).</summary>
    /// <remarks>Two columns (X of a two-feature network) or two rows (its way back) are the common narrow cases: there,
    /// a vector of samples at a time is split or interleaved with two shuffles instead of scalar moves, at the widest
    /// accelerated width.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns)
    {
        RequireSize(rows, nameof(rows)); RequireSize(columns, nameof(columns));
        RequireMatrix(source.Length, rows, columns, nameof(source));
        RequireMatrix(destination.Length, columns, rows, nameof(destination));
        ref float s0 = ref Ref(source);
        ref float d0 = ref Ref(destination);
        // split is a constant in each call, so that the inlined loop carries one direction and no branch on it.
        if (columns == 2 && PairsAtWidestWidth(ref s0, ref d0, rows, split: true)) return;
        if (rows == 2 && PairsAtWidestWidth(ref s0, ref d0, columns, split: false)) return;
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

    /// <summary><see cref="Pairs"/> at the widest accelerated width whose vector fits in n; false when none does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool PairsAtWidestWidth(ref float s0, ref float d0, int n, bool split)
    {
        if (Width512.IsAccelerated && n >= Width512.Count) Pairs<Width512>(ref s0, ref d0, n, split);
        else if (Width256.IsAccelerated && n >= Width256.Count) Pairs<Width256>(ref s0, ref d0, n, split);
        else if (Width128.IsAccelerated && n >= Width128.Count) Pairs<Width128>(ref s0, ref d0, n, split);
        else return false;
        return true;
    }

    /// <summary>n × 2 → 2 × n when <paramref name="split"/> (the even floats to row 0, the odd ones to row 1), else
    /// 2 × n → n × 2 (row 0 to the even floats, row 1 to the odd ones); n ≥ one vector, the last block overlaps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Pairs<TVec>(ref float s0, ref float d0, int n, bool split) where TVec : struct, IVector<TVec>
    {
        int c = TVec.Count;
        ref float row0 = ref split ? ref d0 : ref s0, row1 = ref Unsafe.Add(ref row0, n), pairs = ref split ? ref s0 : ref d0;
        for (int i = 0; ; i += c)
        {
            if (i > n - c) i = n - c; // the last block overlaps the previous one: same values, stored again
            nuint at = (nuint)i, twice = (nuint)(2 * i);
            if (split)
            {
                TVec.Deinterleave(TVec.Load(ref pairs, twice), TVec.Load(ref pairs, twice + (nuint)c), out TVec even, out TVec odd);
                TVec.Store(even, ref row0, at);
                TVec.Store(odd, ref row1, at);
            }
            else
            {
                TVec.Interleave(TVec.Load(ref row0, at), TVec.Load(ref row1, at), out TVec low, out TVec high);
                TVec.Store(low, ref pairs, twice);
                TVec.Store(high, ref pairs, twice + (nuint)c);
            }
            if (i + c >= n) break;
        }
    }
}
