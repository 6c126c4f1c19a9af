using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace NetGen.Demo;

/// <summary>The demo's data: CSV files shipped in the repository's data/ folder (copied beside the program).</summary>
internal static class Data
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "data", relative);

    /// <summary>Rows of numbers after a header line.</summary>
    public static List<float[]> ReadCsv(string relative, bool skipHeader = true)
    {
        var rows = new List<float[]>();
        foreach (string line in File.ReadLines(PathOf(relative)))
        {
            if (skipHeader) { skipHeader = false; continue; }
            if (line.Length == 0) continue;
            string[] cells = line.Split(',');
            var row = new float[cells.Length];
            for (int i = 0; i < cells.Length; i++) row[i] = float.Parse(cells[i], CultureInfo.InvariantCulture);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>A weight file: one matrix row per line, no header, copied row-major into <paramref name="destination"/>.</summary>
    public static void ReadMatrix(string relative, Span<float> destination)
    {
        int k = 0;
        foreach (float[] row in ReadCsv(relative, skipHeader: false))
            foreach (float value in row)
                destination[k++] = value;
        if (k != destination.Length)
            throw new InvalidDataException($"{relative} holds {k} numbers; the layer needs {destination.Length}.");
    }

    /// <summary>A features × samples file (rows × columns) transposed into samples × features (rows are samples).</summary>
    public static void ReadTransposed(string relative, Span<float> destination, int rows, int columns)
    {
        var matrix = new float[rows * columns];
        ReadMatrix(relative, matrix);
        Kernels.Transpose(matrix, destination, rows, columns);
    }

    /// <summary>Splits rows of (features…, label) into X (m × features, the chosen columns) and Y (m × 1).</summary>
    public static (float[] X, float[] Y) ToXY(IReadOnlyList<float[]> rows, int[] columns, int labelColumn)
    {
        var x = new float[rows.Count * columns.Length];
        var y = new float[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            for (int j = 0; j < columns.Length; j++) x[i * columns.Length + j] = rows[i][columns[j]];
            y[i] = rows[i][labelColumn];
        }
        return (x, y);
    }

    /// <summary>
    /// scikit-learn's digits (data/sklearn/digits.csv.gz: 1 797 lines of 64 pixels 0–16 row by row, then the digit):
    /// X the pixels / 16 (so in [0, 1]), each sample an 8 × 8 × 1 image; Y one-hot over the ten digits.
    /// </summary>
    public static Dataset ReadDigits(string relative)
    {
        const int pixels = 64, classes = 10;
        var x = new List<float>();
        var y = new List<float>();
        using var file = File.OpenRead(PathOf(relative));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        int number = 0;
        while (reader.ReadLine() is string line)
        {
            number++;
            if (line.Length == 0) continue;
            string[] cells = line.Split(',');
            if (cells.Length != pixels + 1)
                throw new InvalidDataException(
                    $"{relative}: line {number} has {cells.Length} values, expected {pixels + 1}.");
            for (int j = 0; j < pixels; j++)
            {
                int value = int.Parse(cells[j], CultureInfo.InvariantCulture);
                if (value is < 0 or > 16)
                    throw new InvalidDataException($"{relative}: line {number}, pixel {j} is {value}, expected 0–16.");
                x.Add(value / 16f);
            }
            int digit = int.Parse(cells[pixels], CultureInfo.InvariantCulture);
            if (digit is < 0 or >= classes)
                throw new InvalidDataException(
                    $"{relative}: line {number} has the label {digit}, expected a digit 0–9.");
            for (int c = 0; c < classes; c++) y.Add(c == digit ? 1 : 0);
        }
        return new Dataset(x.ToArray(), y.ToArray(), pixels, classes);
    }
}
