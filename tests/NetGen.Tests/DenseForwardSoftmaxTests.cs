using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The fused output layer Y = softmax(A·Wᵀ + b) — blocks of 6 samples, the last block overlapping, single rows for
/// batches under 6, 1 to 4 groups of four units, inputs not a multiple of 4 (the last step reloaded and masked), the
/// fallback for more than 16 units or fewer than 4 inputs — against a double-precision product and softmax written here,
/// with sentinels after Y.
/// </summary>
public class DenseForwardSoftmaxTests
{
    /// <summary>Every unit count from 1 to 17 (1–4 groups and the fallback), each with every batch size from 0 to 13
    /// (two blocks of 6, plus one) and 256, and input counts around the step of 4.</summary>
    public static IEnumerable<object[]> Units()
    {
        for (int nOut = 1; nOut <= 17; nOut++)
            yield return new object[] { nOut };
    }

    private static readonly int[] BatchSizes = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 256 };
    private static readonly int[] InputCounts = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 127, 128 };

    [Theory]
    [MemberData(nameof(Units))]
    public void Matches_the_double_softmax_of_the_double_product(int nOut)
    {
        foreach (int nIn in InputCounts)
            foreach (int m in BatchSizes)
                Check(m, nIn, nOut, scale: 1);
    }

    /// <summary>Logits tens apart: outputs down to e^−87 and below (where the exponential is clamped), which must stay
    /// within an absolute 1e−37, and the largest near 1.</summary>
    [Theory]
    [MemberData(nameof(Units))]
    public void Stays_accurate_for_logits_far_apart(int nOut)
    {
        foreach (int m in new[] { 5, 13 })
            Check(m, 33, nOut, scale: 12);
    }

    /// <summary>The shape of net C's output layer, the one the benchmark times.</summary>
    [Fact]
    public void Matches_for_the_output_layer_of_net_C() => Check(256, 128, 10, scale: 1);

    private static void Check(int m, int nIn, int nOut, float scale)
    {
        float[] a = TestData.Uniform(m * nIn, (ulong)(m * 31 + nIn * 7 + 1), scale);
        float[] w = TestData.Uniform(nOut * nIn, (ulong)(nIn * 13 + nOut * 5 + 2), scale);
        float[] b = TestData.Uniform(nOut, (ulong)(nOut + 3), scale);
        // Y is followed by 17 sentinels: a whole-vector store past the last row would reach up to 15 floats further.
        const int Guard = 17;
        var y = new float[m * nOut + Guard];
        y.AsSpan().Fill(float.NaN);
        y.AsSpan(m * nOut).Fill(12345f);

        Kernels.DenseForwardSoftmax(a, w, b, y.AsSpan(0, m * nOut), m, nIn, nOut);

        for (int g = 0; g < Guard; g++)
            Assert.True(y[m * nOut + g] == 12345f, $"m={m}, nIn={nIn}, nOut={nOut}: the sentinel {g} after Y was overwritten");
        var z = new double[nOut];
        for (int i = 0; i < m; i++)
        {
            double max = double.NegativeInfinity, magnitude = 0;
            for (int j = 0; j < nOut; j++)
            {
                double sum = b[j], terms = Math.Abs(b[j]);
                for (int k = 0; k < nIn; k++)
                {
                    double term = (double)a[i * nIn + k] * w[j * nIn + k];
                    sum += term;
                    terms += Math.Abs(term);
                }
                z[j] = sum;
                max = Math.Max(max, sum);
                magnitude = Math.Max(magnitude, terms);
            }
            double total = 0;
            for (int j = 0; j < nOut; j++) total += Math.Exp(z[j] - max);
            // Each float32 logit is within δ = 8·2⁻²⁴·(1 + Σ|terms|) (see PackedKernelTests); y_j = e^(z_j − max)/Σ moves
            // by at most 2δ relative when the logits move by δ. The subtraction z_j − max rounds by half an ulp of
            // |z_j − max|, and the exponential (2 ulp), the sum and the division add a few ulps; below e^−87 the
            // exponential is clamped, hence the absolute 1e−37.
            double delta = 8 * Math.Pow(2, -24) * (1 + magnitude);
            for (int j = 0; j < nOut; j++)
            {
                double expected = Math.Exp(z[j] - max) / total;
                double tolerance = expected * (2 * delta + (Math.Abs(z[j] - max) + 16) * Math.Pow(2, -23)) + 1e-37;
                float actual = y[i * nOut + j];
                Assert.True(Math.Abs(actual - expected) <= tolerance,
                    $"m={m}, nIn={nIn}, nOut={nOut}, scale={scale}: Y[{i},{j}] = {actual} vs {expected} (tolerance {tolerance:E2})");
            }
        }
    }
}
