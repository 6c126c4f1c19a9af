using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests;

/// <summary>
/// Cost, gradients and the update step of generated networks against the independent double-precision
/// <see cref="ReferenceNetwork"/> (DESIGN §3), for every activation, every loss and output, and the penalties.
/// </summary>
public sealed class GradientTests
{
    /// <summary>
    /// Step of the central differences: the truncation error h²·J‴/6 ≈ 1e-10 and the rounding error ε·J/h ≈ 1e-11
    /// are both far below the float32 error of the network under test.
    /// </summary>
    private const double H = 1e-5;

    /// <summary>
    /// |g − fd| ≤ Tolerance·max(1, |fd|). The generated gradient is float32: every entry is a sum over m ≤ 19 samples
    /// of products through ≤ 4 layers of width ≤ 70, each rounding contributing ≤ 2⁻²⁴ ≈ 6e-8 of terms that are
    /// O(1) here, so its error is ≲ (70 + 19 + 4·8)·6e-8 ≈ 7e-6 in the worst case (observed: ≤ 2e-7 over all cases).
    /// 1e-4 leaves an order of magnitude above that bound for other hardware (FMA or not, other vector widths), while
    /// a wrong derivative, slope, penalty factor or 1/m (errors ≥ 1e-3 with these O(1) weights, inputs and biases)
    /// still fails.
    /// </summary>
    private const double Tolerance = 1e-4;

    /// <summary>The float32 cost against the double reference: J = O(1) and its float error is ~1e-7 relative.</summary>
    private const double CostTolerance = 1e-5;

    private readonly ITestOutputHelper _output;

    public GradientTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (NetCase c in NetCases.All)
        {
            if (c.Name == "WideSoftmax")
            {
                data.Add(c.Name, 11);
                continue;
            }
            data.Add(c.Name, 1);
            data.Add(c.Name, 19);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cost_matches_the_reference(string name, int m)
    {
        Problem p = Problem.Create(name, m);
        double expected = p.Case.Reference.Cost(p.Theta, p.Xd, p.Yd, m);
        float actual = p.Net.Cost(p.X, p.Y, m);
        _output.WriteLine($"{name} m={m}: Cost {actual:R}, reference {expected:R}");
        Assert.True(Math.Abs(actual - expected) <= CostTolerance * Math.Abs(expected),
            $"{name}, m = {m}: Cost = {actual:R}, the reference gives {expected:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2}).");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PredictBatch_matches_the_reference(string name, int m)
    {
        Problem p = Problem.Create(name, m);
        ReferenceNetwork r = p.Case.Reference;
        double[] expected = r.Forward(p.Theta, p.Xd, m).A[r.LayerCount];
        var actual = new float[m * r.OutputSize];
        p.Net.PredictBatch(p.X, actual, m);
        for (int t = 0; t < expected.Length; t++)
            Assert.True(Math.Abs(actual[t] - expected[t]) <= 1e-5 * Math.Max(1, Math.Abs(expected[t])),
                $"{name}, m = {m}: output {t} (sample {t / r.OutputSize}, unit {t % r.OutputSize}) is {actual[t]:R}, the reference gives {expected[t]:R}.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_finite_differences_of_the_reference(string name, int m)
    {
        Problem p = Problem.Create(name, m);
        ReferenceNetwork r = p.Case.Reference;
        var gradients = new float[p.Net.ParameterCount];
        gradients.AsSpan().Fill(float.NaN); // every entry must be written
        p.Net.ComputeGradients(p.X, p.Y, m, gradients);
        double[] fd = r.FiniteDifferenceGradient(p.Theta, p.Xd, p.Yd, m, H);

        List<string> failures = GradientFailures(r, gradients, fd, out double worst);
        _output.WriteLine($"{name} m={m}: {gradients.Length} parameters, worst |g − fd| / max(1, |fd|) = {worst:E2}");
        Assert.True(failures.Count == 0,
            $"{name}, m = {m}: {failures.Count} of {gradients.Length} gradient entries differ from the finite differences:\n"
            + string.Join("\n", failures.Take(12)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComputeGradients_returns_the_cost(string name, int m)
    {
        Problem p = Problem.Create(name, m);
        float cost = p.Net.Cost(p.X, p.Y, m);
        float returned = p.Net.ComputeGradients(p.X, p.Y, m, new float[p.Net.ParameterCount]);
        Assert.Equal(cost, returned);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainStep_is_theta_minus_learning_rate_times_gradient(string name, int m)
    {
        const float learningRate = 0.37f;
        Problem p = Problem.Create(name, m);
        float[] theta = p.Net.Parameters.ToArray();
        float cost = p.Net.Cost(p.X, p.Y, m);
        var g = new float[theta.Length];
        p.Net.ComputeGradients(p.X, p.Y, m, g);
        Assert.Equal(theta, p.Net.Parameters.ToArray()); // computing gradients must not move the parameters

        float returned = p.Net.TrainStep(p.X, p.Y, m, learningRate);

        Assert.Equal(cost, returned); // the cost before the step
        float[] after = p.Net.Parameters.ToArray();
        var failures = new List<string>();
        int moved = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            // θ − α·g rounded as two float operations, or as one fused multiply-add: both are "exact to float rounding".
            float separate = theta[i] - learningRate * g[i];
            float fused = MathF.FusedMultiplyAdd(-learningRate, g[i], theta[i]);
            if (after[i] != separate && after[i] != fused)
                failures.Add($"{Problem.Describe(p.Case.Reference, i)}: θ = {theta[i]:R}, g = {g[i]:R}, expected {separate:R} (or fused {fused:R}), got {after[i]:R}");
            if (after[i] != theta[i]) moved++;
        }
        Assert.True(failures.Count == 0, $"{name}, m = {m}:\n" + string.Join("\n", failures.Take(12)));
        Assert.True(moved > 0, $"{name}: no parameter moved."); // (the comparison above is not vacuous)
    }

    /// <summary>The gradient check itself must catch a small error: one entry off by 3·Tolerance is reported.</summary>
    [Fact]
    public void The_gradient_check_detects_a_small_error()
    {
        Problem p = Problem.Create("TanhSigmoid", 19);
        ReferenceNetwork r = p.Case.Reference;
        double[] fd = r.FiniteDifferenceGradient(p.Theta, p.Xd, p.Yd, 19, H);
        float[] exact = fd.Select(v => (float)v).ToArray();
        Assert.Empty(GradientFailures(r, exact, fd, out _));

        float[] wrong = (float[])exact.Clone();
        int index = r.WeightOffset(2) + 2;
        wrong[index] += (float)(3 * Tolerance * Math.Max(1, Math.Abs(fd[index])));
        List<string> failures = GradientFailures(r, wrong, fd, out _);
        Assert.Single(failures);
        Assert.StartsWith("W2[0,2]", failures[0]);
    }

    /// <summary>
    /// The reference's finite differences against the closed-form gradient of logistic regression,
    /// dW = (1/m)·Σ (σ(z) − y)·x, db = (1/m)·Σ (σ(z) − y): the yardstick itself is right.
    /// </summary>
    [Fact]
    public void Finite_differences_of_the_reference_match_the_closed_form_of_logistic_regression()
    {
        var r = new ReferenceNetwork(3, Loss.BinaryCrossEntropy, new[] { new LayerSpec(1, Activation.Sigmoid) });
        var rng = new Random(5);
        const int m = 7;
        double[] theta = Enumerable.Range(0, 4).Select(_ => Problem.Gaussian(rng)).ToArray();
        double[] X = Enumerable.Range(0, m * 3).Select(_ => Problem.Gaussian(rng)).ToArray();
        double[] Y = Enumerable.Range(0, m).Select(_ => (double)rng.Next(2)).ToArray();
        var expected = new double[4];
        for (int i = 0; i < m; i++)
        {
            double z = theta[3] + theta[0] * X[3 * i] + theta[1] * X[3 * i + 1] + theta[2] * X[3 * i + 2];
            double dz = 1 / (1 + Math.Exp(-z)) - Y[i];
            for (int k = 0; k < 3; k++) expected[k] += dz * X[3 * i + k] / m;
            expected[3] += dz / m;
        }
        double[] fd = r.FiniteDifferenceGradient(theta, X, Y, m, H);
        for (int k = 0; k < 4; k++)
            Assert.Equal(expected[k], fd[k], 1e-9);
    }

    private static List<string> GradientFailures(ReferenceNetwork r, float[] g, double[] fd, out double worst)
    {
        var failures = new List<string>();
        worst = 0;
        for (int i = 0; i < g.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(fd[i]));
            double error = Math.Abs(g[i] - fd[i]);
            if (!(error <= Tolerance * scale)) // NaN fails too
                failures.Add($"{Problem.Describe(r, i)}: g = {g[i]:R}, finite difference {fd[i]:R}");
            if (!(error / scale <= worst)) worst = error / scale;
        }
        return failures;
    }
}
