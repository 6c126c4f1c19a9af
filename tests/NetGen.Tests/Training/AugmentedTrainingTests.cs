using System;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>A tiny image classifier: 4 × 6 pixels × 2 channels.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 13)]
[Input(4, 6, 2)]
[Dense(5, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class TinyImageNet;

/// <summary>Trainer.Fit with <see cref="TrainingOptions.Augment"/>: every training batch is augmented afresh, the data set
/// itself and the dev set never are, and the steps still allocate nothing.</summary>
public sealed class AugmentedTrainingTests
{
    private const int H = TinyImageNet.InputHeight, W = TinyImageNet.InputWidth, C = TinyImageNet.InputChannels;

    private static Dataset Images(int m, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[m * H * W * C];
        var y = new float[m];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle();
        for (int i = 0; i < m; i++) y[i] = x[i * H * W * C] > 0.5f ? 1f : 0f;
        return new Dataset(x, y, H * W * C, 1);
    }

    /// <summary>The images mirrored left to right, pixel by pixel, channels in order.</summary>
    private static Dataset Mirrored(Dataset data)
    {
        float[] x = data.X.ToArray();
        var mirrored = new float[x.Length];
        for (int i = 0; i < data.Count; i++)
            for (int r = 0; r < H; r++)
                for (int c = 0; c < W; c++)
                    for (int k = 0; k < C; k++)
                        mirrored[((i * H + r) * W + (W - 1 - c)) * C + k] = x[((i * H + r) * W + c) * C + k];
        return new Dataset(mirrored, data.Y.ToArray(), data.InputSize, 1);
    }

    [Fact]
    public void A_certain_flip_trains_exactly_as_on_the_flipped_images_and_leaves_the_data_alone()
    {
        Dataset train = Images(40, 1), dev = Images(20, 2);
        float[] original = train.X.ToArray();
        var augmented = new TinyImageNet();
        TrainingHistory history = Trainer.Fit(augmented, train, dev, new TrainingOptions
        {
            Epochs = 5, LearningRate = 0.1f, Augment = new Augmentation(H, W, C).FlipHorizontal(probability: 1),
        });
        var reference = new TinyImageNet();
        Trainer.Fit(reference, Mirrored(train), null, new TrainingOptions { Epochs = 5, LearningRate = 0.1f });

        Assert.Equal(reference.Parameters.ToArray(), augmented.Parameters.ToArray());
        Assert.Equal(original, train.X.ToArray());                                      // the data set is never modified
        Assert.Equal((float)history.DevCost[^1], augmented.Cost(dev.X, dev.Y, dev.Count)); // the dev set is not augmented
        Assert.Equal((float)history.TrainCost[^1], augmented.Cost(train.X, train.Y, train.Count));
    }

    [Fact]
    public void An_augmentation_that_never_fires_changes_nothing()
    {
        Dataset train = Images(30, 3);
        var plain = new TinyImageNet();
        var augmented = new TinyImageNet();
        var options = new TrainingOptions { Epochs = 4, BatchSize = 8, LearningRate = 0.1f };
        Trainer.Fit(plain, train, null, options);
        Trainer.Fit(augmented, train, null, new TrainingOptions
        {
            Epochs = 4, BatchSize = 8, LearningRate = 0.1f,
            Augment = new Augmentation(H, W, C).FlipHorizontal(0).Rotate(20, 0).GaussianNoise(0, 0.1, 0),
        });
        Assert.Equal(plain.Parameters.ToArray(), augmented.Parameters.ToArray());
    }

    [Fact]
    public void Augmented_mini_batch_steps_allocate_nothing()
    {
        Dataset train = Images(128, 4);
        var net = new TinyImageNet();
        var augment = new Augmentation(H, W, C).FlipHorizontal().Translate(0.25).Brightness(0.1).GaussianNoise(0, 0.05);
        TrainingOptions Options(int epochs) => new() { Epochs = epochs, BatchSize = 8, LearningRate = 0.05f, Augment = augment };
        Trainer.Fit(net, train, null, Options(2));
        long Measure(int epochs)
        {
            TrainingOptions options = Options(epochs);
            return Allocations.LeastOfThree(() => Trainer.Fit(net, train, null, options));
        }
        long two = Measure(2), twenty = Measure(20);
        // 18 more epochs are 288 more augmented steps; the history's lists (sized up front) account for 18 × 2 doubles.
        Assert.True(twenty - two <= 18 * 16 + 64, $"2 epochs: {two} bytes, 20 epochs: {twenty} bytes");
    }

    [Fact]
    public void An_augmentation_of_another_image_size_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Trainer.Fit(new TinyImageNet(), Images(10, 5), null,
            new TrainingOptions { Augment = new Augmentation(8, 8, 3) }));
        Assert.Contains("192", e.Message);
        Assert.Contains("takes 48", e.Message);
    }
}
