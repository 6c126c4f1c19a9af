using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The naive conv, pool and layout kernels (channel planes per sample, samples as rows): small cases worked out by
/// hand (in the comments), a float64 loop written here for larger random shapes, and each backward kernel against
/// central differences of its own forward kernel: for L = Σ dZ ⊙ forward(A, W, b), ∂L/∂W = m·dW and ∂L/∂A = dA.
/// </summary>
public sealed class ConvKernelTests
{
    private static ConvGeometry Conv(int c, int h, int w, int f, int kh, int kw, int stride, int padTop, int padLeft,
        int oh, int ow) => new(c, h, w, f, kh, kw, stride, padTop, padLeft, oh, ow);

    private static float[] Forward(float[] a, float[] w, float[] b, int samples, ConvGeometry g)
    {
        var z = new float[samples * g.OutputSize + 1];
        z[^1] = 12345f; // a sentinel: nothing past Z may be written
        Kernels.Conv2DForward(a, w, b, z, samples, g, new float[Kernels.Conv2DScratchLength(g, samples)]);
        Assert.Equal(12345f, z[^1]);
        return z[..^1];
    }

    private static void Equal(float[] expected, float[] actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"[{i}]: expected {expected[i]}, found {actual[i]}");
    }

    private static readonly float[] OneToNine = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

    [Fact]
    public void A_2x2_kernel_over_a_3x3_map_by_hand()
    {
        // W = [1 2; 3 4], b = 0.5 over A = [1 2 3; 4 5 6; 7 8 9]:
        // Z[0,0] = 1 + 4 + 12 + 20 = 37, Z[0,1] = 2 + 6 + 15 + 24 = 47, Z[1,0] = 4 + 10 + 21 + 32 = 67, Z[1,1] = 77.
        var g = Conv(1, 3, 3, 1, 2, 2, 1, 0, 0, 2, 2);
        Equal(new[] { 37.5f, 47.5f, 67.5f, 77.5f }, Forward(OneToNine, new float[] { 1, 2, 3, 4 }, new[] { 0.5f }, 1, g));
    }

    [Fact]
    public void Same_padding_with_an_odd_kernel_pads_one_on_every_side()
    {
        // k = 3, total pad 2: one row/column each side. W = ones: each Z is the sum of the 3 × 3 neighbourhood.
        var g = Conv(1, 3, 3, 1, 3, 3, 1, 1, 1, 3, 3);
        var ones = new float[9];
        Array.Fill(ones, 1f);
        Equal(new float[] { 12, 21, 16, 27, 45, 33, 24, 39, 28 }, Forward(OneToNine, ones, new[] { 0f }, 1, g));
    }

    [Fact]
    public void Same_padding_with_an_even_kernel_pads_the_bottom_and_right()
    {
        // k = 2, total pad 1, all of it below and right (PyTorch's 'same'): Z[y,x] = A[y,x] + 2A[y,x+1] + 3A[y+1,x]
        // + 4A[y+1,x+1], zero outside. Last column: 3 + 3·6 = 21, 6 + 3·9 = 33; last row: 7 + 2·8 = 23, 8 + 2·9 = 26, 9.
        var g = Conv(1, 3, 3, 1, 2, 2, 1, 0, 0, 3, 3);
        Equal(new float[] { 37, 47, 21, 67, 77, 33, 23, 26, 9 },
            Forward(OneToNine, new float[] { 1, 2, 3, 4 }, new[] { 0f }, 1, g));
    }

    [Fact]
    public void Stride_2_skips_pixels_and_their_gradient_is_zero()
    {
        // A 5 × 5 map 1..25, a 2 × 2 kernel of ones every 2 pixels: 2 × 2 windows, row 4 and column 4 unread.
        // Z[0,0] = 1+2+6+7 = 16, Z[0,1] = 3+4+8+9 = 24, Z[1,0] = 11+12+16+17 = 56, Z[1,1] = 13+14+18+19 = 64.
        var g = Conv(1, 5, 5, 1, 2, 2, 2, 0, 0, 2, 2);
        var a = new float[25];
        for (int i = 0; i < 25; i++) a[i] = i + 1;
        var ones = new float[] { 1, 1, 1, 1 };
        Equal(new float[] { 16, 24, 56, 64 }, Forward(a, ones, new[] { 0f }, 1, g));

        var da = new float[25];
        Array.Fill(da, 99f); // overwritten, not accumulated
        Kernels.Conv2DBackwardInput(new float[] { 1, 2, 3, 4 }, ones, da, 1, g, Span<float>.Empty);
        // Each window hands its dZ to its own 4 pixels (no overlap at stride 2); row 4 and column 4 get 0.
        Equal(new float[] { 1, 1, 2, 2, 0, 1, 1, 2, 2, 0, 3, 3, 4, 4, 0, 3, 3, 4, 4, 0, 0, 0, 0, 0, 0 }, da);
    }

    [Fact]
    public void One_by_one_maps_are_a_dense_layer_over_the_channels()
    {
        // 1 × 1 × 3 in, 2 filters of 1 × 1: Z[f] = b[f] + Σ_c W[f,c]·A[c] = 0.5 + (1 − 3) = −1.5 and −1 + 2·6 = 11.
        var g = Conv(3, 1, 1, 2, 1, 1, 1, 0, 0, 1, 1);
        float[] w = { 1, 0, -1, 2, 2, 2 };
        Equal(new[] { -1.5f, 11f }, Forward(new float[] { 1, 2, 3 }, w, new[] { 0.5f, -1f }, 1, g));

        // dW = (1/m)·dZ·A: with dZ = (1, 2) and one sample, dW = [1 2 3; 2 4 6] and db = (1, 2).
        var dw = new float[6];
        var db = new float[2];
        Kernels.Conv2DBackwardWeights(new float[] { 1, 2, 3 }, new float[] { 1, 2 }, dw, db, 1, g, Span<float>.Empty);
        Equal(new float[] { 1, 2, 3, 2, 4, 6 }, dw);
        Equal(new float[] { 1, 2 }, db);
        // dA = Wᵀ·dZ = (1 + 4, 0 + 4, −1 + 4).
        var da = new float[3];
        Kernels.Conv2DBackwardInput(new float[] { 1, 2 }, w, da, 1, g, Span<float>.Empty);
        Equal(new float[] { 5, 4, 3 }, da);
    }

    [Fact]
    public void A_kernel_as_large_as_the_map_gives_one_value()
    {
        // W = A = 1..9: Σ k² = 285.
        var g = Conv(1, 3, 3, 1, 3, 3, 1, 0, 0, 1, 1);
        Equal(new[] { 285f }, Forward(OneToNine, OneToNine, new[] { 0f }, 1, g));
    }

    [Fact]
    public void Non_square_kernels_read_kh_rows_and_kw_columns()
    {
        // 2 × 1, W = [1; 10]: Z[y,x] = A[y,x] + 10·A[y+1,x], 2 × 3: 41 52 63 / 74 85 96.
        var tall = Conv(1, 3, 3, 1, 2, 1, 1, 0, 0, 2, 3);
        Equal(new float[] { 41, 52, 63, 74, 85, 96 }, Forward(OneToNine, new float[] { 1, 10 }, new[] { 0f }, 1, tall));
        // 1 × 2, W = [1 10]: Z[y,x] = A[y,x] + 10·A[y,x+1], 3 × 2: 21 32 / 54 65 / 87 98.
        var wide = Conv(1, 3, 3, 1, 1, 2, 1, 0, 0, 3, 2);
        Equal(new float[] { 21, 32, 54, 65, 87, 98 }, Forward(OneToNine, new float[] { 1, 10 }, new[] { 0f }, 1, wide));
    }

    [Fact]
    public void Overlapping_max_pool_windows_give_a_tie_to_the_first_maximum()
    {
        // A = [1 3 3; 3 2 0; 1 3 1], windows of 2 every 1. Each window's maximum is 3; its first (row-major) is
        // (0,1) for windows (0,0) and (0,1), (1,0) for window (1,0), (2,1) for window (1,1).
        var p = new PoolGeometry(1, 3, 3, 2, 2, 1, 2, 2);
        float[] a = { 1, 3, 3, 3, 2, 0, 1, 3, 1 };
        var z = new float[4];
        Kernels.MaxPoolForward(a, z, 1, p);
        Equal(new float[] { 3, 3, 3, 3 }, z);
        var da = new float[9];
        Array.Fill(da, 99f);
        Kernels.MaxPoolBackward(a, new float[] { 1, 2, 4, 8 }, da, 1, p);
        // (0,1) gets 1 + 2 from the two windows that picked it, (1,0) gets 4, (2,1) gets 8.
        Equal(new float[] { 0, 3, 0, 4, 0, 0, 0, 8, 0 }, da);
    }

    [Fact]
    public void Max_pool_2_by_2_halves_each_plane_of_each_sample()
    {
        // Two samples of two channels of 2 × 4: each plane gives 1 × 2.
        var p = new PoolGeometry(2, 2, 4, 2, 2, 2, 1, 2);
        float[] a =
        {
            1, 5, 2, 0, /**/ 3, 4, 8, 7, // sample 0, channel 0: max(1,5,3,4) = 5, max(2,0,8,7) = 8
            -1, -2, -3, -4, /**/ -5, -6, -7, -8, // channel 1: −1, −3
            0, 0, 0, 9, /**/ 0, 6, 0, 0, // sample 1, channel 0: 6, 9
            2, 2, 2, 2, /**/ 2, 2, 2, 2, // channel 1: 2, 2
        };
        var z = new float[8];
        Kernels.MaxPoolForward(a, z, 2, p);
        Equal(new float[] { 5, 8, -1, -3, 6, 9, 2, 2 }, z);
    }

    [Fact]
    public void Overlapping_average_pool_windows_share_and_sum_their_gradient()
    {
        // A = 1..9, windows of 2 every 1: Z = [3 4; 6 7]. dZ = [1 2; 4 8], each a quarter to its 4 pixels:
        // dA = [1 3 2; 5 15 10; 4 12 8] / 4.
        var p = new PoolGeometry(1, 3, 3, 2, 2, 1, 2, 2);
        var z = new float[4];
        Kernels.AveragePoolForward(OneToNine, z, 1, p);
        Equal(new float[] { 3, 4, 6, 7 }, z);
        var da = new float[9];
        Array.Fill(da, 99f);
        Kernels.AveragePoolBackward(new float[] { 1, 2, 4, 8 }, da, 1, p);
        Equal(new[] { 0.25f, 0.75f, 0.5f, 1.25f, 3.75f, 2.5f, 1f, 3f, 2f }, da);
    }

    [Fact]
    public void ChannelsFirst_turns_pixels_of_channels_into_planes()
    {
        // One 2 × 2 × 3 sample holding 0..11 (pixel-major): plane c holds c, c+3, c+6, c+9. A second sample + 100.
        var x = new float[24];
        for (int i = 0; i < 12; i++) { x[i] = i; x[12 + i] = 100 + i; }
        var a0 = new float[24];
        Kernels.ChannelsFirst(x, a0, 2, 2, 2, 3);
        Equal(new float[] { 0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11, 100, 103, 106, 109, 101, 104, 107, 110, 102, 105, 108, 111 }, a0);
    }

    /// <summary>Shapes (c_in, h, w, filters, kh, kw, stride, padTop, padLeft, oh, ow): valid, same (odd and even k),
    /// stride 2 (with skipped pixels), non-square kernels, a kernel the size of the map and 1 × 1 maps.</summary>
    public static IEnumerable<object[]> Geometries()
    {
        yield return new object[] { 1, 5, 5, 1, 3, 3, 1, 0, 0, 3, 3 };
        yield return new object[] { 2, 6, 5, 3, 3, 3, 1, 1, 1, 6, 5 };   // same, odd k
        yield return new object[] { 3, 4, 6, 2, 2, 4, 1, 0, 1, 4, 6 };   // same, even k (pads 0+1 and 1+2)
        yield return new object[] { 2, 7, 6, 3, 3, 2, 2, 0, 0, 3, 3 };   // stride 2, non-square, last row/column skipped
        yield return new object[] { 2, 4, 3, 2, 4, 3, 1, 0, 0, 1, 1 };   // kernel = map
        yield return new object[] { 4, 1, 1, 3, 1, 1, 1, 0, 0, 1, 1 };   // 1 × 1 maps
        yield return new object[] { 1, 8, 8, 4, 5, 5, 1, 2, 2, 8, 8 };   // LeNet-like same 5 × 5
        yield return new object[] { 3, 9, 7, 2, 3, 1, 3, 0, 0, 3, 3 };   // stride 3, a 3 × 1 kernel
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Forward_matches_a_float64_loop(int c, int h, int w, int f, int kh, int kw, int stride, int pt, int pl,
        int oh, int ow)
    {
        const int m = 3;
        var g = Conv(c, h, w, f, kh, kw, stride, pt, pl, oh, ow);
        float[] a = TestData.Uniform(m * g.InputSize, 1), wt = TestData.Uniform(g.WeightCount, 2), b = TestData.Uniform(f, 3);
        float[] z = Forward(a, wt, b, m, g);
        for (int s = 0; s < m; s++)
            for (int j = 0; j < f; j++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = b[j];
                        for (int ch = 0; ch < c; ch++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int y = oy * stride - pt + ky, x = ox * stride - pl + kx;
                                    if (y < 0 || y >= h || x < 0 || x >= w) continue;
                                    sum += (double)wt[((j * c + ch) * kh + ky) * kw + kx] * a[s * g.InputSize + (ch * h + y) * w + x];
                                }
                        float actual = z[s * g.OutputSize + (j * oh + oy) * ow + ox];
                        Assert.True(Math.Abs(actual - sum) <= 1e-5 * (1 + Math.Abs(sum)), $"Z[{s},{j},{oy},{ox}]: {actual} vs {sum}");
                    }
    }

    /// <summary>L = Σ dZ ⊙ Conv2DForward(A, W, b) in float64 from the float kernel's output.</summary>
    private static double Loss(float[] a, float[] w, float[] b, float[] dz, int m, ConvGeometry g)
    {
        float[] z = Forward(a, w, b, m, g);
        double sum = 0;
        for (int i = 0; i < z.Length; i++) sum += (double)dz[i] * z[i];
        return sum;
    }

    /// <summary>Central difference of <paramref name="loss"/> in <paramref name="x"/>[i] with step h (restored after).</summary>
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
    [MemberData(nameof(Geometries))]
    public void Backward_kernels_match_central_differences_of_the_forward(int c, int h, int w, int f, int kh, int kw,
        int stride, int pt, int pl, int oh, int ow)
    {
        const int m = 2;
        var g = Conv(c, h, w, f, kh, kw, stride, pt, pl, oh, ow);
        float[] a = TestData.Uniform(m * g.InputSize, 11), wt = TestData.Uniform(g.WeightCount, 12);
        float[] b = TestData.Uniform(f, 13), dz = TestData.Uniform(m * g.OutputSize, 14);
        var dw = new float[g.WeightCount];
        var db = new float[f];
        Array.Fill(dw, 99f); Array.Fill(db, 99f); // overwritten, not accumulated
        Kernels.Conv2DBackwardWeights(a, dz, dw, db, m, g, new float[Kernels.Conv2DScratchLength(g, m)]);
        var da = new float[m * g.InputSize];
        Array.Fill(da, 99f);
        Kernels.Conv2DBackwardInput(dz, wt, da, m, g, new float[Kernels.Conv2DScratchLength(g, m)]);

        // L is linear in each of W, b and A: a central difference is exact but for float rounding of Z (≈ 1e-7·|Z|·n/h).
        const float step = 0.05f;
        const double tolerance = 2e-3;
        Func<double> loss = () => Loss(a, wt, b, dz, m, g);
        for (int i = 0; i < wt.Length; i++)
            Close(Difference(wt, i, step, loss), m * (double)dw[i], tolerance, $"m·dW[{i}]");
        for (int j = 0; j < f; j++)
            Close(Difference(b, j, step, loss), m * (double)db[j], tolerance, $"m·db[{j}]");
        for (int i = 0; i < a.Length; i++)
            Close(Difference(a, i, step, loss), da[i], tolerance, $"dA[{i}]");
    }

    private static void Close(double expected, double actual, double tolerance, string what)
        => Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)),
            $"{what}: kernel {actual}, central difference {expected}");

    /// <summary>Pool shapes (c, h, w, window h, window w, stride, oh, ow): disjoint, overlapping, skipping, 1 × 1.</summary>
    public static IEnumerable<object[]> Pools()
    {
        yield return new object[] { 2, 4, 4, 2, 2, 2, 2, 2 };
        yield return new object[] { 3, 5, 4, 3, 2, 1, 3, 3 }; // overlapping, non-square window
        yield return new object[] { 1, 7, 7, 2, 2, 3, 2, 2 }; // stride 3 > window: pixels skipped
        yield return new object[] { 2, 3, 3, 3, 3, 3, 1, 1 }; // window = map
        yield return new object[] { 4, 1, 1, 1, 1, 1, 1, 1 }; // 1 × 1
    }

    [Theory]
    [MemberData(nameof(Pools))]
    public void Pool_backward_kernels_match_central_differences_of_their_forward(int c, int h, int w, int wh, int ww,
        int stride, int oh, int ow)
    {
        const int m = 2;
        var p = new PoolGeometry(c, h, w, wh, ww, stride, oh, ow);
        // Distinct values 0.1 apart (a shuffled ramp), so that a step of 0.01 never changes which value is a maximum.
        int n = m * p.InputSize;
        var a = new float[n];
        var order = TestData.Uniform(n, 21);
        for (int i = 0; i < n; i++)
        {
            int rank = 0;
            for (int k = 0; k < n; k++) if (order[k] < order[i] || (order[k] == order[i] && k < i)) rank++;
            a[i] = 0.1f * rank - 1f;
        }
        float[] dz = TestData.Uniform(m * p.OutputSize, 22);
        var daMax = new float[n];
        var daAvg = new float[n];
        Kernels.MaxPoolBackward(a, dz, daMax, m, p);
        Kernels.AveragePoolBackward(dz, daAvg, m, p);
        var z = new float[m * p.OutputSize];
        Func<double> maxLoss = () => { Kernels.MaxPoolForward(a, z, m, p); return Dot(dz, z); };
        Func<double> avgLoss = () => { Kernels.AveragePoolForward(a, z, m, p); return Dot(dz, z); };
        for (int i = 0; i < n; i++)
        {
            Close(Difference(a, i, 0.01f, maxLoss), daMax[i], 2e-3, $"max dA[{i}]");
            Close(Difference(a, i, 0.01f, avgLoss), daAvg[i], 2e-3, $"average dA[{i}]");
        }
    }

    private static double Dot(float[] x, float[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (double)x[i] * y[i];
        return sum;
    }

    [Fact]
    public void Geometries_refuse_sizes_that_do_not_fit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Conv(0, 3, 3, 1, 2, 2, 1, 0, 0, 2, 2)); // no channel
        Assert.Throws<ArgumentOutOfRangeException>(() => Conv(1, 3, 3, 1, 2, 2, 0, 0, 0, 2, 2)); // stride 0
        Assert.Throws<ArgumentOutOfRangeException>(() => Conv(1, 3, 3, 1, 2, 2, 1, 2, 0, 2, 2)); // pad = k
        Assert.Throws<ArgumentOutOfRangeException>(() => Conv(1, 3, 3, 1, 2, 2, 1, 0, 0, 4, 2)); // last window off the map
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoolGeometry(1, 3, 3, 2, 2, 2, 2, 2)); // 2nd window past row 3
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoolGeometry(1, 3, 3, 4, 4, 1, 1, 1)); // window > map
        Assert.Throws<ArgumentException>(() => Conv(65536, 256, 256, 1, 1, 1, 1, 0, 0, 256, 256)); // 2^32 floats
        var g = Conv(1, 3, 3, 1, 2, 2, 1, 0, 0, 2, 2);
        Assert.Equal((9, 4, 4), (g.InputSize, g.OutputSize, g.WeightCount));
    }

    [Fact]
    public void Kernels_refuse_short_spans_and_a_default_geometry_before_writing()
    {
        var g = Conv(1, 3, 3, 1, 2, 2, 1, 0, 0, 2, 2);
        var z = new float[4];
        Array.Fill(z, 7f);
        var error = Assert.Throws<ArgumentException>(
            () => Kernels.Conv2DForward(new float[8], new float[4], new float[1], z, 1, g, Span<float>.Empty));
        Assert.Equal("a", error.ParamName);
        Assert.Throws<ArgumentException>(
            () => Kernels.Conv2DForward(new float[9], new float[3], new float[1], z, 1, g, Span<float>.Empty));
        Assert.Throws<ArgumentException>(
            () => Kernels.Conv2DForward(new float[18], new float[4], new float[1], z, 2, g, Span<float>.Empty));
        Assert.Throws<ArgumentException>(
            () => Kernels.Conv2DForward(new float[9], new float[4], new float[1], z, 1, default, Span<float>.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Kernels.Conv2DBackwardInput(new float[4], new float[4], new float[9], -1, g, Span<float>.Empty));
        Assert.Throws<ArgumentException>(
            () => Kernels.MaxPoolBackward(new float[9], new float[4], new float[8], 1, new PoolGeometry(1, 3, 3, 2, 2, 1, 2, 2)));
        Assert.Throws<ArgumentException>(() => Kernels.ChannelsFirst(new float[11], new float[12], 1, 2, 2, 3));
        Assert.All(z, v => Assert.Equal(7f, v));
        Assert.Equal(0, Kernels.Conv2DScratchLength(g, 64));
    }
}
