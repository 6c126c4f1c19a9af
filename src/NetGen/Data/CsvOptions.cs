using System.Collections.Generic;

namespace NetGen;

/// <summary>What the first line of a CSV file holds.</summary>
public enum CsvHeader
{
    /// <summary>No header: the first line is a sample.</summary>
    None,

    /// <summary>A header line that is ignored (whatever it holds, e.g. scikit-learn's <c>569,30,malignant,benign</c>).</summary>
    Skip,

    /// <summary>A header of column names, one per column; they become <see cref="Dataset.InputNames"/> and <see cref="Dataset.OutputNames"/>.</summary>
    Names,
}

/// <summary>How <see cref="Dataset.FromCsv(string, CsvOptions?)"/> reads a file.</summary>
/// <remarks>
/// Cells are separated by <see cref="Separator"/>, trimmed, and parsed as numbers with the invariant culture
/// (a period is the decimal point whatever the machine's locale); quoted cells are not supported. Blank lines
/// are skipped.
/// </remarks>
public sealed record CsvOptions
{
    /// <summary>What the first line holds; <see cref="CsvHeader.Skip"/> by default.</summary>
    public CsvHeader Header { get; init; } = CsvHeader.Skip;

    /// <summary>The cell separator; a comma by default.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>
    /// The 0-based indices of the label columns, in the order they fill a sample's outputs; an index below 0 counts
    /// from the end (−1 is the last column). Null (the default) means the last column. Every other column is an input,
    /// in file order.
    /// </summary>
    public IReadOnlyList<int>? LabelColumns { get; init; }

    /// <summary>
    /// Encode the (single) label column as one-hot: a label c, an integer in 0 … k − 1, becomes k outputs with a 1 at
    /// position c. False by default (labels are kept as they are). A label is read as written (e.g. 2, 2.0 or 2e0), not
    /// rounded through a float; k is at most <see cref="MaxClassCount"/>.
    /// </summary>
    public bool OneHot { get; init; }

    /// <summary>
    /// k for <see cref="OneHot"/>: the number of classes, 1 … <see cref="MaxClassCount"/>. 0 (the default) reads it from
    /// the data as the largest label + 1, which must then be at most the number of samples read (a class with no sample
    /// at all is more often a mistake, such as a regression target, than a plan) and at most
    /// <see cref="MaxClassCount"/>; set it explicitly when a file (a small test set, say) does not show every class.
    /// </summary>
    public int ClassCount { get; init; }

    /// <summary>
    /// The most classes <see cref="OneHot"/> encodes: 65 536. Each class is one output float per sample, so the bound keeps a
    /// stray label (a line such as <c>1,1000000000</c>) from asking for gigabytes; larger labels are refused with the line.
    /// </summary>
    public const int MaxClassCount = 65_536;
}
