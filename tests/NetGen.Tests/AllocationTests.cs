using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// "No heap allocation" (DESIGN §2): after a warm-up, 1000 calls of each method allocate exactly 0 bytes on the
/// calling thread — also for a batch smaller than the warm-up batch.
/// </summary>
public sealed class AllocationTests
{
    private const int Calls = 1000;
    private const int WarmUpBatch = 16;
    private const int SmallBatch = 5;

    private delegate void Call();

    /// <summary>
    /// Bytes allocated on this thread by <paramref name="calls"/> calls of <paramref name="call"/> (see <see cref="Allocations.LeastOfThree"/>).
    /// </summary>
    private static long Allocated(Call call, int calls = Calls)
        => Allocations.LeastOfThree(() =>
        {
            for (int i = 0; i < calls; i++)
                call();
        });

    /// <summary>The measurement can fail: it sees one small array per call.</summary>
    [Fact]
    public void The_measurement_sees_an_allocation()
    {
        float[]? last = null;
        long bytes = Allocated(() => last = new float[1]);
        Assert.NotNull(last);
        Assert.True(bytes >= Calls * 24L, $"{bytes} bytes for {Calls} arrays");
    }

    public static TheoryData<string> Nets() => new()
    {
        "TanhSigmoid", "DeepSoftmax", "TanhSoftmaxMse", "L2", "L1", "WideSoftmax",
        // Conv networks (issue 14): two channels reordered into planes, pools, dropout after a conv layer, penalties.
        "ConvStride", "ConvSame", "ConvDropout", "ConvOutput",
    };

    [Theory]
    [MemberData(nameof(Nets))]
    public void Span_methods_allocate_nothing_after_warm_up(string name)
    {
        NetCase c = NetCases.Get(name);
        INetwork net = c.Create();
        int n0 = net.InputSize, nL = net.OutputSize;
        var rng = new Random(3);
        float[] X = new float[WarmUpBatch * n0];
        for (int i = 0; i < X.Length; i++) X[i] = (float)Problem.Gaussian(rng);
        float[] Y = new float[WarmUpBatch * nL];
        for (int i = 0; i < WarmUpBatch; i++) Y[i * nL + (i % nL)] = 1f; // one-hot: valid for every loss used here
        float[] outputs = new float[WarmUpBatch * nL];
        float[] gradients = new float[net.ParameterCount];
        float[] x = X.AsSpan(0, n0).ToArray();
        float[] y = new float[nL];
        float[] Xs = X.AsSpan(0, SmallBatch * n0).ToArray(), Ys = Y.AsSpan(0, SmallBatch * nL).ToArray(), outputsSmall = new float[SmallBatch * nL];
        float sink = 0;

        // Warm-up at the large batch (JIT tiers, lazily sized buffers).
        for (int i = 0; i < 200; i++)
        {
            net.Predict(x, y);
            net.PredictBatch(X, outputs, WarmUpBatch);
            sink += net.Cost(X, Y, WarmUpBatch);
            sink += net.ComputeGradients(X, Y, WarmUpBatch, gradients);
            sink += net.TrainStep(X, Y, WarmUpBatch, 1e-6f);
        }

        var results = new (string Method, long Bytes)[]
        {
            ("Predict(span)", Allocated(() => net.Predict(x, y))),
            ("PredictBatch(m = 16)", Allocated(() => net.PredictBatch(X, outputs, WarmUpBatch))),
            ("PredictBatch(m = 5)", Allocated(() => net.PredictBatch(Xs, outputsSmall, SmallBatch))),
            ("Cost(m = 16)", Allocated(() => sink += net.Cost(X, Y, WarmUpBatch))),
            ("Cost(m = 5)", Allocated(() => sink += net.Cost(Xs, Ys, SmallBatch))),
            ("ComputeGradients(m = 16)", Allocated(() => sink += net.ComputeGradients(X, Y, WarmUpBatch, gradients))),
            ("ComputeGradients(m = 5)", Allocated(() => sink += net.ComputeGradients(Xs, Ys, SmallBatch, gradients))),
            ("TrainStep(m = 16)", Allocated(() => sink += net.TrainStep(X, Y, WarmUpBatch, 1e-6f))),
            ("TrainStep(m = 5)", Allocated(() => sink += net.TrainStep(Xs, Ys, SmallBatch, 1e-6f))),
        };
        Assert.True(float.IsFinite(sink));
        Assert.All(results, r => Assert.True(r.Bytes == 0, $"{name}.{r.Method}: {r.Bytes} bytes over {Calls} calls."));
    }

    [Fact]
    public void LeNet5_and_its_frozen_form_allocate_nothing_after_warm_up()
    {
        var net = new LeNet5();
        const int m = 8;
        float[] X = TestData.Uniform(m * LeNet5.InputSize, 9), Y = new float[m * 10], outputs = new float[m * 10];
        for (int i = 0; i < m; i++) Y[i * 10 + i] = 1f;
        var input = new LeNet5.Input();
        for (int i = 0; i < LeNet5.InputSize; i++) input[i] = X[i];
        float[] y = new float[10];
        LeNet5.Frozen frozen = net.Freeze();
        float sink = 0;
        for (int i = 0; i < 20; i++)
        {
            net.Predict(X.AsSpan(0, LeNet5.InputSize), y);
            sink += net.Predict(in input)[0];
            net.PredictBatch(X, outputs, m);
            frozen.PredictBatch(X, outputs, m);
            frozen.Predict(X.AsSpan(0, LeNet5.InputSize), y);
            sink += net.TrainStep(X, Y, m, 1e-6f);
        }
        var results = new (string Method, long Bytes)[]
        {
            ("Predict(span)", Allocated(() => net.Predict(X.AsSpan(0, LeNet5.InputSize), y), 100)),
            ("Predict(in Input)", Allocated(() => sink += net.Predict(in input)[0], 100)),
            ("PredictBatch", Allocated(() => net.PredictBatch(X, outputs, m), 20)),
            ("Frozen.PredictBatch", Allocated(() => frozen.PredictBatch(X, outputs, m), 20)),
            ("Frozen.Predict", Allocated(() => frozen.Predict(X.AsSpan(0, LeNet5.InputSize), y), 100)),
            ("TrainStep", Allocated(() => sink += net.TrainStep(X, Y, m, 1e-6f), 20)),
        };
        Assert.True(float.IsFinite(sink));
        Assert.All(results, r => Assert.True(r.Bytes == 0, $"LeNet5.{r.Method}: {r.Bytes} bytes."));
    }

    [Fact]
    public void Predict_with_inline_arrays_allocates_nothing()
    {
        var net = new DeepSoftmaxNet();
        var input = new DeepSoftmaxNet.Input();
        for (int i = 0; i < DeepSoftmaxNet.InputSize; i++) input[i] = 0.1f * i - 0.2f;
        float sink = 0;
        for (int i = 0; i < 200; i++)
        {
            DeepSoftmaxNet.Output warm = net.Predict(in input);
            sink += warm[0];
        }

        long bytes = Allocated(() =>
        {
            DeepSoftmaxNet.Output output = net.Predict(in input);
            sink += output[DeepSoftmaxNet.OutputSize - 1];
        });

        Assert.True(float.IsFinite(sink));
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Predict_with_inline_arrays_of_a_wide_net_allocates_nothing()
    {
        var net = new WideSoftmaxNet();
        var input = new WideSoftmaxNet.Input();
        for (int i = 0; i < WideSoftmaxNet.InputSize; i++) input[i] = MathF.Sin(i);
        float sink = 0;
        for (int i = 0; i < 200; i++)
        {
            WideSoftmaxNet.Output warm = net.Predict(in input);
            sink += warm[0];
        }

        long bytes = Allocated(() =>
        {
            WideSoftmaxNet.Output output = net.Predict(in input);
            sink += output[1];
        });

        Assert.True(float.IsFinite(sink));
        Assert.Equal(0, bytes);
    }
}
