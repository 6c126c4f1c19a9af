using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// A set of m labelled samples in the layout of a network's <c>X</c> and <c>Y</c>: rows are samples,
/// <see cref="X"/> is <see cref="Count"/> × <see cref="InputSize"/> and <see cref="Y"/> is
/// <see cref="Count"/> × <see cref="OutputSize"/>, both row-major.
/// </summary>
/// <remarks>
/// The constructor keeps the arrays it is given without copying them; nothing in this class ever writes to
/// them (<see cref="Slice"/>, <see cref="Split"/> and <see cref="Standardizer.Apply(Dataset)"/> build new arrays), so
/// leave them unchanged afterwards and the data set is immutable.
/// </remarks>
public sealed partial class Dataset
{
    private readonly float[] _x;
    private readonly float[] _y;

    /// <summary>
    /// Wraps <paramref name="x"/> (m × <paramref name="inputSize"/>) and <paramref name="y"/>
    /// (m × <paramref name="outputSize"/>); m is <c>x.Length / inputSize</c> and may be 0.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">The lengths do not make whole rows of the same m (the message names the expected
    /// and actual shapes), or a value is NaN or ±∞ (the message names the first one's sample and column, 0-based, as
    /// <see cref="InputRow"/> and <see cref="OutputRow"/> count them).</exception>
    /// <remarks>The values are checked in one vectorised pass over each array, a small fraction of one training epoch.</remarks>
    public Dataset(float[] x, float[] y, int inputSize, int outputSize)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (inputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "a sample must have at least one feature (inputSize ≥ 1).");
        if (outputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "a sample must have at least one output (outputSize ≥ 1).");
        if (x.Length % inputSize != 0)
            throw new ArgumentException(
                $"x must hold m × inputSize = m × {inputSize} floats, but has {x.Length}, which is not a whole number of rows of {inputSize} "
                + $"({x.Length / inputSize} × {inputSize} + {x.Length % inputSize}).", nameof(x));
        int m = x.Length / inputSize;
        long expected = (long)m * outputSize;
        if (y.Length != expected)
            throw new ArgumentException(
                $"y must hold m × outputSize = {m} × {outputSize} = {expected} floats (m from x: {x.Length} / {inputSize}), but has {y.Length}"
                + (y.Length % outputSize == 0 ? $" ({y.Length / outputSize} × {outputSize})." : "."), nameof(y));
        RequireFinite(x, inputSize, nameof(x));
        RequireFinite(y, outputSize, nameof(y));
        _x = x;
        _y = y;
        Count = m;
        InputSize = inputSize;
        OutputSize = outputSize;
    }

    /// <summary>m: the number of samples.</summary>
    public int Count { get; }

    /// <summary>The features of one sample (the network's n[0]).</summary>
    public int InputSize { get; }

    /// <summary>The outputs of one sample (the network's n[L]).</summary>
    public int OutputSize { get; }

    /// <summary>The inputs, <see cref="Count"/> × <see cref="InputSize"/>, row-major (rows are samples).</summary>
    public ReadOnlySpan<float> X => _x;

    /// <summary>The targets, <see cref="Count"/> × <see cref="OutputSize"/>, row-major (rows are samples).</summary>
    public ReadOnlySpan<float> Y => _y;

    /// <summary>The names of the input columns when they were read from a CSV header; otherwise null.</summary>
    public IReadOnlyList<string>? InputNames { get; init; }

    /// <summary>The names of the outputs when they were read from a CSV header (for one-hot labels, <c>label=class</c>); otherwise null.</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    /// <summary>The inputs of sample <paramref name="index"/>: a row of <see cref="InputSize"/> floats.</summary>
    public ReadOnlySpan<float> InputRow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return new ReadOnlySpan<float>(_x, index * InputSize, InputSize);
    }

    /// <summary>The targets of sample <paramref name="index"/>: a row of <see cref="OutputSize"/> floats.</summary>
    public ReadOnlySpan<float> OutputRow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return new ReadOnlySpan<float>(_y, index * OutputSize, OutputSize);
    }

    /// <summary>A copy of the samples <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie inside 0 … <see cref="Count"/>.</exception>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || start > Count)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"must lie in 0 … {Count} (Count).");
        if (count < 0 || count > Count - start)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"must lie in 0 … {Count - start} (Count − start, with Count = {Count}, start = {start}).");
        float[] x = _x.AsSpan(start * InputSize, count * InputSize).ToArray();
        float[] y = _y.AsSpan(start * OutputSize, count * OutputSize).ToArray();
        return new Dataset(x, y, InputSize, OutputSize) { InputNames = InputNames, OutputNames = OutputNames };
    }

    /// <summary>A new data set of the samples at <paramref name="indices"/>, in that order.</summary>
    internal Dataset Gather(ReadOnlySpan<int> indices)
    {
        var x = new float[indices.Length * InputSize];
        var y = new float[indices.Length * OutputSize];
        for (int i = 0; i < indices.Length; i++)
        {
            _x.AsSpan(indices[i] * InputSize, InputSize).CopyTo(x.AsSpan(i * InputSize));
            _y.AsSpan(indices[i] * OutputSize, OutputSize).CopyTo(y.AsSpan(i * OutputSize));
        }
        return new Dataset(x, y, InputSize, OutputSize) { InputNames = InputNames, OutputNames = OutputNames };
    }

    /// <summary>
    /// The class of sample <paramref name="index"/> as <see cref="Split"/> stratifies it: the index of the largest
    /// output (the first on a tie) when there are several, or 1 if the single output is above 0.5, else 0.
    /// </summary>
    public int ClassOf(int index) => ClassOfRow(OutputRow(index));

    /// <summary>The class rule of <see cref="ClassOf"/> on one row of outputs (a target or a prediction).</summary>
    internal static int ClassOfRow(ReadOnlySpan<float> row)
    {
        if (row.Length == 1)
            return row[0] > 0.5f ? 1 : 0;
        int best = 0;
        for (int j = 1; j < row.Length; j++)
            if (row[j] > row[best])
                best = j;
        return best;
    }

    /// <summary>Throws if <paramref name="values"/> (rows of <paramref name="width"/>) holds a NaN or ±∞, naming the
    /// first.</summary>
    private static void RequireFinite(float[] values, int width, string name)
    {
        int bad = FirstNonFinite(values);
        if (bad >= 0)
            throw new ArgumentException(
                $"{name}, sample {bad / width}, column {bad % width} ({name}[{bad}]): {Describe(values[bad])} is not a "
                + "finite number; a Dataset holds finite inputs and targets only (samples and columns count from 0).",
                name);
    }

    /// <summary>The index of the first NaN or ±∞ in <paramref name="values"/>, or −1 if every value is finite.</summary>
    /// <remarks>x·0 is ±0 for every finite x and NaN for NaN and ±∞, and OR-ing a NaN's bits with those of ±0 or of another
    /// NaN leaves a NaN: so the pass is one multiply and one OR per vector, with no branch and no dependency longer than
    /// the OR. Only when that finds something is the first index looked for, one value at a time.</remarks>
    internal static int FirstNonFinite(ReadOnlySpan<float> values)
        => AllFinite(values) ? -1 : FirstNonFiniteScalar(values);

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        int n = values.Length, i = 0;
        uint bits = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<float> zero = Vector256<float>.Zero, any = zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                any |= Vector256.LoadUnsafe(ref start, (nuint)i) * zero;
            if (!Vector256.EqualsAll(any, zero)) // −0 equals 0; a NaN lane equals nothing
                return false;
        }
        for (; i < n; i++)
            bits |= BitConverter.SingleToUInt32Bits(Unsafe.Add(ref start, i) * 0f);
        return (bits & 0x7FFF_FFFFu) == 0;
    }

    private static int FirstNonFiniteScalar(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return i;
        return -1;
    }

    /// <summary>A value as a message shows it: the invariant culture's NaN, Infinity or -Infinity.</summary>
    internal static string Describe(float value) => value.ToString(CultureInfo.InvariantCulture);
}
