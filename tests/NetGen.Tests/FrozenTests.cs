using System;
using System.Threading;
using Xunit;

namespace NetGen.Tests;

// Net C of the benchmarks: 784-128-10, ReLU then softmax. Its first layer is wide (the batch path packs Wᵀ).
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 31)]
[Input(784)]
[Dense(128, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class FrozenNetC;

// Wide layers of awkward widths: 70 units = one wide panel and a narrow one of 6 units; 100 = a full wide panel and a
// partial one of 36 units; the inputs (40, 70) are not multiples of 16, so the pack's k tail runs too.
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 32)]
[Input(40)]
[Dense(70, Activation.Relu)]
[Dense(100, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class FrozenRaggedNet;

/// <summary>
/// The frozen form (issue 13, item 5): <c>Freeze()</c> gives a snapshot whose predictions equal the network's bit for bit
/// (its batches run on Wᵀ packed once instead of per call, the same panels and the same sums), that does not follow the
/// network's later training, that many threads may use at once, that allocates nothing after warm-up, and that checks
/// its arguments as the network does.
/// </summary>
public sealed class FrozenTests
{
    private static readonly int[] BatchSizes = { 1, 7, 12, 13, 256 };

    /// <summary>m samples of n features in [−1, 1), from a fixed seed.</summary>
    private static float[] Samples(int m, int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[m * n];
        for (int i = 0; i < x.Length; i++)
            x[i] = 2f * rng.NextSingle() - 1f;
        return x;
    }

    /// <summary>One-hot targets of m samples over k classes.</summary>
    private static float[] Targets(int m, int k)
    {
        var y = new float[m * k];
        for (int i = 0; i < m; i++)
            y[i * k + i % k] = 1f;
        return y;
    }

    private static void AssertBitwiseEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, the network's is {expected[i]:R}");
    }

    private static bool BitwiseEqual(float[] a, float[] b)
    {
        for (int i = 0; i < a.Length; i++)
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i])) return false;
        return true;
    }

    /// <summary>
    /// The network's and the snapshot's predictions of every batch size, in batches and one sample at a time. Batches of 4
    /// samples or more must agree bit for bit (the same kernels on equal parameters; the wide layers on panels packed
    /// once or per call, the same panels). One to three samples of a wide layer, and Predict, run DenseForwardOne, whose
    /// streamed rows are summed from the cache line each row starts in: its last bit depends on where the GC placed W,
    /// so two networks with equal parameters (and the snapshot's copy) may differ there by an ulp or two.
    /// </summary>
    private static void AssertSameAsNetwork(Action<float[], float[]> netPredict, Action<float[], float[]> frozenPredict,
        Action<float[], float[], int> netBatch, Action<float[], float[], int> frozenBatch, int nIn, int nOut)
    {
        foreach (int m in BatchSizes)
        {
            float[] X = Samples(m, nIn, (ulong)(100 + m));
            float[] expected = new float[m * nOut], actual = new float[m * nOut];
            netBatch(X, expected, m);
            frozenBatch(X, actual, m);
            if (m >= 4)
                AssertBitwiseEqual(expected, actual, $"PredictBatch, m = {m}");
            else
                AssertClose(expected, actual, $"PredictBatch, m = {m}");
        }
        float[] x = Samples(1, nIn, 7), y = new float[nOut], z = new float[nOut];
        netPredict(x, y);
        frozenPredict(x, z);
        AssertClose(y, z, "Predict");
    }

    /// <summary>Equal within 4 ulps of float (2⁻²¹ relative, 1e-7 absolute near 0): the summation order alone.</summary>
    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Max(1e-7f, Math.Abs(expected[i]) * 4.8e-7f))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, the network's is {expected[i]:R}");
    }

    [Fact]
    public void Net_C_frozen_predicts_as_the_network_bit_for_bit()
    {
        var net = new FrozenNetC();
        FrozenNetC.Frozen frozen = net.Freeze();
        AssertSameAsNetwork((x, y) => net.Predict(x, y), (x, y) => frozen.Predict(x, y),
            (X, Y, m) => net.PredictBatch(X, Y, m), (X, Y, m) => frozen.PredictBatch(X, Y, m),
            FrozenNetC.InputSize, FrozenNetC.OutputSize);
    }

    [Fact]
    public void Ragged_wide_net_frozen_predicts_as_the_network_bit_for_bit()
    {
        var net = new FrozenRaggedNet();
        FrozenRaggedNet.Frozen frozen = net.Freeze();
        AssertSameAsNetwork((x, y) => net.Predict(x, y), (x, y) => frozen.Predict(x, y),
            (X, Y, m) => net.PredictBatch(X, Y, m), (X, Y, m) => frozen.PredictBatch(X, Y, m),
            FrozenRaggedNet.InputSize, FrozenRaggedNet.OutputSize);
    }

    [Fact]
    public void Narrow_nets_frozen_predict_as_the_network_bit_for_bit()
    {
        // Samples as columns (no packing at all) and a narrow softmax net with samples as rows.
        var deep = new DeepMultiLabelNet();
        DeepMultiLabelNet.Frozen deepFrozen = deep.Freeze();
        AssertSameAsNetwork((x, y) => deep.Predict(x, y), (x, y) => deepFrozen.Predict(x, y),
            (X, Y, m) => deep.PredictBatch(X, Y, m), (X, Y, m) => deepFrozen.PredictBatch(X, Y, m),
            DeepMultiLabelNet.InputSize, DeepMultiLabelNet.OutputSize);
        var softmax = new WideSoftmaxNet();
        WideSoftmaxNet.Frozen softmaxFrozen = softmax.Freeze();
        AssertSameAsNetwork((x, y) => softmax.Predict(x, y), (x, y) => softmaxFrozen.Predict(x, y),
            (X, Y, m) => softmax.PredictBatch(X, Y, m), (X, Y, m) => softmaxFrozen.PredictBatch(X, Y, m),
            WideSoftmaxNet.InputSize, WideSoftmaxNet.OutputSize);
    }

    [Fact]
    public void Frozen_does_not_follow_further_training()
    {
        const int m = 256;
        var net = new FrozenRaggedNet();
        float[] X = Samples(m, FrozenRaggedNet.InputSize, 5), T = Targets(m, FrozenRaggedNet.OutputSize);
        float[] before = new float[m * FrozenRaggedNet.OutputSize];
        net.PredictBatch(X, before, m);
        FrozenRaggedNet.Frozen frozen = net.Freeze();

        for (int step = 0; step < 5; step++)
            net.TrainStep(X, T, m, 0.1f);

        float[] after = new float[before.Length], frozenBatch = new float[before.Length];
        net.PredictBatch(X, after, m);
        frozen.PredictBatch(X, frozenBatch, m);
        Assert.False(BitwiseEqual(before, after), "training changed nothing, so this test could not fail");
        AssertBitwiseEqual(before, frozenBatch, "PredictBatch after the network trained");

        float[] one = new float[FrozenRaggedNet.OutputSize];
        frozen.Predict(X.AsSpan(0, FrozenRaggedNet.InputSize), one);
        AssertClose(before.AsSpan(0, FrozenRaggedNet.OutputSize).ToArray(), one, "Predict after the network trained");
    }

    [Fact]
    public void Many_threads_at_once_give_the_single_thread_answers()
    {
        FrozenNetC.Frozen frozen = new FrozenNetC().Freeze();
        int[] sizes = { 1, 7, 13, 64, 256 };
        var inputs = new float[sizes.Length][];
        var expected = new float[sizes.Length][];
        var expectedOne = new float[sizes.Length][];
        for (int s = 0; s < sizes.Length; s++)
        {
            expectedOne[s] = new float[FrozenNetC.OutputSize];
            frozen.Predict(Samples(sizes[s], FrozenNetC.InputSize, (ulong)(200 + s)).AsSpan(0, FrozenNetC.InputSize), expectedOne[s]);
            inputs[s] = Samples(sizes[s], FrozenNetC.InputSize, (ulong)(200 + s));
            expected[s] = new float[sizes[s] * FrozenNetC.OutputSize];
            frozen.PredictBatch(inputs[s], expected[s], sizes[s]);
        }

        const int Threads = 8, Calls = 200;
        var failures = new string?[Threads];
        using var start = new Barrier(Threads);
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                var outputs = new float[sizes.Length][];
                for (int s = 0; s < sizes.Length; s++) outputs[s] = new float[expected[s].Length];
                float[] one = new float[FrozenNetC.OutputSize];
                for (int call = 0; call < Calls && failures[id] is null; call++)
                {
                    int s = (id + call) % sizes.Length; // every thread cycles through the sizes, out of step
                    frozen.PredictBatch(inputs[s], outputs[s], sizes[s]);
                    if (!BitwiseEqual(expected[s], outputs[s]))
                        failures[id] = $"thread {id}, call {call}: PredictBatch of m = {sizes[s]} differs";
                    frozen.Predict(inputs[s].AsSpan(0, FrozenNetC.InputSize), one);
                    if (!BitwiseEqual(expectedOne[s], one))
                        failures[id] = $"thread {id}, call {call}: Predict differs";
                }
            });
            threads[t].Start();
        }
        foreach (Thread thread in threads) thread.Join();
        foreach (string? failure in failures) Assert.Null(failure);
    }

    [Fact]
    public void Frozen_allocates_nothing_after_warm_up()
    {
        const int m = 256;
        FrozenNetC.Frozen frozen = new FrozenNetC().Freeze();
        float[] X = Samples(m, FrozenNetC.InputSize, 9), Y = new float[m * FrozenNetC.OutputSize];
        frozen.PredictBatch(X, Y, m); // warm-up: this thread's workspace grows to m
        frozen.Predict(X.AsSpan(0, FrozenNetC.InputSize), Y.AsSpan(0, FrozenNetC.OutputSize));

        long batch = Allocations.LeastOfThree(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                frozen.PredictBatch(X, Y, m);
                frozen.PredictBatch(X.AsSpan(0, 13 * FrozenNetC.InputSize), Y.AsSpan(0, 13 * FrozenNetC.OutputSize), 13);
            }
        });
        long one = Allocations.LeastOfThree(() =>
        {
            for (int i = 0; i < 1000; i++)
                frozen.Predict(X.AsSpan(0, FrozenNetC.InputSize), Y.AsSpan(0, FrozenNetC.OutputSize));
        });
        Assert.Equal(0, batch);
        Assert.Equal(0, one);

        // A second snapshot on the same thread shares the thread's workspace: nothing to grow.
        FrozenNetC.Frozen other = new FrozenNetC(3).Freeze();
        other.PredictBatch(X, Y, m);
        Assert.Equal(0, Allocations.LeastOfThree(() => other.PredictBatch(X, Y, m)));
    }

    [Fact]
    public void Bad_lengths_throw_naming_expected_and_found_and_write_nothing()
    {
        FrozenNetC.Frozen frozen = new FrozenNetC().Freeze();
        var y = new float[FrozenNetC.OutputSize];
        Array.Fill(y, 42f);

        var e = Assert.Throws<ArgumentException>(() => frozen.Predict(new float[783], y));
        Assert.Equal("x", e.ParamName);
        Assert.StartsWith("x must hold InputSize = 784 floats, but has 783.", e.Message);
        e = Assert.Throws<ArgumentException>(() => frozen.Predict(new float[784], new float[11]));
        Assert.StartsWith("y must hold OutputSize = 10 floats, but has 11.", e.Message);
        Assert.All(y, v => Assert.Equal(42f, v));

        var Y = new float[3 * FrozenNetC.OutputSize];
        Array.Fill(Y, 42f);
        e = Assert.Throws<ArgumentException>(() => frozen.PredictBatch(new float[2 * 784], Y, 3));
        Assert.Equal("X", e.ParamName);
        Assert.StartsWith("X must hold m × 784 = 3 × 784 = 2352 floats, but has 1568 (2 × 784).", e.Message);
        e = Assert.Throws<ArgumentException>(() => frozen.PredictBatch(new float[3 * 784], new float[29], 3));
        Assert.StartsWith("Y must hold m × 10 = 3 × 10 = 30 floats, but has 29.", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => frozen.PredictBatch(new float[784], Y, 0));
        Assert.All(Y, v => Assert.Equal(42f, v));

        // The same messages as the network's own.
        var net = new FrozenNetC();
        var fromNet = Assert.Throws<ArgumentException>(() => net.PredictBatch(new float[2 * 784], Y, 3));
        var fromFrozen = Assert.Throws<ArgumentException>(() => frozen.PredictBatch(new float[2 * 784], Y, 3));
        Assert.Equal(fromNet.Message, fromFrozen.Message);
    }

    [Fact]
    public void Sizes_are_the_network_sizes()
    {
        Assert.Equal(784, FrozenNetC.Frozen.InputSize);
        Assert.Equal(10, FrozenNetC.Frozen.OutputSize);
    }

    /// <summary>The pre-packed kernel entry refuses panels packed from a layer of other sizes.</summary>
    [Fact]
    public void Packed_weights_of_other_sizes_are_refused()
    {
        var W = new float[64 * 32];
        var b = new float[64];
        Kernels.PackedWeights? packed = Kernels.PackedWeights.Of(W, b, 32, 64);
        bool packs = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
            && System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        Assert.Equal(packs, packed is not null); // a host without AVX-512 never packs: the batch runs as the network's
        if (packed is null) return;
        var A = new float[16 * 32];
        var Z = new float[16 * 32];
        var e = Assert.Throws<ArgumentException>(() => Kernels.DenseForward(A, new float[32 * 32], new float[32], Z, 16, 32, 32,
            new Kernels.ReluFunction(), packed));
        Assert.Contains("64 × 32", e.Message);
        Assert.Contains("32 × 32", e.Message);
    }
}
