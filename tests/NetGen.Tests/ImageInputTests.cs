using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>An image-shaped input: 4 rows × 5 columns × 3 channels, HWC.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 4)]
[Input(4, 5, 3)]
[Dense(2, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class ImageInputNet;

/// <summary>The declared input shape is exposed as constants and a span; the network sees it flattened HWC.</summary>
public sealed class ImageInputTests
{
    [Fact]
    public void The_shape_is_exposed_and_flattened_row_major()
    {
        Assert.Equal(new[] { 4, 5, 3 }, ImageInputNet.InputShape.ToArray());
        Assert.Equal(4, ImageInputNet.InputHeight);
        Assert.Equal(5, ImageInputNet.InputWidth);
        Assert.Equal(3, ImageInputNet.InputChannels);
        Assert.Equal(4 * 5 * 3, ImageInputNet.InputSize);
        Assert.Equal(60 * 2 + 2 + 2 + 1, ImageInputNet.ParameterCount);
    }

    [Fact]
    public void Reading_the_shape_allocates_nothing()
    {
        int sum = 0;
        for (int i = 0; i < 100; i++) sum += ImageInputNet.InputShape[i % 3];
        Assert.Equal(0, Allocations.LeastOfThree(() =>
        {
            for (int i = 0; i < 10_000; i++) sum += ImageInputNet.InputShape[i % 3];
        }));
        Assert.True(sum > 0);
    }
}
