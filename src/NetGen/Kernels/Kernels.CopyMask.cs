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
        Transpose(MaskPart(keepMasks, offset, m * n, name), D, m, n);
    }

    /// <summary>keepMasks[offset .. offset + length), after checking that it is there and holds only 0 and 1.</summary>
    private static ReadOnlySpan<float> MaskPart(ReadOnlySpan<float> keepMasks, int offset, int length, string name)
    {
        RequireLength(keepMasks.Length - offset, length, name);
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
