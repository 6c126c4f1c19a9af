using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>Issue 11's "done when", from a consumer of the packed package (Consumers/ReliabilityApp, on iris).</summary>
public sealed partial class PackageConsumerTests
{
    [Fact]
    public void Reliability_consumer_survives_divergence_refuses_NaN_counts_like_a_hand_and_keeps_its_scaling()
    {
        string app = _fixture.CreateConsumer("ReliabilityApp");
        string data = Path.Combine(app, "data");
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(_fixture.RepoRoot, "data", "sklearn", "iris.csv"), Path.Combine(data, "iris.csv"));

        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The reliability consumer did not build.\n" + build.Describe());

        // The class with layer attributes but no [Network] gets NG0004 on its own line, and nothing else from NetGen.
        string[] source = File.ReadAllLines(Path.Combine(app, "Program.cs"));
        int line = Array.FindIndex(source, l => l.Contains("partial class Forgotten", StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, "Program.cs has no 'partial class Forgotten'");
        Assert.True(Regex.IsMatch(build.Output, $@"Program\.cs\({line},\d+\): warning NG0004"),
            $"The build did not report NG0004 at Program.cs line {line}.\n" + build.Describe());
        Assert.False(Regex.IsMatch(build.Output, @"(warning|error) (NG0(?!004)\d{3}|NG[1-9]\d{3}|CS8784|CS8785)"),
            "The reliability consumer's build reported another NetGen diagnostic or a generator failure.\n" + build.Describe());

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, "The reliability consumer failed.\n" + run.Describe());
        Assert.Contains("done", run.Output);
        _output.WriteLine(run.Output);

        Dictionary<string, string> lines = ParseReport(run.Output);
        var problems = new List<string>();
        void Expect(string key, string expected)
        {
            if (!lines.TryGetValue(key, out string? text))
                problems.Add($"no '{key} …' line");
            else if (text != expected)
                problems.Add($"{key}: '{text}', expected '{expected}'");
        }

        foreach (string optimizer in new[] { "GradientDescent", "Momentum", "Adam" })
            foreach (string stopping in new[] { "plain", "early-stopping" })
            {
                string key = $"diverged {optimizer} {stopping}";
                Expect($"{key} exception", "TrainingDivergedException");
                // At 1e30 the first steps already overflow: epoch 1, so the parameters Fit was given come back.
                Expect($"{key} epoch", "1");
                Expect($"{key} finite", "True");
                Expect($"{key} as given", "True");
                if (lines.TryGetValue($"{key} step", out string? step) && !(int.TryParse(step, out int s) && s >= 1))
                    problems.Add($"{key} step: '{step}', expected a step ≥ 1");
            }

        Expect("nan exception", "ArgumentException");
        string? nanLine = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("nan message ", StringComparison.Ordinal));
        if (nanLine is null || !nanLine.Contains("sample 2", StringComparison.Ordinal) || !nanLine.Contains("column 3", StringComparison.Ordinal))
            problems.Add($"the NaN's message must name sample 2 and column 3: '{nanLine}'");

        Expect("confusion equal", "True");
        Expect("confusion total", "30");
        if (lines.GetValueOrDefault("accuracy metrics") is not string metrics || metrics != lines.GetValueOrDefault("accuracy hand"))
            problems.Add($"Metrics.Accuracy {lines.GetValueOrDefault("accuracy metrics")} ≠ hand count {lines.GetValueOrDefault("accuracy hand")}");
        else if (!(double.Parse(metrics, CultureInfo.InvariantCulture) >= 0.8))
            problems.Add($"test accuracy {metrics} is below 0.8: the model did not train");

        foreach (string format in new[] { "ngp", "safetensors" })
        {
            Expect($"scaling {format} loaded", "True");
            Expect($"scaling {format} differing bits", "0");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + run.Output);
    }
}
