using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The exact properties of the augmentation pipeline (issue 6): flips are involutions and mirror pixels, zero
/// rotations, unit zooms, zero shifts and unpadded crops are the identity, the ranges hold, the noise has the requested
/// moments, the seed decides everything, the source is never written and a warmed-up <see cref="Augmentation.Apply"/>
/// allocates nothing.
/// </summary>
public sealed class AugmentationTests
{
    // Distinct sizes, so that a row/column or channel mix-up cannot pass.
    private const int H = 7, W = 5, C = 3, Size = H * W * C, M = 4;

    /// <summary>Distinct values everywhere (value = index + 1), in [1, Size·M].</summary>
    private static float[] Ramp(int m = M, int size = Size)
    {
        var x = new float[m * size];
        for (int i = 0; i < x.Length; i++) x[i] = i + 1;
        return x;
    }

    /// <summary>Uniform values in [0, 1) from a seed.</summary>
    private static float[] Random(int m, int size, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[m * size];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle();
        return x;
    }

    private static float[] Run(Augmentation a, float[] source, int m, ulong seed)
    {
        var destination = new float[source.Length];
        var rng = new Rng(seed);
        a.Apply(source, destination, m, ref rng);
        return destination;
    }

    private static int At(int image, int r, int c, int k) => image * Size + (r * W + c) * C + k;

    [Fact]
    public void Shape_is_exposed()
    {
        var a = new Augmentation(H, W, C);
        Assert.Equal((H, W, C, Size), (a.Height, a.Width, a.Channels, a.ImageSize));
    }

    [Fact]
    public void An_empty_pipeline_copies()
    {
        float[] x = Ramp();
        Assert.Equal(x, Run(new Augmentation(H, W, C), x, M, 1));
    }

    [Fact]
    public void Horizontal_flip_maps_r_c_to_r_mirrored_c_per_channel()
    {
        float[] x = Ramp();
        float[] y = Run(new Augmentation(H, W, C).FlipHorizontal(1), x, M, 1);
        for (int i = 0; i < M; i++)
            for (int r = 0; r < H; r++)
                for (int c = 0; c < W; c++)
                    for (int k = 0; k < C; k++)
                        Assert.Equal(x[At(i, r, c, k)], y[At(i, r, W - 1 - c, k)]);
    }

    [Fact]
    public void Horizontal_flip_of_a_single_channel_mirrors_too()
    {
        var x = new float[] { 1, 2, 3, 4, 5, 6 }; // 2 × 3 × 1
        var y = new float[6];
        var rng = new Rng(1);
        new Augmentation(2, 3, 1).FlipHorizontal(1).Apply(x, y, 1, ref rng);
        Assert.Equal(new float[] { 3, 2, 1, 6, 5, 4 }, y);
    }

    [Fact]
    public void Vertical_flip_maps_r_c_to_mirrored_r_c()
    {
        float[] x = Ramp();
        float[] y = Run(new Augmentation(H, W, C).FlipVertical(1), x, M, 1);
        for (int i = 0; i < M; i++)
            for (int r = 0; r < H; r++)
                for (int c = 0; c < W; c++)
                    for (int k = 0; k < C; k++)
                        Assert.Equal(x[At(i, r, c, k)], y[At(i, H - 1 - r, c, k)]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_flip_applied_twice_is_the_identity(bool horizontal)
    {
        float[] x = Random(M, Size, 3);
        var a = new Augmentation(H, W, C);
        if (horizontal) a.FlipHorizontal(1).FlipHorizontal(1);
        else a.FlipVertical(1).FlipVertical(1);
        Assert.Equal(x, Run(a, x, M, 9));
    }

    [Fact]
    public void Zero_rotation_unit_zoom_zero_shift_and_unpadded_crop_are_the_identity()
    {
        float[] x = Random(M, Size, 4);
        var a = new Augmentation(H, W, C).Rotate(0, 1).Scale(1, 1, 1).Translate(0, 1).RandomCrop(0, 1);
        Assert.Equal(x, Run(a, x, M, 5)); // exactly
    }

    [Fact]
    public void Bilinear_resampling_at_pixel_centres_is_the_identity_within_1e_6()
    {
        const int n = 6;
        float[] x = Random(1, n * n, 6);
        var a = new Augmentation(n, n, 1);
        // Zoom 1 is short-circuited; a zoom of 1 + 1e-12 goes through the bilinear path and must stay within 1e-6.
        a.Scale(1 + 1e-12, 1 + 1e-12, 1);
        float[] y = Run(a, x, 1, 7);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(x[i] - y[i]) <= 1e-6, $"pixel {i}: {x[i]} became {y[i]}");
    }

    [Fact]
    public void Rotation_keeps_the_centre_pixel_of_an_odd_image_and_zero_fills_the_corners()
    {
        const int n = 9;
        var x = new float[n * n];
        Array.Fill(x, 1f);
        float[] y = Run(new Augmentation(n, n, 1).Rotate(45, 1), x, 1, 11);
        Assert.Equal(1f, y[(n / 2) * n + n / 2], 5);
        // Some rotation was drawn (45·u degrees); unless it is tiny, the corners read outside and are zero-filled.
        Assert.True(y[0] < 1f || y[n * n - 1] < 1f, "a rotated constant image keeps no fill at the corners");
    }

    [Fact]
    public void Crop_keeps_the_shape_and_moves_the_image_by_at_most_the_padding()
    {
        const int padding = 2;
        float[] x = Ramp(1);
        var a = new Augmentation(H, W, C).RandomCrop(padding);
        for (ulong seed = 1; seed <= 50; seed++)
        {
            float[] y = Run(a, x, 1, seed);
            Assert.Equal(x.Length, y.Length);
            // Every nonzero output value is an input value from within ±padding rows/columns, same channel.
            for (int r = 0; r < H; r++)
                for (int c = 0; c < W; c++)
                    for (int k = 0; k < C; k++)
                    {
                        float v = y[At(0, r, c, k)];
                        if (v == 0) continue;
                        int source = (int)v - 1;
                        int sr = source / (W * C), sc = source / C % W, sk = source % C;
                        Assert.Equal(k, sk);
                        Assert.InRange(sr - r, -padding, padding);
                        Assert.InRange(sc - c, -padding, padding);
                    }
        }
    }

    [Fact]
    public void Translation_is_a_whole_pixel_shift_with_zero_fill()
    {
        float[] x = Ramp(1);
        var a = new Augmentation(H, W, C).Translate(0.45, 1); // up to ±3 rows, ±2 columns
        bool moved = false;
        for (ulong seed = 1; seed <= 30; seed++)
        {
            float[] y = Run(a, x, 1, seed);
            // Find the shift from any surviving value, then check every pixel against it.
            int dy = int.MinValue, dx = 0;
            for (int i = 0; i < y.Length && dy == int.MinValue; i++)
                if (y[i] != 0)
                {
                    int s = (int)y[i] - 1;
                    dy = s / (W * C) - i / (W * C);
                    dx = s / C % W - i / C % W;
                }
            if (dy == int.MinValue) continue; // shifted entirely out cannot happen below 1, but be safe
            Assert.InRange(dy, -3, 3);
            Assert.InRange(dx, -2, 2);
            moved |= dy != 0 || dx != 0;
            for (int r = 0; r < H; r++)
                for (int c = 0; c < W; c++)
                    for (int k = 0; k < C; k++)
                    {
                        int sr = r + dy, sc = c + dx;
                        float expected = sr >= 0 && sr < H && sc >= 0 && sc < W ? x[At(0, sr, sc, k)] : 0f;
                        Assert.Equal(expected, y[At(0, r, c, k)]);
                    }
        }
        Assert.True(moved);
    }

    [Fact]
    public void Gaussian_noise_has_the_requested_mean_and_deviation()
    {
        const int h = 256, w = 256, c = 3, n = h * w * c;
        const double mean = 0.25, deviation = 0.1;
        var x = new float[n];
        float[] y = Run(new Augmentation(h, w, c).GaussianNoise(mean, deviation), x, 1, 21);
        double sum = 0, sum2 = 0;
        foreach (float v in y) { sum += v; sum2 += (double)v * v; }
        double sampleMean = sum / n;
        double sampleVar = (sum2 - n * sampleMean * sampleMean) / (n - 1);
        double sampleDev = Math.Sqrt(sampleVar);
        // Standard errors: of the mean σ/√n; of the deviation σ/√(2n) (normal data).
        Assert.InRange(sampleMean, mean - 4 * deviation / Math.Sqrt(n), mean + 4 * deviation / Math.Sqrt(n));
        Assert.InRange(sampleDev, deviation - 4 * deviation / Math.Sqrt(2.0 * n), deviation + 4 * deviation / Math.Sqrt(2.0 * n));
    }

    [Fact]
    public void Brightness_adds_one_delta_per_image_within_its_range()
    {
        const double max = 0.3;
        float[] x = Random(64, Size, 31);
        float[] y = Run(new Augmentation(H, W, C).Brightness(max, 1), x, 64, 32);
        for (int i = 0; i < 64; i++)
        {
            float delta = y[i * Size] - x[i * Size];
            Assert.InRange(delta, -max - 1e-6, max + 1e-6);
            for (int j = 0; j < Size; j++)
                Assert.True(Math.Abs(delta - (y[i * Size + j] - x[i * Size + j])) <= 1e-6, $"image {i}, value {j}: not the image's δ = {delta}");
        }
    }

    [Fact]
    public void Contrast_scales_distances_from_the_mean_within_its_range()
    {
        const double min = 0.5, max = 1.5;
        float[] x = Random(64, Size, 41);
        float[] y = Run(new Augmentation(H, W, C).Contrast(min, max, 1), x, 64, 42);
        for (int i = 0; i < 64; i++)
        {
            ReadOnlySpan<float> xi = x.AsSpan(i * Size, Size), yi = y.AsSpan(i * Size, Size);
            double mx = 0, my = 0;
            for (int j = 0; j < Size; j++) { mx += xi[j]; my += yi[j]; }
            mx /= Size; my /= Size;
            Assert.Equal(mx, my, 5); // the mean is kept
            // f from the largest deviation, then every value must follow it.
            int far = 0;
            for (int j = 1; j < Size; j++) if (Math.Abs(xi[j] - mx) > Math.Abs(xi[far] - mx)) far = j;
            double f = (yi[far] - my) / (xi[far] - mx);
            Assert.InRange(f, min - 1e-4, max + 1e-4);
            for (int j = 0; j < Size; j++)
                Assert.True(Math.Abs((xi[j] - mx) * f + mx - yi[j]) <= 1e-5, $"image {i}, value {j}: {yi[j]} is not ({xi[j]} − {mx})·{f} + {mx}");
        }
    }

    [Fact]
    public void Color_jitter_multiplies_each_channel_by_one_factor_within_its_range()
    {
        const double max = 0.2;
        float[] x = Random(32, Size, 51);
        for (int i = 0; i < x.Length; i++) x[i] += 0.5f; // away from zero, so the ratio is well defined
        float[] y = Run(new Augmentation(H, W, C).ColorJitter(max, 1), x, 32, 52);
        for (int i = 0; i < 32; i++)
            for (int k = 0; k < C; k++)
            {
                double f = y[At(i, 0, 0, k)] / (double)x[At(i, 0, 0, k)];
                Assert.InRange(f, 1 - max - 1e-6, 1 + max + 1e-6);
                for (int r = 0; r < H; r++)
                    for (int c = 0; c < W; c++)
                        Assert.True(Math.Abs(f - y[At(i, r, c, k)] / (double)x[At(i, r, c, k)]) <= 1e-6, $"image {i}, pixel ({r}, {c}), channel {k}: not the channel's factor {f}");
            }
    }

    [Fact]
    public void Clamp_bounds_the_output()
    {
        float[] x = Random(M, Size, 61);
        float[] y = Run(new Augmentation(H, W, C).Brightness(2, 1).GaussianNoise(0, 1).Clamp(0, 1), x, M, 62);
        foreach (float v in y) Assert.InRange(v, 0f, 1f);
    }

    private static Augmentation Everything(int h = H, int w = W, int c = C) => new Augmentation(h, w, c)
        .FlipHorizontal().FlipVertical(0.3).RandomCrop(1).Rotate(20).Scale(0.8, 1.2).Translate(0.2)
        .Brightness(0.2).Contrast(0.7, 1.3).GaussianNoise(0, 0.05, 0.5).ColorJitter(0.1).Clamp(0, 1);

    [Fact]
    public void The_same_seed_gives_the_same_batch_and_another_seed_another()
    {
        float[] x = Random(16, Size, 71);
        float[] a = Run(Everything(), x, 16, 100);
        float[] b = Run(Everything(), x, 16, 100);
        float[] c = Run(Everything(), x, 16, 101);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void The_source_is_never_modified()
    {
        float[] x = Random(16, Size, 81);
        float[] copy = (float[])x.Clone();
        Run(Everything(), x, 16, 3);
        Assert.Equal(copy, x);
    }

    [Fact]
    public void Probability_zero_leaves_images_untouched()
    {
        float[] x = Random(M, Size, 91);
        var a = new Augmentation(H, W, C)
            .FlipHorizontal(0).FlipVertical(0).RandomCrop(2, 0).Rotate(30, 0).Scale(0.5, 2, 0).Translate(0.5, 0)
            .Brightness(1, 0).Contrast(0, 3, 0).GaussianNoise(1, 1, 0).ColorJitter(1, 0);
        Assert.Equal(x, Run(a, x, M, 92));
    }

    [Fact]
    public void A_probability_applies_to_about_that_share_of_images()
    {
        const int m = 2000;
        float[] x = Random(m, Size, 93);
        float[] y = Run(new Augmentation(H, W, C).Brightness(0.5, 0.3), x, m, 94);
        int changed = 0;
        for (int i = 0; i < m; i++)
            if (y[i * Size] != x[i * Size]) changed++;
        double se = Math.Sqrt(0.3 * 0.7 / m);
        Assert.InRange(changed / (double)m, 0.3 - 4 * se, 0.3 + 4 * se);
    }

    [Fact]
    public void Apply_allocates_nothing_after_warm_up()
    {
        const int h = 16, w = 12, c = 3, warm = 8;
        Augmentation a = Everything(h, w, c);
        float[] x = Random(warm, h * w * c, 5);
        var y = new float[x.Length];
        var rng = new Rng(6);
        a.Apply(x, y, warm, ref rng);
        Assert.Equal(0, Allocations.LeastOfThree(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                a.Apply(x, y, warm, ref rng);
                a.Apply(x.AsSpan(0, 3 * h * w * c), y.AsSpan(0, 3 * h * w * c), 3, ref rng); // a smaller batch
            }
        }));
    }

    [Fact]
    public void Apply_in_place_is_allowed()
    {
        float[] x = Random(M, Size, 7);
        float[] expected = Run(Everything(), x, M, 8);
        var rng = new Rng(8);
        Everything().Apply(x, x, M, ref rng);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void Wrong_shapes_name_expected_and_actual()
    {
        var a = new Augmentation(H, W, C);
        var e = Assert.Throws<ArgumentException>(() => { var r = new Rng(1); a.Apply(new float[Size * 3], new float[Size * 2], 2, ref r); });
        Assert.Contains($"{2 * Size}", e.Message);
        Assert.Contains($"{3 * Size}", e.Message);
        e = Assert.Throws<ArgumentException>(() => { var r = new Rng(1); a.Apply(new float[Size * 2], new float[Size * 3], 2, ref r); });
        Assert.Contains("destination", e.Message);
        Assert.Contains($"{3 * Size}", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => { var r = new Rng(1); a.Apply(new float[0], new float[0], 0, ref r); });
        var p = Assert.Throws<ArgumentOutOfRangeException>(() => a.FlipHorizontal(1.5));
        Assert.Contains("1.5", p.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.RandomCrop(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Scale(1.2, 0.8));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Contrast(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.GaussianNoise(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Translate(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.ColorJitter(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Clamp(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation(0, 4, 3));
        Assert.Equal(0, a.Count); // failed calls declare nothing
    }
}
