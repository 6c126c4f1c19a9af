using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Regularization;

/// <summary>
/// A reproducible problem for a dropout <see cref="RegularizationCase"/>: the net's initial weights moved away from
/// 0 (the L1 kink), random non-zero biases, fixed 0/1 masks drawn with each layer's keep, a batch whose training-mode
/// ReLU/leaky-ReLU pre-activations (with those masks) all stay at least <see cref="KinkMargin"/> from 0, and targets
/// valid for the loss.
/// </summary>
public sealed class MaskedProblem
{
    /// <summary>
    /// h = 1e-5 moves any pre-activation by ≲ 1e-4 here and float32 differs from double by ~1e-6, so neither the
    /// central difference nor the network under test can cross a kink 1e-3 away.
    /// </summary>
    public const double KinkMargin = 1e-3;

    /// <summary>|w| ≥ this for every weight: the L1 penalty's kink at 0 stays far beyond h.</summary>
    public const float WeightMargin = 0.05f;

    public required RegularizationCase Case { get; init; }
    public required INetwork Net { get; init; }
    public required int M { get; init; }
    public required float[] X { get; init; }
    public required float[] Y { get; init; }
    public required float[] Masks { get; init; }

    public ReferenceNetwork R => Case.Reference;
    public double[] Theta => MaskedGradients.Widen(Net.Parameters);
    public double[] Xd => MaskedGradients.Widen(X);
    public double[] Yd => MaskedGradients.Widen(Y);
    public double[] Md => MaskedGradients.Widen(Masks);

    public static MaskedProblem Create(string name, int m, int seed)
    {
        RegularizationCase c = RegularizationCases.Get(name);
        ReferenceNetwork r = c.Reference;
        INetwork net = c.Create();
        var rng = new Random(seed);
        Span<float> p = net.Parameters;
        for (int l = 1; l <= r.LayerCount; l++)
        {
            for (int k = r.WeightOffset(l); k < r.BiasOffset(l); k++)
                if (Math.Abs(p[k]) < WeightMargin) p[k] = p[k] < 0 ? -WeightMargin : WeightMargin;
            for (int j = 0; j < r.Size(l); j++)
                p[r.BiasOffset(l) + j] = (float)(0.3 * MaskedGradients.Gaussian(rng));
        }
        double[] masks = r.DrawMasks(rng, m);
        int n0 = r.InputSize, nL = r.OutputSize;
        var X = new float[m * n0];
        for (int i = 0; i < X.Length; i++) X[i] = (float)MaskedGradients.Gaussian(rng);
        double[] theta = MaskedGradients.Widen(net.Parameters);
        for (int attempt = 0; ; attempt++)
        {
            double[] distance = r.SmallestKinkDistance(theta, MaskedGradients.Widen(X), m, masks);
            bool clean = true;
            for (int i = 0; i < m; i++)
            {
                if (distance[i] >= KinkMargin) continue;
                clean = false;
                for (int k = 0; k < n0; k++) X[i * n0 + k] = (float)MaskedGradients.Gaussian(rng);
            }
            if (clean) break;
            if (attempt == 10_000) throw new InvalidOperationException($"{name}: no batch away from the kinks");
        }
        var Y = new float[m * nL];
        for (int i = 0; i < m; i++)
        {
            switch (r.Loss)
            {
                case Loss.BinaryCrossEntropy:
                    for (int j = 0; j < nL; j++) Y[i * nL + j] = rng.Next(2);
                    break;
                case Loss.CrossEntropy:
                    Y[i * nL + rng.Next(nL)] = 1f;
                    break;
                default:
                    for (int j = 0; j < nL; j++) Y[i * nL + j] = (float)MaskedGradients.Gaussian(rng);
                    break;
            }
        }
        var floatMasks = new float[masks.Length];
        for (int i = 0; i < masks.Length; i++) floatMasks[i] = (float)masks[i];
        return new MaskedProblem { Case = c, Net = net, M = m, X = X, Y = Y, Masks = floatMasks };
    }
}

/// <summary>
/// ComputeGradients(…, keepMasks) against central differences of the independent double reference with the same
/// masks, on every parameter, for dropout behind every hidden activation (ReLU, leaky ReLU, tanh, sigmoid, linear —
/// tanh and sigmoid must take g′ from Z because dropout scaled A) combined with L2, L1 and per-layer overrides.
/// </summary>
public sealed class DropoutGradientTests(ITestOutputHelper output)
{
    private const double H = 1e-5;

    /// <summary>
    /// |g − fd| ≤ Absolute + Relative·|fd|. The finite difference is good to ~1e-10; the float32 gradient sums
    /// m ≤ 32 products of O(1) factors, so its error is a few 1e-7 (measured at most ≈ 2e-7). A missing 1/keep, a
    /// mask on the wrong unit, g′ from the scaled A, or an L1 factor λ/m for λ/2m all give errors ≥ 1e-3 here.
    /// </summary>
    private const double Absolute = 2e-6, Relative = 1e-4;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (RegularizationCase c in RegularizationCases.All)
        {
            data.Add(c.Name, 1);
            data.Add(c.Name, 7);
            data.Add(c.Name, 32);
        }
        return data;
    }

    private static List<string> Compare(MaskedProblem p, float[] gradient, double[] fd, out double worst) => Compare(p, gradient, fd, out worst, out _);

    private static List<string> Compare(MaskedProblem p, float[] gradient, double[] fd, out double worst, out double largest)
    {
        var failures = new List<string>();
        worst = 0;
        largest = 0;
        for (int k = 0; k < fd.Length; k++)
        {
            double error = Math.Abs(gradient[k] - fd[k]);
            largest = Math.Max(largest, error);
            worst = Math.Max(worst, error / (Absolute + Relative * Math.Abs(fd[k])));
            if (error > Absolute + Relative * Math.Abs(fd[k]))
                failures.Add($"{p.R.Describe(k)}: generated {gradient[k]:E7}, finite difference {fd[k]:E7} (|Δ| {error:E2})");
        }
        return failures;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_with_fixed_masks_matches_finite_differences_of_the_reference(string name, int m)
    {
        MaskedProblem p = MaskedProblem.Create(name, m, seed: 1000 * m + name.Length);
        var gradient = new float[p.Net.ParameterCount];
        float cost = MaskedGradients.ComputeGradients(p.Net, p.X, p.Y, m, gradient, p.Masks);
        double[] fd = p.R.FiniteDifferenceGradient(p.Theta, p.Xd, p.Yd, m, p.Md, H);

        List<string> failures = Compare(p, gradient, fd, out double worst, out double largest);
        output.WriteLine($"{name}, m = {m}: largest |Δ| = {largest:E2}, worst |Δ| / tolerance = {worst:F4} over {fd.Length} parameters");
        Assert.True(failures.Count == 0, $"{name}, m = {m}:\n" + string.Join("\n", failures));

        // The returned training cost is J with these masks; Cost is J without dropout (both with the penalty).
        double trainingJ = p.R.Cost(p.Theta, p.Xd, p.Yd, m, p.Md), predictionJ = p.R.Cost(p.Theta, p.Xd, p.Yd, m, default);
        Assert.True(Math.Abs(cost - trainingJ) <= 1e-5 * Math.Max(1, trainingJ), $"training cost {cost}, reference {trainingJ}");
        float plain = p.Net.Cost(p.X, p.Y, m);
        Assert.True(Math.Abs(plain - predictionJ) <= 1e-5 * Math.Max(1, predictionJ), $"Cost {plain}, reference without dropout {predictionJ}");
    }

    /// <summary>The comparison can fail: against the reference with one kept unit of one sample dropped, it must.</summary>
    [Theory]
    [InlineData("ReluDropoutL2")]
    [InlineData("TanhDropoutL1")]
    [InlineData("SigmoidTanhDropout")]
    public void The_comparison_sees_a_mask_that_differs_in_one_unit(string name)
    {
        const int m = 7;
        MaskedProblem p = MaskedProblem.Create(name, m, seed: 1000 * m + name.Length);
        var gradient = new float[p.Net.ParameterCount];
        MaskedGradients.ComputeGradients(p.Net, p.X, p.Y, m, gradient, p.Masks);
        // Drop the first kept unit whose dropping changes the cost (a ReLU unit at 0 would change nothing).
        double[] masks = p.Md;
        double J = p.R.Cost(p.Theta, p.Xd, p.Yd, m, masks);
        int flip = -1;
        for (int t = 0; t < masks.Length && flip < 0; t++)
        {
            if (masks[t] != 1.0) continue;
            masks[t] = 0;
            if (Math.Abs(p.R.Cost(p.Theta, p.Xd, p.Yd, m, masks) - J) > 1e-6) flip = t;
            else masks[t] = 1;
        }
        Assert.True(flip >= 0, "no kept unit matters");
        double[] fd = p.R.FiniteDifferenceGradient(p.Theta, p.Xd, p.Yd, m, masks, H);
        Assert.NotEmpty(Compare(p, gradient, fd, out _));
    }

    /// <summary>The comparison can fail: the L1 factor λ/m instead of λ/2m must show.</summary>
    [Fact]
    public void The_comparison_sees_a_wrong_L1_factor()
    {
        const int m = 7;
        MaskedProblem p = MaskedProblem.Create("TanhDropoutL1", m, seed: 1000 * m + 13);
        var gradient = new float[p.Net.ParameterCount];
        MaskedGradients.ComputeGradients(p.Net, p.X, p.Y, m, gradient, p.Masks);
        var doubled = new ReferenceNetwork(3, Loss.MeanSquaredError,
            new LayerSpec(5, Activation.Tanh) { Keep = 0.75, L1 = 0.6 }, new LayerSpec(2, Activation.Linear) { L1 = 0.6 });
        double[] fd = doubled.FiniteDifferenceGradient(p.Theta, p.Xd, p.Yd, m, p.Md, H);
        Assert.NotEmpty(Compare(p, gradient, fd, out _));
    }
}

/// <summary>The masks' statistics: the kernel, and the masks a network draws, seen through its gradient.</summary>
public sealed class DropoutMaskStatisticsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.5f)]
    [InlineData(0.86f)]
    [InlineData(1f)]
    public void DropoutMask_keeps_a_binomial_fraction_keep(float keep)
    {
        const int n = 1_000_001; // odd: the last element comes from a half-used draw
        var D = new float[n];
        D.AsSpan().Fill(float.NaN);
        var rng = new Rng(2024);
        Kernels.DropoutMask(D, keep, ref rng);
        long kept = 0, pairs = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.True(D[i] == 0f || D[i] == 1f, $"D[{i}] = {D[i]}");
            if (D[i] == 1f) kept++;
        }
        // Disjoint pairs (2i, 2i+1) come from the two halves of one 64-bit draw: both kept with probability keep².
        for (int i = 0; i + 1 < n; i += 2)
            if (D[i] == 1f && D[i + 1] == 1f) pairs++;
        double p = keep, sigma = Math.Sqrt(n * p * (1 - p));
        double pairP = p * p, pairSigma = Math.Sqrt(n / 2 * pairP * (1 - pairP));
        output.WriteLine($"keep {keep}: kept {kept} of {n} (expected {n * p:F0} ± {sigma:F1}), pairs {pairs} (expected {n / 2 * pairP:F0} ± {pairSigma:F1})");
        if (keep == 1f)
        {
            Assert.Equal(n, kept);
            return;
        }
        Assert.InRange(kept, n * p - 4 * sigma, n * p + 4 * sigma);
        Assert.InRange(pairs, n / 2 * pairP - 4 * pairSigma, n / 2 * pairP + 4 * pairSigma);
    }

    [Fact]
    public void DropoutMask_refuses_a_keep_outside_0_to_1()
    {
        var D = new float[4];
        var rng = new Rng(1);
        foreach (float keep in new[] { 0f, -0.5f, 1.5f, float.NaN })
            Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.DropoutMask(D, keep, ref rng));
    }

    /// <summary>
    /// Sets a probe (Input(1) → n linear → dropout → 1 linear, MSE) so that every sample's dZ2 = A2 − Y = 1: x = 0,
    /// b1 = 0 (so A1 = 0), W2 = 1, b2 = 0, Y = −1. Then db1[k] = (1/m)·Σ_i W2[k]·D[i,k]/keep, i.e. db1[k]·keep·m is
    /// the number of samples that kept unit k.
    /// </summary>
    internal static (float[] X, float[] Y) Probe(Span<float> b1, Span<float> W2, Span<float> b2, int m)
    {
        b1.Clear();
        W2.Fill(1f);
        b2.Clear();
        var Y = new float[m];
        Y.AsSpan().Fill(-1f);
        return (new float[m], Y);
    }

    /// <summary>db1 is right after W1 (n × 1): the kept counts db1[k]·keep·m.</summary>
    internal static double[] KeptCounts(float[] gradients, int units, float keep, int m)
    {
        var counts = new double[units];
        for (int k = 0; k < units; k++) counts[k] = (double)gradients[units + k] * keep * m;
        return counts;
    }

    [Theory]
    [InlineData(0.86f)]
    [InlineData(0.5f)]
    public void A_network_keeps_a_binomial_fraction_keep_of_its_units(float keep)
    {
        // 64 training passes of 64 samples: 4096 masks per unit, 262 144 in all. Batches of 64 keep the float32 sum in
        // db1 within ~1e-3 of a whole count (one batch of 4096 drifts by ~0.1: the naive float sum's relative ~3e-5).
        const int m = 64, calls = 64, units = 64;
        INetwork net;
        float[] X, Y;
        if (keep == 0.86f)
        {
            var probe = new MaskProbe86Net();
            (X, Y) = Probe(probe.B1, probe.W2, probe.B2, m);
            net = probe;
        }
        else
        {
            var probe = new MaskProbe50Net();
            (X, Y) = Probe(probe.B1, probe.W2, probe.B2, m);
            net = probe;
        }
        var gradients = new float[net.ParameterCount];
        var kept = new long[units];
        var failures = new List<string>();
        for (int call = 0; call < calls; call++)
        {
            net.ComputeGradients(X, Y, m, gradients);
            double[] counts = KeptCounts(gradients, units, keep, m);
            for (int k = 0; k < units; k++)
            {
                // A count: the gradient passes exactly the kept samples, each scaled by 1/keep.
                double whole = Math.Round(counts[k]);
                if (Math.Abs(counts[k] - whole) > 0.01)
                    failures.Add($"call {call}, unit {k}: db1·keep·m = {counts[k]} is not a count of samples");
                kept[k] += (long)whole;
            }
            // x = 0: no gradient reaches W1.
            for (int k = 0; k < units; k++)
                if (gradients[k] != 0f) failures.Add($"call {call}: dW1[{k}] = {gradients[k]}, expected 0 (x = 0)");
        }
        long samples = (long)m * calls, total = 0;
        double unitSigma = Math.Sqrt(samples * keep * (1 - keep));
        for (int k = 0; k < units; k++)
        {
            total += kept[k];
            if (Math.Abs(kept[k] - samples * keep) > 4 * unitSigma)
                failures.Add($"unit {k}: kept in {kept[k]} of {samples} samples, expected {samples * keep:F1} ± {unitSigma:F1}");
        }
        double draws = (double)samples * units, sigma = Math.Sqrt(draws * keep * (1 - keep));
        output.WriteLine($"keep {keep}: kept {total} of {draws} unit-samples (expected {draws * keep:F0} ± {sigma:F1}), fraction {total / draws:F5}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.InRange(total, draws * keep - 4 * sigma, draws * keep + 4 * sigma);
    }
}

/// <summary>Where the masks come from: the instance's seeded generator, continuing the constructor's sequence.</summary>
public sealed class DropoutDeterminismTests
{
    /// <summary>With m = 1, the 7-unit probe's db1[k]·keep is the mask itself.</summary>
    private static float[] ObservedMask(MaskProbe7Net net, float[] X, float[] Y, float[] gradients)
    {
        net.ComputeGradients(X, Y, 1, gradients);
        var mask = new float[7];
        for (int k = 0; k < 7; k++)
        {
            double value = (double)gradients[7 + k] * 0.6f;
            Assert.True(Math.Abs(value) < 1e-6 || Math.Abs(value - 1) < 1e-6, $"db1[{k}]·keep = {value} is not 0 or 1");
            mask[k] = (float)Math.Round(value);
        }
        return mask;
    }

    [Theory]
    [InlineData(null)]
    [InlineData(99UL)]
    public void Masks_continue_the_constructors_generator(ulong? seed)
    {
        MaskProbe7Net net = seed is ulong s ? new MaskProbe7Net(s) : new MaskProbe7Net();
        // The constructor: Rng(seed), then W1 and W2 drawn as declared (Glorot), then the masks from the same generator.
        var rng = new Rng(seed ?? MaskProbe7Net.DefaultSeed);
        var W1 = new float[7];
        var W2 = new float[7];
        Initialization.Fill(W1, Init.Glorot, 1, 7, 0.01f, ref rng);
        Initialization.Fill(W2, Init.Glorot, 7, 1, 0.01f, ref rng);
        Assert.Equal(W1, net.W1.ToArray());
        Assert.Equal(W2, net.W2.ToArray());

        var (X, Y) = DropoutMaskStatisticsTests.Probe(net.B1, net.W2, net.B2, 1);
        var gradients = new float[MaskProbe7Net.ParameterCount];
        int dropped = 0;
        for (int call = 0; call < 20; call++)
        {
            var expected = new float[7];
            Kernels.DropoutMask(expected, 0.6f, ref rng);
            float[] observed = ObservedMask(net, X, Y, gradients);
            Assert.True(expected.AsSpan().SequenceEqual(observed), $"call {call}: drew [{string.Join(", ", observed)}], the generator gives [{string.Join(", ", expected)}]");
            foreach (float d in observed) if (d == 0) dropped++;
        }
        Assert.InRange(dropped, 1, 139); // the probe saw both kinds of unit
    }

    [Fact]
    public void Two_training_passes_on_one_instance_draw_different_masks()
    {
        const int m = 256;
        var probe = new MaskProbe86Net();
        var (X, Y) = DropoutMaskStatisticsTests.Probe(probe.B1, probe.W2, probe.B2, m);
        var first = new float[MaskProbe86Net.ParameterCount];
        var second = new float[MaskProbe86Net.ParameterCount];
        probe.ComputeGradients(X, Y, m, first);
        probe.ComputeGradients(X, Y, m, second);
        Assert.NotEqual(first, second);

        // On ordinary data too, and through TrainStep (α = 0 leaves θ as it is, so only the masks change the cost).
        MaskedProblem p = MaskedProblem.Create("SigmoidTanhDropout", 16, seed: 5);
        var g1 = new float[p.Net.ParameterCount];
        var g2 = new float[p.Net.ParameterCount];
        float j1 = p.Net.ComputeGradients(p.X, p.Y, p.M, g1), j2 = p.Net.ComputeGradients(p.X, p.Y, p.M, g2);
        Assert.NotEqual(g1, g2);
        Assert.NotEqual(j1, j2);
        float[] before = p.Net.Parameters.ToArray();
        float t1 = p.Net.TrainStep(p.X, p.Y, p.M, 0f), t2 = p.Net.TrainStep(p.X, p.Y, p.M, 0f);
        Assert.NotEqual(t1, t2);
        Assert.Equal(before, p.Net.Parameters.ToArray());
    }

    [Fact]
    public void Two_instances_of_one_seed_draw_the_same_masks_and_other_seeds_differ()
    {
        MaskedProblem p = MaskedProblem.Create("SigmoidTanhDropout", 16, seed: 6);
        float[] theta = p.Net.Parameters.ToArray();
        INetwork a = new SigmoidTanhDropoutNet(77), b = new SigmoidTanhDropoutNet(77), other = new SigmoidTanhDropoutNet(78);
        theta.CopyTo(a.Parameters);
        theta.CopyTo(b.Parameters);
        theta.CopyTo(other.Parameters);
        var ga = new float[a.ParameterCount];
        var gb = new float[a.ParameterCount];
        var go = new float[a.ParameterCount];
        bool otherDiffered = false;
        for (int call = 0; call < 5; call++)
        {
            float ja = a.ComputeGradients(p.X, p.Y, p.M, ga), jb = b.ComputeGradients(p.X, p.Y, p.M, gb), jo = other.ComputeGradients(p.X, p.Y, p.M, go);
            Assert.Equal(ja, jb);
            Assert.Equal(ga, gb);
            otherDiffered |= jo != ja || !go.AsSpan().SequenceEqual(ga);
        }
        Assert.True(otherDiffered, "seeds 77 and 78 drew the same masks five times");

        // The same holds for the parameterless constructor (DefaultSeed), and TrainStep draws from the same generator
        // as ComputeGradients, the same amount: after one TrainStep(α = 0) and one ComputeGradients, both are at call 2.
        INetwork c = new SigmoidTanhDropoutNet(), d = new SigmoidTanhDropoutNet();
        theta.CopyTo(c.Parameters);
        theta.CopyTo(d.Parameters);
        float c1 = c.ComputeGradients(p.X, p.Y, p.M, ga);
        float d1 = d.TrainStep(p.X, p.Y, p.M, 0f);
        Assert.Equal(c1, d1);
        float c2 = c.ComputeGradients(p.X, p.Y, p.M, ga), d2 = d.ComputeGradients(p.X, p.Y, p.M, gb);
        Assert.Equal(c2, d2);
        Assert.Equal(ga, gb);
    }

    public static TheoryData<string> Twins() => new() { "DropoutTwin", "DropoutTwinL2L1" };

    [Theory]
    [MemberData(nameof(Twins))]
    public void Predict_PredictBatch_and_Cost_never_drop_and_never_draw(string name)
    {
        // The dropout net and its twin without dropout (same layers, same penalty, same Parameters).
        INetwork dropout = name == "DropoutTwin" ? new DropoutTwinNet() : new DropoutTwinL2L1Net();
        INetwork twin = name == "DropoutTwin" ? new PenaltyFreeNet() : new L2AndL1Net();
        INetwork fresh = name == "DropoutTwin" ? new DropoutTwinNet() : new DropoutTwinL2L1Net();
        MaskedProblem p = MaskedProblem.Create("DropoutTwinL2L1", 16, seed: 7);
        float[] theta = p.Net.Parameters.ToArray();
        theta.CopyTo(dropout.Parameters);
        theta.CopyTo(twin.Parameters);
        theta.CopyTo(fresh.Parameters);
        int m = p.M;

        var batch = new float[m * 2];
        var twinBatch = new float[m * 2];
        twin.PredictBatch(p.X, twinBatch, m);
        float twinCost = twin.Cost(p.X, p.Y, m);
        for (int repeat = 0; repeat < 50; repeat++)
        {
            Assert.Equal(twinCost, dropout.Cost(p.X, p.Y, m));
            dropout.PredictBatch(p.X, batch, m);
            Assert.Equal(twinBatch, batch);
            var y = new float[2];
            var yTwin = new float[2];
            for (int i = 0; i < m; i++)
            {
                dropout.Predict(p.X.AsSpan(i * 3, 3), y);
                twin.Predict(p.X.AsSpan(i * 3, 3), yTwin);
                Assert.Equal(yTwin, y);
                Assert.Equal(batch[2 * i], y[0], 1e-6f);
                Assert.Equal(batch[2 * i + 1], y[1], 1e-6f);
            }
        }

        // None of that advanced the generator: the next training pass draws what a fresh instance's first one draws.
        var g = new float[dropout.ParameterCount];
        var gFresh = new float[dropout.ParameterCount];
        Assert.Equal(fresh.ComputeGradients(p.X, p.Y, m, gFresh), dropout.ComputeGradients(p.X, p.Y, m, g));
        Assert.Equal(gFresh, g);
    }

    [Fact]
    public void The_inline_array_Predict_never_drops()
    {
        var dropout = new DropoutTwinNet();
        var twin = new PenaltyFreeNet();
        dropout.Parameters.CopyTo(twin.Parameters);
        var x = new DropoutTwinNet.Input();
        var xt = new PenaltyFreeNet.Input();
        for (int i = 0; i < 3; i++) x[i] = xt[i] = 0.4f * i - 0.3f;
        PenaltyFreeNet.Output expected = twin.Predict(in xt);
        for (int repeat = 0; repeat < 20; repeat++)
        {
            DropoutTwinNet.Output y = dropout.Predict(in x);
            Assert.Equal(expected[0], y[0]);
            Assert.Equal(expected[1], y[1]);
        }
    }
}

/// <summary>"Batch methods allocate nothing after their first call at a given or smaller m", with dropout and penalties.</summary>
public sealed class DropoutAllocationTests
{
    private const int Calls = 1000;

    private static long Allocated(Action call)
        => Allocations.LeastOfThree(() =>
        {
            for (int i = 0; i < Calls; i++) call();
        });

    [Fact]
    public void The_measurement_sees_an_allocation()
    {
        object? last = null;
        Assert.True(Allocated(() => last = new float[1]) >= Calls * 24L);
        Assert.NotNull(last);
    }

    [Fact]
    public void Training_with_dropout_and_penalties_allocates_nothing_after_warm_up()
    {
        var big = MaskedProblem.Create("SigmoidTanhDropout", 16, seed: 21);
        var small = MaskedProblem.Create("SigmoidTanhDropout", 5, seed: 22);
        var net = (SigmoidTanhDropoutNet)big.Net;
        var leakyProblem = MaskedProblem.Create("LeakyDropoutMixed", 16, seed: 23);
        var leaky = (LeakyDropoutMixedNet)leakyProblem.Net;
        float[] g = new float[SigmoidTanhDropoutNet.ParameterCount], gl = new float[LeakyDropoutMixedNet.ParameterCount];
        float[] X = big.X, Y = big.Y, D = big.Masks, Xs = small.X, Ys = small.Y, Ds = small.Masks;
        float[] Xl = leakyProblem.X, Yl = leakyProblem.Y, Dl = leakyProblem.Masks;
        float sink = 0;
        for (int i = 0; i < 200; i++)
        {
            sink += net.ComputeGradients(X, Y, 16, g);
            sink += net.ComputeGradients(X, Y, 16, g, D);
            sink += net.TrainStep(X, Y, 16, 1e-6f);
            sink += leaky.ComputeGradients(Xl, Yl, 16, gl);
            sink += leaky.ComputeGradients(Xl, Yl, 16, gl, Dl);
            sink += leaky.TrainStep(Xl, Yl, 16, 1e-6f);
        }

        var results = new (string Method, long Bytes)[]
        {
            ("ComputeGradients(m = 16)", Allocated(() => sink += net.ComputeGradients(X, Y, 16, g))),
            ("ComputeGradients(m = 16, keepMasks)", Allocated(() => sink += net.ComputeGradients(X, Y, 16, g, D))),
            ("TrainStep(m = 16)", Allocated(() => sink += net.TrainStep(X, Y, 16, 1e-6f))),
            ("ComputeGradients(m = 5)", Allocated(() => sink += net.ComputeGradients(Xs, Ys, 5, g))),
            ("ComputeGradients(m = 5, keepMasks)", Allocated(() => sink += net.ComputeGradients(Xs, Ys, 5, g, Ds))),
            ("TrainStep(m = 5)", Allocated(() => sink += net.TrainStep(Xs, Ys, 5, 1e-6f))),
            ("Leaky ComputeGradients(m = 16)", Allocated(() => sink += leaky.ComputeGradients(Xl, Yl, 16, gl))),
            ("Leaky ComputeGradients(m = 16, keepMasks)", Allocated(() => sink += leaky.ComputeGradients(Xl, Yl, 16, gl, Dl))),
            ("Leaky TrainStep(m = 16)", Allocated(() => sink += leaky.TrainStep(Xl, Yl, 16, 1e-6f))),
        };
        Assert.True(float.IsFinite(sink));
        Assert.All(results, r => Assert.True(r.Bytes == 0, $"{r.Method}: {r.Bytes} bytes over {Calls} calls"));
    }
}

/// <summary>keepMasks of the wrong length or holding anything but 0 and 1: ArgumentException, nothing changed.</summary>
public sealed class DropoutMaskArgumentTests
{
    private const int M = 5, Units = 6 + 4; // DropoutTwinL2L1: D1 m × 6, D2 m × 4

    private static bool MentionsNumber(string message, long number) => Regex.IsMatch(message, $@"(?<![\d.]){number}(?!\d)(?!\.\d)");

    [Theory]
    [InlineData(0)]
    [InlineData(M * Units - 1)]
    [InlineData(M * Units + 1)]
    [InlineData(M * 6)]                // only D1
    [InlineData((M - 1) * Units)]      // masks of a batch one smaller
    [InlineData((M + 1) * Units)]      // … one larger
    public void A_wrong_length_throws_naming_both_lengths_and_changes_nothing(int length)
    {
        MaskedProblem p = MaskedProblem.Create("DropoutTwinL2L1", M, seed: 31);
        var net = (DropoutTwinL2L1Net)p.Net;
        float[] before = net.Parameters.ToArray();
        var gradients = new float[DropoutTwinL2L1Net.ParameterCount];
        gradients.AsSpan().Fill(123f);
        var masks = new float[length];
        masks.AsSpan().Fill(1f);

        var e = Assert.Throws<ArgumentException>(() => net.ComputeGradients(p.X, p.Y, M, gradients, masks));
        Assert.Equal("keepMasks", e.ParamName);
        Assert.True(MentionsNumber(e.Message, M * Units), $"the message does not name the expected length {M * Units}: {e.Message}");
        Assert.True(MentionsNumber(e.Message, length), $"the message does not name the actual length {length}: {e.Message}");
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.All(gradients, v => Assert.Equal(123f, v));
    }

    public static TheoryData<int, float> BadValues()
    {
        var data = new TheoryData<int, float>();
        foreach (int at in new[] { 0, M * 6 - 1, M * 6, M * Units - 1 }) // first and last of D1, first and last of D2
            foreach (float value in new[] { 0.5f, 2f, -1f, float.NaN, float.PositiveInfinity, 1f / 0.7f })
                data.Add(at, value);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_value_other_than_0_or_1_throws_naming_it_and_changes_nothing(int at, float value)
    {
        MaskedProblem p = MaskedProblem.Create("DropoutTwinL2L1", M, seed: 32);
        var net = (DropoutTwinL2L1Net)p.Net;
        var twin = new DropoutTwinL2L1Net();
        float[] before = net.Parameters.ToArray();
        before.CopyTo(twin.Parameters);
        var gradients = new float[DropoutTwinL2L1Net.ParameterCount];
        gradients.AsSpan().Fill(123f);
        float[] masks = (float[])p.Masks.Clone();
        masks[at] = value;

        var e = Assert.Throws<ArgumentException>(() => net.ComputeGradients(p.X, p.Y, M, gradients, masks));
        Assert.Equal("keepMasks", e.ParamName);
        string current = value.ToString(CultureInfo.CurrentCulture), invariant = value.ToString(CultureInfo.InvariantCulture);
        Assert.True(e.Message.Contains(current) || e.Message.Contains(invariant), $"the message does not name the value {invariant}: {e.Message}");
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.All(gradients, v => Assert.Equal(123f, v));

        // The instance is still sound: with valid masks it computes what an untouched twin computes.
        var g = new float[DropoutTwinL2L1Net.ParameterCount];
        var gTwin = new float[DropoutTwinL2L1Net.ParameterCount];
        Assert.Equal(twin.ComputeGradients(p.X, p.Y, M, gTwin, p.Masks), net.ComputeGradients(p.X, p.Y, M, g, p.Masks));
        Assert.Equal(gTwin, g);
    }

    /// <summary>
    /// The message should locate the bad value in keepMasks as the caller indexes it. Today CopyMask is handed each
    /// layer's slice and reports the index within the slice under the name keepMasks: a bad value at keepMasks[33]
    /// (D2 of a 5-sample batch) is reported as "keepMasks[3] is 0.5" (checked 2026-11-27).
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(M * 6 + 3)]
    public void A_bad_value_is_reported_at_its_index_in_keepMasks(int at)
    {
        MaskedProblem p = MaskedProblem.Create("DropoutTwinL2L1", M, seed: 33);
        var net = (DropoutTwinL2L1Net)p.Net;
        float[] masks = (float[])p.Masks.Clone();
        masks[at] = 0.5f;
        var e = Assert.Throws<ArgumentException>(() => net.ComputeGradients(p.X, p.Y, M, new float[DropoutTwinL2L1Net.ParameterCount], masks));
        Assert.Contains($"[{at}]", e.Message);
    }
}

/// <summary>
/// The reference checks itself: its analytic gradient (used for the float64 football runs) against central
/// differences of its own cost, with and without masks, on every dropout case. Both are double: 1e-7.
/// </summary>
public sealed class ReferenceBackpropagationTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (RegularizationCase c in RegularizationCases.All) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Analytic_gradient_matches_its_finite_differences(string name)
    {
        MaskedProblem p = MaskedProblem.Create(name, 9, seed: 77);
        foreach (double[] masks in new[] { p.Md, Array.Empty<double>() })
        {
            double[] theta = p.Theta;
            var analytic = new double[theta.Length];
            double J = p.R.Backpropagate(theta, p.Xd, p.Yd, p.M, masks, analytic);
            Assert.Equal(p.R.Cost(theta, p.Xd, p.Yd, p.M, masks), J, 1e-12);
            double[] fd = p.R.FiniteDifferenceGradient(theta, p.Xd, p.Yd, p.M, masks, 1e-5);
            for (int k = 0; k < fd.Length; k++)
                Assert.True(Math.Abs(analytic[k] - fd[k]) <= 1e-7 * Math.Max(1, Math.Abs(fd[k])),
                    $"{name} ({(masks.Length > 0 ? "masks" : "no dropout")}) {p.R.Describe(k)}: analytic {analytic[k]:E9}, finite difference {fd[k]:E9}");
        }
    }
}
