using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The cost kernels (terms in float vectors, sums in double) against the costs' formulas evaluated here in double, for
/// every length from one element to past two vectors of 16 (each tail of each width, and the scalar loop of the
/// shortest), with logits from confident to saturated, so that a term lost to float rounding shows.
/// </summary>
public class CostKernelTests
{
    public static IEnumerable<object[]> Lengths()
    {
        for (int n = 1; n <= 35; n++) yield return new object[] { n };
        yield return new object[] { 211 };
        yield return new object[] { 1000 };
    }

    /// <summary>Logits over [−spread, spread], a few of them saturated (±40, ±95: past float's e^x range), and labels
    /// 0/1 or soft.</summary>
    private static (float[] Z, float[] Y) Data(int n, float spread, bool soft, int seed)
    {
        var rng = new Random(seed);
        var Z = new float[n];
        var Y = new float[n];
        for (int i = 0; i < n; i++)
        {
            Z[i] = (float)((rng.NextDouble() * 2 - 1) * spread);
            if (i % 13 == 5) Z[i] = i % 2 == 0 ? 40f : -95f;
            Y[i] = soft ? (float)rng.NextDouble() : rng.Next(2);
        }
        return (Z, Y);
    }

    /// <summary>log(1 + e^−|z|) + max(z, 0) − z·y in double: the stable form, from the float inputs.</summary>
    private static double BinaryCrossEntropyReference(float[] Z, float[] Y)
    {
        double sum = 0;
        for (int i = 0; i < Z.Length; i++)
        {
            double z = Z[i];
            sum += Math.Max(z, 0) - z * Y[i] + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        }
        return sum;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void BinaryCrossEntropy_matches_the_double_formula(int n)
    {
        foreach ((float spread, bool soft) in new[] { (4f, false), (4f, true), (30f, false) })
        {
            (float[] Z, float[] Y) = Data(n, spread, soft, n);
            double expected = BinaryCrossEntropyReference(Z, Y);
            double actual = Kernels.BinaryCrossEntropy(Z, Y);
            // Each term within a few float ulps of itself; the terms are ≥ 0, so the sum is within that of itself.
            Assert.True(Math.Abs(actual - expected) <= 1e-6 * expected + 1e-30,
                $"n = {n}, spread {spread}, soft {soft}: {actual} vs {expected}");
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(37)]
    public void BinaryCrossEntropy_keeps_the_tiny_costs_of_confident_right_answers(int n)
    {
        // z = 17…20 with y = 1: each term is log(1 + e^−z) ≈ 2e−9 … 4e−8, below half a float ulp of 1 — a float
        // log(1 + u) would round every one of them to 0.
        var Z = new float[n];
        var Y = new float[n];
        for (int i = 0; i < n; i++) { Z[i] = 17f + 3f * i / n; Y[i] = 1f; }
        double expected = BinaryCrossEntropyReference(Z, Y);
        Assert.InRange(Kernels.BinaryCrossEntropy(Z, Y), expected * (1 - 1e-6), expected * (1 + 1e-6));
    }

    [Theory]
    [InlineData(3, float.NaN)]
    [InlineData(20, float.NaN)]
    [InlineData(20, float.PositiveInfinity)]
    [InlineData(33, float.NegativeInfinity)]
    public void BinaryCrossEntropy_is_not_finite_when_a_logit_is_not(int n, float bad)
    {
        (float[] Z, float[] Y) = Data(n, 4f, false, n);
        Z[n - 2] = bad;
        Y[n - 2] = 1f;
        Assert.False(double.IsFinite(Kernels.BinaryCrossEntropy(Z, Y)));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MeanSquaredError_matches_the_double_formula(int n)
    {
        (float[] A, float[] Y) = Data(n, 3f, true, 100 + n);
        double expected = 0;
        for (int i = 0; i < n; i++) expected += 0.5 * ((double)A[i] - Y[i]) * ((double)A[i] - Y[i]);
        double actual = Kernels.MeanSquaredError(A, Y);
        // a − y rounds once (½ ulp), its square and the ½ once more: each term within 2 ulps.
        Assert.True(Math.Abs(actual - expected) <= 3e-7 * expected, $"n = {n}: {actual} vs {expected}");
        A[n / 2] = float.NaN;
        Assert.True(double.IsNaN(Kernels.MeanSquaredError(A, Y)));
    }

    public static IEnumerable<object[]> Rows()
    {
        foreach (int n in new[] { 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 31, 33, 100 })
            yield return new object[] { n % 3 == 0 ? 1 : 7, n };
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void CrossEntropy_matches_the_double_formula(int m, int n)
    {
        foreach ((float spread, bool soft, float confident) in new[] { (3f, false, 0f), (3f, true, 0f), (60f, false, 0f),
                     (1f, false, 25f) })
        {
            var rng = new Random(1000 * m + n);
            var Z = new float[m * n];
            var Y = new float[m * n];
            for (int i = 0; i < m; i++)
            {
                int target = rng.Next(n);
                for (int j = 0; j < n; j++)
                {
                    Z[i * n + j] = (float)((rng.NextDouble() * 2 - 1) * spread) + (j == target ? confident : 0f);
                    Y[i * n + j] = soft ? (float)rng.NextDouble() : j == target ? 1f : 0f;
                }
            }
            // In double, as y·((max − z) + log(1 + r)) with r = Σ e^(z − max) over all but one maximum: the plain
            // max + log Σ − z would itself lose a confident row's cost (≈ 1e−10) to the rounding of max (≈ 25).
            double expected = 0;
            for (int i = 0; i < m; i++)
            {
                int top = 0;
                for (int j = 1; j < n; j++) if (Z[i * n + j] > Z[i * n + top]) top = j;
                double max = Z[i * n + top], r = 0;
                for (int j = 0; j < n; j++) if (j != top) r += Math.Exp(Z[i * n + j] - max);
                double log1p = Math.Log(1 + r) + (r - ((1 + r) - 1)) / (1 + r);
                for (int j = 0; j < n; j++) expected += Y[i * n + j] * ((max - Z[i * n + j]) + log1p);
            }
            double actual = Kernels.CrossEntropy(Z, Y, m, n);
            // With a confident target (+25) each row's cost is ≈ n·e^−25: a difference of two logits near 25 would
            // lose it; (max − z) + log Σ keeps it within a few ulps.
            Assert.True(Math.Abs(actual - expected) <= 1e-6 * expected + 1e-30,
                $"m = {m}, n = {n}, spread {spread}, soft {soft}, confident {confident}: {actual} vs {expected}");
            Z[(m / 2) * n + n - 1] = float.NaN;
            Assert.True(double.IsNaN(Kernels.CrossEntropy(Z, Y, m, n)));
        }
    }
}
