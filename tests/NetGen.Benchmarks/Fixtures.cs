using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>The outcome of comparing NetGen's outputs with ONNX Runtime's (and both with a double reference).</summary>
public sealed record Agreement(bool Passed, double MaxDelta, double NetGenError, double OnnxError, int Values, string Worst)
{
    /// <summary>|NetGen − ONNX| ≤ Tolerance · max(1, |ONNX|) for every output value.</summary>
    public const double Tolerance = 1e-5;

    public override string ToString() =>
        $"{(Passed ? "agree" : "DISAGREE")}: max |Δ| = {MaxDelta:0.00e+00} (tolerance {Tolerance:0e+00}, relative above 1) over {Values} values" +
        $"; vs a double reference: NetGen {NetGenError:0.00e+00}, ONNX {OnnxError:0.00e+00}" + (Passed ? "" : $"; worst at {Worst}");
}

/// <summary>
/// One case of the suite: a generated network, the data it runs on, and the ONNX Runtime sessions built from the
/// very same parameters (one for a single sample and, where the case has one, one for the whole batch).
/// The network is first trained a few steps, so that weights and biases are not just their initial values.
/// </summary>
public sealed class Fixture<TNet> : IDisposable where TNet : class, INetwork, new()
{
    public readonly string Name;
    public readonly LayerSpec[] Layers;
    public readonly TNet Net;
    /// <summary>Rows of <see cref="X"/> and <see cref="Y"/>: the batch of the batch and training cases.</summary>
    public readonly int Samples;
    /// <summary>Samples × InputSize inputs and Samples × OutputSize targets.</summary>
    public readonly float[] X, Y;
    /// <summary>One sample (the first row of X) and NetGen's prediction for it.</summary>
    public readonly float[] x, y;
    /// <summary>NetGen's predictions for the whole batch.</summary>
    public readonly float[] Predictions;
    /// <summary>The parameters both sides were built from (training cases restore them).</summary>
    public readonly float[] Parameters;
    public readonly float LearningRate;
    public readonly OnnxRunner Onnx1;
    public readonly OnnxRunner? OnnxBatch;
    public readonly Agreement Agreement;

    public Fixture(string name, LayerSpec[] layers, float[] X, float[] Y, int samples, bool batchSession,
                   int warmUpSteps, float warmUpRate, float learningRate)
    {
        Name = name;
        Layers = layers;
        Net = new TNet();
        Reference.CheckLayout(Net, layers);
        int n0 = Net.InputSize, nL = Net.OutputSize;
        if (X.Length != samples * n0 || Y.Length != samples * nL)
            throw new ArgumentException($"{name}: data is not {samples} samples");
        Samples = samples;
        this.X = X;
        this.Y = Y;
        LearningRate = learningRate;
        x = X.AsSpan(0, n0).ToArray();
        y = new float[nL];
        Predictions = new float[samples * nL];

        for (int i = 0; i < warmUpSteps; i++)
            Net.TrainStep(X, Y, samples, warmUpRate);
        Parameters = Net.Parameters.ToArray();
        foreach (float p in Parameters)
            if (!float.IsFinite(p))
                throw new InvalidOperationException($"{name}: a parameter is not finite after {warmUpSteps} training steps");

        Onnx1 = new OnnxRunner(OnnxModels.Build(layers, Parameters, 1, name), 1, n0, nL);
        if (batchSession)
            OnnxBatch = new OnnxRunner(OnnxModels.Build(layers, Parameters, samples, name), samples, n0, nL);
        Agreement = Check();
    }

    /// <summary>Puts the parameters back to those the ONNX models were built from.</summary>
    public void RestoreParameters() => Parameters.CopyTo(Net.Parameters);

    /// <summary>One-sample outputs for up to 32 samples, and the whole batch where there is a batch session.</summary>
    private Agreement Check()
    {
        int n0 = Net.InputSize, nL = Net.OutputSize;
        var tally = new Tally();
        var reference = new double[nL];
        var one = new float[nL];
        for (int i = 0; i < Math.Min(Samples, 32); i++)
        {
            ReadOnlySpan<float> xi = X.AsSpan(i * n0, n0);
            Net.Predict(xi, one);
            xi.CopyTo(Onnx1.X);
            Array.Clear(Onnx1.Y);
            Onnx1.Run();
            Reference.Forward(Layers, Parameters, xi, reference);
            tally.Add(one, Onnx1.Y, reference, $"Predict, sample {i}");
        }
        if (OnnxBatch is not null)
        {
            Net.PredictBatch(X, Predictions, Samples);
            X.CopyTo(OnnxBatch.X, 0);
            Array.Clear(OnnxBatch.Y);
            OnnxBatch.Run();
            for (int i = 0; i < Samples; i++)
            {
                Reference.Forward(Layers, Parameters, X.AsSpan(i * n0, n0), reference);
                tally.Add(Predictions.AsSpan(i * nL, nL), OnnxBatch.Y.AsSpan(i * nL, nL), reference, $"PredictBatch({Samples}), row {i}");
            }
        }
        // Leave the one-sample buffers as the timing loops expect them.
        x.AsSpan().CopyTo(Onnx1.X);
        if (OnnxBatch is not null) X.CopyTo(OnnxBatch.X, 0);
        return tally.Result();
    }

    /// <summary>For BenchmarkDotNet's setup: a disagreement stops the benchmark with the reason.</summary>
    public void ThrowIfDisagree()
    {
        if (!Agreement.Passed)
            throw new InvalidOperationException($"{Name}: NetGen and ONNX Runtime disagree: {Agreement}");
    }

    public void Dispose()
    {
        Onnx1.Dispose();
        OnnxBatch?.Dispose();
    }

    private sealed class Tally
    {
        private bool _passed = true;
        private double _maxDelta, _netGenError, _onnxError;
        private int _values;
        private string _worst = "";

        public void Add(ReadOnlySpan<float> netGen, ReadOnlySpan<float> onnx, ReadOnlySpan<double> reference, string where)
        {
            for (int j = 0; j < netGen.Length; j++)
            {
                _values++;
                double a = netGen[j], b = onnx[j], r = reference[j];
                double delta = Math.Abs(a - b) / Math.Max(1, Math.Abs(b));
                if (!(delta <= Agreement.Tolerance)) _passed = false; // NaN fails too
                if (!(delta <= _maxDelta))
                {
                    _maxDelta = double.IsNaN(delta) ? double.PositiveInfinity : delta;
                    _worst = $"{where}, output {j}: NetGen {a:R}, ONNX {b:R}, reference {r:R}";
                }
                _netGenError = Math.Max(_netGenError, Math.Abs(a - r) / Math.Max(1, Math.Abs(r)));
                _onnxError = Math.Max(_onnxError, Math.Abs(b - r) / Math.Max(1, Math.Abs(r)));
            }
        }

        public Agreement Result() => new(_passed && _values > 0, _maxDelta, _netGenError, _onnxError, _values, _worst);
    }
}

/// <summary>The four networks of issue 4 and issue 15's SimpleChains net, with their data.</summary>
public static class Cases
{
    public const int NetABatch = 211;
    public const int NetCBatch = 256;
    public const int DenseSamples = 64;
    /// <summary>The full batch of <see cref="SimpleChains"/>: 10 000 samples, as in SimpleChains.jl's README.</summary>
    public const int SimpleChainsBatch = 10_000;

    public static readonly LayerSpec[] NetALayers =
        [new(2, 20, Activation.Relu), new(20, 3, Activation.Relu), new(3, 1, Activation.Sigmoid)];
    public static readonly LayerSpec[] Dense8Layers = [new(8, 8, Activation.Tanh)];
    public static readonly LayerSpec[] Dense64Layers = [new(64, 64, Activation.Tanh)];
    public static readonly LayerSpec[] NetCLayers = [new(784, 128, Activation.Relu), new(128, 10, Activation.Softmax)];
    public static readonly LayerSpec[] SimpleChainsLayers =
        [new(4, 32, Activation.Tanh), new(32, 16, Activation.Tanh), new(16, 4, Activation.Linear)];

    /// <summary>Multiply-adds of one net C sample: 784·128 + 128·10; a batch of 256 is 2·256·this flops.</summary>
    public const long NetCMultiplyAdds = 784L * 128 + 128L * 10;

    /// <summary>Net A on the football training set (211 samples, 2 features, 0/1 labels).</summary>
    public static Fixture<NetA> NetA()
    {
        (float[] X, float[] Y) = Football();
        return new Fixture<NetA>("net A 2-20-3-1", NetALayers, X, Y, NetABatch, batchSession: true,
                                 warmUpSteps: 300, warmUpRate: 0.3f, learningRate: 0.01f);
    }

    public static Fixture<Dense8> Dense8() => DenseCase<Dense8>("dense 8→8 tanh", Dense8Layers, 8, seed: 88);

    public static Fixture<Dense64> Dense64() => DenseCase<Dense64>("dense 64→64 tanh", Dense64Layers, 64, seed: 6464);

    /// <summary>Net C on 256 synthetic MNIST-sized samples: pixels uniform in [0, 1), random one-hot labels.</summary>
    public static Fixture<NetC> NetC()
    {
        var rng = new Random(784);
        var X = new float[NetCBatch * 784];
        var Y = new float[NetCBatch * 10];
        for (int i = 0; i < X.Length; i++) X[i] = (float)rng.NextDouble();
        for (int i = 0; i < NetCBatch; i++) Y[i * 10 + rng.Next(10)] = 1f;
        return new Fixture<NetC>("net C 784-128-10", NetCLayers, X, Y, NetCBatch, batchSession: true,
                                 warmUpSteps: 20, warmUpRate: 0.05f, learningRate: 0.001f);
    }

    /// <summary>SimpleChains.jl's README example: X = randn(4, 10 000), each column read as a 2 × 2 matrix A (column
    /// major), and its target the matrix exponential e^A, again column major.</summary>
    public static Fixture<SimpleChainsNet> SimpleChains()
    {
        const int m = SimpleChainsBatch;
        var rng = new Random(2022);
        var X = new float[m * 4];
        var Y = new float[m * 4];
        for (int i = 0; i < X.Length; i++) X[i] = (float)Gaussian(rng);
        for (int s = 0; s < m; s++)
        {
            // A = [x1 x3; x2 x4]: Julia's reshape of the column (x1, x2, x3, x4).
            ExpTwoByTwo(X[4 * s], X[4 * s + 2], X[4 * s + 1], X[4 * s + 3],
                        out double e00, out double e01, out double e10, out double e11);
            Y[4 * s] = (float)e00;
            Y[4 * s + 1] = (float)e10;
            Y[4 * s + 2] = (float)e01;
            Y[4 * s + 3] = (float)e11;
        }
        // A small rate: the targets reach e^(a few) and the MSE gradient grows with them.
        return new Fixture<SimpleChainsNet>("4-32-16-4 tanh", SimpleChainsLayers, X, Y, m, batchSession: true,
                                            warmUpSteps: 30, warmUpRate: 0.002f, learningRate: 0.0005f);
    }

    /// <summary>e^A for A = [a b; c d], in double: scaled by 2^−s to a norm below ½, 20 terms of the series, squared
    /// s times.</summary>
    private static void ExpTwoByTwo(double a, double b, double c, double d,
                                    out double e00, out double e01, out double e10, out double e11)
    {
        double norm = Math.Max(Math.Abs(a) + Math.Abs(b), Math.Abs(c) + Math.Abs(d));
        int s = norm > 0.5 ? (int)Math.Ceiling(Math.Log2(norm / 0.5)) : 0;
        double k = Math.ScaleB(1, -s);
        a *= k; b *= k; c *= k; d *= k;
        // E = I + A + A²/2! + …, by Horner's rule: E = I + A(I + A/2 (I + A/3 (…))).
        double p = 1, q = 0, r = 0, t = 1;
        for (int n = 20; n >= 1; n--)
        {
            // P = I + (A·P)/n
            double np = 1 + (a * p + b * r) / n, nq = (a * q + b * t) / n;
            double nr = (c * p + d * r) / n, nt = 1 + (c * q + d * t) / n;
            p = np; q = nq; r = nr; t = nt;
        }
        for (int i = 0; i < s; i++)
        {
            double np = p * p + q * r, nq = p * q + q * t, nr = r * p + t * r, nt = r * q + t * t;
            p = np; q = nq; r = nr; t = nt;
        }
        e00 = p; e01 = q; e10 = r; e11 = t;
    }

    private static Fixture<TNet> DenseCase<TNet>(string name, LayerSpec[] layers, int n, int seed) where TNet : class, INetwork, new()
    {
        var rng = new Random(seed);
        var X = new float[DenseSamples * n];
        var Y = new float[DenseSamples * n];
        for (int i = 0; i < X.Length; i++) X[i] = (float)Gaussian(rng);
        for (int i = 0; i < Y.Length; i++) Y[i] = (float)(rng.NextDouble() * 1.8 - 0.9);
        return new Fixture<TNet>(name, layers, X, Y, DenseSamples, batchSession: false,
                                 warmUpSteps: 100, warmUpRate: 0.1f, learningRate: 0.01f);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>data/football/football_train.csv (embedded): header x1,x2,y, then 211 rows.</summary>
    private static (float[] X, float[] Y) Football()
    {
        using Stream stream = typeof(Cases).Assembly.GetManifestResourceStream("football_train.csv")
            ?? throw new InvalidOperationException("the embedded football_train.csv is missing");
        using var reader = new StreamReader(stream);
        var X = new List<float>();
        var Y = new List<float>();
        reader.ReadLine(); // header
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length == 0) continue;
            string[] cells = line.Split(',');
            X.Add(float.Parse(cells[0], CultureInfo.InvariantCulture));
            X.Add(float.Parse(cells[1], CultureInfo.InvariantCulture));
            Y.Add(float.Parse(cells[2], CultureInfo.InvariantCulture));
        }
        if (Y.Count != NetABatch)
            throw new InvalidDataException($"football_train.csv has {Y.Count} rows, expected {NetABatch}");
        return (X.ToArray(), Y.ToArray());
    }
}

/// <summary>The generated LeNet-5 (issue 14) with 64 seeded samples: pixels uniform in [0, 1), random one-hot labels
/// (as the quick mode's conv section draws them).</summary>
public sealed class LeNet5Case
{
    /// <summary>The samples of every call.</summary>
    public const int Samples = 64;
    /// <summary>The network under test.</summary>
    public readonly LeNet5 Net = new();
    /// <summary>Samples × 784 inputs, Samples × 10 targets, Samples × 10 predictions.</summary>
    public readonly float[] X = new float[Samples * 784], Y = new float[Samples * 10], Predictions = new float[Samples * 10];
    /// <summary>The parameters at construction (training cases restore them).</summary>
    public readonly float[] Parameters;
    /// <summary>The rate of the timed steps: small, so that steps that are not undone stay finite.</summary>
    public const float LearningRate = 1e-4f;

    /// <summary>A fresh LeNet-5 (its seeded initial parameters) and the 64 samples.</summary>
    public LeNet5Case()
    {
        var rng = new Random(5);
        for (int i = 0; i < X.Length; i++) X[i] = (float)rng.NextDouble();
        for (int s = 0; s < Samples; s++) Y[s * 10 + rng.Next(10)] = 1f;
        Parameters = Net.Parameters.ToArray();
    }

    /// <summary>Puts the parameters back to those at construction.</summary>
    public void RestoreParameters() => Parameters.CopyTo(Net.Parameters);

    /// <summary>Multiply-adds of one sample's forward pass: conv 1 (6 filters of 5 × 5 × 1 over 28 × 28), conv 2 (16 of
    /// 5 × 5 × 6 over 10 × 10), dense 400·120, 120·84, 84·10.</summary>
    public const long ForwardMultiplyAdds = 6L * 784 * 25 + 16L * 100 * 150 + 400 * 120 + 120 * 84 + 84 * 10;
    /// <summary>Conv 1's share: it has no dA, since its input is the data.</summary>
    public const long FirstLayerMultiplyAdds = 6L * 784 * 25;
}
