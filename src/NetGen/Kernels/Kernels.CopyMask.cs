using System;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>D = given: copies a caller's dropout mask, refusing any value other than 0 or 1 (before writing anything).</summary>
    public static void CopyMask(ReadOnlySpan<float> given, Span<float> D, string name)
    {
        RequireLength(given.Length, D.Length, name);
        for (int i = 0; i < D.Length; i++)
        {
            float value = given[i];
            if (value != 0f && value != 1f)
                throw new ArgumentException($"{name}[{i}] is {value}; a keep mask holds only 0 (dropped) and 1 (kept).", name);
        }
        given.Slice(0, D.Length).CopyTo(D);
    }
}
