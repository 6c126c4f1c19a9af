using System;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests;

/// <summary>A small CNN for scikit-learn's 8 × 8 digits: 8 × 8 × 1 → conv 8 of 3 × 3, same → max 2 → conv 16 of 3 × 3
/// → 2 × 2 × 16 → 10 (softmax).</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 7)]
[Input(8, 8)]
[Conv2D(8, 3, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 3, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class DigitsCnn;

/// <summary>
/// Training a conv network on real data (issue 14 item 6): scikit-learn's 1 797 handwritten digits
/// (data/sklearn/digits.csv.gz), a seeded split of 1 297 for training and 500 for testing.
/// </summary>
public sealed class ConvDigitsTests
{
    private readonly ITestOutputHelper _output;

    public ConvDigitsTests(ITestOutputHelper output) => _output = output;

    /// <summary>The digits: pixels 0–16 scaled to [0, 1], labels one-hot; rows shuffled with a fixed seed.</summary>
    private static (Dataset Train, Dataset Test) Digits()
    {
        Dataset all = TestData.Digits();
        Assert.Equal(1797, all.Count);
        var order = new int[all.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new Random(2024).Shuffle(order);
        const int testCount = 500;
        Dataset Part(int from, int count)
        {
            var x = new float[count * 64];
            var y = new float[count * 10];
            for (int i = 0; i < count; i++)
            {
                all.X.Slice(order[from + i] * 64, 64).CopyTo(x.AsSpan(i * 64));
                all.Y.Slice(order[from + i] * 10, 10).CopyTo(y.AsSpan(i * 10));
            }
            return new Dataset(x, y, 64, 10);
        }
        return (Part(testCount, all.Count - testCount), Part(0, testCount));
    }

    [Fact]
    public void A_small_CNN_learns_the_8x8_digits()
    {
        (Dataset train, Dataset test) = Digits();
        var net = new DigitsCnn();
        double before = Metrics.Accuracy(net, test);
        float costBefore = net.Cost(train.X, train.Y, train.Count);
        var clock = Stopwatch.StartNew();
        TrainingHistory history = Trainer.Fit(net, train, null, new TrainingOptions
        {
            Epochs = 15, BatchSize = 32, Optimizer = Optimizer.Adam, LearningRate = 0.003f, ShuffleSeed = 3,
        });
        double accuracy = Metrics.Accuracy(net, test), trainAccuracy = Metrics.Accuracy(net, train);
        _output.WriteLine($"cost {costBefore} → {history.TrainCost[^1]}, test accuracy {before:P1} → {accuracy:P1} " +
            $"(train {trainAccuracy:P1}) in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(history.TrainCost[^1] < 0.2 * costBefore, $"the cost went from {costBefore} to {history.TrainCost[^1]}");
        // Measured on this machine: test accuracy 16.4 % untrained, 96.8 % after 15 epochs (train 98.2 %), the cost
        // 3.47 → 0.078. The run is deterministic (seeded draw, split and shuffles); another vector width changes only
        // the last bits of the sums. 95 % allows 9 more of the 500 test digits to go wrong than measured, while chance
        // is 10 % and 10 epochs instead of 15 already measured 94.8 %: a layer that learns wrongly fails it.
        Assert.True(accuracy >= 0.95, $"test accuracy {accuracy:P1}");
    }

    [Fact]
    public void Trainer_Fit_with_augmentation_trains_a_conv_net()
    {
        // The augmented batches (each sample's 8 × 8 × 1 pixels shifted by up to one pixel) go through the same conv
        // forward and backward: the cost falls and the test accuracy rises far above chance in a few epochs.
        (Dataset train, Dataset test) = Digits();
        var net = new DigitsCnn(seed: 11);
        float costBefore = net.Cost(train.X, train.Y, train.Count);
        TrainingHistory history = Trainer.Fit(net, train, test, new TrainingOptions
        {
            Epochs = 4, BatchSize = 32, Optimizer = Optimizer.Adam, LearningRate = 0.003f, ShuffleSeed = 5,
            Augment = new Augmentation(8, 8, 1).RandomCrop(1),
        });
        double accuracy = Metrics.Accuracy(net, test);
        _output.WriteLine($"with augmentation: cost {costBefore} → {history.TrainCost[^1]}, test accuracy {accuracy:P1}");
        Assert.Equal(4, history.Epochs);
        Assert.True(history.TrainCost[^1] < 0.5 * costBefore, $"the cost went from {costBefore} to {history.TrainCost[^1]}");
        // Measured: cost 3.30 → 1.03, test accuracy 67.8 % after 4 epochs (shifted digits are harder to fit this fast);
        // 50 % is far above chance (10 %) and below the measurement by more than another machine's rounding moves it.
        Assert.True(accuracy >= 0.5, $"test accuracy {accuracy:P1}");
    }
}
