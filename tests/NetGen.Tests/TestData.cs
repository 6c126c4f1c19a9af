using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen.Tests;

/// <summary>
/// Loads the small data files under <c>data/</c> (copied next to the test assembly; provenance in
/// <c>data/README.md</c>). Numbers are parsed with the invariant culture, so a comma-decimal locale
/// reads them the same way.
/// </summary>
public static class TestData
{
    /// <summary>The full path of a file under the copied <c>data/</c> folder.</summary>
    /// <summary>scikit-learn's 8 × 8 digits (<c>sklearn/digits.csv.gz</c>: 1 797 lines of 64 pixels 0–16 and the
    /// digit), in file order: X = pixels / 16, Y one-hot over the ten digits.</summary>
    public static Dataset Digits()
    {
        const int pixels = 64, classes = 10;
        var x = new List<float>();
        var y = new List<float>();
        using var file = File.OpenRead(PathOf("sklearn/digits.csv.gz"));
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(file,
            System.IO.Compression.CompressionMode.Decompress));
        while (reader.ReadLine() is string line)
        {
            if (line.Length == 0) continue;
            string[] cells = line.Split(',');
            if (cells.Length != pixels + 1)
                throw new InvalidDataException($"digits.csv.gz: a line has {cells.Length} values, expected {pixels + 1}.");
            for (int j = 0; j < pixels; j++) x.Add(int.Parse(cells[j], CultureInfo.InvariantCulture) / 16f);
            int digit = int.Parse(cells[pixels], CultureInfo.InvariantCulture);
            for (int c = 0; c < classes; c++) y.Add(c == digit ? 1 : 0);
        }
        return new Dataset(x.ToArray(), y.ToArray(), pixels, classes);
    }

    /// <summary>count floats uniform in [−scale, scale), from the library's own seeded generator: the same numbers on every run.</summary>
    public static float[] Uniform(int count, ulong seed, double scale = 1)
    {
        var rng = new Rng(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return values;
    }

    public static string PathOf(string relative) =>
        Path.Combine(AppContext.BaseDirectory, "data", relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Every non-empty line of a CSV file, split and parsed as doubles; <paramref name="skipHeader"/> drops the first line.</summary>
    public static double[][] ReadRows(string relative, bool skipHeader)
    {
        var rows = new List<double[]>();
        bool first = true;
        foreach (string raw in File.ReadLines(PathOf(relative)))
        {
            if (first && skipHeader)
            {
                first = false;
                continue;
            }
            first = false;
            string line = raw.Trim();
            if (line.Length == 0)
                continue;
            string[] cells = line.Split(',');
            var row = new double[cells.Length];
            for (int j = 0; j < cells.Length; j++)
                row[j] = double.Parse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture);
            rows.Add(row);
        }
        return rows.ToArray();
    }

    /// <summary>
    /// A weight file: one matrix row per line, shape (n[l], n[l-1]). Returns the values row-major —
    /// the layout of a generated <c>W[l]</c> view — with its shape.
    /// </summary>
    public static (double[] Values, int Rows, int Columns) ReadMatrix(string relative)
    {
        double[][] rows = ReadRows(relative, skipHeader: false);
        if (rows.Length == 0)
            throw new InvalidDataException($"{relative} is empty.");
        int columns = rows[0].Length;
        var values = new double[rows.Length * columns];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != columns)
                throw new InvalidDataException($"{relative}: row {i} has {rows[i].Length} values, row 0 has {columns}.");
            Array.Copy(rows[i], 0, values, i * columns, columns);
        }
        return (values, rows.Length, columns);
    }

    /// <summary>
    /// A table with header <c>x1,x2,…,y</c>: X (m × features, rows are samples) and Y (m × 1), as floats.
    /// </summary>
    public static (float[] X, float[] Y, int M, int Features) ReadFeaturesAndLabel(string relative)
    {
        double[][] rows = ReadRows(relative, skipHeader: true);
        int m = rows.Length;
        int features = rows[0].Length - 1;
        var X = new float[m * features];
        var Y = new float[m];
        for (int i = 0; i < m; i++)
        {
            if (rows[i].Length != features + 1)
                throw new InvalidDataException($"{relative}: row {i} has {rows[i].Length} values, expected {features + 1}.");
            for (int j = 0; j < features; j++)
                X[i * features + j] = (float)rows[i][j];
            Y[i] = (float)rows[i][features];
        }
        return (X, Y, m, features);
    }

    /// <summary>The planar flower set: 400 samples, X 400 × 2 (rows are samples), Y 400 × 1.</summary>
    public static (float[] X, float[] Y, int M) Flower()
    {
        var (X, Y, m, features) = ReadFeaturesAndLabel("flower/flower.csv");
        if (features != 2)
            throw new InvalidDataException($"flower.csv has {features} features, expected 2.");
        return (X, Y, m);
    }

    /// <summary>Copies a weight file into a generated <c>W[l]</c> view, checking the shape first.</summary>
    public static void CopyMatrixInto(string relative, Span<float> destination, int rows, int columns)
    {
        var (values, r, c) = ReadMatrix(relative);
        if (r != rows || c != columns)
            throw new InvalidDataException($"{relative} is {r} × {c}, expected {rows} × {columns}.");
        if (destination.Length != values.Length)
            throw new InvalidDataException($"{relative}: the destination holds {destination.Length} floats, the file {values.Length}.");
        for (int i = 0; i < values.Length; i++)
            destination[i] = (float)values[i];
    }
}
