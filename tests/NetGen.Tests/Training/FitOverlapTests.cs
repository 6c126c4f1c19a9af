using System;
using System.Collections.Generic;
using System.Threading;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>The narrow regression net of SimpleChains' README (4-32-16-4, tanh, MSE), with dropout on the first
/// layer so that the network's own generator is drawn from in every step.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 41)]
[Input(4)]
[Dense(32, Activation.Tanh)]
[Dropout(0.9f)]
[Dense(16, Activation.Tanh)]
[Dense(4, Activation.Linear)]
public partial class OverlapNet;

/// <summary>
/// Trainer.Fit prepares the next epoch (its order and its first batch's rows; a full batch's augmented set) on a pool
/// thread while the calling thread trains the current one. The runs must be the runs of the sequential loop, bit for bit: every cost of the
/// history, the best epoch, the early stop and the final parameters.
/// </summary>
public sealed class FitOverlapTests
{
    /// <summary>m samples of 4 features uniform in [−1, 1) and 4 smooth targets; <paramref name="noise"/> replaces the
    /// targets with unrelated draws (a dev set the net cannot learn, so that early stopping ends the run).</summary>
    private static Dataset Data(int m, ulong seed, bool noise = false)
    {
        var rng = new Rng(seed);
        var x = new float[m * 4];
        var y = new float[m * 4];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float)(rng.NextDouble() * 2 - 1);
            float a = x[i * 4], b = x[i * 4 + 1], c = x[i * 4 + 2], d = x[i * 4 + 3];
            y[i * 4] = MathF.Sin(a + b);
            y[i * 4 + 1] = a * c;
            y[i * 4 + 2] = MathF.Cos(d) - b;
            y[i * 4 + 3] = c * d + a;
            if (noise)
                for (int j = 0; j < 4; j++) y[i * 4 + j] = (float)rng.NextGaussian();
        }
        return new Dataset(x, y, 4, 4);
    }

    /// <summary>The 4 features as a 2 × 2 one-channel image: flips, a one-pixel crop shift and noise, each drawn.</summary>
    private static Augmentation Augment() =>
        new Augmentation(2, 2, 1).FlipHorizontal(0.5).RandomCrop(1, 0.5).GaussianNoise(0, 0.05, 0.5);

    private sealed record Run(TrainingHistory History, float[] Parameters, int PreparedOnHelper);

    private static Run Train(FitOverlap overlap, TrainingOptions options, Dataset train, Dataset? dev)
    {
        var net = new OverlapNet();
        TrainingHistory history = Trainer.FitWith(net, train, dev, options, overlap, out int onHelper);
        return new Run(history, net.Parameters.ToArray(), onHelper);
    }

    private static void AssertSameRun(Run expected, Run actual)
    {
        Assert.Equal(expected.History.TrainCost, actual.History.TrainCost); // exact equality of every double
        Assert.Equal(expected.History.DevCost, actual.History.DevCost);
        Assert.Equal(expected.History.BestEpoch, actual.History.BestEpoch);
        Assert.Equal(expected.History.StoppedEarly, actual.History.StoppedEarly);
        Assert.Equal(Bits(expected.Parameters), Bits(actual.Parameters));
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);

    public static TheoryData<bool, bool> Cases => new() { { false, false }, { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_overlapped_run_is_the_sequential_run_bit_for_bit(bool augment, bool earlyStopping)
    {
        // 600 samples in batches of 64: 9 full batches and one of 24, so the prepared first batch and the short last
        // batch are both in every epoch. The dev targets are noise when early stopping must end the run.
        Dataset train = Data(600, 1), dev = Data(200, 2, noise: earlyStopping);
        var options = new TrainingOptions
        {
            Epochs = 25, BatchSize = 64, Optimizer = Optimizer.Adam, LearningRate = 0.01f, ShuffleSeed = 9,
            Augment = augment ? Augment() : null,
            EarlyStopping = earlyStopping ? new EarlyStopping(2) : null,
        };
        Run sequential = Train(FitOverlap.Sequential, options, train, dev);
        Run helper = Train(FitOverlap.HelperOnly, options, train, dev);
        Run overlapped = Train(FitOverlap.Overlapped, options, train, dev);

        Assert.Equal(earlyStopping, sequential.History.StoppedEarly);
        Assert.Equal(0, sequential.PreparedOnHelper);
        // A pool thread prepared every epoch after the first: one post in each epoch but the last planned one. When the
        // run stops early, the epoch it stops in has posted the preparation of one more, which is dropped if no pool
        // thread has started it yet.
        int epochs = sequential.History.Epochs;
        if (earlyStopping)
            Assert.InRange(helper.PreparedOnHelper, epochs - 1, epochs);
        else
            Assert.Equal(epochs - 1, helper.PreparedOnHelper);
        AssertSameRun(sequential, helper);
        AssertSameRun(sequential, overlapped);
    }

    [Fact]
    public void The_sequential_run_is_the_loop_it_replaced()
    {
        // The loop before the overlap, written out: shuffle the order in place (Fisher–Yates, the run's seed), gather each
        // batch, augment it from the second stream (seed ^ 0xA5A5_5A5A_C3C3_3C3C), step, Adam; the costs after each epoch.
        Dataset train = Data(300, 3), dev = Data(100, 4);
        const int epochs = 6, batch = 32;
        var options = new TrainingOptions
        {
            Epochs = epochs, BatchSize = batch, Optimizer = Optimizer.Adam, LearningRate = 0.01f, ShuffleSeed = 5,
            Augment = Augment(),
        };
        Run fitted = Train(FitOverlap.HelperOnly, options, train, dev);

        var net = new OverlapNet();
        Augmentation augmentation = Augment();
        var order = new int[train.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var rng = new Rng(5);
        var augmentRng = new Rng(5 ^ 0xA5A5_5A5A_C3C3_3C3CUL);
        var gradients = new float[OverlapNet.ParameterCount];
        var first = new float[OverlapNet.ParameterCount];
        var second = new float[OverlapNet.ParameterCount];
        var x = new float[batch * 4];
        var y = new float[batch * 4];
        var augmented = new float[batch * 4];
        var trainCosts = new List<double>();
        var devCosts = new List<double>();
        int step = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (int start = 0; start < train.Count; start += batch)
            {
                int size = Math.Min(batch, train.Count - start);
                for (int r = 0; r < size; r++)
                {
                    train.InputRow(order[start + r]).CopyTo(x.AsSpan(r * 4));
                    train.OutputRow(order[start + r]).CopyTo(y.AsSpan(r * 4));
                }
                augmentation.Apply(x.AsSpan(0, size * 4), augmented.AsSpan(0, size * 4), size, ref augmentRng);
                net.ComputeGradients(augmented.AsSpan(0, size * 4), y.AsSpan(0, size * 4), size, gradients);
                Kernels.AdamStep(net.Parameters, gradients, first, second, ++step, 0.01f, 0.9f, 0.999f, 1e-8f);
            }
            trainCosts.Add(net.Cost(train.X, train.Y, train.Count));
            devCosts.Add(net.Cost(dev.X, dev.Y, dev.Count));
        }
        Assert.Equal(epochs - 1, fitted.PreparedOnHelper);
        Assert.Equal(trainCosts, fitted.History.TrainCost);
        Assert.Equal(devCosts, fitted.History.DevCost);
        Assert.Equal(Bits(net.Parameters.ToArray()), Bits(fitted.Parameters));
    }

    [Fact]
    public void Without_shuffling_the_overlapped_run_is_the_sequential_run()
    {
        Dataset train = Data(300, 5), dev = Data(100, 6);
        var options = new TrainingOptions
        {
            Epochs = 5, BatchSize = 40, Shuffle = false, Optimizer = Optimizer.Momentum, LearningRate = 0.05f,
        };
        Run sequential = Train(FitOverlap.Sequential, options, train, dev);
        Run helper = Train(FitOverlap.HelperOnly, options, train, dev);
        Assert.Equal(4, helper.PreparedOnHelper);
        AssertSameRun(sequential, helper);
    }

    [Fact]
    public void A_full_batch_augmented_ahead_is_the_sequential_run()
    {
        // A full batch is never shuffled or gathered, but its augmentation can be drawn while the costs run.
        Dataset train = Data(300, 8), dev = Data(100, 9);
        var options = new TrainingOptions { Epochs = 6, LearningRate = 0.05f, Augment = Augment() };
        Run sequential = Train(FitOverlap.Sequential, options, train, dev);
        Run helper = Train(FitOverlap.HelperOnly, options, train, dev);
        Assert.Equal(5, helper.PreparedOnHelper);
        AssertSameRun(sequential, helper);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_parameter_made_infinite_is_found_after_its_epoch_with_the_next_one_prepared_on_either_thread(
        bool onHelper)
    {
        FitOverlap overlap = onHelper ? FitOverlap.HelperOnly : FitOverlap.Sequential;
        var net = new BlindNetwork(infiniteAtCall: 5, gradient: 0.0625f);
        var train = new Dataset([1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f], 1, 1);
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.FitWith(net, train, null,
            new TrainingOptions { Epochs = 10, BatchSize = 2, LearningRate = 1f }, overlap));
        // Epochs 1 and 2 (steps 1–4) finish finite: θ₀ = 0.5 − 4 × 0.0625 = 0.25; step 5 sets +∞, the scan after
        // epoch 3 (step 6) finds it, and epoch 2's parameters are put back, with epoch 4's preparation (on the pool
        // thread, or here) finished or dropped before Fit throws.
        Assert.Equal(3, e.Epoch);
        Assert.Equal(6, e.Step);
        Assert.Equal(2, e.History.BestEpoch);
        Assert.Equal(new[] { 1.0, 1.0 }, e.History.TrainCost);
        Assert.Contains("parameter [0] became Infinity", e.Message);
        Assert.Equal(new[] { 0.25f, -0.25f }, net.Parameters.ToArray());
    }

    [Fact]
    public void An_overlapped_epoch_allocates_nothing()
    {
        // 2 500 samples: above the size from which Fit overlaps by itself (when more than one core may be used).
        Assert.True(2500 >= Trainer.MinSamplesToOverlap);
        Dataset train = Data(2500, 7);
        var net = new OverlapNet();
        TrainingOptions Options(int epochs) => new()
        {
            Epochs = epochs, BatchSize = 250, Optimizer = Optimizer.Adam, LearningRate = 0.01f, Augment = Augment(),
        };
        Trainer.FitWith(net, train, null, Options(2), FitOverlap.HelperOnly); // warm-up: JIT, workspaces
        long Measure(int epochs)
        {
            TrainingOptions options = Options(epochs);
            // Five tries: a 20-epoch run posts 20 times to the thread pool, which creates a thread (its Thread object,
            // hundreds of bytes) on the posting thread when it has retired its idle ones or is growing under the load
            // of the tests alongside: the likeliest cause of the one failure seen here, in a CI run under full load
            // (its bytes were not kept; .ci/run now prints the message). An allocation per epoch is in every run.
            return Allocations.Least(() => Trainer.FitWith(net, train, null, options, FitOverlap.HelperOnly), 5);
        }
        long two = Measure(2), twenty = Measure(20);
        // 18 more epochs are 18 more posts to the pool and 180 more steps; the history's lists (sized up front) account
        // for 18 × 2 doubles. An object per post (a closure, a Task) would add at least 18 × 24 bytes.
        Assert.True(twenty - two <= 18 * 16 + 64, $"2 epochs: {two} bytes, 20 epochs: {twenty} bytes");
    }
}
