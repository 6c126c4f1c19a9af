using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>
/// Issue 14 item 6: a PyTorch-layout conv file reproduced in float64. A consumer of the packed package declares a conv
/// + max pool + flatten + dense net with [Weights] over an nn.Sequential state dict written here byte for byte as
/// <c>safetensors.torch.save_file</c> writes it (one tensor F16), builds, and predicts what a float64 forward written
/// here in PyTorch's own terms computes from the same numbers (Consumers/ConvPretrainedApp). The forward is independent
/// of NetGen's kernels and of tests/NetGen.Tests/Reference: NCHW planes, cross-correlation with 'same' padding split
/// as PyTorch splits it, max pool, nn.Flatten's (c, h, w) order, x·Wᵀ + b. It checks the layout contract (W of
/// (filters, c_in, kh, kw), the dense columns in flatten order, a sample as h × w × c), not the generator against
/// itself.
/// </summary>
public sealed partial class PackageConsumerTests
{
    const int ConvH = 6, ConvW = 6, ConvC = 2, ConvF = 3, ConvKh = 4, ConvKw = 3, ConvHidden = 5, ConvClasses = 3;
    const int PoolH = ConvH / 2, PoolW = ConvW / 2, Flat = ConvF * PoolH * PoolW;

    /// <summary>The state dict of nn.Sequential(Conv2d(2, 3, (4, 3), padding='same'), ReLU(), MaxPool2d(2),
    /// Flatten(), Linear(27, 5), ReLU(), Linear(5, 3)) drawn from a seeded generator: 0.weight [3, 2, 4, 3],
    /// 0.bias [3], 4.weight [5, 27], 4.bias [5] (F16, as a half-precision export would leave it), 6.weight [3, 5],
    /// 6.bias [3]. The values returned are those the file holds (the F16 bias rounded to a half).</summary>
    static (byte[] File, Dictionary<string, float[]> Values) ConvFile(int seed)
    {
        var random = new Random(seed);
        float[] Draw(int n, double scale) => Enumerable.Range(0, n)
            .Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        var values = new Dictionary<string, float[]>
        {
            ["0.weight"] = Draw(ConvF * ConvC * ConvKh * ConvKw, 0.4),
            ["0.bias"] = Draw(ConvF, 0.2),
            ["4.weight"] = Draw(ConvHidden * Flat, 0.35),
            ["4.bias"] = Draw(ConvHidden, 0.2).Select(v => (float)(Half)v).ToArray(),
            ["6.weight"] = Draw(ConvClasses * ConvHidden, 0.8),
            ["6.bias"] = Draw(ConvClasses, 0.2),
        };
        var tensors = new List<(string Name, string Dtype, long[] Shape, byte[] Data)>
        {
            ("0.weight", "F32", [ConvF, ConvC, ConvKh, ConvKw], F32Bytes(values["0.weight"])),
            ("0.bias", "F32", [ConvF], F32Bytes(values["0.bias"])),
            ("4.weight", "F32", [ConvHidden, Flat], F32Bytes(values["4.weight"])),
            ("4.bias", "F16", [ConvHidden], values["4.bias"]
                .SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v))).ToArray()),
            ("6.weight", "F32", [ConvClasses, ConvHidden], F32Bytes(values["6.weight"])),
            ("6.bias", "F32", [ConvClasses], F32Bytes(values["6.bias"])),
        };
        return (SaveFileBytes(tensors), values);

        static byte[] F32Bytes(float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
    }

    /// <summary>A safetensors file as <c>safetensors.torch.save_file(tensors, path)</c> (metadata None) writes it, per
    /// safetensors' serializer (safetensors/src/tensor.rs, <c>prepare</c>): tensors sorted by dtype, the larger first
    /// (F32 before F16), then by name; the data in that order; the header compact JSON in that order with no
    /// <c>__metadata__</c>, each entry {"dtype", "shape", "data_offsets"}, padded with spaces to a multiple of 8
    /// bytes; before it its length as a little-endian u64.</summary>
    static byte[] SaveFileBytes(List<(string Name, string Dtype, long[] Shape, byte[] Data)> tensors)
    {
        static int Rank(string dtype) => dtype switch { "F16" => 0, "BF16" => 1, "F32" => 2, _ => 3 };
        var ordered = tensors.OrderByDescending(t => Rank(t.Dtype)).ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var t in ordered)
        {
            header.Append(header.Length > 1 ? "," : "").Append($"\"{t.Name}\":{{\"dtype\":\"{t.Dtype}\",\"shape\":[")
                .Append(string.Join(",", t.Shape)).Append($"],\"data_offsets\":[{offset},{offset + t.Data.Length}]}}");
            offset += t.Data.Length;
        }
        header.Append('}');
        while (header.Length % 8 != 0) header.Append(' ');
        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. ordered.SelectMany(t => t.Data)];
    }

    /// <summary>The nn.Sequential's forward in float64, as PyTorch defines each module, on one sample given as NetGen
    /// takes it (h × w × c, row-major), which is first laid out as PyTorch's NCHW (c, h, w).</summary>
    static double[] ConvReference(float[] sample, Dictionary<string, float[]> p)
    {
        var x = new double[ConvC, ConvH, ConvW];
        for (int h = 0; h < ConvH; h++)
            for (int w = 0; w < ConvW; w++)
                for (int c = 0; c < ConvC; c++)
                    x[c, h, w] = sample[(h * ConvW + w) * ConvC + c];

        // Conv2d(padding='same'), stride 1: k − 1 zeros in all, (k − 1) / 2 of them before (PyTorch's split); ReLU.
        int padTop = (ConvKh - 1) / 2, padLeft = (ConvKw - 1) / 2;
        float[] weight = p["0.weight"], bias = p["0.bias"];
        var a = new double[ConvF, ConvH, ConvW];
        for (int f = 0; f < ConvF; f++)
            for (int oy = 0; oy < ConvH; oy++)
                for (int ox = 0; ox < ConvW; ox++)
                {
                    double z = bias[f];
                    for (int c = 0; c < ConvC; c++)
                        for (int ky = 0; ky < ConvKh; ky++)
                            for (int kx = 0; kx < ConvKw; kx++)
                            {
                                int iy = oy + ky - padTop, ix = ox + kx - padLeft;
                                if (iy < 0 || iy >= ConvH || ix < 0 || ix >= ConvW) continue;
                                z += (double)weight[((f * ConvC + c) * ConvKh + ky) * ConvKw + kx] * x[c, iy, ix];
                            }
                    a[f, oy, ox] = Math.Max(0, z);
                }

        // MaxPool2d(2), then Flatten: index (c·PoolH + y)·PoolW + x.
        var flat = new double[Flat];
        for (int c = 0; c < ConvF; c++)
            for (int py = 0; py < PoolH; py++)
                for (int px = 0; px < PoolW; px++)
                {
                    double max = double.NegativeInfinity;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                            max = Math.Max(max, a[c, 2 * py + dy, 2 * px + dx]);
                    flat[(c * PoolH + py) * PoolW + px] = max;
                }

        double[] Linear(double[] input, float[] w, float[] b, bool relu)
        {
            var output = new double[b.Length];
            for (int j = 0; j < b.Length; j++)
            {
                double z = b[j];
                for (int k = 0; k < input.Length; k++) z += (double)w[j * input.Length + k] * input[k];
                output[j] = relu ? Math.Max(0, z) : z;
            }
            return output;
        }
        double[] hidden = Linear(flat, p["4.weight"], p["4.bias"], relu: true);
        double[] logits = Linear(hidden, p["6.weight"], p["6.bias"], relu: false);
        double top = logits.Max(), sum = logits.Sum(z => Math.Exp(z - top));
        return logits.Select(z => Math.Exp(z - top) / sum).ToArray();
    }

    [Fact]
    public void A_PyTorch_conv_file_compiled_in_predicts_what_a_float64_PyTorch_forward_computes()
    {
        string app = _fixture.CreateConsumer("ConvPretrainedApp");
        var (file, values) = ConvFile(seed: 14);
        // The file as save_file lays it out: F32 tensors first by name, the F16 one last, the header padded to 8.
        ulong headerLength = BitConverter.ToUInt64(file, 0);
        Assert.Equal(0UL, headerLength % 8);
        string header = Encoding.UTF8.GetString(file, 8, (int)headerLength);
        Assert.StartsWith("{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"0.weight\":", header,
            StringComparison.Ordinal);
        Assert.Contains("\"4.bias\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[", header,
            StringComparison.Ordinal);
        Assert.True(header.IndexOf("\"6.weight\"", StringComparison.Ordinal) < header.IndexOf("\"4.bias\"",
            StringComparison.Ordinal), header);
        WriteFile(Path.Combine(app, "models", "conv.safetensors"), file);

        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The conv pretrained consumer did not build.\n" + build.Describe());
        Assert.DoesNotContain(ParseDiagnostics(build.Output, fileName: null),
            d => d.Id.StartsWith("NG", StringComparison.Ordinal));

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, run.Describe());
        string[] lines = run.Output.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("y ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5, lines.Length);
        var distinct = new HashSet<int>();
        for (int s = 0; s < lines.Length; s++)
        {
            // The consumer's samples: x[i] = sin(0.37·i + 1.3·s + 0.1) as float32.
            float[] x = Enumerable.Range(0, ConvH * ConvW * ConvC)
                .Select(i => (float)Math.Sin(0.37 * i + 1.3 * s + 0.1)).ToArray();
            double[] y = lines[s][2..].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            double[] reference = ConvReference(x, values);
            Assert.Equal(ConvClasses, y.Length);
            // float32 sums of at most 27 products of order 1 against float64: a few 1e-7; a layout fault (a transposed
            // kernel, the padding on the wrong side, flatten in (h, w, c) order) moves the outputs in the first digits.
            for (int j = 0; j < ConvClasses; j++)
                Assert.True(Math.Abs(y[j] - reference[j]) <= 1e-5,
                    $"sample {s}: y[{j}] = {y[j]}, float64 PyTorch-semantics reference {reference[j]}");
            distinct.Add(Array.IndexOf(reference, reference.Max()));
        }
        // The samples are not all one answer: a net whose outputs ignored the input would not pass by luck.
        Assert.True(distinct.Count > 1, "every sample has the same most likely class");
    }
}
