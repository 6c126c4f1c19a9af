using System;
using System.Diagnostics;
using System.IO;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.CatCnn;

// The CNN of examples/NetGen.Cats (the same declaration): a 2 × 2 max pool, two 3 × 3 Same convolutions of 8 and 16
// filters each followed by a 2 × 2 max pool, and one sigmoid unit on the 8 × 8 × 16 map.
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 1)]
[Input(64, 64, 3)]
[MaxPool(2)]
[Conv2D(8, 3, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 3, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(1, Activation.Sigmoid)]
public partial class CatCnn;

/// <summary>
/// The cats CNN trained from scratch with augmentation, as the example trains it, on the notes' 209 training photos;
/// its accuracy on the 50 test photos against the published MLPs' 72 % (2 layers) and 80 % (4 layers). Self-contained
/// (it reads the photos itself) so that every test host, the scalar one included, runs it.
/// </summary>
[Collection(ParallelismCollection.Name)]
public sealed class CatCnnTests(ITestOutputHelper output)
{
    private const int Pixels = 64 * 64 * 3;

    // Measured 2026-12-03 on this file's settings (AVX-512 host, the simple conv kernels): 45/50 test (0.90), 198/209
    // train; 40 epochs in 33–55 s of wall time on a 2-core machine shared with other builds. The same run with shuffle
    // seeds 2, 3 and 4 — a different order of every mini-batch and every augmentation draw, a far larger perturbation
    // than another float32 summation order (narrower vectors, the scalar host, faster kernels) — gave 43, 44 and 43
    // of 50 test, 198, 189 and 197 of 209 train. The restricted hosts, seed 1: NoAvx512 44/50, 197/209; Vector128 43/50
    // test, 188/209 train; Scalar 43/50, 197/209. So: at least 40/50 test, the issue's
    // target and the published 4-layer MLP's 0.80, 3 photos under the lowest measured; at least 178/209 train (0.85),
    // 10 under the lowest. A CNN that does not learn (a wrong gradient, a wrong flatten order, augmentation that
    // breaks the photos) stays near a constant prediction: 137/209 train (72 cats) and 33/50 or 17/50 test (33 cats).
    private const int TestBound = 40, TrainBound = 178;

    [Theory]
    [MemberData(nameof(ParallelismCollection.ThreadCounts), MemberType = typeof(ParallelismCollection))]
    public void Cnn_trained_with_augmentation_reaches_80_percent_on_the_test_photos(int threads)
        => ParallelismCollection.With(threads, () => { Train(); return 0; });

    private void Train()
    {
        // Hand count: conv 8·3·3·3 + 8, conv 16·8·3·3 + 16, dense 1·(16·8·8) + 1.
        Assert.Equal(224 + 1168 + 1025, CatCnn.ParameterCount);
        Assert.Equal(Pixels, CatCnn.InputSize);

        Dataset train = Load("train", 209), test = Load("test", 50);
        var net = new CatCnn();
        var augmentation = new Augmentation(64, 64, 3).FlipHorizontal(0.5).Translate(0.1, 0.5).Brightness(0.1, 0.5);
        var clock = Stopwatch.StartNew();
        TrainingHistory history = Trainer.Fit(net, train, null, new TrainingOptions
        {
            Epochs = 40,
            BatchSize = 32,
            Optimizer = Optimizer.Adam,
            LearningRate = 0.003f,
            ShuffleSeed = 1,
            Augment = augmentation,
        });
        clock.Stop();
        int trainCorrect = Correct(net, train), testCorrect = Correct(net, test);
        for (int e = 10; e <= history.TrainCost.Count; e += 10)
            output.WriteLine($"epoch {e,2}: cost on the training photos {history.TrainCost[e - 1]:F6}");
        output.WriteLine($"{history.TrainCost.Count} epochs in {clock.ElapsedMilliseconds} ms; train {trainCorrect}/209, test {testCorrect}/50 " +
                         "(published MLPs: 2-layer 36/50, 4-layer 40/50)");

        Assert.Equal(40, history.TrainCost.Count);
        Assert.InRange(testCorrect, TestBound, 50);
        Assert.InRange(trainCorrect, TrainBound, 209);
    }

    /// <summary>{part}_x.u8 (count × 12 288 bytes, HWC) as bytes / 255 and {part}_y.csv (one 0/1 per line).</summary>
    private static Dataset Load(string part, int count)
    {
        byte[] bytes = File.ReadAllBytes(TestData.PathOf($"catvnoncat/{part}_x.u8"));
        if (bytes.Length != count * Pixels)
            throw new InvalidDataException($"{part}_x.u8 has {bytes.Length} bytes, expected {count} × {Pixels}.");
        var x = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) x[i] = (float)(bytes[i] / 255.0);
        double[][] rows = TestData.ReadRows($"catvnoncat/{part}_y.csv", skipHeader: false);
        if (rows.Length != count)
            throw new InvalidDataException($"{part}_y.csv has {rows.Length} labels, expected {count}.");
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            if (rows[i].Length != 1 || (rows[i][0] != 0 && rows[i][0] != 1))
                throw new InvalidDataException($"{part}_y.csv: line {i + 1} is not a single 0 or 1.");
            y[i] = (float)rows[i][0];
        }
        return new Dataset(x, y, Pixels, 1);
    }

    /// <summary>How many photos the net classifies right: (prediction &gt; 0.5) == (y == 1), the published rule.</summary>
    private static int Correct(CatCnn net, Dataset data)
    {
        var predictions = new float[data.Count];
        net.PredictBatch(data.X, predictions, data.Count);
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
            if ((predictions[i] > 0.5f) == (data.Y[i] == 1)) correct++;
        return correct;
    }
}
