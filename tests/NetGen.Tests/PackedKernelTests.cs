using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The fused dense forward, Z = g(A·Wᵀ + b), and the packed strategy under it (6 × 64 blocks, a 12 × 32 block for a last
/// narrow panel, partial panels, last rows of every count 1 to 5, a last narrow block that overlaps the one before), against a double-precision product written
/// here, for every activation struct.
/// </summary>
public class PackedKernelTests
{
    public static IEnumerable<object[]> Shapes()
    {
        foreach (int m in new[] { 1, 11, 12, 13, 14, 15, 16, 17, 18, 25, 256 }) // 12 + every 6-row tail (0–5), 25, 256
            foreach (int nIn in new[] { 16, 17, 31, 784 })
                foreach (int nOut in new[] { 32, 33, 63, 64, 65, 128, 130 })
                    yield return new object[] { m, nIn, nOut };
    }


    /// <summary>
    /// |actual − g(expected)| ≤ 8·2⁻²⁴·(1 + Σ|terms|) + 4 ulps of the result. Each of the float32 FMAs that build a sum
    /// rounds by at most half an ulp of the partial sum, and every partial sum is at most Σ|terms|; with random signs
    /// the roundings mostly cancel, and a few ulps of Σ|terms| is what any summation order reaches in practice (the
    /// worst case, nIn ulps, would hide real mistakes). The activations are 1-Lipschitz or flatter, so the error carries
    /// through g, and the vector g may differ from the exact g by an ulp or two of its result. A wrong product, bias,
    /// column, row or activation misses this by orders of magnitude.
    /// </summary>
    private static void Close(double expected, double magnitude, float actual, string what)
    {
        double tolerance = 8 * Math.Pow(2, -24) * (1 + magnitude) + 4 * Math.Pow(2, -23) * Math.Abs(expected);
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: {actual} vs {expected} (tolerance {tolerance})");
    }

    private static void Check(string name, int m, int nIn, int nOut, float[] a, float[] w, float[] b, bool bias, Func<double, double> g, Action<float[]> run)
    {
        var z = new float[m * nOut + 1];
        z.AsSpan().Fill(float.NaN);
        z[^1] = 12345f;
        run(z);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < nOut; j++)
            {
                double sum = bias ? b[j] : 0, magnitude = bias ? Math.Abs(b[j]) : 0;
                for (int k = 0; k < nIn; k++)
                {
                    double term = (double)a[i * nIn + k] * w[j * nIn + k];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                Close(g(sum), magnitude, z[i * nOut + j], $"{name} Z[{i},{j}] (m={m}, nIn={nIn}, nOut={nOut})");
            }
        Assert.Equal(12345f, z[^1]);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fused_DenseForward_matches_the_double_product_for_every_activation(int m, int nIn, int nOut)
    {
        float[] a = TestData.Uniform(m * nIn, 31), w = TestData.Uniform(nOut * nIn, 32), b = TestData.Uniform(nOut, 33);
        Check("identity", m, nIn, nOut, a, w, b, true, s => s,
            z => Kernels.DenseForward(a, w, b, z.AsSpan(0, m * nOut), m, nIn, nOut, default(Kernels.IdentityFunction)));
        Check("relu", m, nIn, nOut, a, w, b, true, s => Math.Max(0, s),
            z => Kernels.DenseForward(a, w, b, z.AsSpan(0, m * nOut), m, nIn, nOut, default(Kernels.ReluFunction)));
        Check("leaky relu", m, nIn, nOut, a, w, b, true, s => s > 0 ? s : 0.1 * s,
            z => Kernels.DenseForward(a, w, b, z.AsSpan(0, m * nOut), m, nIn, nOut, new Kernels.LeakyReluFunction(0.1f)));
        Check("sigmoid", m, nIn, nOut, a, w, b, true, s => 1 / (1 + Math.Exp(-s)),
            z => Kernels.DenseForward(a, w, b, z.AsSpan(0, m * nOut), m, nIn, nOut, default(Kernels.SigmoidFunction)));
        Check("tanh", m, nIn, nOut, a, w, b, true, Math.Tanh,
            z => Kernels.DenseForward(a, w, b, z.AsSpan(0, m * nOut), m, nIn, nOut, default(Kernels.TanhFunction)));
        // The unfused entry point takes the same strategy.
        Check("unfused", m, nIn, nOut, a, w, b, true, s => s,
            z => Kernels.DenseForward(a, w, b, z.AsSpan(0, m * nOut), m, nIn, nOut));
    }

    /// <summary>A layer with more inputs, then a smaller one on the same thread: the grown packed buffer is reused, and
    /// what the bigger layer left in it (weights, bias padding) must not leak into the smaller one.</summary>
    [Fact]
    public void A_smaller_layer_after_a_bigger_one_reuses_the_buffers_cleanly()
    {
        Fused_DenseForward_matches_the_double_product_for_every_activation(25, 784, 130);
        Fused_DenseForward_matches_the_double_product_for_every_activation(13, 17, 33);
        Fused_DenseForward_matches_the_double_product_for_every_activation(12, 31, 65);
    }
}
