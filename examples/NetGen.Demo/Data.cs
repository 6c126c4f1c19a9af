using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

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
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                destination[c * rows + r] = matrix[r * columns + c];
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

    /// <summary>Standardises every column of X (m × n) with the mean and deviation of the first <paramref name="fitRows"/> rows.</summary>
    public static void Standardize(float[] x, int n, int fitRows)
    {
        for (int j = 0; j < n; j++)
        {
            double mean = 0, square = 0;
            for (int i = 0; i < fitRows; i++) mean += x[i * n + j];
            mean /= fitRows;
            for (int i = 0; i < fitRows; i++) square += (x[i * n + j] - mean) * (x[i * n + j] - mean);
            double deviation = Math.Sqrt(square / fitRows);
            if (deviation == 0) deviation = 1;
            for (int i = 0; i < x.Length / n; i++) x[i * n + j] = (float)((x[i * n + j] - mean) / deviation);
        }
    }

    /// <summary>Shuffles the rows in place with a seeded generator.</summary>
    public static void Shuffle<T>(IList<T> rows, ulong seed)
    {
        var rng = new Rng(seed);
        for (int i = rows.Count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
    }
}
