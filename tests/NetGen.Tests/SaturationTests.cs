using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>Logistic regression: one sigmoid unit on one feature, so that z = w·x + b is set exactly.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(1)]
[Dense(1, Activation.Sigmoid)]
public partial class SaturatingLogisticNet;

/// <summary>A softmax classifier on one feature, so that every logit is set exactly.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.Normal)]
[Input(1)]
[Dense(3, Activation.Softmax)]
public partial class SaturatingSoftmaxNet;

/// <summary>
/// The cost stays finite where the output saturates (σ(z) rounds to exactly 0 or 1 in float for |z| ≳ 17, softmax to a
/// one-hot vector), because it is computed from Z: a confidently wrong prediction costs |z|, not log(0) = −∞.
/// </summary>
public sealed class SaturationTests
{
    [Theory]
    [InlineData(200f, 0f, 200.0)]   // σ(200) = 1 in float; y = 0: J = −log(1 − σ(z)) = z + log(1 + e^−z) ≈ 200
    [InlineData(-200f, 1f, 200.0)]  // σ(−200) = 0 in float; y = 1: J = −log σ(z) ≈ 200
    [InlineData(200f, 1f, 0.0)]     // right and confident: J = log(1 + e^−200) ≈ 0
    [InlineData(30f, 0f, 30.0000000000000935)]
    public void Binary_cross_entropy_is_finite_and_exact_for_saturated_outputs(float z, float y, double expected)
    {
        var net = new SaturatingLogisticNet();
        net.W1[0] = z;   // x = 1, so z = w
        net.B1[0] = 0f;
        float cost = net.Cost(new[] { 1f }, new[] { y }, 1);
        Assert.True(float.IsFinite(cost), $"J = {cost}");
        Assert.Equal(expected, cost, 4);

        var gradients = new float[SaturatingLogisticNet.ParameterCount];
        float trainingCost = net.ComputeGradients(new[] { 1f }, new[] { y }, 1, gradients);
        Assert.Equal(cost, trainingCost);
        Assert.All(gradients, g => Assert.True(float.IsFinite(g)));
        double sigma = 1.0 / (1.0 + Math.Exp(-(double)z));
        Assert.Equal(sigma - y, gradients[0], 6); // dW1 = (σ(z) − y)·x with x = 1
    }

    [Fact]
    public void Cross_entropy_is_finite_and_exact_for_huge_logits()
    {
        var net = new SaturatingSoftmaxNet();
        float[] logits = { 500f, -500f, 0f };
        logits.CopyTo(net.W1);   // x = 1, so Z = W1
        net.B1.Clear();
        // The true class is the one with logit −500: J = logΣexp(z) − z_true = 500 + 500 (plus e^−500, nothing in double).
        float cost = net.Cost(new[] { 1f }, new[] { 0f, 1f, 0f }, 1);
        Assert.True(float.IsFinite(cost), $"J = {cost}");
        Assert.Equal(1000.0, cost, 3);
    }
}
