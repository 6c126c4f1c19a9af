using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>
/// Issue 14's "Done when", from a consumer of the packed package (Consumers/LeNetApp): it declares the issue's LeNet-5
/// word for word, builds with every warning an error, every analyzer rule and XML docs on (the generated conv code must
/// add no warning), trains it on 64 seeded synthetic images whose class is the brightest quadrant, checks
/// ComputeGradients of every layer with parameters against differences of Cost, and measures Predict and TrainStep
/// allocating 0 B after warm-up. The shape faults (NG0112–NG0117) are in Consumers/FaultyApp, checked by
/// <see cref="Faulty_consumer_fails_to_build_at_each_attribute_at_fault"/>.
/// </summary>
public sealed partial class PackageConsumerTests
{
    /// <summary>The gradient tolerance. The consumer has only float32 Cost (near 2.6, one ulp 2.4e-7), and its one-sided
    /// differences over h = 1e-3 move in steps of 2.4e-4: the absolute floor is two such steps. The relative part, 1 %,
    /// covers the curvature over h. The cost is only piecewise smooth (ReLU, max pool), so where a step crosses a switch
    /// the two one-sided slopes differ and the gradient is one of them (or between): it must lie in the interval they
    /// span, widened by the tolerance. Measured at the seeded start: the largest miss 2.4e-4 (layer 3's largest W).</summary>
    const double GradientFloor = 5e-4, GradientRelative = 1e-2;

    static readonly Regex GradLine = new(
        @"^grad (?<layer>\d+) (?<what>[Wb]) (?<index>\d+) (?<g>\S+) (?<right>\S+) (?<left>\S+)$", RegexOptions.Multiline);

    static bool GradientAgrees(double g, double right, double left)
    {
        double tolerance = GradientRelative * Math.Abs(g) + GradientFloor;
        return g >= Math.Min(right, left) - tolerance && g <= Math.Max(right, left) + tolerance;
    }

    [Fact]
    public void LeNet5_consumer_trains_matches_finite_differences_and_allocates_nothing()
    {
        string app = _fixture.CreateConsumer("LeNetApp");
        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The LeNet-5 consumer did not build (warnings are errors there).\n"
            + build.Describe());
        Assert.True(!Regex.IsMatch(build.Output, @"(warning|error) (NG\d{4}|CS8784|CS8785)"),
            "The LeNet-5 consumer's build reported a NetGen diagnostic or a generator failure.\n" + build.Describe());

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, "The LeNet-5 consumer failed.\n" + run.Describe());
        Assert.Contains("done", run.Output);
        string output = run.Output.Replace("\r", "", StringComparison.Ordinal);
        Dictionary<string, string> report = ParseReport(output);
        var problems = new List<string>();

        // The label is read from the pixels; the patch was drawn in each quadrant in turn, so 16 of each.
        Assert.Contains("classes 16 16 16 16\n", output, StringComparison.Ordinal);

        // Gradients: every layer with parameters (conv 1, conv 3, dense 5, 6, 7; the pools 2 and 4 have none),
        // four entries each, the first of them the largest |∂J/∂W| of the layer.
        MatchCollection grads = GradLine.Matches(output);
        int[] layers = grads.Select(m => int.Parse(m.Groups["layer"].Value, CultureInfo.InvariantCulture))
            .Distinct().ToArray();
        Assert.Equal(new[] { 1, 3, 5, 6, 7 }, layers);
        Assert.Equal(20, grads.Count);
        foreach (Match m in grads)
        {
            double g = Parse(m, "g"), right = Parse(m, "right"), left = Parse(m, "left");
            string where = $"layer {m.Groups["layer"].Value} {m.Groups["what"].Value}[{m.Groups["index"].Value}]";
            if (!GradientAgrees(g, right, left))
                problems.Add($"{where}: ComputeGradients {g}, one-sided differences of Cost {right} and {left}");
        }
        // The check has teeth in every layer: at each layer's largest W entry the two slopes agree (no switch crossed),
        // the gradient is not small, and the same gradient 5 % off would be refused.
        foreach (int layer in layers)
        {
            Match largest = grads.First(m => m.Groups["layer"].Value == layer.ToString(CultureInfo.InvariantCulture));
            double g = Parse(largest, "g"), right = Parse(largest, "right"), left = Parse(largest, "left");
            if (Math.Abs(g) < 0.1 || Math.Abs(right - left) > 0.01 * Math.Abs(g))
                problems.Add($"layer {layer}'s largest W gradient {g} (slopes {right}, {left}) does not test much");
            if (GradientAgrees(g * 1.05, right, left) || GradientAgrees(g * 0.95, right, left))
                problems.Add($"layer {layer}: a gradient 5 % off ({g * 1.05}) would pass the check");
        }

        // Training: 60 full-batch TrainStep at α = 0.05 from the seeded He start took Cost from 2.626 to 0.0019 and
        // every image to its class (measured); the bound leaves 10× room for another instruction set's rounding.
        double start = double.Parse(report["cost start"], CultureInfo.InvariantCulture);
        double end = double.Parse(report["cost end"], CultureInfo.InvariantCulture);
        if (!(start > 2.0 && end < 0.02))
            problems.Add($"Cost went from {start} to {end}; expected from above 2 (ln 10 = 2.30 at a random start) " +
                         "to below 0.02");
        if (report["accuracy"] != "100")
            problems.Add($"training accuracy {report["accuracy"]} %, expected 100 %");

        foreach (string what in new[] { "predict", "trainstep" })
        {
            if (!report.TryGetValue($"allocated {what}", out string? bytes))
                problems.Add($"no 'allocated {what}' line");
            else if (bytes != "0")
                problems.Add($"{what} allocated {bytes} bytes after warm-up (expected 0)");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + run.Describe());

        static double Parse(Match m, string group) =>
            double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
    }
}
