using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The fast conv and pool paths (the implicit product of stride-1 convolutions, the 2 × 2 stride-2 pools) against
/// the direct loops they replace, which <see cref="ConvKernelTests"/> checks by hand and in float64. Each output of
/// a convolution is a sum of n float products that the two paths add in different orders; each order's error is at
/// most γ_n·Σ|terms| with γ_n = n·u/(1 − n·u), u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1), so the two differ by
/// at most 2·γ_n·Σ|terms|. Σ|terms| is the direct kernel run on the absolute values. On a host without vectors
/// (NetGen.Tests.Scalar) both paths are the direct loops and these tests check only that the dispatch keeps them.
/// </summary>
public sealed class ConvKernelSpeedPathTests
{
    /// <summary>Shapes (c_in, h, w, filters, kh, kw, stride, same, samples): LeNet-5's two convolutions at 1, 7 and
    /// 64 samples, Valid and Same (odd and even, non-square kernels), strides 2 and 3 (direct), kernel = map,
    /// 1 × 1 maps and kernels, c_in 1/3/16, filters 1/6/16/33.</summary>
    public static IEnumerable<object[]> Geometries()
    {
        yield return new object[] { 1, 28, 28, 6, 5, 5, 1, true, 1 };     // LeNet conv 1
        yield return new object[] { 1, 28, 28, 6, 5, 5, 1, true, 7 };
        yield return new object[] { 6, 14, 14, 16, 5, 5, 1, false, 64 };  // LeNet conv 2
        yield return new object[] { 6, 14, 14, 16, 5, 5, 1, false, 1 };
        yield return new object[] { 3, 9, 11, 33, 3, 3, 1, true, 7 };
        yield return new object[] { 16, 8, 8, 33, 3, 3, 1, false, 7 };
        yield return new object[] { 3, 10, 7, 16, 2, 4, 1, true, 7 };     // even, non-square: pads 0+1 and 1+2
        yield return new object[] { 1, 3, 30, 6, 3, 2, 1, true, 7 };
        yield return new object[] { 16, 5, 5, 6, 5, 5, 1, false, 7 };     // kernel = map: 1 × 1 output
        yield return new object[] { 3, 7, 7, 6, 7, 7, 1, true, 7 };       // kernel = map, Same
        yield return new object[] { 16, 1, 1, 16, 1, 1, 1, false, 64 };   // 1 × 1 maps
        yield return new object[] { 16, 6, 6, 33, 1, 1, 1, false, 7 };    // 1 × 1 kernel: Z' is Z
        yield return new object[] { 1, 6, 40, 1, 1, 3, 1, false, 1 };     // one filter
        yield return new object[] { 3, 16, 16, 1, 3, 3, 1, true, 64 };
        yield return new object[] { 3, 12, 12, 6, 3, 3, 2, false, 7 };    // stride 2
        yield return new object[] { 1, 13, 13, 16, 3, 5, 3, false, 7 };   // stride 3, non-square
        yield return new object[] { 16, 9, 9, 6, 3, 3, 1, false, 7 };
        yield return new object[] { 3, 20, 20, 5, 4, 3, 1, true, 7 };     // 5 filters: tiles of 3 + 2 with 16 registers
    }

    private static ConvGeometry Make(int c, int h, int w, int f, int kh, int kw, int stride, bool same)
        => same ? new(c, h, w, f, kh, kw, 1, (kh - 1) / 2, (kw - 1) / 2, h, w)
            : new(c, h, w, f, kh, kw, stride, 0, 0, (h - kh) / stride + 1, (w - kw) / stride + 1);

    private static float[] Abs(float[] x)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = Math.Abs(x[i]);
        return y;
    }

    private static double Gamma(long n) => n * Math.Pow(2, -24) / (1 - n * Math.Pow(2, -24));

    private static void Agree(float[] fast, float[] direct, float[] magnitude, long terms, string what)
    {
        Assert.Equal(direct.Length, fast.Length);
        double bound = 2 * Gamma(terms);
        for (int i = 0; i < fast.Length; i++)
            Assert.True(Math.Abs(fast[i] - direct[i]) <= bound * magnitude[i] * 1.0001 + 1e-30,
                $"{what}[{i}]: fast {fast[i]}, direct {direct[i]}, bound {bound * magnitude[i]}");
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Fast_paths_agree_with_the_direct_loops_within_the_summation_bound(int c, int h, int w, int f, int kh,
        int kw, int stride, bool same, int m)
    {
        ConvGeometry g = Make(c, h, w, f, kh, kw, stride, same);
        ulong seed = (ulong)(c * 7919 + h * 31 + f * 1009 + kh * 17 + kw + m * 101);
        float[] a = TestData.Uniform(m * g.InputSize, seed), wt = TestData.Uniform(g.WeightCount, seed + 1);
        float[] b = TestData.Uniform(f, seed + 2), dz = TestData.Uniform(m * g.OutputSize, seed + 3);
        // Guard the scratch: nothing past the length Conv2DScratchLength gives may be touched.
        int length = Kernels.Conv2DScratchLength(g, m);
        var scratch = new float[length + 1];
        scratch[^1] = 54321f;
        Span<float> sized = scratch.AsSpan(0, length);

        var z = new float[m * g.OutputSize];
        var zDirect = new float[z.Length];
        var zMagnitude = new float[z.Length];
        Kernels.Conv2DForward(a, wt, b, z, m, g, sized);
        Kernels.Conv2DForwardDirect(a, wt, b, zDirect, m, g);
        Kernels.Conv2DForwardDirect(Abs(a), Abs(wt), Abs(b), zMagnitude, m, g);
        Agree(z, zDirect, zMagnitude, (long)c * kh * kw + 1, "Z");

        var dw = new float[g.WeightCount];
        var db = new float[f];
        Array.Fill(dw, 99f); Array.Fill(db, 99f); // overwritten, not accumulated
        var dwDirect = new float[dw.Length];
        var dbDirect = new float[f];
        var dwMagnitude = new float[dw.Length];
        var dbMagnitude = new float[f];
        Kernels.Conv2DBackwardWeights(a, dz, dw, db, m, g, sized);
        Kernels.Conv2DBackwardWeightsDirect(a, dz, dwDirect, dbDirect, m, g);
        Kernels.Conv2DBackwardWeightsDirect(Abs(a), Abs(dz), dwMagnitude, dbMagnitude, m, g);
        long perWeight = (long)m * g.OutHeight * g.OutWidth + 1; // the sum, then the 1/m
        Agree(dw, dwDirect, dwMagnitude, perWeight, "dW");
        Agree(db, dbDirect, dbMagnitude, perWeight, "db");

        var da = new float[m * g.InputSize];
        Array.Fill(da, 99f);
        var daDirect = new float[da.Length];
        var daMagnitude = new float[da.Length];
        Kernels.Conv2DBackwardInput(dz, wt, da, m, g, sized);
        Kernels.Conv2DBackwardInputDirect(dz, wt, daDirect, m, g);
        Kernels.Conv2DBackwardInputDirect(Abs(dz), Abs(wt), daMagnitude, m, g);
        Agree(da, daDirect, daMagnitude, (long)f * kh * kw, "dA");

        Assert.Equal(54321f, scratch[^1]);
    }

    [Fact]
    public void LeNet_convolutions_take_the_implicit_product_where_there_are_vectors_and_strides_above_one_do_not()
    {
        ConvGeometry first = Make(1, 28, 28, 6, 5, 5, 1, true), second = Make(6, 14, 14, 16, 5, 5, 1, false);
        bool vectors = Vector128.IsHardwareAccelerated;
        foreach (ConvGeometry g in new[] { first, second })
        {
            Assert.Equal(vectors, Kernels.ForwardImplicit(g));
            Assert.Equal(vectors, Kernels.BackwardWeightsImplicit(g));
            Assert.Equal(vectors, Kernels.BackwardInputImplicit(g));
            Assert.Equal(vectors, Kernels.Conv2DScratchLength(g, 64) > 0);
        }
        ConvGeometry strided = Make(3, 12, 12, 6, 3, 3, 2, false);
        Assert.False(Kernels.ForwardImplicit(strided));
        Assert.Equal(0, Kernels.Conv2DScratchLength(strided, 64));
        // The switch (ImplicitMinimumMultiplyAdds = 128): 1 × 3 × 3 → 1, 3 × 3 Same is 13 columns × 9 = 117 multiply-adds
        // (direct); 1 × 4 × 4 → 1 is 22 × 9 = 198 (implicit, measured 2.2× faster).
        Assert.False(Kernels.ForwardImplicit(Make(1, 3, 3, 1, 3, 3, 1, true)));
        Assert.Equal(vectors, Kernels.ForwardImplicit(Make(1, 4, 4, 1, 3, 3, 1, true)));
        // A 1 × 1 map has one output column: below any vector, the direct loops.
        Assert.Equal(0, Kernels.Conv2DScratchLength(Make(16, 1, 1, 16, 1, 1, 1, false), 64));
        // LeNet's first layer: A padded (32 × 32) and Z' (6 × (27·32 + 28)) for one sample, whatever the batch.
        if (vectors)
            Assert.Equal(Math.Max(32 * 32 + 6 * 892, 6 * 32 * 32 + 150 + 1 * 892), Kernels.Conv2DScratchLength(first, 64));
    }

    /// <summary>L = Σ dZ ⊙ Conv2DForward(A, W, b) in float64 from the kernel's own (fast) output.</summary>
    private static double Loss(float[] a, float[] w, float[] b, float[] dz, int m, ConvGeometry g, float[] scratch)
    {
        var z = new float[m * g.OutputSize];
        Kernels.Conv2DForward(a, w, b, z, m, g, scratch);
        double sum = 0;
        for (int i = 0; i < z.Length; i++) sum += (double)dz[i] * z[i];
        return sum;
    }

    private static double Difference(float[] x, int i, float h, Func<double> loss)
    {
        float saved = x[i];
        x[i] = saved + h;
        double plus = loss();
        x[i] = saved - h;
        double minus = loss();
        x[i] = saved;
        return (plus - minus) / (2.0 * h);
    }

    [Theory]
    [InlineData(1, 12, 12, 6, 5, 5, true)]
    [InlineData(3, 9, 8, 4, 3, 2, false)]
    [InlineData(2, 10, 9, 7, 4, 3, true)]
    public void Fast_backward_kernels_match_central_differences_of_the_fast_forward(int c, int h, int w, int f,
        int kh, int kw, bool same)
    {
        const int m = 2;
        ConvGeometry g = Make(c, h, w, f, kh, kw, 1, same);
        Assert.Equal(Vector128.IsHardwareAccelerated, Kernels.ForwardImplicit(g) && Kernels.BackwardInputImplicit(g));
        var scratch = new float[Kernels.Conv2DScratchLength(g, m)];
        float[] a = TestData.Uniform(m * g.InputSize, 21), wt = TestData.Uniform(g.WeightCount, 22);
        float[] b = TestData.Uniform(f, 23), dz = TestData.Uniform(m * g.OutputSize, 24);
        var dw = new float[g.WeightCount];
        var db = new float[f];
        var da = new float[m * g.InputSize];
        Kernels.Conv2DBackwardWeights(a, dz, dw, db, m, g, scratch);
        Kernels.Conv2DBackwardInput(dz, wt, da, m, g, scratch);

        // L is linear in each of W, b and A: the central difference is exact but for the float rounding of Z.
        const float step = 0.05f;
        const double tolerance = 2e-3;
        Func<double> loss = () => Loss(a, wt, b, dz, m, g, scratch);
        for (int i = 0; i < wt.Length; i++)
            Close(Difference(wt, i, step, loss), m * (double)dw[i], tolerance, $"m·dW[{i}]");
        for (int j = 0; j < f; j++)
            Close(Difference(b, j, step, loss), m * (double)db[j], tolerance, $"m·db[{j}]");
        for (int i = 0; i < a.Length; i++)
            Close(Difference(a, i, step, loss), da[i], tolerance, $"dA[{i}]");
    }

    private static void Close(double expected, double actual, double tolerance, string what)
        => Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)),
            $"{what}: finite difference {expected}, kernel {actual}");

    /// <summary>Pools (c, h, w, samples): LeNet-5's two (28 × 28 × 6, 10 × 10 × 16), odd sizes (the last row and
    /// column in no window), a row of outputs narrower than a vector, and wider than two.</summary>
    [Theory]
    [InlineData(6, 28, 28, 64)]
    [InlineData(16, 10, 10, 64)]
    [InlineData(16, 10, 10, 1)]
    [InlineData(3, 9, 11, 7)]
    [InlineData(2, 4, 6, 7)]
    [InlineData(2, 2, 70, 3)]
    [InlineData(5, 2, 2, 3)]
    public void Pair_pools_agree_with_the_direct_loops(int c, int h, int w, int m)
    {
        var p = new PoolGeometry(c, h, w, 2, 2, 2, h / 2, w / 2);
        float[] a = TestData.Uniform(m * p.InputSize, (ulong)(c * h * w + m));
        float[] dz = TestData.Uniform(m * p.OutputSize, (ulong)(c + h + w + m));
        // Ties: whole windows of one value, and a repeated maximum, take the first in row-major order.
        for (int i = 0; i + 2 * w < a.Length; i += 7 * w + 3) { a[i] = a[i + 1] = a[i + w] = a[i + w + 1] = 0.5f; }
        if (w >= 2) a[w + 1] = a[0] = 2f;

        float[] z = new float[m * p.OutputSize], zDirect = new float[z.Length];
        Kernels.MaxPoolForward(a, z, m, p);
        Kernels.MaxPoolForwardDirect(a, zDirect, m, p);
        Assert.Equal(zDirect, z); // a maximum is exact
        float[] da = new float[a.Length], daDirect = new float[a.Length];
        Array.Fill(da, 99f);
        Kernels.MaxPoolBackward(a, dz, da, m, p);
        Kernels.MaxPoolBackwardDirect(a, dz, daDirect, m, p);
        Assert.Equal(daDirect, da); // each gradient is moved, not summed

        Kernels.AveragePoolForward(a, z, m, p);
        Kernels.AveragePoolForwardDirect(a, zDirect, m, p);
        // Four terms in another order, then an exact ·¼: 2·γ₃·Σ|a| ≤ 2·γ₃·4·max|a| per output.
        float[] magnitude = new float[z.Length];
        Kernels.AveragePoolForwardDirect(Abs(a), magnitude, m, p);
        Agree(z, zDirect, magnitude, 3, "average Z");
        Array.Fill(da, 99f);
        Kernels.AveragePoolBackward(dz, da, m, p);
        Kernels.AveragePoolBackwardDirect(dz, daDirect, m, p);
        Assert.Equal(daDirect, da); // each window's share alone: dZ·¼, exact both ways
    }

    [Fact]
    public void Fast_kernels_allocate_nothing_after_warm_up()
    {
        const int m = 64;
        ConvGeometry g1 = Make(1, 28, 28, 6, 5, 5, 1, true), g2 = Make(6, 14, 14, 16, 5, 5, 1, false);
        var p1 = new PoolGeometry(6, 28, 28, 2, 2, 2, 14, 14);
        var scratch = new float[Math.Max(Kernels.Conv2DScratchLength(g1, m), Kernels.Conv2DScratchLength(g2, m))];
        float[] x = TestData.Uniform(m * g1.InputSize, 1), w1 = TestData.Uniform(g1.WeightCount, 2);
        float[] b1 = TestData.Uniform(6, 3), z1 = new float[m * g1.OutputSize], p = new float[m * p1.OutputSize];
        float[] w2 = TestData.Uniform(g2.WeightCount, 4), b2 = TestData.Uniform(16, 5), z2 = new float[m * g2.OutputSize];
        float[] dw1 = new float[w1.Length], db1 = new float[6], dw2 = new float[w2.Length], db2 = new float[16];
        float[] dp = new float[p.Length], dz1 = new float[z1.Length], dx = new float[x.Length];
        void Step()
        {
            Kernels.Conv2DForward(x, w1, b1, z1, m, g1, scratch);
            Kernels.MaxPoolForward(z1, p, m, p1);
            Kernels.AveragePoolForward(z1, p, m, p1);
            Kernels.Conv2DForward(p, w2, b2, z2, m, g2, scratch);
            Kernels.Conv2DBackwardWeights(p, z2, dw2, db2, m, g2, scratch);
            Kernels.Conv2DBackwardInput(z2, w2, dp, m, g2, scratch);
            Kernels.MaxPoolBackward(z1, dp, dz1, m, p1);
            Kernels.AveragePoolBackward(dp, dz1, m, p1);
            Kernels.Conv2DBackwardWeights(x, dz1, dw1, db1, m, g1, scratch);
            Kernels.Conv2DBackwardInput(dz1, w1, dx, m, g1, scratch);
        }
        Step();
        Assert.Equal(0, Allocations.LeastOfThree(Step));
    }
}
