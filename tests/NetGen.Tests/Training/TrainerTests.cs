using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>The notes' shallow network, for the trainer's tests.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 11)]
[Input(3)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class TrainerNet;

/// <summary>
/// Trainer.Fit against what it must equal: TrainStep itself for full-batch gradient descent, the same steps by hand for
/// mini-batches, the update formulas in double precision for Momentum and Adam; and early stopping's bookkeeping.
/// </summary>
public sealed class TrainerTests
{
    private static Dataset Synthetic(int m, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[m * 3];
        var y = new float[m];
        for (int i = 0; i < m; i++)
        {
            for (int k = 0; k < 3; k++) x[i * 3 + k] = (float)rng.NextGaussian();
            y[i] = x[i * 3] + 0.5f * x[i * 3 + 1] * x[i * 3 + 2] + 0.3 * rng.NextGaussian() > 0 ? 1f : 0f;
        }
        return new Dataset(x, y, 3, 1);
    }

    [Fact]
    public void Full_batch_gradient_descent_is_TrainStep_bit_for_bit()
    {
        Dataset train = Synthetic(64, 1);
        var fitted = new TrainerNet();
        var stepped = new TrainerNet();
        TrainingHistory history = Trainer.Fit(fitted, train, null, new TrainingOptions { Epochs = 30, LearningRate = 0.5f });
        var costs = new List<double>();
        for (int epoch = 0; epoch < 30; epoch++)
        {
            stepped.TrainStep(train.X, train.Y, train.Count, 0.5f);
            costs.Add(stepped.Cost(train.X, train.Y, train.Count));
        }
        Assert.Equal(stepped.Parameters.ToArray(), fitted.Parameters.ToArray());
        Assert.Equal(costs, history.TrainCost);
        Assert.Empty(history.DevCost);
        Assert.Equal(30, history.BestEpoch);
        Assert.False(history.StoppedEarly);
    }

    [Fact]
    public void Mini_batches_without_shuffling_are_consecutive_steps()
    {
        Dataset train = Synthetic(50, 2);
        var fitted = new TrainerNet();
        var stepped = new TrainerNet();
        Trainer.Fit(fitted, train, null, new TrainingOptions { Epochs = 3, BatchSize = 16, Shuffle = false, LearningRate = 0.3f });
        var gradients = new float[TrainerNet.ParameterCount];
        for (int epoch = 0; epoch < 3; epoch++)
            for (int start = 0; start < 50; start += 16)
            {
                int size = Math.Min(16, 50 - start);
                stepped.ComputeGradients(train.X.Slice(start * 3, size * 3), train.Y.Slice(start, size), size, gradients);
                Kernels.GradientDescent(stepped.Parameters, gradients, 0.3f);
            }
        Assert.Equal(stepped.Parameters.ToArray(), fitted.Parameters.ToArray());
    }

    [Fact]
    public void Shuffling_is_deterministic_for_a_seed_and_differs_for_another()
    {
        Dataset train = Synthetic(80, 3);
        float[] Run(ulong seed)
        {
            var net = new TrainerNet();
            Trainer.Fit(net, train, null, new TrainingOptions { Epochs = 4, BatchSize = 8, ShuffleSeed = seed, LearningRate = 0.2f });
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Theory]
    [InlineData(Optimizer.Momentum)]
    [InlineData(Optimizer.Adam)]
    public void Optimizers_follow_their_formulas_in_double_precision(Optimizer optimizer)
    {
        Dataset train = Synthetic(40, 4);
        const int epochs = 6;
        const float alpha = 0.05f, beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        var fitted = new TrainerNet();
        Trainer.Fit(fitted, train, null, new TrainingOptions { Epochs = epochs, Optimizer = optimizer, LearningRate = alpha });

        // The same run by hand: the library's gradients, the update in double.
        var twin = new TrainerNet();
        int n = TrainerNet.ParameterCount;
        var theta = new double[n];
        var m = new double[n];
        var v = new double[n];
        for (int i = 0; i < n; i++) theta[i] = twin.Parameters[i];
        var gradients = new float[n];
        for (int t = 1; t <= epochs; t++)
        {
            for (int i = 0; i < n; i++) twin.Parameters[i] = (float)theta[i];
            twin.ComputeGradients(train.X, train.Y, train.Count, gradients);
            for (int i = 0; i < n; i++)
            {
                double g = gradients[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                if (optimizer == Optimizer.Momentum)
                    theta[i] -= alpha * m[i];
                else
                {
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                    double mHat = m[i] / (1 - Math.Pow(beta1, t)), vHat = v[i] / (1 - Math.Pow(beta2, t));
                    theta[i] -= alpha * mHat / (Math.Sqrt(vHat) + epsilon);
                }
            }
        }
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(fitted.Parameters[i] - theta[i]) <= 1e-5 * Math.Max(1, Math.Abs(theta[i])),
                $"{optimizer} θ[{i}] = {fitted.Parameters[i]}, the formula gives {theta[i]}");
    }

    [Fact]
    public void Early_stopping_stops_after_patience_and_restores_the_best_epoch()
    {
        Dataset train = Synthetic(60, 5), dev = Synthetic(30, 6);
        var net = new TrainerNet();
        // No epoch can improve on another by 1e9, so patience runs out after the first 1 + 3 epochs; the parameters put
        // back are those of the lowest dev cost among them.
        TrainingHistory history = Trainer.Fit(net, train, dev, new TrainingOptions
        {
            Epochs = 50, LearningRate = 0.5f, EarlyStopping = new EarlyStopping(Patience: 3, MinDelta: 1e9),
        });
        Assert.True(history.StoppedEarly);
        Assert.Equal(4, history.Epochs);
        int lowest = 0;
        for (int e = 1; e < history.DevCost.Count; e++)
            if (history.DevCost[e] < history.DevCost[lowest]) lowest = e;
        Assert.Equal(lowest + 1, history.BestEpoch);
        Assert.Equal((float)history.DevCost[lowest], net.Cost(dev.X, dev.Y, dev.Count));

        // Full-batch gradient descent is deterministic: the same number of epochs from scratch gives these parameters.
        var again = new TrainerNet();
        Trainer.Fit(again, train, null, new TrainingOptions { Epochs = history.BestEpoch, LearningRate = 0.5f });
        Assert.Equal(again.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void Early_stopping_keeps_the_lowest_dev_cost_in_place()
    {
        Dataset train = Synthetic(40, 7), dev = Synthetic(200, 8);
        var net = new TrainerNet();
        TrainingHistory history = Trainer.Fit(net, train, dev, new TrainingOptions
        {
            Epochs = 400, LearningRate = 0.05f, Optimizer = Optimizer.Adam, EarlyStopping = new EarlyStopping(Patience: 20),
        });
        double lowest = double.PositiveInfinity;
        foreach (double cost in history.DevCost) lowest = Math.Min(lowest, cost);
        Assert.Equal(lowest, history.DevCost[history.BestEpoch - 1]);
        Assert.Equal((float)lowest, net.Cost(dev.X, dev.Y, dev.Count));
    }

    [Fact]
    public void Progress_is_told_every_epoch()
    {
        Dataset train = Synthetic(20, 9), dev = Synthetic(10, 10);
        var reports = new List<EpochReport>();
        TrainingHistory history = Trainer.Fit(new TrainerNet(), train, dev, new TrainingOptions
        {
            Epochs = 7, BatchSize = 4, LearningRate = 0.1f, Progress = new Collect(reports),
        });
        Assert.Equal(7, reports.Count);
        for (int e = 0; e < 7; e++)
        {
            Assert.Equal(e + 1, reports[e].Epoch);
            Assert.Equal(7, reports[e].Epochs);
            Assert.Equal(history.TrainCost[e], reports[e].TrainCost);
            Assert.Equal(history.DevCost[e], reports[e].DevCost);
        }
    }

    private sealed class Collect(List<EpochReport> reports) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => reports.Add(value);
    }

    [Fact]
    public void Mini_batch_steps_allocate_nothing()
    {
        Dataset train = Synthetic(256, 11);
        var net = new TrainerNet();
        var options = new TrainingOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.1f, Optimizer = Optimizer.Adam };
        Trainer.Fit(net, train, null, options); // warm-up: JIT, the network's workspace
        long Measure(int epochs)
        {
            var o = new TrainingOptions { Epochs = epochs, BatchSize = 8, LearningRate = 0.1f, Optimizer = Optimizer.Adam };
            return Allocations.LeastOfThree(() => Trainer.Fit(net, train, null, o));
        }
        long two = Measure(2), twenty = Measure(20);
        // 18 more epochs are 576 more steps: one allocation of even 24 bytes a step would add ≥ 13 824 bytes. The history's
        // lists start with room for min(Epochs, 256) epochs, which accounts for the rest (18 × 2 doubles).
        Assert.True(twenty - two <= 18 * 16 + 64, $"2 epochs: {two} bytes, 20 epochs: {twenty} bytes");
    }

    [Fact]
    public void Data_that_do_not_fit_the_network_are_refused_with_their_shapes()
    {
        var wrong = new Dataset(new float[10 * 4], new float[10], 4, 1);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Fit(new TrainerNet(), wrong, null, new TrainingOptions()));
        Assert.Contains("4 features", e.Message);
        Assert.Contains("takes 3", e.Message);
        var noDev = Assert.Throws<ArgumentException>(() => Trainer.Fit(new TrainerNet(), Synthetic(10, 12), null,
            new TrainingOptions { EarlyStopping = new EarlyStopping(3) }));
        Assert.Contains("dev", noDev.Message);
    }
}
