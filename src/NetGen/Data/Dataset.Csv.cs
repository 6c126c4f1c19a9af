using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen;

public sealed partial class Dataset
{
    /// <summary>
    /// Reads a data set from the CSV file at <paramref name="path"/>: one sample per line, the label columns of
    /// <paramref name="options"/> (the last column by default) as outputs and every other column as an input.
    /// </summary>
    /// <exception cref="InvalidDataException">A cell is not a finite number, a line has the wrong number of cells, a
    /// one-hot label is not a class (an integer 0 … k − 1, k at most <see cref="CsvOptions.MaxClassCount"/> and, when
    /// read from the data, at most the number of samples), or there is no sample; the message names the file, the line
    /// and the column.</exception>
    /// <exception cref="ArgumentException">The options contradict each other or the file (e.g. a label column out of range).</exception>
    public static Dataset FromCsv(string path, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path);
        return FromCsv(reader, options, path);
    }

    /// <summary>
    /// Reads a data set in CSV form from <paramref name="reader"/>, as <see cref="FromCsv(string, CsvOptions?)"/> does;
    /// <paramref name="source"/> names the text in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">A cell is not a finite number, a line has the wrong number of cells, a
    /// one-hot label is not a class (an integer 0 … k − 1, k at most <see cref="CsvOptions.MaxClassCount"/> and, when
    /// read from the data, at most the number of samples), or there is no sample; the message names the source, the
    /// line and the column.</exception>
    /// <exception cref="ArgumentException">The options contradict each other or the data (e.g. a label column out of range).</exception>
    public static Dataset FromCsv(TextReader reader, CsvOptions? options = null, string source = "CSV")
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new CsvOptions();
        if (options.ClassCount < 0 || options.ClassCount > CsvOptions.MaxClassCount)
            throw new ArgumentException(
                $"ClassCount must be 0 (read from the data) or a number of classes in 1 … {CsvOptions.MaxClassCount} "
                + $"(CsvOptions.MaxClassCount), but is {options.ClassCount}.", nameof(options));
        if (options.ClassCount > 0 && !options.OneHot)
            throw new ArgumentException($"ClassCount = {options.ClassCount} is only meaningful with OneHot = true.", nameof(options));

        string[]? names = null;
        int lineNumber = 0;
        int columns = -1, firstDataLine = 0;
        bool[] isLabel = [];
        int[] labelColumns = [];
        var inputs = new List<float>();
        var outputs = new List<float>();   // the labels as read (one per label column per sample), without OneHot
        var classes = new List<int>();     // the class of each sample, with OneHot
        var labelLines = new List<int>();  // the line of each sample
        int maxClass = -1, maxClassLine = 0, maxClassColumn = 0;

        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (lineNumber == 1 && options.Header != CsvHeader.None)
            {
                if (options.Header == CsvHeader.Names)
                    names = Array.ConvertAll(line.Split(options.Separator), s => s.Trim());
                continue;
            }
            if (line.AsSpan().Trim().Length == 0)
                continue;
            string[] cells = line.Split(options.Separator);
            if (columns < 0)
            {
                columns = cells.Length;
                firstDataLine = lineNumber;
                labelColumns = ResolveLabelColumns(options, columns, lineNumber, source);
                isLabel = new bool[columns];
                foreach (int c in labelColumns)
                    isLabel[c] = true;
                if (names != null && names.Length != columns)
                    throw new InvalidDataException($"{source}: the header (line 1) names {names.Length} columns, but line {lineNumber} has {columns} cells.");
            }
            else if (cells.Length != columns)
            {
                throw new InvalidDataException($"{source}, line {lineNumber}: {cells.Length} cells, but line {firstDataLine} has {columns}.");
            }

            for (int c = 0; c < columns; c++)
            {
                if (!isLabel[c])
                    inputs.Add(ParseCell(cells[c], source, lineNumber, c));
            }
            foreach (int c in labelColumns)
            {
                if (!options.OneHot)
                {
                    outputs.Add(ParseCell(cells[c], source, lineNumber, c));
                    continue;
                }
                int label = ParseClassLabel(cells[c], source, lineNumber, c, options.ClassCount);
                if (label > maxClass)
                    (maxClass, maxClassLine, maxClassColumn) = (label, lineNumber, c);
                classes.Add(label);
            }
            labelLines.Add(lineNumber);
        }

        if (columns < 0)
            throw new InvalidDataException($"{source}: no samples (only {lineNumber} line{(lineNumber == 1 ? "" : "s")}, none of them data).");

        int m = labelLines.Count;
        int inputSize = columns - labelColumns.Length;
        string[]? inputNames = null, outputNames = null;
        if (names != null)
        {
            inputNames = new string[inputSize];
            for (int c = 0, k = 0; c < columns; c++)
                if (!isLabel[c])
                    inputNames[k++] = names[c];
            outputNames = Array.ConvertAll(labelColumns, c => names[c]);
        }

        if (!options.OneHot)
            return new Dataset(inputs.ToArray(), outputs.ToArray(), inputSize, labelColumns.Length) { InputNames = inputNames, OutputNames = outputNames };

        int k2 = options.ClassCount > 0 ? options.ClassCount : maxClass + 1;
        // A class count read from the data is bounded by the samples too: classes without a single sample are more likely
        // a mistake (a regression target, an id) than a plan, and each costs m floats.
        if (options.ClassCount == 0 && k2 > m)
            throw new InvalidDataException(
                $"{source}, line {maxClassLine}, column {maxClassColumn + 1}: the class label {maxClass} makes {k2} classes "
                + $"(0 … {maxClass}), more than the {m} sample{(m == 1 ? "" : "s")} read; a class count read from the data "
                + "may not exceed the samples present. If the data does not show every class, set CsvOptions.ClassCount.");
        if ((long)m * k2 > Array.MaxLength)
            throw new InvalidDataException($"{source}: {m} samples × {k2} classes are too many one-hot outputs for one array.");
        var y = new float[m * k2];
        for (int i = 0; i < m; i++)
            y[i * k2 + classes[i]] = 1f;
        if (outputNames != null)
        {
            string label = outputNames[0];
            outputNames = new string[k2];
            for (int c = 0; c < k2; c++)
                outputNames[c] = label + "=" + c.ToString(CultureInfo.InvariantCulture);
        }
        return new Dataset(inputs.ToArray(), y, inputSize, k2) { InputNames = inputNames, OutputNames = outputNames };
    }

    private static int[] ResolveLabelColumns(CsvOptions options, int columns, int lineNumber, string source)
    {
        IReadOnlyList<int> requested = options.LabelColumns ?? [-1];
        if (requested.Count == 0)
            throw new ArgumentException("LabelColumns must name at least one column (null means the last).", nameof(options));
        if (options.OneHot && requested.Count != 1)
            throw new ArgumentException($"OneHot encodes a single label column, but LabelColumns names {requested.Count}.", nameof(options));
        var resolved = new int[requested.Count];
        var seen = new HashSet<int>();
        for (int i = 0; i < resolved.Length; i++)
        {
            int c = requested[i] < 0 ? columns + requested[i] : requested[i];
            if (c < 0 || c >= columns)
                throw new ArgumentException(
                    $"{source}: label column {requested[i]} does not exist; line {lineNumber} has {columns} columns (0 … {columns - 1}, or −1 … −{columns} from the end).",
                    nameof(options));
            if (!seen.Add(c))
                throw new ArgumentException($"LabelColumns names column {c} twice.", nameof(options));
            resolved[i] = c;
        }
        if (resolved.Length >= columns)
            throw new ArgumentException($"{source}: every one of the {columns} columns is a label; at least one input column is needed.", nameof(options));
        return resolved;
    }

    /// <summary>
    /// A one-hot class label: an integer 0 … k − 1, with k = <paramref name="classCount"/> if given, else at most
    /// <see cref="CsvOptions.MaxClassCount"/>. Parsed as a double (exact for every integer up to 2⁵³, so that a label
    /// such as 16777217 is judged as written, not rounded to a float first); "2.0" and "2e0" are the integer 2.
    /// </summary>
    private static int ParseClassLabel(string cell, string source, int lineNumber, int column, int classCount)
    {
        ReadOnlySpan<char> text = cell.AsSpan().Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
            ParseCell(cell, source, lineNumber, column); // throws its message: empty, or not a finite number
        if (value < 0 || value != Math.Floor(value))
            throw new InvalidDataException($"{source}, line {lineNumber}, column {column + 1}: the class label '{text}' "
                + "is not an integer 0 … k − 1 (one-hot encoding).");
        if (classCount > 0 && value >= classCount)
            throw new InvalidDataException($"{source}, line {lineNumber}, column {column + 1}: the class label '{text}' "
                + $"is not below ClassCount = {classCount}.");
        if (value >= CsvOptions.MaxClassCount)
            throw new InvalidDataException(
                $"{source}, line {lineNumber}, column {column + 1}: the class label '{text}' would make more than "
                + $"{CsvOptions.MaxClassCount} classes, the most one-hot encoding reads (CsvOptions.MaxClassCount).");
        return (int)value;
    }

    private static float ParseCell(string cell, string source, int lineNumber, int column)
    {
        ReadOnlySpan<char> text = cell.AsSpan().Trim();
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            throw new InvalidDataException(
                text.Length == 0
                    ? $"{source}, line {lineNumber}, column {column + 1}: the cell is empty; a number is expected."
                    : $"{source}, line {lineNumber}, column {column + 1}: '{text}' is not a finite number (invariant culture, e.g. 1.5 or -2e-3).");
        return value;
    }
}
