using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests;

// ---- initialisation: one wide layer (256 → 768, 196 608 weights) per scheme; fan-in ≠ fan-out so the schemes differ ----
// Expected deviations: He √(2/256) = 0.0884, LeCun 1/√256 = 0.0625, Glorot √(2/1024) = 0.0442, Normal = InitScale.

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 101)]
[Input(256)]
[Dense(768, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class HeWideNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 102)]
[Input(256)]
[Dense(768, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class LeCunWideNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 103)]
[Input(256)]
[Dense(768, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class GlorotWideNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal, InitScale = 0.03f, Seed = 104)]
[Input(256)]
[Dense(768, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class NormalWideNet;

/// <summary>No Init and no InitScale: the defaults (He; 0.01 for Normal) apply.</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(256)]
[Dense(768, Activation.Relu)]
[Dense(1, Activation.Sigmoid, Init = Init.Normal)]
public partial class DefaultInitWideNet;

/// <summary>
/// Per-layer overrides of the network's He: W1 Glorot (256 → 768: 0.0442), W2 Normal with InitScale 0.2
/// (768 → 200), W3 inherits He (200 → 300: 0.1), W4 LeCun (300 → 1: 0.0577).
/// </summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, InitScale = 0.2f, Seed = 105)]
[Input(256)]
[Dense(768, Activation.Linear, Init = Init.Glorot)]
[Dense(200, Activation.Tanh, Init = Init.Normal)]
[Dense(300, Activation.Relu)]
[Dense(1, Activation.Sigmoid, Init = Init.LeCun)]
public partial class OverrideInitNet;

/// <summary>The seed of the parameterless constructor is the attribute's.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 77)]
[Input(6)]
[Dense(9, Activation.Tanh)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Linear)]
public partial class SeededNet;

/// <summary>No Seed: the attribute's default, 1.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot)]
[Input(6)]
[Dense(9, Activation.Tanh)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Linear)]
public partial class UnseededNet;

/// <summary>A flattened multi-dimensional input: [Input(4, 3, 2)] is 24 features.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(4, 3, 2)]
[Dense(10, Activation.Relu, Inputs = 24)]
[Dense(5, Activation.Softmax)]
public partial class ShapedInputNet;

/// <summary>
/// Construction, initialisation, the parameter views, the constants, and the equivalence and thread safety of the
/// prediction entry points (DESIGN §1–2).
/// </summary>
public sealed class ConstructionTests
{
    private readonly ITestOutputHelper _output;

    public ConstructionTests(ITestOutputHelper output) => _output = output;

    // ---- seeds ----

    [Fact]
    public void The_same_seed_gives_the_same_parameters_and_another_seed_others()
    {
        float[] a = new SeededNet(42).Parameters.ToArray();
        float[] b = new SeededNet(42).Parameters.ToArray();
        float[] c = new SeededNet(43).Parameters.ToArray();
        Assert.Equal(a, b);
        int weights = 6 * 9 + 9 * 4 + 4 * 2;
        int different = a.Zip(c).Count(p => p.First != p.Second);
        Assert.True(different >= weights - 2, $"seeds 42 and 43 differ in only {different} of {weights} weights.");
    }

    [Fact]
    public void The_parameterless_constructor_uses_the_attribute_seed()
    {
        Assert.Equal(new SeededNet(77).Parameters.ToArray(), new SeededNet().Parameters.ToArray());
        Assert.NotEqual(new SeededNet(1).Parameters.ToArray(), new SeededNet().Parameters.ToArray());
        Assert.Equal(new UnseededNet(1).Parameters.ToArray(), new UnseededNet().Parameters.ToArray());
        Assert.NotEqual(new UnseededNet(77).Parameters.ToArray(), new UnseededNet().Parameters.ToArray());
    }

    [Fact]
    public void Biases_start_at_zero_and_weights_do_not()
    {
        foreach (ulong seed in new ulong[] { 1, 2, 77, ulong.MaxValue })
        {
            var net = new SeededNet(seed);
            Assert.All(net.B1.ToArray(), b => Assert.Equal(0f, b));
            Assert.All(net.B2.ToArray(), b => Assert.Equal(0f, b));
            Assert.All(net.B3.ToArray(), b => Assert.Equal(0f, b));
            Assert.All(net.W1.ToArray(), w => Assert.NotEqual(0f, w));
            Assert.All(net.W2.ToArray(), w => Assert.NotEqual(0f, w));
            Assert.All(net.W3.ToArray(), w => Assert.NotEqual(0f, w));
        }
        var wide = new OverrideInitNet();
        Assert.All(new[] { wide.B1.ToArray(), wide.B2.ToArray(), wide.B3.ToArray(), wide.B4.ToArray() },
            b => Assert.True(b.All(v => v == 0f)));
    }

    // ---- initialisation statistics ----

    /// <summary>
    /// The weights are N(0, σ²) draws: for N draws the sample deviation s has a standard error σ/√(2N), the mean
    /// σ/√N, and the fraction within ±σ (0.6827 for a normal law, 0.577 for a uniform one of the same σ) √(p(1−p)/N).
    /// Each is checked within 5 standard errors.
    /// </summary>
    private static void AssertNormal(ReadOnlySpan<float> weights, double sigma, string what)
    {
        int n = weights.Length;
        double sum = 0, squares = 0;
        int within = 0;
        foreach (float w in weights)
        {
            sum += w;
            squares += (double)w * w;
            if (Math.Abs(w) <= sigma) within++;
        }
        double mean = sum / n;
        double deviation = Math.Sqrt(squares / n - mean * mean);
        double fraction = (double)within / n;
        const double p = 0.682689492;
        Assert.True(Math.Abs(deviation / sigma - 1) <= 5 / Math.Sqrt(2.0 * n),
            $"{what}: deviation {deviation:G5}, expected {sigma:G5} (±{100 * 5 / Math.Sqrt(2.0 * n):F2} %) over {n} weights.");
        Assert.True(Math.Abs(mean) <= 5 * sigma / Math.Sqrt(n), $"{what}: mean {mean:G5} over {n} weights of deviation {sigma:G5}.");
        Assert.True(Math.Abs(fraction - p) <= 5 * Math.Sqrt(p * (1 - p) / n),
            $"{what}: {fraction:P2} of the weights lie within ±σ, a normal law has {p:P2}.");
    }

    [Fact]
    public void He_weights_have_deviation_sqrt_2_over_fan_in() => AssertNormal(new HeWideNet().W1, Math.Sqrt(2.0 / 256), "He W1");

    [Fact]
    public void LeCun_weights_have_deviation_1_over_sqrt_fan_in() => AssertNormal(new LeCunWideNet().W1, 1 / Math.Sqrt(256), "LeCun W1");

    [Fact]
    public void Glorot_weights_have_deviation_sqrt_2_over_fan_in_plus_fan_out() =>
        AssertNormal(new GlorotWideNet().W1, Math.Sqrt(2.0 / (256 + 768)), "Glorot W1");

    [Fact]
    public void Normal_weights_have_deviation_InitScale() => AssertNormal(new NormalWideNet().W1, 0.03f, "Normal(0.03) W1");

    [Fact]
    public void Defaults_are_He_and_an_InitScale_of_0_01()
    {
        var net = new DefaultInitWideNet();
        AssertNormal(net.W1, Math.Sqrt(2.0 / 256), "default (He) W1");
        // W2 holds 768 weights: a 5σ band of ±12.8 % still tells 0.01 from every other scheme (He 0.051, LeCun 0.036).
        AssertNormal(net.W2, 0.01f, "Normal with the default scale, W2");
    }

    [Fact]
    public void A_per_layer_Init_overrides_the_network_one()
    {
        var net = new OverrideInitNet();
        AssertNormal(net.W1, Math.Sqrt(2.0 / (256 + 768)), "W1 (Glorot override)");
        AssertNormal(net.W2, 0.2f, "W2 (Normal override, InitScale 0.2)");
        AssertNormal(net.W3, Math.Sqrt(2.0 / 200), "W3 (the network's He)");
        // 300 weights: the 5σ band is ±20 %, enough to tell LeCun's 0.0577 from He's 0.0816.
        AssertNormal(net.W4, 1 / Math.Sqrt(300), "W4 (LeCun override)");
    }

    [Fact]
    public void Layers_draw_different_weights()
    {
        // Two layers of the same shape must not start from the same draws.
        var net = new OverrideInitNet();
        float[] w1 = net.W1.Slice(0, 1000).ToArray(), w3 = net.W3.Slice(0, 1000).ToArray();
        double correlation = w1.Zip(w3).Sum(p => (double)p.First * p.Second)
            / Math.Sqrt(w1.Sum(v => (double)v * v) * w3.Sum(v => (double)v * v));
        Assert.True(Math.Abs(correlation) < 0.2, $"correlation {correlation:F3}");
    }

    // ---- views and constants ----

    [Fact]
    public void Views_alias_the_parameters_at_their_offsets()
    {
        var net = new SeededNet(9);
        Span<float> p = net.Parameters;
        Assert.Equal(SeededNet.ParameterCount, p.Length);
        (string Name, int Offset, int Length)[] views =
        {
            ("W1", 0, 9 * 6),
            ("B1", 54, 9),
            ("W2", 63, 4 * 9),
            ("B2", 99, 4),
            ("W3", 103, 2 * 4),
            ("B3", 111, 2),
        };
        Assert.Equal(113, SeededNet.ParameterCount);
        foreach (var (name, offset, length) in views)
        {
            Span<float> view = name switch
            {
                "W1" => net.W1, "B1" => net.B1, "W2" => net.W2, "B2" => net.B2, "W3" => net.W3, _ => net.B3,
            };
            Assert.True(length == view.Length, $"{name} has {view.Length} floats, expected {length}.");
            Assert.True(Unsafe.AreSame(ref view[0], ref p[offset]), $"{name} does not start at Parameters[{offset}].");
            Assert.True(Unsafe.AreSame(ref view[^1], ref p[offset + length - 1]), $"{name} does not end at Parameters[{offset + length - 1}].");
        }

        // Writes go both ways, and W2 is row-major (n[2], n[1]) = (4, 9): element [1, 2] is at 63 + 1·9 + 2.
        net.W2[1 * 9 + 2] = 123.5f;
        Assert.Equal(123.5f, net.Parameters[63 + 11]);
        net.Parameters[111 + 1] = -7.25f;
        Assert.Equal(-7.25f, net.B3[1]);
    }

    [Fact]
    public void W_is_row_major_with_shape_units_by_inputs()
    {
        // With W1 = 0 except W1[j, k] = 1 and linear layers, output = f(x[k]) reaches only unit j.
        var net = new TanhLinearMseNet(); // 3 → 5 (tanh) → 2 (linear)
        net.Parameters.Clear();
        net.W1[2 * 3 + 1] = 1f;   // W1[2, 1]: unit 2 reads x[1]
        net.W2[1 * 5 + 2] = 1f;   // W2[1, 2]: output 1 reads unit 2
        Span<float> y = stackalloc float[2];
        net.Predict(new float[] { 0f, 0.5f, 0f }, y);
        Assert.Equal(0f, y[0]);
        Assert.Equal(MathF.Tanh(0.5f), y[1], 1e-6f);
    }

    [Fact]
    public void Constants_are_the_declared_sizes()
    {
        Assert.Equal((6, 2, 3, 113), (SeededNet.InputSize, SeededNet.OutputSize, SeededNet.LayerCount, SeededNet.ParameterCount));
        Assert.Equal((5, 1, 1, 6), (LogisticNet.InputSize, LogisticNet.OutputSize, LogisticNet.LayerCount, LogisticNet.ParameterCount));
        Assert.Equal((5, 3, 4, 5 * 8 + 8 + 8 * 6 + 6 + 6 * 5 + 5 + 5 * 3 + 3),
            (DeepSoftmaxNet.InputSize, DeepSoftmaxNet.OutputSize, DeepSoftmaxNet.LayerCount, DeepSoftmaxNet.ParameterCount));
        Assert.Equal((24, 5, 2, 24 * 10 + 10 + 10 * 5 + 5),
            (ShapedInputNet.InputSize, ShapedInputNet.OutputSize, ShapedInputNet.LayerCount, ShapedInputNet.ParameterCount));
        Assert.Equal(2 * 50 + 50 + 50 + 1, Flower50Net.ParameterCount);

        INetwork net = new DeepSoftmaxNet();
        Assert.Equal((DeepSoftmaxNet.InputSize, DeepSoftmaxNet.OutputSize, DeepSoftmaxNet.LayerCount, DeepSoftmaxNet.ParameterCount),
            (net.InputSize, net.OutputSize, net.LayerCount, net.ParameterCount));
        Assert.Equal(Loss.CrossEntropy, net.Loss);
        Assert.Equal(Loss.MeanSquaredError, ((INetwork)new SeededNet()).Loss);
        Assert.Equal(DeepSoftmaxNet.ParameterCount, net.Parameters.Length);
    }

    [Fact]
    public void Architecture_tells_different_layouts_apart()
    {
        INetwork a = new SeededNet(), b = new UnseededNet(), c = new DeepSoftmaxNet();
        Assert.False(string.IsNullOrWhiteSpace(a.Architecture));
        Assert.Equal(a.Architecture, b.Architecture); // same sizes, activations and loss; only the seed differs
        Assert.NotEqual(a.Architecture, c.Architecture);
        // 3-4-1 both, BCE both: only the hidden activation differs (tanh vs linear).
        Assert.NotEqual(((INetwork)new TanhSigmoidNet()).Architecture, ((INetwork)new LinearSigmoidNet()).Architecture);
    }

    // ---- prediction entry points ----

    private static float[] Inputs(int m, int n, int seed)
    {
        var rng = new Random(seed);
        var X = new float[m * n];
        for (int i = 0; i < X.Length; i++) X[i] = (float)Problem.Gaussian(rng);
        return X;
    }

    public static TheoryData<string> AllCases()
    {
        var data = new TheoryData<string>();
        foreach (NetCase c in NetCases.All) data.Add(c.Name);
        return data;
    }

    /// <summary>
    /// Predict(span) and PredictBatch compute the same function of each sample. They are not bit-identical:
    /// TensorPrimitives' Sigmoid/Tanh (and Exp) round an element differently (by ~1 ulp) depending on whether it falls
    /// in the vectorised body or the scalar tail of the span — the same z gives different σ(z) for m = 1 and m = 37 —
    /// and those differences pass through the later layers. Bound: a few ulps per activation, ≤ 4 layers with weights
    /// and inputs of O(1) here, so |Δ| ≤ 2e-6·max(1, |y|) (float32 ulp at 1 is 1.2e-7); a wrong row, column or batch
    /// offset gives differences of O(0.1).
    /// </summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public void Predict_of_one_sample_equals_PredictBatch_row_by_row(string name)
    {
        INetwork net = NetCases.Get(name).Create();
        const int m = 37;
        int n0 = net.InputSize, nL = net.OutputSize;
        float[] X = Inputs(m, n0, 8);
        float[] batch = new float[m * nL], single = new float[nL];
        net.PredictBatch(X, batch, m);
        double worst = 0;
        for (int i = 0; i < m; i++)
        {
            net.Predict(X.AsSpan(i * n0, n0), single);
            for (int j = 0; j < nL; j++)
            {
                double error = Math.Abs(single[j] - batch[i * nL + j]) / Math.Max(1, Math.Abs(batch[i * nL + j]));
                worst = Math.Max(worst, error);
                Assert.True(error <= 2e-6,
                    $"{name}: sample {i}, output {j}: Predict gives {single[j]:R}, PredictBatch {batch[i * nL + j]:R}.");
            }
        }
        _output.WriteLine($"{name}: worst |Predict − PredictBatch| / max(1, |y|) = {worst:E2}");
    }

    [Fact]
    public void Predict_with_inline_arrays_equals_Predict_with_spans()
    {
        var net = new DeepSoftmaxNet();
        float[] X = Inputs(20, DeepSoftmaxNet.InputSize, 9);
        Span<float> y = stackalloc float[DeepSoftmaxNet.OutputSize];
        for (int i = 0; i < 20; i++)
        {
            var input = new DeepSoftmaxNet.Input();
            for (int k = 0; k < DeepSoftmaxNet.InputSize; k++) input[k] = X[i * DeepSoftmaxNet.InputSize + k];
            DeepSoftmaxNet.Output output = net.Predict(in input);
            net.Predict(X.AsSpan(i * DeepSoftmaxNet.InputSize, DeepSoftmaxNet.InputSize), y);
            for (int j = 0; j < DeepSoftmaxNet.OutputSize; j++)
                Assert.Equal(y[j], output[j]);
        }

        var wide = new WideSoftmaxNet();
        float[] x = Inputs(1, WideSoftmaxNet.InputSize, 10);
        var wideInput = new WideSoftmaxNet.Input();
        for (int k = 0; k < WideSoftmaxNet.InputSize; k++) wideInput[k] = x[k];
        WideSoftmaxNet.Output wideOutput = wide.Predict(in wideInput);
        float[] expected = new float[WideSoftmaxNet.OutputSize];
        wide.Predict(x, expected);
        for (int j = 0; j < WideSoftmaxNet.OutputSize; j++)
            Assert.Equal(expected[j], wideOutput[j]);
    }

    /// <summary>Strides coprime to 400, so that k ↦ (k·stride + offset) mod 400 visits every sample.</summary>
    private static readonly int[] Strides = { 1, 3, 7, 9, 11, 13, 17, 19 };

    [Fact]
    public void Predict_from_8_threads_at_once_equals_Predict_from_one()
    {
        var net = new WideSoftmaxNet();
        const int m = 400, threads = 8, rounds = 5;
        int n0 = WideSoftmaxNet.InputSize, nL = WideSoftmaxNet.OutputSize;
        float[] X = Inputs(m, n0, 11);
        var expected = new float[m * nL];
        for (int i = 0; i < m; i++)
            net.Predict(X.AsSpan(i * n0, n0), expected.AsSpan(i * nL, nL));

        var results = new float[threads][];
        var errors = new Exception?[threads];
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    var mine = new float[m * nL];
                    start.SignalAndWait();
                    for (int round = 0; round < rounds; round++)
                        for (int k = 0; k < m; k++)
                        {
                            int i = (k * Strides[id] + id * 13) % m; // a permutation: each thread walks the samples in another order
                            net.Predict(X.AsSpan(i * n0, n0), mine.AsSpan(i * nL, nL));
                            if (round > 0 && mine[i * nL] != expected[i * nL])
                                throw new InvalidOperationException($"thread {id}, round {round}, sample {i}: {mine[i * nL]:R} ≠ {expected[i * nL]:R}");
                        }
                    results[id] = mine;
                }
                catch (Exception e)
                {
                    errors[id] = e;
                }
            });
            workers[t].Start();
        }
        foreach (Thread w in workers) w.Join();

        Assert.All(errors, e => Assert.Null(e));
        for (int t = 0; t < threads; t++)
            Assert.Equal(expected, results[t]);
    }
}
