using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Bᵀ = A: destination[c, r] = source[r, c] for a rows × columns source (row-major), e.g. the batch X (m × n)
    /// into the notes' layout Xᵀ (n × m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns)
    {
        RequireMatrix(source.Length, rows, columns, nameof(source));
        RequireMatrix(destination.Length, columns, rows, nameof(destination));
        ref float s0 = ref Ref(source);
        ref float d0 = ref Ref(destination);
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
}
