using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using static NetGen.Generator.Tests.SafetensorsBytes;

namespace NetGen.Generator.Tests;

/// <summary>
/// [Weights] (issue 13): a safetensors file, carried to the generator as the package's build step does (a text
/// additional file with the weights file's path as metadata), is checked against the declaration and compiled in.
/// </summary>
public class WeightsTests
{
    private const string Declared = "models/net.safetensors";

    /// <summary>3 → 4 (ReLU) → 2 (softmax), as a PyTorch nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)) saves it.</summary>
    private static string Source(string weights = "[Weights(\"" + Declared + "\")]") =>
        "using NetGen;\n\nnamespace Tests;\n\n[Network(Loss = Loss.CrossEntropy)]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n" +
        "[Dense(2, Activation.Softmax)]\n" + weights + "\npublic partial class Net;\n";

    // Values a hand can check; the bias of layer 1 is F16 (0.1 is not a half: it becomes 0.0999755859375).
    private static readonly float[] W1 = { 0.5f, -0.25f, 0.125f, -0.75f, 0.3f, 0.2f, 0.1f, -0.4f, 0.6f, 0.05f, 0.9f, -0.35f };
    private static readonly float[] B1Half = { 0.1f, -0.5f, 0.25f, 0f };
    private static readonly float[] W2 = { 0.7f, -0.2f, 0.4f, 0.15f, -0.6f, 0.33f, -0.1f, 0.8f };
    private static readonly float[] B2 = { 0.05f, -0.05f };

    private static byte[] SequentialFile(float[]? w1 = null, bool withOptimizerState = true)
    {
        var tensors = new List<Tensor>
        {
            F32("0.weight", new long[] { 4, 3 }, w1 ?? W1),
            F16("0.bias", new long[] { 4 }, B1Half),
            F32("2.weight", new long[] { 2, 4 }, W2),
            F32("2.bias", new long[] { 2 }, B2),
        };
        if (withOptimizerState) tensors.Add(F32("optimizer.step", new long[] { 1 }, 7f));
        return Write(tensors.ToArray());
    }

    private static WeightsProject Project(byte[]? file)
    {
        var project = new WeightsProject();
        project.Files[Declared] = file;
        return project;
    }

    /// <summary>The float64 reference: softmax(W2·relu(W1·x + b1) + b2), from the values as float32 holds them.</summary>
    private static double[] Reference(float[] x, float[] w1)
    {
        double[] b1 = B1Half.Select(v => (double)(float)(Half)v).ToArray();
        var a1 = new double[4];
        for (int j = 0; j < 4; j++)
        {
            double z = b1[j];
            for (int k = 0; k < 3; k++) z += (double)w1[j * 3 + k] * x[k];
            a1[j] = Math.Max(0, z);
        }
        var z2 = new double[2];
        for (int j = 0; j < 2; j++)
        {
            z2[j] = B2[j];
            for (int k = 0; k < 4; k++) z2[j] += (double)W2[j * 4 + k] * a1[k];
        }
        double max = z2.Max(), sum = z2.Sum(z => Math.Exp(z - max));
        return z2.Select(z => Math.Exp(z - max) / sum).ToArray();
    }

    private static readonly float[][] Inputs = { new[] { 1f, 2f, 3f }, new[] { -1f, 0.5f, 0f }, new[] { 0.25f, -2f, 4f } };

    [Fact]
    public void A_PyTorch_sequential_file_with_an_F16_tensor_is_compiled_in_and_new_Net_predicts_from_it()
    {
        GeneratorRun run = Project(SequentialFile()).Run(Source());
        run.AssertGeneratorDidNotFail();

        // The optimizer's tensor is the one warning, on the [Weights] line.
        Diagnostic unused = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("NG0506", DiagnosticSeverity.Warning), (unused.Id, unused.Severity));
        Assert.StartsWith("Weights(", run.SpanText(unused), StringComparison.Ordinal);
        Assert.Contains("net.safetensors holds 1 tensor that 'Net' does not use", unused.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("optimizer.step F32 [1]", unused.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.OutputProblems());

        // A third part, with lines of at most 120 characters, each float written so that it reads back exactly.
        Assert.Contains("Tests.Net.Weights.g.cs", run.HintNames);
        string weights = run.Source("Tests.Net.Weights.g.cs");
        Assert.All(weights.Split('\n'), line => Assert.True(line.Length <= 120, line));
        Assert.Contains("private static global::System.ReadOnlySpan<float> PretrainedParameters =>", weights, StringComparison.Ordinal);
        Assert.Contains("// b1: 4, from 0.bias (F16)", weights, StringComparison.Ordinal);

        INetwork Create(Assembly assembly, params object[] arguments)
            => (INetwork)Activator.CreateInstance(assembly.GetType("Tests.Net")!, arguments)!;
        WithAssembly(run, assembly =>
        {
            INetwork net = Create(assembly);
            float[] expected = W1.Concat(B1Half.Select(v => (float)(Half)v)).Concat(W2).Concat(B2).ToArray();
            Assert.Equal(expected, net.Parameters.ToArray()); // bit for bit: W1, b1, W2, b2
            foreach (float[] x in Inputs)
            {
                var y = new float[2];
                net.Predict(x, y);
                double[] reference = Reference(x, W1);
                for (int j = 0; j < 2; j++) Assert.True(Math.Abs(y[j] - reference[j]) <= 1e-5, $"y[{j}] = {y[j]}, reference {reference[j]}");
            }
            // The seeded constructor still draws; the pretrained one stays trainable, and training one instance leaves
            // the compiled-in data (and so the next instance) as it was.
            Assert.NotEqual(expected, Create(assembly, 5UL).Parameters.ToArray());
            net.TrainStep(Inputs[0], new float[] { 1f, 0f }, 1, 0.5f);
            Assert.NotEqual(expected, net.Parameters.ToArray());
            Assert.Equal(expected, Create(assembly).Parameters.ToArray());
        });
    }

    /// <summary>Calls Net.Pretrained from inside the compiled assembly (reflection cannot pass spans).</summary>
    private const string PretrainedProbe = "namespace Tests;\n\ninternal static class Probe\n{\n" +
        "    public static object Pretrained() => Net.Pretrained;\n" +
        "    public static float[] Predict(float[] x) { var y = new float[2]; Net.Pretrained.Predict(x, y); return y; }\n" +
        "    public static float[] PredictBatch(float[] X, int m)\n" +
        "    { var Y = new float[2 * m]; Net.Pretrained.PredictBatch(X, Y, m); return Y; }\n" +
        "    public static float[] NetPredictBatch(float[] X, int m)\n" +
        "    { var Y = new float[2 * m]; new Net().PredictBatch(X, Y, m); return Y; }\n}\n";

    [Fact]
    public void Pretrained_is_the_frozen_snapshot_of_the_compiled_in_weights_built_once()
    {
        GeneratorRun run = Project(SequentialFile()).Run(Source(), PretrainedProbe);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.OutputProblems());
        Assert.Contains("new(static () => new Frozen(PretrainedParameters));", run.Source("Tests.Net.Weights.g.cs"),
            StringComparison.Ordinal);
        WithAssembly(run, assembly =>
        {
            Type probe = assembly.GetType("Tests.Probe")!;
            object? Call(string name, params object[] arguments) => probe.GetMethod(name)!.Invoke(null, arguments);

            // One snapshot, whichever thread asks first: 8 threads at once see the same instance.
            var seen = new object?[8];
            System.Threading.Tasks.Parallel.For(0, seen.Length, i => seen[i] = Call("Pretrained"));
            Assert.All(seen, s => Assert.Same(seen[0], s));
            Assert.Equal("Frozen", seen[0]!.GetType().Name);

            // Its predictions are the file's network: the float64 reference within 1e-5, and new Net()'s batch exactly.
            foreach (float[] x in Inputs)
            {
                var y = (float[])Call("Predict", x)!;
                double[] reference = Reference(x, W1);
                for (int j = 0; j < 2; j++)
                    Assert.True(Math.Abs(y[j] - reference[j]) <= 1e-5, $"y[{j}] = {y[j]}, reference {reference[j]}");
            }
            float[] X = Inputs.SelectMany(x => x).ToArray();
            Assert.Equal((float[])Call("NetPredictBatch", X, 3)!, (float[])Call("PredictBatch", X, 3)!);
        });
    }

    [Fact]
    public void An_input_scaling_saved_with_the_weights_is_compiled_in_as_a_Standardizer()
    {
        // SaveSafetensors(path, scaling) writes μ and σ as F64 tensors beside the layers: they are not unused
        // tensors, they become PretrainedScaling, exactly (G17 literals read back to the same doubles).
        double[] mean = { 0.1, -2.5e-7, 1234.5678901234567 }, deviation = { 1.0 / 3.0, 2.0, 1e-3 };
        byte[] file = Write(F64("scaling.mean", new long[] { 3 }, mean), F64("scaling.deviation", new long[] { 3 }, deviation),
            F32("layers.0.weight", new long[] { 4, 3 }, W1), F32("layers.0.bias", new long[] { 4 }, 0, 0, 0, 0),
            F32("layers.1.weight", new long[] { 2, 4 }, W2), F32("layers.1.bias", new long[] { 2 }, B2));
        GeneratorRun run = Project(file).Run(Source());
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputProblems());
        string weights = run.Source("Tests.Net.Weights.g.cs");
        Assert.All(weights.Split('\n'), line => Assert.True(line.Length <= 120, line));
        WithAssembly(run, assembly =>
        {
            var scaling = (Standardizer)assembly.GetType("Tests.Net")!.GetProperty("PretrainedScaling")!.GetValue(null)!;
            Assert.Equal(mean, scaling.Mean.ToArray());
            Assert.Equal(deviation, scaling.Deviation.ToArray());
        });

        // Without a scaling in the file, PretrainedScaling is null.
        GeneratorRun plain = Project(SequentialFile(withOptimizerState: false)).Run(Source());
        WithAssembly(plain, assembly =>
            Assert.Null(assembly.GetType("Tests.Net")!.GetProperty("PretrainedScaling")!.GetValue(null)));
    }

    [Fact]
    public void The_weights_part_matches_its_snapshot()
    {
        // NETGEN_ACCEPT=1 accepts a deliberate change, as for the other snapshots.
        GeneratorRun run = Project(SequentialFile(withOptimizerState: false)).Run(Source());
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputProblems());
        SnapshotAssert.Matches("Tests.Net.Weights", run.Source("Tests.Net.Weights.g.cs"));
        Assert.Contains("PretrainedParameters.CopyTo(_parameters);", run.Source("Tests.Net.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_with_dropout_starts_from_the_file_and_trains_with_its_masks()
    {
        string source = Source().Replace("[Dense(4, Activation.Relu)]\n", "[Dense(4, Activation.Relu)]\n[Dropout(0.5f)]\n", StringComparison.Ordinal);
        GeneratorRun run = Project(SequentialFile(withOptimizerState: false)).Run(source);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputProblems());
        WithAssembly(run, assembly =>
        {
            var net = (INetwork)Activator.CreateInstance(assembly.GetType("Tests.Net")!)!;
            Assert.Equal(W1, net.Parameters[..12].ToArray());
            float cost = net.TrainStep(Inputs[0], new float[] { 0f, 1f }, 1, 0.1f);
            Assert.True(float.IsFinite(cost) && cost > 0f, cost.ToString());
        });
    }

    [Fact]
    public void Float_literals_read_back_to_the_same_float32()
    {
        float[] values = { 0.1f, 1f / 3f, -0f, float.Epsilon, float.MaxValue, -float.MaxValue, 16777217f, 1e-38f, 123456.79f };
        foreach (float value in values)
        {
            string literal = NetworkGenerator.Emitter.WeightLiteral(value);
            Assert.EndsWith("f", literal, StringComparison.Ordinal);
            float back = float.Parse(literal[..^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(BitConverter.SingleToInt32Bits(value), BitConverter.SingleToInt32Bits(back));
        }
    }

    [Fact]
    public void Without_a_file_compiled_in_new_Net_still_draws_and_the_class_compiles()
    {
        // NG0501 is an error, but the generated parts still compile (no cascade of CS errors) and name no weights.
        GeneratorRun run = new WeightsProject().Run(Source());
        run.AssertGeneratorDidNotFail();
        Assert.Equal("NG0501", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.ProblemsInGeneratedCode());
        Assert.Contains("PretrainedParameters => [];", run.Source("Tests.Net.Weights.g.cs"), StringComparison.Ordinal);
        // new Net() is then the seeded draw of a network without [Weights].
        WithAssembly(run, assembly =>
        {
            Type type = assembly.GetType("Tests.Net")!;
            ulong seed = (ulong)type.GetField("DefaultSeed")!.GetValue(null)!;
            float[] drawn = ((INetwork)Activator.CreateInstance(type, seed)!).Parameters.ToArray();
            Assert.Contains(drawn, v => v != 0f);
            Assert.Equal(drawn, ((INetwork)Activator.CreateInstance(type)!).Parameters.ToArray());
        });
    }

    /// <summary>A faulty [Weights] setup and what it must get.</summary>
    internal sealed record Case(Func<WeightsProject> Project, string Id, DiagnosticSeverity Severity, string[] MessageParts,
        string? Weights = null, string? Net = null);

    private static byte[] Truncated(byte[] file, int length) => file.Take(length).ToArray();

    internal static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["NG0501 not listed"] = new(() => new WeightsProject(), "NG0501", DiagnosticSeverity.Error,
            new[] { "<ItemGroup><NetGenWeights Include=\"models/net.safetensors\" /></ItemGroup>" }),
        ["NG0501 another file listed"] = new(() => { var p = new WeightsProject(); p.Files["models/other.safetensors"] = SequentialFile(); return p; },
            "NG0501", DiagnosticSeverity.Error, new[] { "[Weights(\"models/net.safetensors\")]", "NetGenWeights Include=\"models/net.safetensors\"" }),
        ["NG0502 listed but absent"] = new(() => Project(null), "NG0502", DiagnosticSeverity.Error,
            new[] { "lists /src/app/models/net.safetensors as NetGenWeights, but there is no such file" }),
        ["NG0503 truncated"] = new(() => Project(new byte[] { 1, 2, 3, 4, 5 }), "NG0503", DiagnosticSeverity.Error,
            new[] { "net.safetensors cannot be read", "the file has 5 bytes, too few for the 8-byte header length" }),
        ["NG0503 absurd header length"] = new(() => Project(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x7F, (byte)'{', (byte)'}' }), "NG0503",
            DiagnosticSeverity.Error, new[] { "the first 8 bytes give a header of 9151314442816847872 bytes, but the file has only 2 bytes after them" }),
        ["NG0503 data cut short"] = new(() => Project(Truncated(SequentialFile(), SequentialFile().Length - 3)), "NG0503",
            DiagnosticSeverity.Error, new[] { "outside the data section", "truncated or corrupted" }),
        ["NG0503 overlapping tensors"] = new(() => Project(Overlapping()), "NG0503", DiagnosticSeverity.Error, new[] { "overlap in the data section" }),
        ["NG0503 wrong byte count for the dtype"] = new(() => Project(Write(
                new Tensor("0.weight", "F32", new long[] { 4, 3 }, new byte[40]), F32("0.bias", new long[] { 4 }, 0, 0, 0, 0),
                F32("2.weight", new long[] { 2, 4 }, W2), F32("2.bias", new long[] { 2 }, B2))), "NG0503", DiagnosticSeverity.Error,
            new[] { "the tensor 0.weight F32 [4, 3] needs 48 bytes, but its data_offsets are [0, 40)" }),
        ["NG0504 wrong shape"] = new(() => Project(Write(
                F32("0.weight", new long[] { 8, 3 }, new float[24]), F32("0.bias", new long[] { 4 }, 0, 0, 0, 0),
                F32("2.weight", new long[] { 2, 4 }, W2), F32("2.bias", new long[] { 2 }, B2))), "NG0504", DiagnosticSeverity.Error,
            new[] { "0.weight is [8, 3] in net.safetensors, but layer 1 needs W1: 4 × 3", "on 'Net'" }),
        ["NG0504 missing bias"] = new(() => Project(Write(
                F32("layers.0.weight", new long[] { 4, 3 }, W1), F32("layers.1.weight", new long[] { 2, 4 }, W2),
                F32("layers.1.bias", new long[] { 2 }, B2))), "NG0504", DiagnosticSeverity.Error,
            new[] { "layer 1 needs b1: 4 as layers.0.bias", "which net.safetensors does not hold" }),
        ["NG0504 unsupported dtype"] = new(() => Project(Write(
                new Tensor("0.weight", "I32", new long[] { 4, 3 }, new byte[48]), F32("0.bias", new long[] { 4 }, 0, 0, 0, 0),
                F32("2.weight", new long[] { 2, 4 }, W2), F32("2.bias", new long[] { 2 }, B2))), "NG0504", DiagnosticSeverity.Error,
            new[] { "0.weight is I32 [4, 3] in net.safetensors", "as F32, F16, BF16 or F64" }),
        ["NG0505 NaN"] = new(() => Project(SequentialFile(W1.Select((v, i) => i == 5 ? float.NaN : v).ToArray())), "NG0505",
            DiagnosticSeverity.Error, new[] { "0.weight[5] is NaN in net.safetensors (W1 of layer 1)" }),
        ["NG0505 F64 beyond float32"] = new(() => Project(Write(
                F32("0.weight", new long[] { 4, 3 }, W1), F32("0.bias", new long[] { 4 }, 0, 0, 0, 0),
                F32("2.weight", new long[] { 2, 4 }, W2), F64("2.bias", new long[] { 2 }, 0.5, -1e300))), "NG0505", DiagnosticSeverity.Error,
            new[] { "2.bias[1] is -1E+300 (beyond float32's range) in net.safetensors (b2 of layer 2)" }),
        ["NG0504 half a scaling"] = new(() => Project(Write(F64("scaling.mean", new long[] { 3 }, 0, 0, 0),
                F32("0.weight", new long[] { 4, 3 }, W1), F32("0.bias", new long[] { 4 }, 0, 0, 0, 0),
                F32("2.weight", new long[] { 2, 4 }, W2), F32("2.bias", new long[] { 2 }, B2))), "NG0504", DiagnosticSeverity.Error,
            new[] { "net.safetensors holds the other half of an input scaling but not scaling.deviation F64 [3]" }),
        ["NG0504 a zero deviation"] = new(() => Project(Write(F64("scaling.mean", new long[] { 3 }, 0, 0, 0),
                F64("scaling.deviation", new long[] { 3 }, 1, 0, 1),
                F32("0.weight", new long[] { 4, 3 }, W1), F32("0.bias", new long[] { 4 }, 0, 0, 0, 0),
                F32("2.weight", new long[] { 2, 4 }, W2), F32("2.bias", new long[] { 2 }, B2))), "NG0504", DiagnosticSeverity.Error,
            new[] { "scaling.deviation[1] is 0 in net.safetensors, but the input scaling needs finite means and deviations > 0" }),
        ["NG0504 a scaling of another width"] = new(() => Project(Write(F64("scaling.mean", new long[] { 2 }, 0, 0),
                F64("scaling.deviation", new long[] { 2 }, 1, 1),
                F32("0.weight", new long[] { 4, 3 }, W1), F32("0.bias", new long[] { 4 }, 0, 0, 0, 0),
                F32("2.weight", new long[] { 2, 4 }, W2), F32("2.bias", new long[] { 2 }, B2))), "NG0504", DiagnosticSeverity.Error,
            new[] { "scaling.mean is F64 [2] in net.safetensors, but the input scaling needs scaling.mean F64 [3]" }),
        ["NG0504 wrong conv shape"] = new(() => Project(Write(LeNetTensors(channelsIn: 3))), "NG0504",
            DiagnosticSeverity.Error,
            new[] { "0.weight is [6, 3, 5, 5] in net.safetensors, but layer 1 needs W1: 6 × 1 × 5 × 5", "on 'LeNet'" },
            Net: LeNetDeclaration),
        ["NG0506 unused tensors"] = new(() => Project(SequentialFile()), "NG0506", DiagnosticSeverity.Warning,
            new[] { "optimizer.step F32 [1]" }),
        ["NG0507 too large"] = new(() => Project(Write(
                F32("0.weight", new long[] { 1025, 1024 }, new float[1025 * 1024]), F32("0.bias", new long[] { 1025 }, new float[1025]))),
            "NG0507", DiagnosticSeverity.Warning,
            new[] { "'Big' has 1050625 parameters (4202500 bytes as float32), more than the 1048576", "LoadSafetensors" },
            Net: "[Network(Loss = Loss.MeanSquaredError)]\n[Input(1024)]\n[Dense(1025, Activation.Linear)]\n[Weights(\"" + Declared + "\")]\npublic partial class Big;"),
        ["NG0508 empty path"] = new(() => new WeightsProject(), "NG0508", DiagnosticSeverity.Error,
            new[] { "[Weights(\"\")] names no file: it is empty" }, Weights: "[Weights(\"\")]"),
    };

    // ---- conv networks (issue 14): 4-D conv tensors, no tensors for pools, nn.Sequential numbering with gaps ----

    /// <summary>The LeNet-5 of issue 14 with [Weights].</summary>
    private const string LeNetDeclaration =
        "[Network(Loss = Loss.CrossEntropy, Init = Init.He)]\n[Input(28, 28, 1)]\n" +
        "[Conv2D(6, 5, Activation.Relu, Padding = Padding.Same)]\n[MaxPool(2)]\n[Conv2D(16, 5, Activation.Relu)]\n" +
        "[MaxPool(2)]\n[Dense(120, Activation.Relu)]\n[Dense(84, Activation.Relu)]\n[Dense(10, Activation.Softmax)]\n" +
        "[Weights(\"" + Declared + "\")]\npublic partial class LeNet;";

    /// <summary>LeNet-5's tensors as PyTorch's nn.Sequential(Conv2d(1, 6, 5, padding='same'), ReLU(), MaxPool2d(2),
    /// Conv2d(6, 16, 5), ReLU(), MaxPool2d(2), Flatten(), Linear(400, 120), ReLU(), Linear(120, 84), ReLU(),
    /// Linear(84, 10)) names them: the modules with parameters are 0, 3, 7, 9 and 11 (or NetGen's layers.0,
    /// layers.2, layers.4, layers.5, layers.6 with <paramref name="netgenNames"/>), with values from a seeded
    /// generator.</summary>
    private static Tensor[] LeNetTensors(int channelsIn = 1, bool netgenNames = false)
    {
        var random = new Random(14);
        float[] Values(long count)
            => Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
        string[] names = netgenNames ? new[] { "layers.0", "layers.2", "layers.4", "layers.5", "layers.6" }
            : new[] { "0", "3", "7", "9", "11" };
        long[][] shapes = { new long[] { 6, channelsIn, 5, 5 }, new long[] { 16, 6, 5, 5 }, new long[] { 120, 400 },
            new long[] { 84, 120 }, new long[] { 10, 84 } };
        var tensors = new List<Tensor>();
        for (int i = 0; i < names.Length; i++)
        {
            tensors.Add(F32(names[i] + ".weight", shapes[i], Values(shapes[i].Aggregate(1L, (a, b) => a * b))));
            tensors.Add(F32(names[i] + ".bias", new[] { shapes[i][0] }, Values(shapes[i][0])));
        }
        return tensors.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_LeNet5_file_maps_its_conv_and_linear_tensors_onto_the_layers_in_order(bool netgenNames)
    {
        Tensor[] tensors = LeNetTensors(netgenNames: netgenNames);
        string source = "using NetGen;\n\nnamespace Tests;\n\n" + LeNetDeclaration + "\n";
        GeneratorRun run = Project(Write(tensors)).Run(source);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputProblems());
        string weights = run.Source("Tests.LeNet.Weights.g.cs");
        Assert.All(weights.Split('\n'), line => Assert.True(line.Length <= 120, line));
        string[] names = netgenNames ? new[] { "layers.0", "layers.2", "layers.4", "layers.5", "layers.6" }
            : new[] { "0", "3", "7", "9", "11" };
        // Layers 1, 3, 5, 6, 7 have parameters; 2 and 4 are pools and hold none.
        Assert.Contains("// W1: 6 × 1 × 5 × 5, from " + names[0] + ".weight (F32)", weights,
            StringComparison.Ordinal);
        Assert.Contains("// b1: 6, from " + names[0] + ".bias (F32)", weights, StringComparison.Ordinal);
        Assert.Contains("// W3: 16 × 6 × 5 × 5, from " + names[1] + ".weight (F32)", weights,
            StringComparison.Ordinal);
        Assert.Contains("// W5: 120 × 400, from " + names[2] + ".weight (F32)", weights, StringComparison.Ordinal);
        Assert.Contains("// W7: 10 × 84, from " + names[4] + ".weight (F32)", weights, StringComparison.Ordinal);
        Assert.DoesNotContain("// W2", weights, StringComparison.Ordinal);
        Assert.DoesNotContain("// W4", weights, StringComparison.Ordinal);
        WithAssembly(run, assembly =>
        {
            var net = (INetwork)Activator.CreateInstance(assembly.GetType("Tests.LeNet")!)!;
            // W1, b1, W3, b3, W5, b5, … bit for bit, in the file's row-major order ((filters, c_in, kh, kw)).
            float[] expected = tensors.SelectMany(t => Enumerable.Range(0, t.Data.Length / 4)
                .Select(i => BitConverter.ToSingle(t.Data, i * 4))).ToArray();
            Assert.Equal(61706, expected.Length);
            Assert.Equal(expected, net.Parameters.ToArray());
        });
    }

    /// <summary>A two-channel conv + max pool + flatten + dense net from an nn.Sequential(Conv2d(2, 3, 2), ReLU(),
    /// MaxPool2d(2), Flatten(), Linear(6, 2)) file: Predict on h × w × c samples agrees with a float64 forward written
    /// here in PyTorch's terms (NCHW planes, cross-correlation, flatten in (c, h, w) order), which checks the layout
    /// contract: W (filters, c_in, kh, kw) and the dense layer's columns in nn.Flatten's order.</summary>
    [Fact]
    public void A_conv_file_is_compiled_in_and_Predict_agrees_with_a_PyTorch_semantics_forward()
    {
        const int H = 5, W = 4, C = 2, F = 3, K = 2, OH = H - K + 1, OW = W - K + 1, PH = OH / 2, PW = OW / 2;
        var random = new Random(1414);
        float[] Values(int count)
            => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] w1 = Values(F * C * K * K), b1 = Values(F), w2 = Values(2 * F * PH * PW), b2 = Values(2);
        byte[] file = Write(F32("0.weight", new long[] { F, C, K, K }, w1), F16("0.bias", new long[] { F }, b1),
            F32("4.weight", new long[] { 2, F * PH * PW }, w2), F32("4.bias", new long[] { 2 }, b2));
        float[] b1Half = b1.Select(v => (float)(Half)v).ToArray();
        string source = "using NetGen;\n\nnamespace Tests;\n\n[Network(Loss = Loss.CrossEntropy)]\n[Input(5, 4, 2)]\n" +
            "[Conv2D(3, 2, Activation.Relu)]\n[MaxPool(2)]\n[Dense(2, Activation.Softmax)]\n[Weights(\"" + Declared +
            "\")]\npublic partial class Net;\n";
        GeneratorRun run = Project(file).Run(source);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        WithAssembly(run, assembly =>
        {
            var net = (INetwork)Activator.CreateInstance(assembly.GetType("Tests.Net")!)!;
            for (int sample = 0; sample < 4; sample++)
            {
                float[] x = Values(H * W * C);
                // x is h × w × c: pixel (y, x) channel c at (y·W + x)·C + c.
                var a1 = new double[F, OH, OW];
                for (int f = 0; f < F; f++)
                    for (int oy = 0; oy < OH; oy++)
                        for (int ox = 0; ox < OW; ox++)
                        {
                            double z = b1Half[f];
                            for (int c = 0; c < C; c++)
                                for (int ky = 0; ky < K; ky++)
                                    for (int kx = 0; kx < K; kx++)
                                        z += (double)w1[((f * C + c) * K + ky) * K + kx]
                                            * x[((oy + ky) * W + ox + kx) * C + c];
                            a1[f, oy, ox] = Math.Max(0, z);
                        }
                var flat = new double[F * PH * PW];
                for (int f = 0; f < F; f++)
                    for (int py = 0; py < PH; py++)
                        for (int px = 0; px < PW; px++)
                            flat[(f * PH + py) * PW + px] = Math.Max(
                                Math.Max(a1[f, 2 * py, 2 * px], a1[f, 2 * py, 2 * px + 1]),
                                Math.Max(a1[f, 2 * py + 1, 2 * px], a1[f, 2 * py + 1, 2 * px + 1]));
                var z2 = new double[2];
                for (int j = 0; j < 2; j++)
                {
                    z2[j] = b2[j];
                    for (int k = 0; k < flat.Length; k++) z2[j] += (double)w2[j * flat.Length + k] * flat[k];
                }
                double max = z2.Max(), sum = z2.Sum(z => Math.Exp(z - max));
                var y = new float[2];
                net.Predict(x, y);
                for (int j = 0; j < 2; j++)
                {
                    double reference = Math.Exp(z2[j] - max) / sum;
                    Assert.True(Math.Abs(y[j] - reference) <= 1e-6,
                        $"sample {sample}: y[{j}] = {y[j]}, reference {reference}");
                }
            }
        });
    }

    private static byte[] Overlapping()
    {
        byte[] file = SequentialFile(withOptimizerState: false);
        string text = System.Text.Encoding.UTF8.GetString(file, 8, (int)BitConverter.ToUInt64(file, 0));
        // 0.bias claims [44, 56) instead of [48, 56): same header length, the ranges now overlap.
        string changed = text.Replace("\"data_offsets\":[48,56]", "\"data_offsets\":[44,56]", StringComparison.Ordinal);
        Assert.NotEqual(text, changed);
        Assert.Equal(text.Length, changed.Length);
        byte[] result = (byte[])file.Clone();
        System.Text.Encoding.UTF8.GetBytes(changed).CopyTo(result, 8);
        return result;
    }

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_fault_is_one_located_diagnostic_on_the_Weights_attribute(string name)
    {
        Case c = Cases[name];
        string source = c.Net is null ? Source(c.Weights ?? "[Weights(\"" + Declared + "\")]")
            : "using NetGen;\n\nnamespace Tests;\n\n" + c.Net + "\n";
        GeneratorRun run = c.Project().Run(source);
        run.AssertGeneratorDidNotFail();
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == c.Id);
        Assert.Equal(c.Severity, d.Severity);
        Assert.StartsWith("Weights(", run.SpanText(d), StringComparison.Ordinal);
        Assert.Equal(source.Split('\n').ToList().FindIndex(l => l.StartsWith("[Weights(", StringComparison.Ordinal)),
            d.Location.GetLineSpan().StartLinePosition.Line);
        foreach (string part in c.MessageParts)
            Assert.True(d.GetMessage().Contains(part, StringComparison.Ordinal), "'" + d.GetMessage() + "' lacks '" + part + "'");
        Assert.EndsWith("docs/diagnostics/" + c.Id + ".md", d.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        // Only this fault (and the unused-tensor warning where the file has extra tensors).
        Assert.All(run.GeneratorDiagnostics, x => Assert.True(x.Id == c.Id || x.Id == "NG0506", x.ToString()));
        // The class stays complete: no cascade of compiler errors in the generated parts.
        Assert.Empty(run.ProblemsInGeneratedCode());
    }

    [Fact]
    public void Random_and_truncated_files_give_diagnostics_never_a_crash()
    {
        var random = new Random(20261203);
        byte[] valid = SequentialFile();
        var files = new List<byte[]>();
        for (int length = 0; length < valid.Length; length++) files.Add(Truncated(valid, length));
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            files.Add(bytes);
            // A valid file with a few bytes flipped: headers that still parse, with broken numbers, names, offsets.
            byte[] flipped = (byte[])valid.Clone();
            for (int k = 0; k < 3; k++) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            files.Add(flipped);
        }
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source());
        int errors = 0;
        foreach (byte[] file in files)
        {
            GeneratorRun run = GeneratorHarness.Run(Project(file).Driver(), compilation);
            run.AssertGeneratorDidNotFail();
            Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("NG05", d.Id, StringComparison.Ordinal));
            if (run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)) errors++;
        }
        // Every truncation and every random file is refused (a flipped byte may land in a weight and stay valid).
        Assert.True(errors >= valid.Length + 200, errors + " errors");
    }

    private static void WithAssembly(GeneratorRun run, Action<Assembly> use)
    {
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var context = new AssemblyLoadContext("weights-test", isCollectible: true);
        try
        {
            stream.Position = 0;
            use(context.LoadFromStream(stream));
        }
        finally
        {
            context.Unload();
        }
    }
}
