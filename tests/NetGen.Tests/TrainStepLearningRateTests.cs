using System;
using NetGen.Tests.Regularization;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The generated TrainStep refuses a NaN or infinite learning rate — which used to turn every parameter NaN — with an
/// ArgumentOutOfRangeException that names learningRate, before anything changes: the parameters, and the dropout
/// generator that ComputeGradients would advance. A negative rate is legal mathematics (a step uphill) and is taken.
/// </summary>
public sealed class TrainStepLearningRateTests
{
    private const int M = 6;

    private static (float[] X, float[] Y) Batch()
    {
        var rng = new Random(5);
        float[] X = new float[M * 3], Y = new float[M * 2];
        for (int i = 0; i < X.Length; i++) X[i] = (float)Problem.Gaussian(rng);
        for (int i = 0; i < M; i++) Y[i * 2 + (i % 2)] = 1f;
        return (X, Y);
    }

    public static TheoryData<float> NonFinite() => new() { float.NaN, float.PositiveInfinity, float.NegativeInfinity };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_non_finite_rate_is_refused_and_changes_neither_the_parameters_nor_the_dropout_stream(float rate)
    {
        (float[] X, float[] Y) = Batch();
        var refused = new DropoutTwinNet();
        var twin = new DropoutTwinNet(); // same seed: the same parameters and the same dropout stream
        float[] before = refused.Parameters.ToArray();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => { refused.TrainStep(X, Y, M, rate); });
        Assert.Equal("learningRate", e.ParamName);
        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
        Assert.Equal(rate, e.ActualValue);
        Assert.Equal(before, refused.Parameters.ToArray());

        // The next steps draw the same masks as on the twin that never saw the refused call: bit-identical parameters.
        for (int step = 0; step < 3; step++)
        {
            float a = refused.TrainStep(X, Y, M, 0.1f), b = twin.TrainStep(X, Y, M, 0.1f);
            Assert.Equal(b, a);
        }
        Assert.Equal(twin.Parameters.ToArray(), refused.Parameters.ToArray());
        Assert.NotEqual(before, refused.Parameters.ToArray()); // the comparison can fail: the valid steps moved them
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_network_without_dropout_refuses_it_too(float rate)
    {
        (float[] X, float[] Y) = Batch();
        var net = new ReluSigmoidMseNet();
        float[] before = net.Parameters.ToArray();
        Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => { net.TrainStep(X, Y, M, rate); });
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void A_negative_rate_is_a_step_uphill()
    {
        // θ ← θ − α·dθ with α = −0.1 is θ + 0.1·dθ: exactly the opposite of the step with α = 0.1 from the same start.
        (float[] X, float[] Y) = Batch();
        var down = new ReluSigmoidMseNet();
        var up = new ReluSigmoidMseNet();
        float[] start = down.Parameters.ToArray();
        down.TrainStep(X, Y, M, 0.1f);
        up.TrainStep(X, Y, M, -0.1f);
        float[] d = down.Parameters.ToArray(), u = up.Parameters.ToArray();
        int moved = 0;
        for (int i = 0; i < start.Length; i++)
        {
            Assert.Equal(start[i] - d[i], u[i] - start[i], 1e-6f);
            if (d[i] != start[i]) moved++;
        }
        Assert.True(moved > 0);
    }
}
