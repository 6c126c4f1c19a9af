using System;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.DigitCnn;

// The demo's DigitNet (examples/NetGen.Demo/Networks.cs, the same declaration).
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 1)]
[Input(8, 8, 1)]
[Conv2D(16, 3, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(32, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class DigitNet;

/// <summary>
/// The demo's <c>--data digits</c> run: scikit-learn's 8 × 8 digits (data/sklearn/digits.csv.gz), the fixed stratified
/// 75/25 split of seed 42, the small CNN trained 20 epochs with Adam; its accuracy on the 449 test digits.
/// </summary>
public sealed class DigitCnnTests(ITestOutputHelper output)
{
    // Measured 2026-12-03 (AVX-512 host, the simple conv kernels), the demo's settings: 445/449 test (99.1 %), 1346/1348
    // train. The demo with shuffle seeds 1, 2 and 3 instead of 42 (another order of every mini-batch, a far larger
    // perturbation than another float32 summation order): 446, 444 and 443 of 449. So: at least 436/449 (97.1 %, the
    // issue's 97 % rounded up to whole digits), 7 under the lowest measured. An untrained or broken net gets ~45 (1/10).
    private const int TestBound = 436;

    [Fact]
    public void Digit_cnn_reaches_97_percent_on_the_fixed_test_split()
    {
        // Hand count: conv 16·1·3·3 + 16, dense 32·(16·4·4) + 32, dense 10·32 + 10.
        Assert.Equal(160 + 8224 + 330, DigitNet.ParameterCount);

        Dataset all = TestData.Digits();
        Assert.Equal(1797, all.Count);
        var (train, _, test) = all.Split(0.75, 0, 0.25, 42, stratify: true);
        Assert.Equal(449, test.Count);
        var net = new DigitNet();
        var clock = Stopwatch.StartNew();
        TrainingHistory history = Trainer.Fit(net, train, null, new TrainingOptions
        {
            Epochs = 20, BatchSize = 32, Optimizer = Optimizer.Adam, LearningRate = 0.003f, ShuffleSeed = 42,
        });
        clock.Stop();
        int correct = (int)Math.Round(Metrics.Accuracy(net, test) * test.Count);
        output.WriteLine($"{history.Epochs} epochs in {clock.ElapsedMilliseconds} ms; cost {history.TrainCost[0]:F4} → " +
                         $"{history.TrainCost[^1]:F4}; test {correct}/{test.Count}");
        Assert.InRange(correct, TestBound, test.Count);
    }
}
