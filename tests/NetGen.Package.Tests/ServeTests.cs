using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Package.Tests;

/// <summary>Runs only where NativeAOT can link here: Linux x64 with a C toolchain (gcc or clang) on PATH.</summary>
public sealed class NativeAotFactAttribute : FactAttribute
{
    public NativeAotFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
            Skip = "NativeAOT is published here for linux-x64 only";
        else if (!OnPath("gcc") && !OnPath("clang"))
            Skip = "no gcc or clang on PATH: NativeAOT cannot link";
    }

    static bool OnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}

/// <summary>
/// Issue 13, item 8: examples/NetGen.Serve, built against the packed package, with its weights and input scaling
/// compiled in by [Weights], publishes as NativeAOT with no trim or AOT warning and nothing beside it; the binary
/// starts, answers real HTTP requests like a float64 reference computed here from the same
/// safetensors file (parsed by this test, not by NetGen), refuses bad requests with a 400 that names what is wrong,
/// keeps serving, and stops.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ServeTests
{
    readonly PackageFixture _fixture;
    readonly ITestOutputHelper _output;

    public ServeTests(PackageFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [NativeAotFact]
    public void Serve_publishes_native_with_no_warning_and_answers_like_a_float64_reference()
    {
        string app = _fixture.CreateConsumerFromExample("NetGen.Serve");
        string publish = Path.Combine(app, "publish");
        DotNetResult result = DotNet.Run(app,
        [
            "publish", "-c", "Release", "-r", "linux-x64", "-o", publish, $"-p:NetGenVersion={_fixture.Version}",
            "-tl:off", "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ], TimeSpan.FromMinutes(20));
        Assert.True(result.ExitCode == 0, "dotnet publish (NativeAOT) failed.\n" + result.Describe());
        string[] warnings = result.Output.Split('\n').Where(l => l.Contains(": warning ", StringComparison.Ordinal)).ToArray();
        Assert.True(warnings.Length == 0, "The AOT publish warned:\n" + string.Join('\n', warnings));
        Assert.Contains("NetGen.Serve -> " + publish, result.Output);

        string binary = Path.Combine(publish, "NetGen.Serve");
        Assert.True(File.Exists(binary), $"no native binary at {binary}");
        Assert.False(File.Exists(Path.Combine(publish, "NetGen.Serve.dll")), "a NativeAOT publish has no managed entry assembly");
        // The weights and the scaling are compiled in ([Weights]): nothing to deploy beside the binary.
        Assert.False(Directory.Exists(Path.Combine(publish, "models")), "the publish folder has a models/ folder");
        Assert.Empty(Directory.GetFiles(publish, "*.safetensors", SearchOption.AllDirectories));
        _output.WriteLine($"binary: {new FileInfo(binary).Length / 1e6:F1} MB");

        Reference reference = Reference.Load(Path.Combine(app, "models", "breast-cancer.safetensors"));
        List<float[]> samples = Features(Path.Combine(_fixture.RepoRoot, "data", "sklearn", "breast_cancer.csv"));

        int port = FreePort();
        var start = new ProcessStartInfo(binary, ["--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = publish,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var log = new StringBuilder();
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var clock = Stopwatch.StartNew();
            JsonElement info = FirstAnswer(http, server, log);
            _output.WriteLine($"first answer {clock.Elapsed.TotalMilliseconds:F0} ms after start");
            Assert.Equal(30, info.GetProperty("inputSize").GetInt32());
            Assert.Equal("30-16:Relu-1:Sigmoid/BinaryCrossEntropy", info.GetProperty("architecture").GetString());

            // One sample at a time, for a few; then every sample of the data set in one batch.
            for (int i = 0; i < 5; i++)
            {
                JsonElement one = Post(http, Body(samples[i]), HttpStatusCode.OK);
                Expect(reference.Predict(samples[i]), one, $"sample {i}");
            }
            JsonElement all = Post(http, "{\"x\":[" + string.Join(',', samples.Select(s => "[" + Numbers(s) + "]")) + "]}", HttpStatusCode.OK);
            JsonElement[] predictions = all.GetProperty("predictions").EnumerateArray().ToArray();
            Assert.Equal(samples.Count, predictions.Length);
            for (int i = 0; i < samples.Count; i++)
                Expect(reference.Predict(samples[i]), predictions[i], $"batch sample {i}");

            // Bad requests: a 400 whose message names what was expected and what was found, and the server goes on.
            float[] good = samples[0];
            ExpectRefusal(http, "{\"x\":[" + Numbers(good[..29]) + "]}", "x has 29 numbers", "expects 30");
            ExpectRefusal(http, "{\"x\":[" + Numbers(good[..29]) + ",\"7\"]}", "x[29] is the string \"7\"", "finite number");
            ExpectRefusal(http, "{\"x\":[" + Numbers(good[..29]) + ",1e39]}", "x[29] is 1e39, beyond float's range", "finite number");
            ExpectRefusal(http, "{\"x\":[[" + Numbers(good) + "],[1,2]]}", "x[1] has 2 numbers", "expects 30");
            // A float, but so far beyond the data that (x − μ)/σ leaves float's range (σ of feature 19 is 0.0028):
            // Standardizer.Apply names it, where the network would have answered NaN.
            ExpectRefusal(http, "{\"x\":[" + Numbers(good[..19]) + ",3e38," + Numbers(good[20..]) + "]}",
                "sample 0, feature 19: (x − μ)/σ = (3E+38", "beyond float's range");
            ExpectRefusal(http, "{\"y\":[1]}", "expected an object with \"x\"", "");
            ExpectRefusal(http, "not json", "the body is not JSON", "expected {\"x\"");
            ExpectRefusal(http, "{\"x\":[" + string.Join(',', Enumerable.Repeat("[" + Numbers(good) + "]", 1025)) + "]}",
                "holds 1025 samples", "at most 1024");
            Expect(reference.Predict(good), Post(http, Body(good), HttpStatusCode.OK), "after the refusals");
            Assert.False(server.HasExited, "the server stopped after the bad requests");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit(10_000);
            }
            lock (log) _output.WriteLine(log.ToString());
        }
        Assert.True(server.HasExited, "the server did not stop");
    }

    static JsonElement FirstAnswer(HttpClient http, Process server, StringBuilder log)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using HttpResponseMessage response = http.GetAsync("/").GetAwaiter().GetResult();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.Clone();
            }
            catch (HttpRequestException) when (!server.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                System.Threading.Thread.Sleep(20);
            }
            catch (HttpRequestException e)
            {
                string text;
                lock (log) text = log.ToString();
                throw new InvalidOperationException($"the server never answered ({e.Message}); it printed:\n{text}", e);
            }
        }
    }

    static JsonElement Post(HttpClient http, string body, HttpStatusCode expected)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = http.PostAsync("/predict", content).GetAwaiter().GetResult();
        string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.StatusCode == expected, $"POST /predict answered {(int)response.StatusCode} {text}, expected {(int)expected}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static void ExpectRefusal(HttpClient http, string body, string found, string expected)
    {
        string message = Post(http, body, HttpStatusCode.BadRequest).GetProperty("message").GetString()!;
        Assert.Contains(found, message);
        Assert.Contains(expected, message);
    }

    /// <summary>float32 against float64: the kernels' sums are in another order (and fused) than the reference's, so
    /// probabilities agree to a few float ulps, 1e-5 relative (with a floor of 1e-7 for outputs near 0); the class
    /// must agree wherever the reference is not within that of 0.5.</summary>
    static void Expect(double p, JsonElement answer, string what)
    {
        double served = answer.GetProperty("probability").GetDouble();
        Assert.True(Math.Abs(served - p) <= 1e-5 * Math.Abs(p) + 1e-7, $"{what}: served P = {served}, float64 reference {p}");
        if (Math.Abs(p - 0.5) > 1e-5)
        {
            Assert.Equal(p > 0.5 ? 1 : 0, answer.GetProperty("class").GetInt32());
            Assert.Equal(p > 0.5 ? "benign" : "malignant", answer.GetProperty("label").GetString());
        }
    }

    static string Body(float[] x) => "{\"x\":[" + Numbers(x) + "]}";

    static string Numbers(float[] x) => string.Join(',', x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>The 30 raw features of every row of the CSV (header "569,30,malignant,benign"), as floats.</summary>
    static List<float[]> Features(string csv)
        => File.ReadLines(csv).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Take(30).Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray())
            .ToList();

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// The served network in float64, read straight from the safetensors file (8-byte header length, JSON header,
    /// little-endian data): x ← (x − μ)/σ, A1 = ReLU(W1·x + b1), P = σ(W2·A1 + b2).
    /// </summary>
    sealed class Reference
    {
        readonly Dictionary<string, double[]> _tensors;

        Reference(Dictionary<string, double[]> tensors) => _tensors = tensors;

        public static Reference Load(string path)
        {
            byte[] file = File.ReadAllBytes(path);
            long headerLength = BitConverter.ToInt64(file, 0);
            using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
            var tensors = new Dictionary<string, double[]>();
            foreach (JsonProperty tensor in header.RootElement.EnumerateObject())
            {
                if (tensor.Name == "__metadata__") continue;
                string dtype = tensor.Value.GetProperty("dtype").GetString()!;
                JsonElement offsets = tensor.Value.GetProperty("data_offsets");
                int begin = 8 + (int)headerLength + offsets[0].GetInt32(), end = 8 + (int)headerLength + offsets[1].GetInt32();
                tensors[tensor.Name] = dtype switch
                {
                    "F32" => Enumerable.Range(0, (end - begin) / 4).Select(i => (double)BitConverter.ToSingle(file, begin + 4 * i)).ToArray(),
                    "F64" => Enumerable.Range(0, (end - begin) / 8).Select(i => BitConverter.ToDouble(file, begin + 8 * i)).ToArray(),
                    _ => throw new InvalidDataException($"{tensor.Name}: dtype {dtype}"),
                };
            }
            return new Reference(tensors);
        }

        public double Predict(float[] raw)
        {
            double[] mean = _tensors["scaling.mean"], deviation = _tensors["scaling.deviation"];
            double[] w1 = _tensors["layers.0.weight"], b1 = _tensors["layers.0.bias"];
            double[] w2 = _tensors["layers.1.weight"], b2 = _tensors["layers.1.bias"];
            // The service scales in double and rounds to float, as Standardizer.Apply does: the network's input is
            // float32, so the reference takes the same rounded inputs.
            double[] x = raw.Select((v, j) => (double)(float)((v - mean[j]) / deviation[j])).ToArray();
            double z2 = b2[0];
            for (int u = 0; u < b1.Length; u++)
            {
                double z1 = b1[u];
                for (int k = 0; k < x.Length; k++) z1 += w1[u * x.Length + k] * x[k];
                z2 += w2[u] * Math.Max(0, z1);
            }
            return 1 / (1 + Math.Exp(-z2));
        }
    }
}
