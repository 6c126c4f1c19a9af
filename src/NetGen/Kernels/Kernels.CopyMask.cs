using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>D = keepMasks[offset .. offset + |D|): copies one layer's part of a caller's dropout masks, refusing any
    /// value other than 0 or 1 (before writing anything) and naming its index in the whole <paramref name="name"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyMask(ReadOnlySpan<float> keepMasks, int offset, Span<float> D, string name)
    {
        MaskPart(keepMasks, offset, D.Length, name).CopyTo(D);
    }

    /// <summary>As <see cref="CopyMask"/>, into the samples-as-columns layout: D[j, i] = keepMasks[offset + i·n + j]
    /// for a part of m × n (rows are samples) given as m rows of n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyMaskToColumns(ReadOnlySpan<float> keepMasks, int offset, Span<float> D, int m, int n, string name)
    {
        RequireSize(m, nameof(m)); RequireSize(n, nameof(n));
        long length = (long)m * n; // in 64 bits: 65 536 × 65 537 floats must not pass as 65 536
        if (length > keepMasks.Length)
            throw new ArgumentException(
                $"{name} must hold {m} × {n} = {length} floats from {offset} on, but has {keepMasks.Length}.", name);
        Transpose(MaskPart(keepMasks, offset, (int)length, name), D, m, n);
    }

    /// <summary>keepMasks[offset .. offset + length), after checking that it is there and holds only 0 and 1.</summary>
    private static ReadOnlySpan<float> MaskPart(ReadOnlySpan<float> keepMasks, int offset, int length, string name)
    {
        // In 64 bits, so that offset + length cannot wrap around; a negative offset would read before the start.
        if (offset < 0)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"the offset into {name} cannot be negative.");
        if (offset + (long)length > keepMasks.Length)
            throw new ArgumentException(
                $"{name} must hold {length} floats from {offset} on (up to {offset + (long)length}), "
                + $"but has {keepMasks.Length}.", name);
        ReadOnlySpan<float> given = keepMasks.Slice(offset, length);
        for (int i = 0; i < given.Length; i++)
        {
            float value = given[i];
            if (value != 0f && value != 1f)
                throw new ArgumentException($"{name}[{offset + i}] is {value}; a keep mask holds only 0 (dropped) and 1 (kept).", name);
        }
        return given;
    }
}
