using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>
/// Issue 13, "Done when": a consumer of the packed package declares a network with [Weights] over a PyTorch
/// nn.Sequential safetensors file (one tensor F16, plus optimizer state), builds, and predicts what a float64
/// reference computes from the same values; a changed file gives new predictions at the next build; a wrong shape and a
/// missing or unlisted file fail the build with an NG error on the [Weights] line (Consumers/PretrainedApp).
/// </summary>
public sealed partial class PackageConsumerTests
{
    static readonly float[][] PretrainedInputs =
    {
        new[] { 5.1f, 3.5f, 1.4f, 0.2f }, new[] { 6.4f, 3.2f, 4.5f, 1.5f }, new[] { 6.3f, 3.3f, 6.0f, 2.5f },
        new[] { -1f, 0.5f, 2f, -0.25f },
    };

    /// <summary>nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 3))'s state dict, drawn from <paramref name="seed"/>:
    /// 0.weight [8, 4] F32, 0.bias [8] F16, 2.weight [3, 8] F32, 2.bias [3] F32, and optimizer.step [1].</summary>
    static (byte[] File, float[] W1, float[] B1, float[] W2, float[] B2) IrisFile(int seed, int hidden = 8)
    {
        var random = new Random(seed);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] w1 = Draw(hidden * 4), w2 = Draw(3 * hidden), b2 = Draw(3);
        Half[] b1 = Draw(hidden).Select(v => (Half)v).ToArray();
        byte[] file = Safetensors(
            ("0.weight", "F32", [hidden, 4], w1.SelectMany(BitConverter.GetBytes).ToArray()),
            ("0.bias", "F16", [hidden], b1.SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits(v))).ToArray()),
            ("2.weight", "F32", [3, hidden], w2.SelectMany(BitConverter.GetBytes).ToArray()),
            ("2.bias", "F32", [3], b2.SelectMany(BitConverter.GetBytes).ToArray()),
            ("optimizer.step", "F32", [1], BitConverter.GetBytes(100f)));
        return (file, w1, b1.Select(v => (float)v).ToArray(), w2, b2);
    }

    /// <summary>A safetensors file, byte by byte: the header's length (8 bytes, little-endian), its JSON, the data.</summary>
    static byte[] Safetensors(params (string Name, string Dtype, long[] Shape, byte[] Data)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var t in tensors)
        {
            header.Append(header.Length > 1 ? "," : "").Append($"\"{t.Name}\":{{\"dtype\":\"{t.Dtype}\",\"shape\":[")
                .Append(string.Join(",", t.Shape)).Append($"],\"data_offsets\":[{offset},{offset + t.Data.Length}]}}");
            offset += t.Data.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. tensors.SelectMany(t => t.Data)];
    }

    /// <summary>softmax(W2·relu(W1·x + b1) + b2) in float64.</summary>
    static double[] IrisReference(float[] x, float[] w1, float[] b1, float[] w2, float[] b2)
    {
        int hidden = b1.Length;
        var a = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double z = b1[j];
            for (int k = 0; k < 4; k++) z += (double)w1[j * 4 + k] * x[k];
            a[j] = Math.Max(0, z);
        }
        var z2 = new double[3];
        for (int j = 0; j < 3; j++)
        {
            z2[j] = b2[j];
            for (int k = 0; k < hidden; k++) z2[j] += (double)w2[j * hidden + k] * a[k];
        }
        double max = z2.Max(), sum = z2.Sum(z => Math.Exp(z - max));
        return z2.Select(z => Math.Exp(z - max) / sum).ToArray();
    }

    void BuildRunAndCompare(string app, (byte[] File, float[] W1, float[] B1, float[] W2, float[] B2) weights, int weightsLine)
    {
        WriteFile(Path.Combine(app, "models", "iris.safetensors"), weights.File);
        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The pretrained consumer did not build.\n" + build.Describe());
        // The optimizer's step is the one warning, on the [Weights] line.
        Diagnostic unused = Assert.Single(ParseDiagnostics(build.Output, "Program.cs"), d => d.Id.StartsWith("NG", StringComparison.Ordinal));
        Assert.Equal(("NG0506", "warning", weightsLine, 2), (unused.Id, unused.Severity, unused.Line, unused.Column));
        Assert.Contains("optimizer.step F32 [1]", unused.Message, StringComparison.Ordinal);

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, run.Describe());
        string[] lines = run.Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("y ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(PretrainedInputs.Length, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            double[] y = lines[i][2..].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            double[] reference = IrisReference(PretrainedInputs[i], weights.W1, weights.B1, weights.W2, weights.B2);
            Assert.Equal(3, y.Length);
            for (int j = 0; j < 3; j++)
                Assert.True(Math.Abs(y[j] - reference[j]) <= 1e-5, $"sample {i}: y[{j}] = {y[j]}, float64 reference {reference[j]}");
        }
    }

    [Fact]
    public void Pretrained_consumer_predicts_from_its_compiled_in_file_follows_changes_and_fails_at_the_Weights_line()
    {
        string app = _fixture.CreateConsumer("PretrainedApp");
        string programPath = Path.Combine(app, "Program.cs");
        string program = File.ReadAllText(programPath);
        int weightsLine = Array.FindIndex(program.Split('\n'), l => l.StartsWith("[Weights(", StringComparison.Ordinal)) + 1;

        // Built from one file, then from another: the predictions follow the file (no stale cache).
        var first = IrisFile(seed: 1);
        BuildRunAndCompare(app, first, weightsLine);
        var second = IrisFile(seed: 2);
        Assert.NotEqual(first.W1, second.W1);
        BuildRunAndCompare(app, second, weightsLine);

        // A file trained with 16 hidden units: the shape error, in the words, on the [Weights] line.
        WriteFile(Path.Combine(app, "models", "iris.safetensors"), IrisFile(seed: 3, hidden: 16).File);
        AssertFailsAtWeights(app, weightsLine, "NG0504", "0.weight is [16, 4] in iris.safetensors, but layer 1 needs W1: 8 × 4");

        // Listed but gone.
        File.Delete(Path.Combine(app, "models", "iris.safetensors"));
        AssertFailsAtWeights(app, weightsLine, "NG0502", "lists " + Path.Combine(app, "models", "iris.safetensors"));

        // Not listed: the message gives the line to add.
        WriteFile(Path.Combine(app, "models", "other.safetensors"), first.File);
        File.WriteAllText(programPath, program.Replace("models/iris.safetensors", "models/other.safetensors", StringComparison.Ordinal));
        AssertFailsAtWeights(app, weightsLine, "NG0501", "<ItemGroup><NetGenWeights Include=\"models/other.safetensors\" /></ItemGroup>");
    }

    void AssertFailsAtWeights(string app, int weightsLine, string id, string messagePart)
    {
        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode != 0, $"The build succeeded, but {id} must fail it.\n" + build.Describe());
        Diagnostic error = Assert.Single(ParseDiagnostics(build.Output, "Program.cs"), d => d.Severity == "error");
        Assert.Equal((id, weightsLine, 2), (error.Id, error.Line, error.Column));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        // No compiler error beside it: the generated parts still compile.
        Assert.DoesNotContain(ParseDiagnostics(build.Output, fileName: null), d => d.Severity == "error" && d.Id.StartsWith("CS", StringComparison.Ordinal));
    }
}
