using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>The notes' classic readings of train/dev errors (chapter 2) and the input checks.</summary>
public sealed class BiasVarianceTests
{
    [Theory]
    [InlineData(0.01, 0.11, 0.0, Verdict.HighVariance)]
    [InlineData(0.15, 0.16, 0.0, Verdict.HighBias)]
    [InlineData(0.15, 0.30, 0.0, Verdict.HighBiasAndVariance)]
    [InlineData(0.005, 0.01, 0.0, Verdict.Good)]
    // The same 15 % / 16 % against a base (human-level) error of 15 %: no avoidable bias, 1 point of variance.
    [InlineData(0.15, 0.16, 0.15, Verdict.Good)]
    // Against a base error of 15 %, 15 % / 30 % is only variance.
    [InlineData(0.15, 0.30, 0.15, Verdict.HighVariance)]
    public void ClassicReadings(double train, double dev, double baseError, Verdict verdict)
    {
        Diagnosis d = BiasVariance.Diagnose(train, dev, baseError);
        Assert.Equal(verdict, d.Verdict);
        Assert.Equal(train - baseError, d.AvoidableBias, 12);
        Assert.Equal(dev - train, d.Variance, 12);
        Assert.False(string.IsNullOrWhiteSpace(d.Advice));
    }

    [Fact]
    public void AdviceFollowsTheRecipe()
    {
        string bias = BiasVariance.Diagnose(0.15, 0.16).Advice;
        Assert.Contains("bigger network", bias);
        Assert.Contains("train longer", bias);
        Assert.Contains("architecture", bias);
        Assert.DoesNotContain("regularization (L2", bias);

        string variance = BiasVariance.Diagnose(0.01, 0.11).Advice;
        Assert.Contains("more training data", variance);
        Assert.Contains("regularization (L2, dropout)", variance);
        Assert.Contains("architecture", variance);
        Assert.DoesNotContain("bigger network", variance);

        string both = BiasVariance.Diagnose(0.15, 0.30).Advice;
        Assert.Contains("bigger network", both);
        Assert.Contains("regularization (L2, dropout)", both);
        Assert.True(both.IndexOf("bigger network", StringComparison.Ordinal) < both.IndexOf("more training data", StringComparison.Ordinal),
            "the notes fix bias first, then variance");

        Diagnosis good = BiasVariance.Diagnose(0.005, 0.01);
        Assert.DoesNotContain("bigger network", good.Advice);
        Assert.DoesNotContain("more training data", good.Advice);
        Assert.False(good.HighBias);
        Assert.False(good.HighVariance);
    }

    [Fact]
    public void TheThresholdIsTwoPointsAndStrict()
    {
        Assert.Equal(0.02, BiasVariance.DefaultThreshold);
        Assert.Equal(Verdict.Good, BiasVariance.Diagnose(0.02, 0.04).Verdict);        // both gaps exactly 2 points
        Assert.Equal(Verdict.HighBiasAndVariance, BiasVariance.Diagnose(0.0201, 0.0403).Verdict);
        Assert.Equal(Verdict.HighVariance, BiasVariance.Diagnose(0.01, 0.05, 0, threshold: 0.03).Verdict);
        Assert.Equal(Verdict.Good, BiasVariance.Diagnose(0.01, 0.05, 0, threshold: 0.05).Verdict);
    }

    [Fact]
    public void NegativeGapsAreNotHigh()
    {
        Diagnosis d = BiasVariance.Diagnose(0.10, 0.05, 0.20);   // train below base, dev below train
        Assert.Equal(Verdict.Good, d.Verdict);
        Assert.True(d.AvoidableBias < 0);
        Assert.True(d.Variance < 0);
    }

    [Theory]
    [InlineData(double.NaN, 0.1, 0.0, "trainError")]
    [InlineData(-0.01, 0.1, 0.0, "trainError")]
    [InlineData(0.1, 1.01, 0.0, "devError")]
    [InlineData(0.1, double.NaN, 0.0, "devError")]
    [InlineData(0.1, 0.1, double.PositiveInfinity, "baseError")]
    [InlineData(0.1, 0.1, -1e-9, "baseError")]
    public void RejectsErrorsOutsideZeroToOne(double train, double dev, double baseError, string name)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BiasVariance.Diagnose(train, dev, baseError));
        Assert.Equal(name, ex.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.01)]
    [InlineData(1.0)]
    public void RejectsBadThresholds(double threshold)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BiasVariance.Diagnose(0.1, 0.2, 0, threshold));
        Assert.Equal("threshold", ex.ParamName);
    }

    [Fact]
    public void AcceptsTheEnds()
    {
        Assert.Equal(Verdict.Good, BiasVariance.Diagnose(0, 0).Verdict);
        Assert.Equal(Verdict.HighBias, BiasVariance.Diagnose(1, 1).Verdict);
    }
}
