using System;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>A ReLU classifier: a learning rate of 1e30 overflows its second layer to ∞ and its cost to NaN.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 31)]
[Input(4)]
[Dense(8, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class DivergingSoftmaxNet;

/// <summary>Linear regression: gradient descent with a step above 2 / λ_max grows geometrically until the cost is ∞.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 32)]
[Input(2)]
[Dense(1, Activation.Linear)]
public partial class DivergingLinearNet;

/// <summary>
/// Issue 11: a run whose cost stops being finite throws <see cref="TrainingDivergedException"/> and leaves the network
/// with finite parameters, the ones it was given or a trained best epoch's; early stopping never puts back zeros;
/// BestEpoch is ≥ 1; the history grows with the epochs run; an empty dev set, bad options and a NaN learning rate in the
/// optimizer kernels are refused with nothing changed.
/// </summary>
public sealed class DivergenceTests
{
    /// <summary>Three Gaussian blobs in 4 dimensions, class c shifted by 2 along axis c.</summary>
    private static Dataset Blobs(int m, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[m * 4];
        var y = new float[m * 3];
        for (int i = 0; i < m; i++)
        {
            int c = i % 3;
            for (int k = 0; k < 4; k++) x[i * 4 + k] = (float)(rng.NextGaussian() + (k == c ? 2 : 0));
            y[i * 3 + c] = 1;
        }
        return new Dataset(x, y, 4, 3);
    }

    /// <summary>y = 0.7·x₁ − 0.4·x₂ + 0.1 + noise, times <paramref name="targetScale"/>.</summary>
    private static Dataset Line(int m, ulong seed, float targetScale = 1)
    {
        var rng = new Rng(seed);
        var x = new float[m * 2];
        var y = new float[m];
        for (int i = 0; i < m; i++)
        {
            x[i * 2] = (float)rng.NextGaussian();
            x[i * 2 + 1] = (float)rng.NextGaussian();
            y[i] = targetScale * (0.7f * x[i * 2] - 0.4f * x[i * 2 + 1] + 0.1f + (float)(0.1 * rng.NextGaussian()));
        }
        return new Dataset(x, y, 2, 1);
    }

    private static void AssertAllFinite(ReadOnlySpan<float> parameters)
    {
        for (int i = 0; i < parameters.Length; i++)
            Assert.True(float.IsFinite(parameters[i]), $"parameter [{i}] = {parameters[i]}");
    }

    // ---- A learning rate of 1e30: the run diverges in epoch 1 and the network keeps the parameters it was given ----

    [Theory]
    [InlineData(Optimizer.GradientDescent, 0, false)]
    [InlineData(Optimizer.Momentum, 0, false)]
    [InlineData(Optimizer.Adam, 0, false)]
    [InlineData(Optimizer.GradientDescent, 8, false)]
    [InlineData(Optimizer.Momentum, 8, false)]
    [InlineData(Optimizer.Adam, 8, false)]
    [InlineData(Optimizer.GradientDescent, 0, true)]
    [InlineData(Optimizer.Momentum, 0, true)]
    [InlineData(Optimizer.Adam, 0, true)]
    [InlineData(Optimizer.GradientDescent, 8, true)]
    [InlineData(Optimizer.Momentum, 8, true)]
    [InlineData(Optimizer.Adam, 8, true)]
    public void A_learning_rate_of_1e30_throws_and_leaves_the_given_parameters(Optimizer optimizer, int batch, bool earlyStopping)
    {
        Dataset train = Blobs(60, 1), dev = Blobs(30, 2);
        var net = new DivergingSoftmaxNet();
        float[] given = net.Parameters.ToArray();
        var options = new TrainingOptions
        {
            Epochs = 50, LearningRate = 1e30f, Optimizer = optimizer, BatchSize = batch,
            EarlyStopping = earlyStopping ? new EarlyStopping(5) : null,
        };

        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(net, train, earlyStopping ? dev : null, options));

        // Step 1 costs the given parameters (finite); its update of ~1e30 overflows everything after it. Full batch: the
        // first non-finite cost is the training set's after epoch 1 (step 1 was the epoch); mini-batches: step 2's.
        Assert.Equal(1, e.Epoch);
        Assert.Equal(batch == 0 ? 1 : 2, e.Step);
        Assert.False(double.IsFinite(e.Cost));
        Assert.Equal(0, e.History.Epochs);
        Assert.Equal(0, e.History.BestEpoch);
        Assert.Empty(e.History.DevCost);
        Assert.Equal(given, net.Parameters.ToArray());
        Assert.Contains("learning rate", e.Message);
        Assert.Contains("1E+30", e.Message);
        Assert.Contains("scaling", e.Message);
    }

    /// <summary>The bug 1, as reported: a learning rate of 1e30 with EarlyStopping(5) returned normally with
    /// BestEpoch 0 and every parameter 0, so that Predict gave 1/3 for each class.</summary>
    [Fact]
    public void Early_stopping_and_divergence_never_zero_the_parameters()
    {
        Dataset train = Blobs(60, 3), dev = Blobs(30, 4);
        var net = new DivergingSoftmaxNet();
        float[] given = net.Parameters.ToArray();
        Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(net, train, dev,
            new TrainingOptions { Epochs = 100, LearningRate = 1e30f, EarlyStopping = new EarlyStopping(5) }));
        Assert.Equal(given, net.Parameters.ToArray());
        Assert.Contains(net.Parameters.ToArray(), p => p != 0);
        var y = new float[3];
        net.Predict(train.InputRow(0), y);
        Assert.NotEqual(1f / 3, y[0]);
    }

    // ---- Divergence after some epochs: the network keeps a trained epoch's parameters ----

    [Fact]
    public void Without_a_dev_set_the_last_finite_epoch_is_put_back()
    {
        // Step 3 on these data is above 2 / λ_max of the least-squares Hessian: the cost grows each epoch until it is ∞.
        Dataset train = Line(60, 1);
        var net = new DivergingLinearNet();
        var e = Assert.Throws<TrainingDivergedException>(
            () => Trainer.Fit(net, train, null, new TrainingOptions { Epochs = 1000, LearningRate = 3f }));

        int finished = e.History.Epochs;
        Assert.True(finished >= 10, $"diverged after {finished} epochs");     // it did climb for a while: trained epochs
        Assert.Equal(finished + 1, e.Epoch);
        Assert.Equal(e.Epoch, e.Step);                                           // full batch: one step per epoch
        Assert.Equal(double.PositiveInfinity, e.Cost);                           // ½(a − y)² overflowed
        Assert.Equal(finished, e.History.BestEpoch);
        Assert.True(e.History.TrainCost[^1] > 1e6 * e.History.TrainCost[0]); // a divergence, not noise
        AssertAllFinite(net.Parameters);
        Assert.Equal((float)e.History.TrainCost[^1], net.Cost(train.X, train.Y, train.Count));
        Assert.Contains($"epoch {finished}", e.Message);

        // Full-batch gradient descent is deterministic: the same epochs from scratch give the same parameters, and finish.
        var again = new DivergingLinearNet();
        Trainer.Fit(again, train, null, new TrainingOptions { Epochs = finished, LearningRate = 3f });
        Assert.Equal(again.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void With_a_dev_set_the_best_finite_dev_epoch_is_put_back(bool earlyStopping)
    {
        Dataset train = Line(60, 5), dev = Line(30, 6);
        var net = new DivergingLinearNet();
        var options = new TrainingOptions
        {
            Epochs = 1000, BatchSize = 8, LearningRate = 10f, Optimizer = Optimizer.Momentum,
            EarlyStopping = earlyStopping ? new EarlyStopping(Patience: 10_000) : null,
        };
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(net, train, dev, options));

        Assert.True(e.History.Epochs >= 1);
        int best = e.History.BestEpoch;
        Assert.InRange(best, 1, e.History.Epochs);
        double lowest = double.PositiveInfinity;
        foreach (double cost in e.History.DevCost) lowest = Math.Min(lowest, cost);
        Assert.Equal(lowest, e.History.DevCost[best - 1]);
        AssertAllFinite(net.Parameters);
        Assert.Equal((float)lowest, net.Cost(dev.X, dev.Y, dev.Count));

        // The same seeded run stopped after the best epoch ends with exactly these parameters.
        var again = new DivergingLinearNet();
        Trainer.Fit(again, train, null, new TrainingOptions
        {
            Epochs = best, BatchSize = 8, LearningRate = 10f, Optimizer = Optimizer.Momentum,
        });
        Assert.Equal(again.Parameters.ToArray(), net.Parameters.ToArray());
    }

    // ---- BestEpoch and early stopping with dev costs that are never finite ----

    /// <summary>Targets of 1e30 make ½(a − y)² overflow to ∞ on the dev set in every epoch while training stays finite.
    /// Before the fix early stopping put back its zero-filled copy and reported BestEpoch 0.</summary>
    [Fact]
    public void Early_stopping_with_no_finite_dev_cost_keeps_the_trained_parameters_and_a_best_epoch()
    {
        Dataset train = Line(60, 7), dev = Line(20, 8, targetScale: 1e30f);
        var net = new DivergingLinearNet();
        TrainingHistory history = Trainer.Fit(net, train, dev, new TrainingOptions
        {
            Epochs = 50, LearningRate = 0.1f, EarlyStopping = new EarlyStopping(Patience: 3),
        });
        Assert.All(history.DevCost, cost => Assert.Equal(double.PositiveInfinity, cost));
        Assert.Equal(3, history.Epochs);            // no epoch improves: patience runs out after 3
        Assert.True(history.StoppedEarly);
        Assert.Equal(3, history.BestEpoch);         // the parameters in place are epoch 3's
        Assert.Contains(net.Parameters.ToArray(), p => p != 0);

        var reference = new DivergingLinearNet();
        Trainer.Fit(reference, train, null, new TrainingOptions { Epochs = 3, LearningRate = 0.1f });
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
    }

    // ---- The history grows with the epochs run ----

    /// <summary>MinDelta = 1e9: epoch 1 improves (anything finite beats ∞), epoch 2 does not improve by 1e9, so patience 1
    /// ends the run after epoch 2 whatever Epochs says.</summary>
    private static TrainingOptions StopAfterTwo(int epochs)
        => new() { Epochs = epochs, LearningRate = 0.1f, EarlyStopping = new EarlyStopping(Patience: 1, MinDelta: 1e9) };

    [Fact]
    public void Epochs_int_MaxValue_with_early_stopping_trains_until_it_stops()
    {
        // Before the fix: the history's lists were created with a capacity of int.MaxValue, an OutOfMemoryException.
        Dataset train = Blobs(30, 11), dev = Blobs(15, 12);
        TrainingHistory history = Trainer.Fit(new DivergingSoftmaxNet(), train, dev, StopAfterTwo(int.MaxValue));
        Assert.Equal(2, history.Epochs);
        Assert.Equal(2, history.DevCost.Count);
        Assert.True(history.StoppedEarly);
        Assert.Equal(history.DevCost[1] < history.DevCost[0] ? 2 : 1, history.BestEpoch);
    }

    [Fact]
    public void A_hundred_million_epochs_allocate_no_more_up_front_than_two()
    {
        // Before the fix, Epochs = 100 000 000 took 2 × 800 MB for the history before the first step.
        Dataset train = Blobs(30, 13), dev = Blobs(15, 14);
        var net = new DivergingSoftmaxNet();
        Trainer.Fit(net, train, dev, StopAfterTwo(2)); // warm-up: JIT, the network's workspace
        long two = Allocations.LeastOfThree(() => Trainer.Fit(net, train, dev, StopAfterTwo(2)));
        long many = Allocations.LeastOfThree(() => Trainer.Fit(net, train, dev, StopAfterTwo(100_000_000)));
        // Both runs train the same 2 epochs; the lists of the long one start with room for 256 epochs (2 × 2 KB).
        Assert.True(many - two <= 2 * 256 * sizeof(double), $"2 epochs: {two} bytes; 100 000 000 epochs: {many} bytes");
        Assert.True(many < 64 * 1024, $"100 000 000 epochs: {many} bytes");
    }

    // ---- Bad input refused before training, with nothing changed ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_empty_dev_set_is_refused_before_training(bool earlyStopping)
    {
        Dataset data = Blobs(30, 15);
        (Dataset train, Dataset dev, _) = data.Split(1.0, 0, 0, seed: 1);
        Assert.Equal(0, dev.Count);
        var net = new DivergingSoftmaxNet();
        float[] given = net.Parameters.ToArray();
        var e = Assert.Throws<ArgumentException>(() => Trainer.Fit(net, train, dev, new TrainingOptions
        {
            Epochs = 5, LearningRate = 0.1f, EarlyStopping = earlyStopping ? new EarlyStopping(2) : null,
        }));
        Assert.Equal("dev", e.ParamName);
        Assert.Contains("no sample", e.Message);
        Assert.Contains("pass null", e.Message);
        Assert.Equal(given, net.Parameters.ToArray());
    }

    public static TheoryData<string, TrainingOptions, string> BadOptions => new()
    {
        { "LearningRate", new TrainingOptions { LearningRate = float.NaN }, "NaN" },
        { "LearningRate", new TrainingOptions { LearningRate = float.PositiveInfinity }, "Infinity" },
        { "LearningRate", new TrainingOptions { LearningRate = 0 }, "but is 0" },
        { "LearningRate", new TrainingOptions { LearningRate = -0.1f }, "-0.1" },
        { "Epsilon", new TrainingOptions { Optimizer = Optimizer.Adam, Epsilon = float.PositiveInfinity }, "Infinity" },
        { "Epsilon", new TrainingOptions { Optimizer = Optimizer.Adam, Epsilon = float.NaN }, "NaN" },
        { "Epsilon", new TrainingOptions { Optimizer = Optimizer.Adam, Epsilon = 0 }, "but is 0" },
        { "Beta1", new TrainingOptions { Optimizer = Optimizer.Momentum, Beta1 = float.NaN }, "NaN" },
        { "Beta1", new TrainingOptions { Optimizer = Optimizer.Momentum, Beta1 = 1 }, "but is 1" },
        { "Beta2", new TrainingOptions { Optimizer = Optimizer.Adam, Beta2 = float.NegativeInfinity }, "-Infinity" },
        { "Beta2", new TrainingOptions { Optimizer = Optimizer.Adam, Beta2 = -0.5f }, "-0.5" },
        { "Epochs", new TrainingOptions { Epochs = 0 }, "but is 0" },
        { "BatchSize", new TrainingOptions { BatchSize = -1 }, "-1" },
        { "Optimizer", new TrainingOptions { Optimizer = (Optimizer)7 }, "but is 7" },
        { "EarlyStopping", new TrainingOptions { EarlyStopping = new EarlyStopping(0) }, "Patience" },
        { "EarlyStopping", new TrainingOptions { EarlyStopping = new EarlyStopping(3, double.NaN) }, "MinDelta" },
        { "EarlyStopping", new TrainingOptions { EarlyStopping = new EarlyStopping(3, double.PositiveInfinity) }, "Infinity" },
        { "EarlyStopping", new TrainingOptions { EarlyStopping = new EarlyStopping(3, -1) }, "-1" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_refused_by_name_and_value_with_nothing_changed(string option, TrainingOptions options, string found)
    {
        Dataset train = Blobs(30, 16), dev = Blobs(15, 17);
        var net = new DivergingSoftmaxNet();
        float[] given = net.Parameters.ToArray();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(net, train, dev, options));
        Assert.Equal(option, e.ParamName);
        Assert.Contains("TrainingOptions." + option, e.Message);
        Assert.Contains("must be", e.Message);
        Assert.Contains(found, e.Message);
        Assert.Equal(given, net.Parameters.ToArray());
    }

    [Fact]
    public void A_network_with_a_non_finite_parameter_is_refused_before_training()
    {
        var net = new DivergingSoftmaxNet();
        net.Parameters[5] = float.NaN;
        float[] given = net.Parameters.ToArray();
        var e = Assert.Throws<ArgumentException>(() => Trainer.Fit(net, Blobs(30, 18), null, new TrainingOptions()));
        Assert.Equal("net", e.ParamName);
        Assert.Contains("[5] is NaN", e.Message);
        Assert.Equal(given, net.Parameters.ToArray()); // NaN == NaN for float.Equals: the arrays compare equal
    }

    // ---- A parameter that becomes ∞ while the cost stays finite ----

    [Fact]
    public void A_parameter_that_becomes_infinite_under_a_finite_cost_is_caught_at_the_end_of_its_epoch()
    {
        var net = new BlindNetwork(infiniteAtCall: 3, gradient: 0.125f);
        var train = new Dataset([1f, 2f], [0f, 0f], 1, 1);
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(net, train, null,
            new TrainingOptions { Epochs = 10, LearningRate = 1f }));
        // Full batch, one step per epoch: epochs 1 and 2 finish finite (θ₀ = 0.5 − 0.125 − 0.125 = 0.25), step 3 sets +∞.
        Assert.Equal(3, e.Epoch);
        Assert.Equal(3, e.Step);
        Assert.Equal(2, e.History.BestEpoch);
        Assert.Equal(1.0, e.Cost);
        Assert.Contains("parameter [0] became Infinity", e.Message);
        Assert.Equal(new[] { 0.25f, -0.25f }, net.Parameters.ToArray());
    }

    // ---- The optimizer kernels refuse a NaN or ∞ learning rate with nothing changed ----

    public static TheoryData<float> NonFinite => new() { float.NaN, float.PositiveInfinity, float.NegativeInfinity };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void The_optimizer_kernels_refuse_a_non_finite_learning_rate_with_nothing_changed(float rate)
    {
        float[] parameters = [1f, -2f, 3f, 0.5f, 7f], gradients = [0.1f, 0.2f, -0.3f, 0.4f, 0.5f];
        float[] first = [0.01f, 0.02f, 0.03f, 0.04f, 0.05f], second = [1f, 2f, 3f, 4f, 5f];
        float[] p0 = (float[])parameters.Clone(), m0 = (float[])first.Clone(), v0 = (float[])second.Clone();

        var gd = Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.GradientDescent(parameters, gradients, rate));
        var momentum = Assert.Throws<ArgumentOutOfRangeException>(
            () => Kernels.MomentumStep(parameters, gradients, first, rate, 0.9f));
        var adam = Assert.Throws<ArgumentOutOfRangeException>(
            () => Kernels.AdamStep(parameters, gradients, first, second, 1, rate, 0.9f, 0.999f, 1e-8f));
        foreach (var e in new[] { gd, momentum, adam })
        {
            Assert.Equal("learningRate", e.ParamName);
            Assert.Contains("finite", e.Message);
        }
        Assert.Equal(p0, parameters);
        Assert.Equal(m0, first);
        Assert.Equal(v0, second);

        // And a finite rate does step: the check is not a refusal of everything.
        Kernels.GradientDescent(parameters, gradients, 0.5f);
        Assert.Equal(1f - 0.5f * 0.1f, parameters[0]);
    }

    [Fact]
    public void The_optimizer_kernels_refuse_other_non_finite_hyperparameters_and_short_gradients()
    {
        float[] parameters = [1f, -2f, 3f], gradients = [0.1f, 0.2f, -0.3f], m = [0f, 0f, 0f], v = [0f, 0f, 0f];
        float[] p0 = (float[])parameters.Clone();
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(
            () => Kernels.MomentumStep(parameters, gradients, m, 0.1f, float.NaN)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(
            () => Kernels.AdamStep(parameters, gradients, m, v, 1, 0.1f, 0.9f, 0.999f, float.PositiveInfinity)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(
            () => Kernels.AdamStep(parameters, gradients, m, v, 1, 0.1f, 0.9f, float.NaN, 1e-8f)).ParamName);
        var shortGradients = Assert.Throws<ArgumentException>(
            () => Kernels.GradientDescent(parameters, gradients.AsSpan(0, 2), 0.1f));
        Assert.Equal("gradients", shortGradients.ParamName);
        Assert.Contains("must hold 3 floats, one per parameter, but has 2", shortGradients.Message);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(
            () => Kernels.GradientDescent(parameters, new float[4], 0.1f)).ParamName);
        Assert.Equal(p0, parameters);
        Assert.Equal(new float[3], m);
        Assert.Equal(new float[3], v);
    }
}
