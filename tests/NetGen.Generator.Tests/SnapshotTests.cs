using System;
using System.Linq;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generated source of representative networks, compared with Snapshots/*.g.cs. Each also has to compile with no
/// warning or error. To accept a deliberate change of the emitter: NETGEN_ACCEPT=1 dotnet test tests/NetGen.Generator.Tests.
/// </summary>
public class SnapshotTests
{
    /// <summary>The notes' shallow network: n = [3, 4, 1], tanh hidden layer, sigmoid output, binary cross-entropy.</summary>
    [Fact]
    public void ShallowNet_3_4_1_Tanh_Sigmoid_Bce() => Verify("Samples.ShallowNet", """
        using NetGen;

        namespace Samples;

        /// <summary>The notes' shallow network.</summary>
        [Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal, InitScale = 0.01f, Seed = 2)]
        [Input(3)]
        [Dense(4, Activation.Tanh)]
        [Dense(1, Activation.Sigmoid)]
        public partial class ShallowNet;
        """);

    /// <summary>The notes' deep network: n = [3, 5, 5, 3, 1], ReLU hidden layers, sigmoid output.</summary>
    [Fact]
    public void DeepNet_3_5_5_3_1_Relu_Sigmoid() => Verify("Samples.DeepNet", """
        using NetGen;

        namespace Samples;

        /// <summary>The notes' deep network.</summary>
        [Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 1)]
        [Input(3)]
        [Dense(5, Activation.Relu)]
        [Dense(5, Activation.Relu)]
        [Dense(3, Activation.Relu)]
        [Dense(1, Activation.Sigmoid)]
        public partial class DeepNet;
        """);

    /// <summary>A softmax classifier: 4 → 8 (ReLU) → 3 (softmax), cross-entropy; block namespace.</summary>
    [Fact]
    public void SoftmaxClassifier_4_8_3() => Verify("Samples.Classifiers.IrisClassifier", """
        using NetGen;

        namespace Samples.Classifiers
        {
            /// <summary>Three classes from four features.</summary>
            [Network(Loss = Loss.CrossEntropy, Init = Init.Glorot, Seed = 42)]
            [Input(4)]
            [Dense(8, Activation.Relu)]
            [Dense(3, Activation.Softmax)]
            internal partial class IrisClassifier { }
        }
        """);

    /// <summary>The benchmarks' net C, 784 → 128 (ReLU) → 10 (softmax): a wide layer with samples as rows, whose Frozen
    /// form packs W1ᵀ once (the softmax layer keeps its fused kernel).</summary>
    [Fact]
    public void NetC_784_128_10_Wide_Frozen_packs_once() => Verify("Samples.NetC", """
        using NetGen;

        namespace Samples;

        /// <summary>Ten digits from 28 × 28 pixels.</summary>
        [Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 3)]
        [Input(784)]
        [Dense(128, Activation.Relu)]
        [Dense(10, Activation.Softmax)]
        public partial class NetC;
        """);

    /// <summary>The LeNet-5 of issue 14: conv (same) → max pool → conv → max pool → 120 → 84 → 10; every shape in the
    /// table, the conv and pool layers' passes with their formulas, and the workspace's scratch.</summary>
    [Fact]
    public void LeNet5_Conv_Pool_Dense() => Verify("Samples.LeNet5", """
        using NetGen;

        namespace Samples;

        /// <summary>Ten digits from 28 × 28 pixels, convolved.</summary>
        [Network(Loss = Loss.CrossEntropy, Init = Init.He)]
        [Input(28, 28, 1)]
        [Conv2D(6, 5, Activation.Relu, Padding = Padding.Same)]
        [MaxPool(2)]
        [Conv2D(16, 5, Activation.Relu)]
        [MaxPool(2)]
        [Dense(120, Activation.Relu)]
        [Dense(84, Activation.Relu)]
        [Dense(10, Activation.Softmax)]
        public partial class LeNet5;
        """);

    /// <summary>A regression network: 8 → 16 (tanh) → 1 (linear), mean squared error; global namespace.</summary>
    [Fact]
    public void Regression_8_16_1_Tanh_Linear_Mse() => Verify("HousePrice", """
        using NetGen;

        /// <summary>One price from eight features.</summary>
        [Network(Loss = Loss.MeanSquaredError, Init = Init.LeCun, Seed = 7)]
        [Input(8)]
        [Dense(16, Activation.Tanh)]
        [Dense(1, Activation.Linear)]
        public partial class HousePrice;
        """);

    /// <summary>Leaky ReLU with its own slope, a per-layer Init override and an image-shaped input (8 × 8 × 1 = 64).</summary>
    [Fact]
    public void LeakyRelu_ImageInput_InitOverride() => Verify("Samples.Vision.TinyImageNet", """
        using NetGen;

        namespace Samples.Vision;

        /// <summary>An 8 × 8 grey image in, a cat/not-cat probability out.</summary>
        [Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 5)]
        [Input(8, 8, 1)]
        [Dense(16, Activation.LeakyRelu, LeakySlope = 0.2f)]
        [Dense(8, Activation.LeakyRelu, Init = Init.Glorot)]
        [Dense(1, Activation.Sigmoid, Init = Init.LeCun, Inputs = 8)]
        public sealed partial class TinyImageNet;
        """);

    /// <summary>DESIGN.md §1's network: dropout on a hidden layer and an L2 penalty woven into the passes.</summary>
    [Fact]
    public void FootballNet_Dropout_L2() => Verify("Samples.FootballNet", """
        using NetGen;

        namespace Samples;

        /// <summary>Where the goalkeeper should kick the ball.</summary>
        [Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
        [Input(2)]
        [Dense(20, Activation.Relu)]
        [Dropout(0.86f)]
        [Dense(3, Activation.Relu)]
        [Dense(1, Activation.Sigmoid)]
        [L2(0.7f)]
        public partial class FootballNet;
        """);

    /// <summary>
    /// Regularization costs nothing where it is not declared: the networks without [L2], [L1] or [Dropout] carry no
    /// trace of them, while the football network (dropout and L2) shows each of these marks — so the check can fail.
    /// </summary>
    [Fact]
    public void Networks_without_regularization_have_no_trace_of_it()
    {
        string[] marks = { "Dropout", "keepMasks", "_dropoutRng", "bool training", "L2Gradient", "L1Gradient", "SumOfSquares", "SumOfMagnitudes", "λ", "D1" };
        foreach (string plain in new[] { "Samples.ShallowNet", "Samples.DeepNet", "Samples.Classifiers.IrisClassifier", "HousePrice", "Samples.Vision.TinyImageNet" })
        {
            string text = SnapshotAssert.Read(plain);
            foreach (string mark in marks)
                Assert.False(text.Contains(mark, StringComparison.Ordinal), plain + " contains '" + mark + "' but declares no regularization.");
        }
        string football = SnapshotAssert.Read("Samples.FootballNet");
        foreach (string mark in new[] { "Dropout", "keepMasks", "_dropoutRng", "bool training", "L2Gradient", "SumOfSquares", "λ", "D1" })
            Assert.True(football.Contains(mark, StringComparison.Ordinal), "Samples.FootballNet lacks '" + mark + "'.");
    }

    /// <summary>Both files of the network, each compared with its snapshot: Name.g.cs (the notes' passes, the public
    /// API, the workspace) and Name.Fast.g.cs (what exists only for speed).</summary>
    private static void Verify(string fullName, string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertGeneratorDidNotFail();
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "Unexpected generator diagnostics:" + Environment.NewLine + GeneratorRun.Describe(run.GeneratorDiagnostics));

        Assert.Equal(new[] { fullName + ".Fast.g.cs", fullName + ".g.cs" },
            run.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
        var problems = run.OutputProblems();
        Assert.True(problems.Count == 0, "The output compilation has warnings or errors:" + Environment.NewLine + GeneratorRun.Describe(problems));

        foreach (string name in new[] { fullName, fullName + ".Fast" })
        {
            string text = run.Source(name + ".g.cs");
            Assert.StartsWith("// <auto-generated/>", text, StringComparison.Ordinal);
            SnapshotAssert.Matches(name, text);
        }
    }

    /// <summary>
    /// The main file reads as the notes do: the layers' forward and backward passes, then the public API, and no
    /// speed-only member; the fast file holds those — the one-sample forwards, and the AVX-512 path where the network
    /// fits it — and nothing of training.
    /// </summary>
    [Fact]
    public void The_speed_only_code_is_in_the_fast_file_alone()
    {
        foreach (string name in new[] { "Samples.ShallowNet", "Samples.DeepNet", "Samples.Classifiers.IrisClassifier", "HousePrice",
                                        "Samples.Vision.TinyImageNet", "Samples.FootballNet" })
        {
            string main = SnapshotAssert.Read(name), fast = SnapshotAssert.Read(name + ".Fast");
            foreach (string speedOnly in new[] { "ForwardOne(ReadOnlySpan p", "private void PredictInRegisters(", "InRegisters.Load(" })
                Assert.False(main.Contains(speedOnly, StringComparison.Ordinal), name + ".g.cs contains '" + speedOnly + "'.");
            foreach (string passes in new[] { "Backward(", "TrainStep", "Workspace(", "\n    public " })
                Assert.False(fast.Contains(passes, StringComparison.Ordinal), name + ".Fast.g.cs contains '" + passes + "'.");
            Assert.Contains("private static void Layer1ForwardOne(ReadOnlySpan p", fast, StringComparison.Ordinal);
            // Predict, in the main file, still calls the fast path.
            Assert.Contains("Layer1ForwardOne(p, x, ", main, StringComparison.Ordinal);
        }
        // Networks of at most 32 units a layer predict in registers; HousePrice (8 → 16 → 1) does too, TinyImageNet (64
        // inputs) does not: the check above would pass vacuously if no snapshot had the register path.
        Assert.Contains("private void PredictInRegisters(", SnapshotAssert.Read("Samples.FootballNet.Fast"), StringComparison.Ordinal);
        Assert.Contains("PredictInRegisters(x, y);", SnapshotAssert.Read("Samples.FootballNet"), StringComparison.Ordinal);
        Assert.DoesNotContain("PredictInRegisters", SnapshotAssert.Read("Samples.Vision.TinyImageNet.Fast"), StringComparison.Ordinal);
    }

    /// <summary>A learner reads the snapshots without scrolling sideways: no line is longer than 120 characters.</summary>
    [Fact]
    public void Every_snapshot_line_is_at_most_120_characters()
    {
        string[] files = System.IO.Directory.GetFiles(SnapshotAssert.SnapshotDirectory, "*.g.cs");
        // Both files of each of the 6 networks: the main one and the fast one.
        Assert.True(files.Length >= 12, "Expected the 12 snapshots, found " + files.Length + ".");
        Assert.Equal(files.Length / 2, files.Count(f => f.EndsWith(".Fast.g.cs", StringComparison.Ordinal)));
        var longLines = new System.Collections.Generic.List<string>();
        foreach (string file in files)
        {
            string[] lines = System.IO.File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Length > 120)
                    longLines.Add(System.IO.Path.GetFileName(file) + ":" + (i + 1) + " (" + lines[i].Length + "): " + lines[i].Trim());
        }
        Assert.True(longLines.Count == 0, longLines.Count + " lines longer than 120:" + Environment.NewLine + string.Join(Environment.NewLine, longLines));
    }
    /// <summary>The README's excerpts of generated code (the section "Looking at the generated code") are the
    /// generator's real output: every line of them, spaces aside, is a line or a run of lines of a snapshot.</summary>
    [Fact]
    public void The_README_excerpts_of_generated_code_are_in_the_snapshots()
    {
        string readme = System.IO.Path.GetFullPath(System.IO.Path.Combine(SnapshotAssert.SnapshotDirectory, "..", "..", "..",
            "README.md"));
        string text = SnapshotAssert.Normalize(System.IO.File.ReadAllText(readme));
        int start = text.IndexOf("## Looking at the generated code", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no section 'Looking at the generated code'");
        int end = text.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        string section = text.Substring(start, (end < 0 ? text.Length : end) - start);

        static string Squeeze(string s) => System.Text.RegularExpressions.Regex.Replace(s, @"\s+", " ").Trim();
        string snapshots = Squeeze(string.Join("\n", System.IO.Directory.GetFiles(SnapshotAssert.SnapshotDirectory, "*.g.cs")
            .Select(System.IO.File.ReadAllText)));
        var blocks = System.Text.RegularExpressions.Regex.Matches(section, "```csharp excerpt\n(.*?)```",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(blocks.Count >= 3, "Expected the table, a backward and the register path, found " + blocks.Count + " excerpts.");
        var missing = blocks.SelectMany(b => b.Groups[1].Value.Split('\n'))
            .Select(Squeeze).Where(line => line.Length > 0 && !snapshots.Contains(line, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "README lines not in any snapshot:" + Environment.NewLine + string.Join(Environment.NewLine, missing));
    }
}
