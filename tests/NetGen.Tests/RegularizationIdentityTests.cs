using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests.Regularization;

/// <summary>
/// Nets identical but for their penalty, given the same Parameters and batch: the difference of their gradients is
/// exactly the penalty's gradient — (λ2/m)·W + (λ1/2m)·sign(W) on every weight, 0 on every bias — and the difference
/// of their costs is the penalty (λ2/2m)·Σ‖W‖² + (λ1/2m)·Σ|W|, via Cost and via ComputeGradients' return value.
/// Per-layer overrides ([Dense(..., L2 = x, L1 = y)], NaN inherits) must show up on exactly their layer.
/// <para>
/// Tolerance 1e-6 × max(1, |value|): both sides run the same float32 data path bit for bit, so the only error is the
/// rounding of the penalty's addition (≈ 6e-8 × |g|). A wrong factor (λ/2m for λ/m), a penalty on the wrong layer or
/// on a bias is ≥ 1e-3 here.
/// </para>
/// </summary>
public sealed class RegularizationIdentityTests
{
    private const int M = 13;
    private const int ParameterCount = PenaltyFreeNet.ParameterCount; // 3-6-4-2: 24 + 6 + 24 + 4 + 8 + 2 = 68
    private static readonly int[] Sizes = { 3, 6, 4, 2 };

    /// <summary>The λ each layer must end up with, from the declarations in RegularizationNetworks.cs.</summary>
    private sealed record Variant(Func<INetwork> Create, double[] L2, double[] L1);

    private static readonly Dictionary<string, Variant> Variants = new()
    {
        ["L2Only"] = new(() => new L2OnlyNet(), new[] { 0.5, 0.5, 0.5 }, new[] { 0.0, 0.0, 0.0 }),
        ["L1Only"] = new(() => new L1OnlyNet(), new[] { 0.0, 0.0, 0.0 }, new[] { 0.4, 0.4, 0.4 }),
        ["L2AndL1"] = new(() => new L2AndL1Net(), new[] { 0.5, 0.5, 0.5 }, new[] { 0.4, 0.4, 0.4 }),
        ["L2OffOnLayer2"] = new(() => new L2OffOnLayer2Net(), new[] { 0.5, 0.0, 0.5 }, new[] { 0.0, 0.0, 0.0 }),
        ["MixedOverride"] = new(() => new MixedOverrideNet(), new[] { 1.25, 0.5, 0.5 }, new[] { 0.0, 0.0, 0.3 }),
        ["BothOffSomewhere"] = new(() => new BothOffSomewhereNet(), new[] { 0.0, 0.5, 0.5 }, new[] { 0.4, 0.4, 0.0 }),
    };

    public static TheoryData<string> VariantNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in Variants.Keys) data.Add(name);
        return data;
    }

    private static int WeightOffset(int l)
    {
        int offset = 0;
        for (int k = 1; k < l; k++) offset += Sizes[k] * Sizes[k - 1] + Sizes[k];
        return offset;
    }

    /// <summary>Parameters with non-zero biases and no weight near 0 (sign(0) is the L1 kink), a batch and 0/1 targets.</summary>
    private static (float[] Theta, float[] X, float[] Y) Problem(int seed)
    {
        var rng = new Random(seed);
        var theta = new float[ParameterCount];
        new PenaltyFreeNet().Parameters.CopyTo(theta); // Glorot from seed 41
        for (int l = 1; l <= 3; l++)
        {
            int w = WeightOffset(l), b = w + Sizes[l] * Sizes[l - 1];
            for (int k = w; k < b; k++)
                if (Math.Abs(theta[k]) < 0.05f) theta[k] = theta[k] < 0 ? -0.05f : 0.05f;
            for (int j = 0; j < Sizes[l]; j++) theta[b + j] = (float)(0.3 * MaskedGradients.Gaussian(rng));
        }
        var X = new float[M * 3];
        for (int i = 0; i < X.Length; i++) X[i] = (float)MaskedGradients.Gaussian(rng);
        var Y = new float[M * 2];
        for (int i = 0; i < Y.Length; i++) Y[i] = rng.Next(2);
        return (theta, X, Y);
    }

    /// <summary>The expected penalty gradient at parameter k (0 for a bias) and the penalty term, in double.</summary>
    private static (double[] Gradient, double Cost) Penalty(float[] theta, double[] l2, double[] l1, int m)
    {
        var gradient = new double[theta.Length];
        double cost = 0;
        for (int l = 1; l <= 3; l++)
        {
            int w = WeightOffset(l), b = w + Sizes[l] * Sizes[l - 1];
            for (int k = w; k < b; k++)
            {
                double v = theta[k];
                gradient[k] = l2[l - 1] / m * v + l1[l - 1] / (2.0 * m) * Math.Sign(v);
                cost += l2[l - 1] / (2.0 * m) * v * v + l1[l - 1] / (2.0 * m) * Math.Abs(v);
            }
        }
        return (gradient, cost);
    }

    private static string Describe(int k)
    {
        for (int l = 3; l >= 1; l--)
        {
            int w = WeightOffset(l), b = w + Sizes[l] * Sizes[l - 1];
            if (k >= b) return $"b{l}[{k - b}]";
            if (k >= w) return $"W{l}[{(k - w) / Sizes[l - 1]},{(k - w) % Sizes[l - 1]}]";
        }
        return $"#{k}";
    }

    /// <summary>Checks g(λ) − g(0) against the penalty gradient: exact 0 where it must be 0 (biases, layers with λ = 0).</summary>
    private static void AssertPenaltyGradient(float[] g0, float[] gPenalty, double[] expected, string what)
    {
        var failures = new List<string>();
        for (int k = 0; k < g0.Length; k++)
        {
            double difference = (double)gPenalty[k] - g0[k];
            if (expected[k] == 0)
            {
                if (gPenalty[k] != g0[k]) failures.Add($"{Describe(k)}: g(λ) − g(0) = {difference:E3}, expected exactly 0");
                continue;
            }
            double tolerance = 1e-6 * Math.Max(1, Math.Max(Math.Abs(g0[k]), Math.Abs(gPenalty[k])));
            if (Math.Abs(difference - expected[k]) > tolerance)
                failures.Add($"{Describe(k)}: g(λ) − g(0) = {difference:E6}, expected {expected[k]:E6} (|Δ| {Math.Abs(difference - expected[k]):E2} > {tolerance:E1})");
        }
        Assert.True(failures.Count == 0, $"{what}:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(VariantNames))]
    public void Gradient_difference_is_the_penalty_gradient_on_exactly_the_penalised_weights(string name)
    {
        Variant v = Variants[name];
        var (theta, X, Y) = Problem(seed: 7);
        INetwork plain = new PenaltyFreeNet(), penalised = v.Create();
        Assert.Equal(ParameterCount, penalised.ParameterCount);
        theta.CopyTo(plain.Parameters);
        theta.CopyTo(penalised.Parameters);

        var g0 = new float[ParameterCount];
        var gPenalty = new float[ParameterCount];
        plain.ComputeGradients(X, Y, M, g0);
        penalised.ComputeGradients(X, Y, M, gPenalty);

        AssertPenaltyGradient(g0, gPenalty, Penalty(theta, v.L2, v.L1, M).Gradient, name);
        Assert.Equal(theta, penalised.Parameters.ToArray()); // computing gradients leaves θ alone
    }

    [Theory]
    [MemberData(nameof(VariantNames))]
    public void Cost_difference_is_the_penalty_term_via_Cost_and_ComputeGradients(string name)
    {
        Variant v = Variants[name];
        var (theta, X, Y) = Problem(seed: 8);
        INetwork plain = new PenaltyFreeNet(), penalised = v.Create();
        theta.CopyTo(plain.Parameters);
        theta.CopyTo(penalised.Parameters);
        double expected = Penalty(theta, v.L2, v.L1, M).Cost;
        Assert.True(expected > 1e-3, $"the penalty {expected} is too small to tell anything");

        float j0 = plain.Cost(X, Y, M), jPenalty = penalised.Cost(X, Y, M);
        Assert.True(Math.Abs((double)jPenalty - j0 - expected) <= 1e-6 * Math.Max(1, jPenalty),
            $"Cost: J(λ) − J(0) = {(double)jPenalty - j0:E8}, penalty {expected:E8}");

        var g = new float[ParameterCount];
        float t0 = plain.ComputeGradients(X, Y, M, g), tPenalty = penalised.ComputeGradients(X, Y, M, g);
        Assert.True(Math.Abs((double)tPenalty - t0 - expected) <= 1e-6 * Math.Max(1, tPenalty),
            $"ComputeGradients: J(λ) − J(0) = {(double)tPenalty - t0:E8}, penalty {expected:E8}");
        // Without dropout the training cost is the cost.
        Assert.Equal(jPenalty, tPenalty, 1e-6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    public void The_penalty_scales_with_one_over_m(int m)
    {
        // With m samples the factors are λ/m and λ/2m: the same Parameters on batches of several sizes.
        var rng = new Random(100 + m);
        var (theta, _, _) = Problem(seed: 9);
        var X = new float[m * 3];
        for (int i = 0; i < X.Length; i++) X[i] = (float)MaskedGradients.Gaussian(rng);
        var Y = new float[m * 2];
        for (int i = 0; i < Y.Length; i++) Y[i] = rng.Next(2);
        INetwork plain = new PenaltyFreeNet(), penalised = new L2AndL1Net();
        theta.CopyTo(plain.Parameters);
        theta.CopyTo(penalised.Parameters);
        var g0 = new float[ParameterCount];
        var gPenalty = new float[ParameterCount];
        float j0 = plain.ComputeGradients(X, Y, m, g0), jPenalty = penalised.ComputeGradients(X, Y, m, gPenalty);
        var (gradient, cost) = Penalty(theta, new[] { 0.5, 0.5, 0.5 }, new[] { 0.4, 0.4, 0.4 }, m);
        AssertPenaltyGradient(g0, gPenalty, gradient, $"m = {m}");
        Assert.True(Math.Abs((double)jPenalty - j0 - cost) <= 1e-6 * Math.Max(1, jPenalty), $"m = {m}: J(λ) − J(0) = {(double)jPenalty - j0}, penalty {cost}");
    }

    [Fact]
    public void With_the_same_explicit_masks_dropout_does_not_change_the_identities()
    {
        var (theta, X, Y) = Problem(seed: 10);
        var plain = new DropoutTwinNet();
        var penalised = new DropoutTwinL2L1Net();
        theta.CopyTo(plain.Parameters);
        theta.CopyTo(penalised.Parameters);
        var rng = new Random(11);
        var masks = new float[M * (6 + 4)];
        for (int i = 0; i < M * 6; i++) masks[i] = rng.NextDouble() < 0.7 ? 1f : 0f;
        for (int i = M * 6; i < masks.Length; i++) masks[i] = rng.NextDouble() < 0.5 ? 1f : 0f;

        var g0 = new float[ParameterCount];
        var gPenalty = new float[ParameterCount];
        float j0 = plain.ComputeGradients(X, Y, M, g0, masks), jPenalty = penalised.ComputeGradients(X, Y, M, gPenalty, masks);
        var (gradient, cost) = Penalty(theta, new[] { 0.5, 0.5, 0.5 }, new[] { 0.4, 0.4, 0.4 }, M);
        AssertPenaltyGradient(g0, gPenalty, gradient, "explicit masks");
        Assert.True(Math.Abs((double)jPenalty - j0 - cost) <= 1e-6 * Math.Max(1, jPenalty), $"J(λ) − J(0) = {(double)jPenalty - j0}, penalty {cost}");
        Assert.True(Math.Abs((double)penalised.Cost(X, Y, M) - plain.Cost(X, Y, M) - cost) <= 1e-6, "Cost of the dropout twins");
    }

    [Fact]
    public void With_drawn_masks_two_twins_of_one_seed_differ_only_by_the_penalty()
    {
        // Both twins are constructed from seed 41 with the same layers, so their generators draw the same masks: the
        // penalty must not change what is drawn.
        var (theta, X, Y) = Problem(seed: 12);
        var plain = new DropoutTwinNet();
        var penalised = new DropoutTwinL2L1Net();
        theta.CopyTo(plain.Parameters);
        theta.CopyTo(penalised.Parameters);
        var (gradient, cost) = Penalty(theta, new[] { 0.5, 0.5, 0.5 }, new[] { 0.4, 0.4, 0.4 }, M);
        var g0 = new float[ParameterCount];
        var gPenalty = new float[ParameterCount];
        for (int call = 0; call < 3; call++)
        {
            float j0 = plain.ComputeGradients(X, Y, M, g0), jPenalty = penalised.ComputeGradients(X, Y, M, gPenalty);
            AssertPenaltyGradient(g0, gPenalty, gradient, $"call {call}");
            Assert.True(Math.Abs((double)jPenalty - j0 - cost) <= 1e-6 * Math.Max(1, jPenalty), $"call {call}: J(λ) − J(0) = {(double)jPenalty - j0}, penalty {cost}");
        }
    }

    [Fact]
    public void TrainStep_moves_the_penalised_twin_by_the_penalty_gradient_too()
    {
        var (theta, X, Y) = Problem(seed: 13);
        INetwork plain = new PenaltyFreeNet(), penalised = new L2AndL1Net();
        theta.CopyTo(plain.Parameters);
        theta.CopyTo(penalised.Parameters);
        const float alpha = 0.25f;
        float j0 = plain.TrainStep(X, Y, M, alpha), jPenalty = penalised.TrainStep(X, Y, M, alpha);
        var (gradient, cost) = Penalty(theta, new[] { 0.5, 0.5, 0.5 }, new[] { 0.4, 0.4, 0.4 }, M);
        Assert.True(Math.Abs((double)jPenalty - j0 - cost) <= 1e-6 * Math.Max(1, jPenalty), "TrainStep returns the cost with the penalty");
        float[] after0 = plain.Parameters.ToArray(), afterPenalty = penalised.Parameters.ToArray();
        var failures = new List<string>();
        for (int k = 0; k < ParameterCount; k++)
        {
            // θ(λ)' − θ(0)' = −α·penalty gradient (exactly 0 on the biases).
            double difference = (double)afterPenalty[k] - after0[k], expected = -alpha * gradient[k];
            if (gradient[k] == 0 ? afterPenalty[k] != after0[k] : Math.Abs(difference - expected) > 1e-6 * Math.Max(1, Math.Abs(after0[k])))
                failures.Add($"{Describe(k)}: θ(λ)' − θ(0)' = {difference:E6}, expected {expected:E6}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
