using System;
using System.ComponentModel;

namespace NetGen;

/// <summary>For generated code only, not for direct use: the shape checks of the generated code, each naming the expected
/// and the actual shape and throwing before anything changes. Public because the code NetGen writes into your assembly
/// calls them; hidden from IntelliSense.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Length(int actual, int expected, string name, string shape)
    {
        // The check inlines into Predict; the message is built only on the way out.
        if (actual != expected)
            ThrowLength(actual, expected, name, shape);
    }

    // Not marked NoInlining: the JIT then sees that it always throws and treats the call as the end of the path, so
    // after the check it knows the length (and folds every size-dependent branch of the code that follows).
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowLength(int actual, int expected, string name, string shape)
        => throw new ArgumentException($"{name} must hold {shape} = {expected} floats, but has {actual}.", name);

    /// <summary>Checks a batch: m ≥ 1, X of m × inputSize and Y of m × outputSize floats.</summary>
    public static void Batch(int xLength, int yLength, int m, int inputSize, int outputSize, string xName = "X", string yName = "Y")
    {
        BatchSize(m);
        Matrix(xLength, m, inputSize, xName);
        Matrix(yLength, m, outputSize, yName);
    }

    /// <summary>Throws unless m ≥ 1.</summary>
    public static void BatchSize(int m)
    {
        if (m < 1)
            throw new ArgumentOutOfRangeException(nameof(m), m, "the batch must hold at least one sample (m ≥ 1).");
    }

    /// <summary>Throws unless <paramref name="actual"/> equals rows × columns, with neither size negative (the product is
    /// taken in 64 bits, so that it cannot wrap around to the length of a smaller span).</summary>
    public static void Matrix(int actual, int rows, int columns, string name)
    {
        // −r × −c would otherwise match a span of r × c floats.
        if ((rows | columns) < 0)
            throw new ArgumentOutOfRangeException(rows < 0 ? nameof(rows) : nameof(columns), rows < 0 ? rows : columns,
                $"{name} cannot be {rows} × {columns} floats: a size cannot be negative.");
        long expected = (long)rows * columns;
        if (actual != expected)
            throw new ArgumentException($"{name} must hold m × {columns} = {rows} × {columns} = {expected} floats, but has {actual}"
                + (columns > 0 && actual % columns == 0 ? $" ({actual / columns} × {columns})." : "."), name);
    }
}
