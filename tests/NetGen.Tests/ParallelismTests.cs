using System;
using System.Linq;
using System.Threading;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests;

/// <summary>
/// A batch split across cores (issue 15 item 1): the plan of S from the work alone, the same bits on every run for a
/// given S (masks drawn and gradients reduced in a fixed order), gradients and cost that agree with one thread and with a
/// float64 reference, no allocation after warm-up, frozen snapshots shared by threads, and a worker's exception on the
/// caller.
/// </summary>
[Collection(ParallelismCollection.Name)]
public sealed class ParallelismTests(ITestOutputHelper output)
{
    /// <summary>Runs <paramref name="body"/> with the knob at <paramref name="threads"/>, then puts it back.</summary>
    private static T With<T>(int threads, Func<T> body) => ParallelismCollection.With(threads, body);

    private static (INetwork Net, int M, long Work) Case(string kind) => kind switch
    {
        "columns" => (new ParColumnsNet(), 4096, ParColumnsNet.WorkPerSample),
        "rows" => (new ParRowsNet(), 512, ParRowsNet.WorkPerSample),
        "conv" => (new ParConvNet(), 1024, ParConvNet.WorkPerSample),
        _ => throw new ArgumentException(kind, nameof(kind)),
    };

    // ───── The plan ─────

    [Fact]
    public void Work_per_sample_is_the_hand_count_of_multiply_adds()
    {
        Assert.Equal(2 * 20 + 20 * 3 + 3 * 1, ParNetA.WorkPerSample);             // 103
        Assert.Equal(4 * 32 + 32 * 16 + 16 * 4, ParTanhNet.WorkPerSample);        // 704
        Assert.Equal(8 * 32 + 32 * 16 + 16 * 3, ParColumnsNet.WorkPerSample);     // 816
        Assert.Equal(8 * 8 * 4 * 3 * 3 * 2 + 4 * 4 * 4 * 5, ParConvNet.WorkPerSample);
        // LeNet-5: 28·28·6·25 + 10·10·16·25·6 + 400·120 + 120·84 + 84·10.
        Assert.Equal(117_600 + 240_000 + 48_000 + 10_080 + 840, LeNet5.WorkPerSample);
    }

    [Fact]
    public void Small_batches_stay_on_one_thread_and_large_ones_split()
    {
        // Net A at 211 samples: 21 733 multiply-adds, far below a shard's worth: one shard on any machine.
        Assert.Equal(1, ShardPool.Plan(211, ParNetA.WorkPerSample, 2));
        Assert.Equal(1, ShardPool.Plan(211, ParNetA.WorkPerSample, 64));
        // Net C (784-128-10) at 256, the 4-32-16-4 net at 10 000 and LeNet-5 at 64 split on two cores.
        Assert.Equal(2, ShardPool.Plan(256, 784 * 128 + 128 * 10, 2));
        Assert.Equal(2, ShardPool.Plan(10_000, ParTanhNet.WorkPerSample, 2));
        Assert.Equal(2, ShardPool.Plan(64, LeNet5.WorkPerSample, 2));
        // Never more than the knob, nor shards of fewer than 32 samples.
        Assert.Equal(1, ShardPool.Plan(10_000, ParTanhNet.WorkPerSample, 1));
        Assert.Equal(2, ShardPool.Plan(64, LeNet5.WorkPerSample, 32));
        Assert.Equal(1, ShardPool.Plan(63, LeNet5.WorkPerSample, 32));
    }

    [Fact]
    public void Shard_boundaries_fall_on_multiples_of_16_and_cover_the_batch()
    {
        foreach (int m in new[] { 32, 211, 256, 1000, 10_000 })
            for (int shards = 1; shards <= Math.Min(8, m / 32); shards++)
            {
                Assert.Equal(0, ShardPool.Start(0, shards, m));
                Assert.Equal(m, ShardPool.Start(shards, shards, m));
                for (int k = 1; k < shards; k++)
                {
                    int start = ShardPool.Start(k, shards, m);
                    Assert.Equal(0, start % 16);
                    Assert.True(start > ShardPool.Start(k - 1, shards, m),
                        $"m = {m}, S = {shards}: shard {k - 1} is empty");
                }
            }
        Assert.Equal(96, ShardPool.Start(1, 2, 211)); // 105 rounded down to 16·6
    }

    // ───── Determinism ─────

    public static TheoryData<string, int> Runs()
    {
        var data = new TheoryData<string, int>();
        foreach (string kind in new[] { "columns", "rows", "conv" })
            foreach (int threads in new[] { 2, 3, Environment.ProcessorCount }.Distinct())
                data.Add(kind, threads);
        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Two_runs_at_the_same_thread_count_give_the_same_bits_after_100_steps(string kind, int threads)
    {
        (INetwork first, int m, long work) = Case(kind);
        Assert.True(ShardPool.Plan(m, work, threads) == Math.Min(threads, 3) || threads > 3,
            $"{kind}: the batch of {m} does not split into {threads} shards");
        (ulong p1, ulong c1) = With(threads, () => ParallelData.Train(first, m, steps: 100, learningRate: 0.05f));
        (ulong p2, ulong c2) = With(threads, () => ParallelData.Train(Case(kind).Net, m, steps: 100, learningRate: 0.05f));
        output.WriteLine($"{kind}, {threads} threads (S = {ShardPool.Plan(m, work, threads)}): 0x{p1:X16}, 0x{p2:X16}");
        Assert.Equal(p1, p2);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void Dropout_masks_depend_on_the_number_of_shards_only()
    {
        // The masks are drawn shard by shard: S = 2 and S = 1 draw them in another order, so after a step the
        // parameters differ (the determinism test above could not see a split that silently never happened).
        (ulong one, _) = With(1, () => ParallelData.Train(new ParRowsNet(), 512, steps: 1, learningRate: 0.05f));
        (ulong two, _) = With(2, () => ParallelData.Train(new ParRowsNet(), 512, steps: 1, learningRate: 0.05f));
        Assert.NotEqual(one, two);
    }

    [Fact]
    public void A_split_train_step_is_the_split_gradients_then_the_descent_step()
    {
        // Without a penalty the split TrainStep takes θ ← θ − α·dθ inside the reduction, range by range: the same float
        // operations as ComputeGradients followed by Kernels.GradientDescent, so the same bits.
        var fused = new ParTanhNet();
        var apart = new ParTanhNet();
        const int m = 10_000;
        (float[] X, float[] Y) = ParallelData.Batch(fused, m, seed: 18);
        float[] g = new float[ParTanhNet.ParameterCount];
        With(2, () =>
        {
            Assert.Equal(2, ShardPool.Plan(m, ParTanhNet.WorkPerSample));
            for (int step = 0; step < 5; step++)
            {
                float a = fused.TrainStep(X, Y, m, 0.1f);
                float b = apart.ComputeGradients(X, Y, m, g);
                Kernels.GradientDescent(apart.Parameters, g, 0.1f);
                Assert.Equal(BitConverter.SingleToInt32Bits(b), BitConverter.SingleToInt32Bits(a));
            }
            return 0;
        });
        Assert.True(fused.Parameters.SequenceEqual(apart.Parameters));
    }

    // ───── Agreement with one thread and with float64 ─────

    public static TheoryData<int> Threads() => new() { 2, 3 };

    [Theory]
    [MemberData(nameof(Threads))]
    public void Split_gradients_and_cost_agree_with_one_thread_and_with_a_float64_reference(int threads)
    {
        Check(new ParTanhNet(), new ReferenceNetwork(4, Loss.MeanSquaredError,
            new LayerSpec(32, Activation.Tanh), new LayerSpec(16, Activation.Tanh), new LayerSpec(4, Activation.Linear)),
            10_000, threads);
        Check(new ParWideNet(), new ReferenceNetwork(100, Loss.CrossEntropy,
            new LayerSpec(80, Activation.Relu) { L2 = 0.1 }, new LayerSpec(10, Activation.Softmax) { L2 = 0.1 }),
            512, threads);
    }

    private void Check(INetwork net, ReferenceNetwork reference, int m, int threads)
    {
        (float[] X, float[] Y) = ParallelData.Batch(net, m, seed: 11);
        float[] g1 = new float[net.ParameterCount], gS = new float[net.ParameterCount];
        float j1 = With(1, () => net.ComputeGradients(X, Y, m, g1));
        float jS = With(threads, () => net.ComputeGradients(X, Y, m, gS));
        float cost = With(threads, () => net.Cost(X, Y, m));
        double[] gRef = new double[net.ParameterCount];
        double jRef = reference.Backpropagate(net.Parameters.ToArray().Select(v => (double)v).ToArray(),
            X.Select(v => (double)v).ToArray(), Y.Select(v => (double)v).ToArray(), m, Array.Empty<double>(), gRef);
        double scale = gRef.Max(Math.Abs);
        double splitVsOne = 0, splitVsRef = 0, oneVsRef = 0;
        for (int i = 0; i < gRef.Length; i++)
        {
            splitVsOne = Math.Max(splitVsOne, Math.Abs(gS[i] - g1[i]) / scale);
            splitVsRef = Math.Max(splitVsRef, Math.Abs(gS[i] - gRef[i]) / scale);
            oneVsRef = Math.Max(oneVsRef, Math.Abs(g1[i] - gRef[i]) / scale);
        }
        output.WriteLine($"{net.Architecture}, m = {m}, {threads} threads: |gS − g1| {splitVsOne:E2}, |gS − ref| " +
            $"{splitVsRef:E2}, |g1 − ref| {oneVsRef:E2} (of max |g| {scale:E2}); J {jS} / {j1} / {jRef}");
        Assert.True(splitVsOne <= 1e-5, $"split vs one thread: {splitVsOne:E2} of max |g|");
        Assert.True(splitVsRef <= 1e-5, $"split vs float64: {splitVsRef:E2} of max |g|");
        Assert.Equal(jRef, jS, jRef * 1e-5);
        Assert.Equal(jRef, cost, jRef * 1e-5);
        Assert.Equal(j1, jS, Math.Abs(j1) * 1e-6);
    }

    [Fact]
    public void Split_conv_gradients_and_cost_agree_with_one_thread()
    {
        // No float64 backward pass exists for conv layers (the reference takes their gradients by differences): the
        // split gradients of a conv network without dropout against the single-thread ones.
        var net = new LeNet5(seed: 9);
        const int m = 128;
        (float[] X, float[] Y) = ParallelData.Batch(net, m, seed: 12);
        float[] g1 = new float[LeNet5.ParameterCount], g2 = new float[LeNet5.ParameterCount];
        Assert.Equal(2, ShardPool.Plan(m, LeNet5.WorkPerSample, 2));
        float j1 = With(1, () => net.ComputeGradients(X, Y, m, g1));
        float j2 = With(2, () => net.ComputeGradients(X, Y, m, g2));
        double scale = g1.Max(Math.Abs), worst = 0;
        for (int i = 0; i < g1.Length; i++) worst = Math.Max(worst, Math.Abs(g2[i] - g1[i]) / scale);
        output.WriteLine($"LeNet-5, m = {m}: |g2 − g1| {worst:E2} of max |g| {scale:E2}; J {j2} / {j1}");
        Assert.True(worst <= 1e-5, $"{worst:E2}");
        Assert.Equal(j1, j2, Math.Abs(j1) * 1e-6);
        Assert.Equal(j1, With(2, () => net.Cost(X, Y, m)), Math.Abs(j1) * 1e-6);
    }

    [Theory]
    [MemberData(nameof(Threads))]
    public void Split_predictions_agree_with_one_thread(int threads)
    {
        foreach (string kind in new[] { "columns", "rows", "conv" })
        {
            (INetwork net, int m, _) = Case(kind);
            (float[] X, _) = ParallelData.Batch(net, m, seed: 13);
            float[] y1 = new float[m * net.OutputSize], yS = new float[m * net.OutputSize], y = new float[net.OutputSize];
            With(1, () => { net.PredictBatch(X, y1, m); return 0; });
            With(threads, () => { net.PredictBatch(X, yS, m); return 0; });
            for (int i = 0; i < y1.Length; i++)
                Assert.True(Math.Abs(yS[i] - y1[i]) <= 1e-5f * Math.Max(1f, Math.Abs(y1[i])),
                    $"{kind}: output {i}: {yS[i]} vs {y1[i]}");
            // The last sample, of the last shard, as Predict gives it.
            net.Predict(X.AsSpan((m - 1) * net.InputSize, net.InputSize), y);
            for (int j = 0; j < y.Length; j++)
                Assert.True(Math.Abs(yS[(m - 1) * y.Length + j] - y[j]) <= 1e-5f, $"{kind}: last sample, output {j}");
        }
    }

    // ───── Frozen snapshots shared by threads ─────

    [Fact]
    public void Frozen_batches_from_four_threads_give_the_bits_of_one_after_another()
    {
        foreach (string kind in new[] { "columns", "rows", "conv" })
        {
            (INetwork net, int m, _) = Case(kind);
            (float[] X, _) = ParallelData.Batch(net, m, seed: 14);
            int outputs = m * net.OutputSize;
            float[][] alone = new float[4][], together = new float[4][];
            With(2, () =>
            {
                Func<float[], float[], int, int> predict = Frozen(net);
                for (int t = 0; t < 4; t++)
                {
                    alone[t] = new float[outputs];
                    predict(X, alone[t], m);
                }
                using var start = new Barrier(4);
                var threads = new Thread[4];
                for (int t = 0; t < 4; t++)
                {
                    int id = t;
                    together[id] = new float[outputs];
                    threads[id] = new Thread(() =>
                    {
                        start.SignalAndWait();
                        for (int r = 0; r < 20; r++) predict(X, together[id], m);
                    });
                    threads[id].Start();
                }
                foreach (Thread thread in threads) thread.Join();
                return 0;
            });
            for (int t = 0; t < 4; t++)
                Assert.True(alone[t].AsSpan().SequenceEqual(together[t]), $"{kind}: thread {t} differs");
            Assert.True(alone[0].AsSpan().SequenceEqual(alone[3]), kind);
        }
    }

    /// <summary>The frozen form's PredictBatch (the classes share no interface for it).</summary>
    private static Func<float[], float[], int, int> Frozen(INetwork net) => net switch
    {
        ParColumnsNet c => Call(c.Freeze()),
        ParRowsNet r => Call(r.Freeze()),
        ParConvNet v => Call(v.Freeze()),
        _ => throw new ArgumentException(net.Architecture, nameof(net)),
    };

    private static Func<float[], float[], int, int> Call(ParColumnsNet.Frozen f)
        => (x, y, m) => { f.PredictBatch(x, y, m); return 0; };
    private static Func<float[], float[], int, int> Call(ParRowsNet.Frozen f)
        => (x, y, m) => { f.PredictBatch(x, y, m); return 0; };
    private static Func<float[], float[], int, int> Call(ParConvNet.Frozen f)
        => (x, y, m) => { f.PredictBatch(x, y, m); return 0; };

    // ───── No allocation ─────

    [Fact]
    public void Split_calls_allocate_nothing_after_warm_up()
    {
        var net = new ParRowsNet();
        const int m = 512;
        (float[] X, float[] Y) = ParallelData.Batch(net, m, seed: 15);
        float[] predictions = new float[m * ParRowsNet.OutputSize], g = new float[ParRowsNet.ParameterCount];
        ParRowsNet.Frozen frozen = net.Freeze();
        var conv = new ParConvNet();
        (float[] Xc, float[] Yc) = ParallelData.Batch(conv, 1024, seed: 16);
        long[] bytes = With(2, () =>
        {
            Assert.Equal(2, ShardPool.Plan(m, ParRowsNet.WorkPerSample));
            Assert.Equal(2, ShardPool.Plan(1024, ParConvNet.WorkPerSample));
            for (int i = 0; i < 50; i++)
            {
                net.PredictBatch(X, predictions, m);
                net.Cost(X, Y, m);
                net.TrainStep(X, Y, m, 1e-4f);
                frozen.PredictBatch(X, predictions, m);
                conv.TrainStep(Xc, Yc, 1024, 1e-4f);
            }
            return new[]
            {
                Allocations.LeastOfThree(() => { for (int i = 0; i < 100; i++) net.PredictBatch(X, predictions, m); }),
                Allocations.LeastOfThree(() => { for (int i = 0; i < 100; i++) net.Cost(X, Y, m); }),
                Allocations.LeastOfThree(() => { for (int i = 0; i < 100; i++) net.TrainStep(X, Y, m, 1e-4f); }),
                Allocations.LeastOfThree(() => { for (int i = 0; i < 100; i++) net.ComputeGradients(X, Y, m, g); }),
                Allocations.LeastOfThree(() => { for (int i = 0; i < 100; i++) frozen.PredictBatch(X, predictions, m); }),
                Allocations.LeastOfThree(() => { for (int i = 0; i < 20; i++) conv.TrainStep(Xc, Yc, 1024, 1e-4f); }),
            };
        });
        output.WriteLine(string.Join(", ", bytes));
        Assert.All(bytes, b => Assert.Equal(0, b));
    }

    // ───── Exceptions ─────

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_shards_exception_reaches_the_caller_and_the_next_call_works(int shard)
    {
        var net = new ParRowsNet();
        const int m = 512;
        (float[] X, float[] Y) = ParallelData.Batch(net, m, seed: 17);
        float[] before = new float[m * ParRowsNet.OutputSize], after = new float[before.Length];
        With(2, () =>
        {
            net.PredictBatch(X, before, m);
            float[] parameters = net.Parameters.ToArray();
            ShardPool.ThrowInShard = shard;
            try
            {
                var e = Assert.Throws<InvalidOperationException>(() => net.PredictBatch(X, after, m));
                Assert.Contains($"shard {shard}", e.Message, StringComparison.Ordinal);
                Assert.Throws<InvalidOperationException>(() => net.TrainStep(X, Y, m, 0.1f));
            }
            finally
            {
                ShardPool.ThrowInShard = -1;
            }
            // Nothing changed, and the pool still works.
            Assert.True(parameters.AsSpan().SequenceEqual(net.Parameters));
            net.PredictBatch(X, after, m);
            return 0;
        });
        Assert.True(before.AsSpan().SequenceEqual(after));
    }
}
