using System;
using System.Collections.Generic;
using ScottPlot;

namespace NetGen.Demo;

/// <summary>The demo's PNG plots (ScottPlot 5): cost curves and, for 2-D inputs, the decision boundary over the points.</summary>
internal static class Plots
{
    private const int Width = 800, Height = 600;

    private static readonly Color Class0 = Color.FromHex("#d62728"); // red: y = 0
    private static readonly Color Class1 = Color.FromHex("#1f77b4"); // blue: y = 1

    /// <summary>One line of a cost plot.</summary>
    public sealed record Curve(string Name, double[] X, double[] Y);

    /// <summary>Cost (y) against iterations or epochs (x), one line per curve, with an optional vertical marker.</summary>
    public static void Costs(string path, string title, string xLabel, IReadOnlyList<Curve> curves, double? marker = null, string? markerText = null)
    {
        var plot = new Plot();
        foreach (var curve in curves)
        {
            var line = plot.Add.ScatterLine(curve.X, curve.Y);
            line.LegendText = curve.Name;
            line.LineWidth = 2;
        }
        if (marker is double at)
        {
            var v = plot.Add.VerticalLine(at);
            v.LinePattern = LinePattern.Dashed;
            v.Color = Colors.Gray;
            if (markerText != null) v.LegendText = markerText;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("cost J");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>
    /// The net's output P(y = 1 | x) over a grid covering the points, as a red (0) to blue (1) background with the 0.5
    /// boundary where the colours meet, and the points on top coloured by their class.
    /// </summary>
    public static void DecisionBoundary(string path, string title, INetwork net, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int m)
    {
        if (net.InputSize != 2 || net.OutputSize != 1)
            throw new ArgumentException($"a decision boundary needs 2 inputs and 1 output, not {net.Architecture}.");

        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < m; i++)
        {
            xMin = Math.Min(xMin, x[2 * i]); xMax = Math.Max(xMax, x[2 * i]);
            yMin = Math.Min(yMin, x[2 * i + 1]); yMax = Math.Max(yMax, x[2 * i + 1]);
        }
        double padX = 0.08 * (xMax - xMin), padY = 0.08 * (yMax - yMin);
        xMin -= padX; xMax += padX; yMin -= padY; yMax += padY;

        // The grid: row r is y from the top (yMax) down, column c is x from the left; cell centres.
        const int columns = 240, rows = 180;
        var grid = new float[rows * columns * 2];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                int k = r * columns + c;
                grid[2 * k] = (float)(xMin + (c + 0.5) * (xMax - xMin) / columns);
                grid[2 * k + 1] = (float)(yMax - (r + 0.5) * (yMax - yMin) / rows);
            }
        var output = new float[rows * columns];
        net.PredictBatch(grid, output, rows * columns);
        var intensities = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                intensities[r, c] = output[r * columns + c];

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Extent = new CoordinateRect(xMin, xMax, yMin, yMax);
        heatmap.Colormap = new Boundary();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);

        var x0 = new List<double>(); var y0 = new List<double>();
        var x1 = new List<double>(); var y1 = new List<double>();
        for (int i = 0; i < m; i++)
        {
            bool one = y[i] > 0.5f;
            (one ? x1 : x0).Add(x[2 * i]);
            (one ? y1 : y0).Add(x[2 * i + 1]);
        }
        AddPoints(plot, x0, y0, Class0, "y = 0");
        AddPoints(plot, x1, y1, Class1, "y = 1");

        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        plot.Title(title);
        plot.XLabel("x1");
        plot.YLabel("x2");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>One misclassified image: its pixels (row by row, 0 = background, 1 = full ink) and both labels.</summary>
    public sealed record Mistake(float[] Pixels, int True, int Predicted);

    /// <summary>
    /// The misclassified images in a grid, <paramref name="columns"/> to a row, each drawn dark ink on white with
    /// "true → predicted" above it.
    /// </summary>
    public static void ImageGrid(string path, string title, IReadOnlyList<Mistake> mistakes, int height, int width,
        int columns = 8)
    {
        const int cellPixels = 90; // screen pixels across one image and the gap beside it
        columns = Math.Max(1, Math.Min(columns, mistakes.Count));
        int rows = Math.Max(1, (mistakes.Count + columns - 1) / columns);
        // Plot units: an image is width × height; a gap of one unit beside it and three above it for its label.
        double cellWidth = width + 1, cellHeight = height + 3;
        var plot = new Plot();
        for (int k = 0; k < mistakes.Count; k++)
        {
            var mistake = mistakes[k];
            if (mistake.Pixels.Length != height * width)
                throw new ArgumentException(
                    $"image {k} has {mistake.Pixels.Length} pixels, expected {height} × {width}.", nameof(mistakes));
            var intensities = new double[height, width];
            for (int r = 0; r < height; r++)
                for (int c = 0; c < width; c++)
                    intensities[r, c] = mistake.Pixels[r * width + c];
            double left = (k % columns) * cellWidth, top = -(k / columns) * cellHeight - 2.5;
            var heatmap = plot.Add.Heatmap(intensities);
            heatmap.Extent = new CoordinateRect(left, left + width, top - height, top);
            heatmap.Colormap = new Ink();
            heatmap.ManualRange = new ScottPlot.Range(0, 1);
            var label = plot.Add.Text($"{mistake.True} → {mistake.Predicted}", left + width / 2.0, top + 0.3);
            label.LabelFontSize = 18;
            label.LabelAlignment = Alignment.LowerCenter;
            label.LabelFontColor = Class0;
        }
        plot.Axes.SetLimits(-1, columns * cellWidth, -rows * cellHeight - 0.5, 0.5);
        plot.Axes.SquareUnits(); // square pixels: the limits grow along one axis to fit the picture
        plot.Axes.Frameless();
        plot.HideGrid();
        plot.Title(title);
        plot.SavePng(path, Math.Max(640, columns * cellPixels + 40), rows * cellPixels * (height + 3) / width + 80);
    }

    /// <summary>0 → white, 1 → black: ink on paper.</summary>
    private sealed class Ink : IColormap
    {
        public string Name => "ink";

        public Color GetColor(double position)
        {
            if (double.IsNaN(position)) return Colors.White;
            return Colors.White.MixedWith(Colors.Black, Math.Clamp(position, 0, 1));
        }
    }

    private static void AddPoints(Plot plot, List<double> xs, List<double> ys, Color color, string name)
    {
        var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, 6, color);
        markers.MarkerLineColor = Colors.Black;
        markers.MarkerLineWidth = 0.6f;
        markers.LegendText = name;
    }

    /// <summary>P(y = 1) from 0 to 1 as pale red → (nearly white at 0.5) → pale blue: the boundary P = 0.5 is where
    /// the two colours meet.</summary>
    private sealed class Boundary : IColormap
    {
        private static readonly Color Pale0 = Color.FromHex("#f4b6b6"), Pale1 = Color.FromHex("#b3cde8");

        public string Name => "boundary";

        public Color GetColor(double position)
        {
            if (double.IsNaN(position)) return Colors.White;
            position = Math.Clamp(position, 0, 1);
            // Saturated at the ends, washing out toward 0.5 only in the last stretch, so both regions read clearly.
            double strength = Math.Min(1, Math.Abs(position - 0.5) * 4 + 0.35);
            return position < 0.5 ? Colors.White.MixedWith(Pale0, strength) : Colors.White.MixedWith(Pale1, strength);
        }
    }
}
