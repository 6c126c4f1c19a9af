using System;
using System.Text.RegularExpressions;
using Xunit;

namespace NetGen.Tests;

/// <summary>Sizes chosen so that every expected and actual length below is a distinct number.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 5)]
[Input(7)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class ArgumentNet;

/// <summary>Two dropout layers: the keep masks of ComputeGradients(…, keepMasks) hold m × (7 + 5) floats.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 6)]
[Input(4)]
[Dense(7, Activation.Relu)]
[Dropout(0.8f)]
[Dense(5, Activation.Tanh)]
[Dropout(0.6f)]
[Dense(3, Activation.Softmax)]
public partial class ArgumentDropoutNet;

/// <summary>
/// Wrong lengths throw an <see cref="ArgumentException"/> (or a subclass) whose message names the expected and the
/// actual length (DESIGN §2), and nothing changes when a call fails.
/// </summary>
public sealed class ArgumentTests
{
    private const int M = 4;                       // X: 4 × 7 = 28, Y: 4 × 3 = 12
    private const int Parameters = 7 * 5 + 5 + 5 * 3 + 3; // 58

    private static float[] Floats(int length)
    {
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = 0.1f * (i % 11) - 0.5f;
        return a;
    }

    /// <summary>A one-hot Y of m rows.</summary>
    private static float[] Targets(int m, int extra = 0)
    {
        var y = new float[m * 3 + extra];
        for (int i = 0; i < m; i++) y[i * 3 + i % 3] = 1f;
        return y;
    }

    /// <summary>The number appears in the message as a whole number (so 28 does not match 128 or 2.8).</summary>
    private static void AssertMentions(string message, int number) =>
        Assert.True(Regex.IsMatch(message, $@"(?<![\d.]){Regex.Escape(number.ToString(System.Globalization.CultureInfo.InvariantCulture))}(?![\d])"),
            $"the message does not mention {number}: \"{message}\"");

    private static void AssertThrows(Action call, int expected, int actual)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(call);
        AssertMentions(e.Message, expected);
        AssertMentions(e.Message, actual);
    }

    [Fact]
    public void Sizes_are_the_declared_ones() // the numbers the other tests rely on
    {
        Assert.Equal(7, ArgumentNet.InputSize);
        Assert.Equal(3, ArgumentNet.OutputSize);
        Assert.Equal(Parameters, ArgumentNet.ParameterCount);
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(8, 3)]
    [InlineData(7, 2)]
    [InlineData(7, 4)]
    public void Predict_checks_x_and_y(int xLength, int yLength)
    {
        var net = new ArgumentNet();
        float[] x = Floats(xLength), y = new float[yLength];
        if (xLength != 7) AssertThrows(() => net.Predict(x, y), 7, xLength);
        else AssertThrows(() => net.Predict(x, y), 3, yLength);
    }

    [Theory]
    [InlineData(27, 12, 28, 27)]
    [InlineData(29, 12, 28, 29)]
    [InlineData(28, 11, 12, 11)]
    [InlineData(28, 13, 12, 13)]
    public void PredictBatch_checks_X_and_Y(int xLength, int yLength, int expected, int actual)
    {
        var net = new ArgumentNet();
        float[] X = Floats(xLength), Y = new float[yLength];
        AssertThrows(() => net.PredictBatch(X, Y, M), expected, actual);
    }

    [Theory]
    [InlineData(27, 12, 28, 27)]
    [InlineData(29, 12, 28, 29)]
    [InlineData(28, 11, 12, 11)]
    [InlineData(28, 13, 12, 13)]
    public void Cost_checks_X_and_Y(int xLength, int yLength, int expected, int actual)
    {
        var net = new ArgumentNet();
        float[] X = Floats(xLength), Y = Targets(M, yLength - 12);
        AssertThrows(() => net.Cost(X, Y, M), expected, actual);
    }

    [Theory]
    [InlineData(27, 12, Parameters, 28, 27)]
    [InlineData(28, 11, Parameters, 12, 11)]
    [InlineData(28, 12, Parameters - 1, Parameters, Parameters - 1)]
    [InlineData(28, 12, Parameters + 1, Parameters, Parameters + 1)]
    public void ComputeGradients_checks_X_Y_and_gradients(int xLength, int yLength, int gLength, int expected, int actual)
    {
        var net = new ArgumentNet();
        float[] X = Floats(xLength), Y = Targets(M, yLength - 12), g = new float[gLength];
        AssertThrows(() => net.ComputeGradients(X, Y, M, g), expected, actual);
    }

    [Theory]
    [InlineData(27, 12, 28, 27)]
    [InlineData(29, 12, 28, 29)]
    [InlineData(28, 11, 12, 11)]
    [InlineData(28, 13, 12, 13)]
    public void A_failing_TrainStep_names_the_shapes_and_leaves_the_parameters_unchanged(int xLength, int yLength, int expected, int actual)
    {
        var net = new ArgumentNet();
        float[] before = net.Parameters.ToArray();
        float[] X = Floats(xLength), Y = Targets(M, yLength - 12);
        AssertThrows(() => net.TrainStep(X, Y, M, 0.5f), expected, actual);
        Assert.Equal(before, net.Parameters.ToArray());

        // And the same call with the right shapes does move them (so the comparison above can fail).
        net.TrainStep(Floats(28), Targets(M), M, 0.5f);
        Assert.NotEqual(before, net.Parameters.ToArray());
    }

    [Theory]
    [InlineData(47)]
    [InlineData(49)]
    public void ComputeGradients_checks_the_keep_masks(int length)
    {
        var net = new ArgumentDropoutNet(); // masks: m × (7 + 5) = 4 × 12 = 48
        float[] X = Floats(M * 4), Y = Targets(M), g = new float[ArgumentDropoutNet.ParameterCount], masks = new float[length];
        masks.AsSpan().Fill(1f);
        AssertThrows(() => net.ComputeGradients(X, Y, M, g, masks), 48, length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void A_batch_of_fewer_than_one_sample_is_refused(int m)
    {
        var net = new ArgumentNet();
        float[] before = net.Parameters.ToArray();
        float[] X = Array.Empty<float>(), Y = Array.Empty<float>(), g = new float[Parameters];

        ArgumentException[] errors =
        {
            Assert.ThrowsAny<ArgumentException>(() => net.PredictBatch(X, Y, m)),
            Assert.ThrowsAny<ArgumentException>(() => net.Cost(X, Y, m)),
            Assert.ThrowsAny<ArgumentException>(() => net.ComputeGradients(X, Y, m, g)),
            Assert.ThrowsAny<ArgumentException>(() => net.TrainStep(X, Y, m, 0.5f)),
        };
        if (m != 0) // the actual m is named (0 would be found in any message)
            foreach (ArgumentException e in errors)
                AssertMentions(e.Message, m);
        Assert.Equal(before, net.Parameters.ToArray());
    }
}
