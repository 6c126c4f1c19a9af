using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// Issue 11, hardening: every <see cref="Augmentation"/> parameter is bounded, so that a finite double that overflows a
/// float (Brightness(1e300)) is refused with its range, and no valid setting turns finite pixels into ∞ or NaN.
/// </summary>
public sealed class AugmentationRangeTests
{
    private const int H = 6, W = 5, C = 3, Size = H * W * C;

    [Fact]
    public void Brightness_1e300_is_refused_with_its_range()
    {
        // The issue: Brightness(1e300) was accepted, and (float)δ = ±∞ made every pixel ±∞.
        var a = new Augmentation(H, W, C);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => a.Brightness(1e300, 1));
        Assert.Equal("maxDelta", e.ParamName);
        Assert.Contains("[0, 1000000]", e.Message);
        Assert.Equal(0, a.Count);
    }

    public static TheoryData<string, string> Overflowing()
    {
        // Every double parameter of every factory, at a finite value beyond float (or beyond its range), one at a time.
        return new TheoryData<string, string>
        {
            { "Brightness(maxDelta)", "maxDelta" },
            { "GaussianNoise(mean)", "mean" },
            { "GaussianNoise(-mean)", "mean" },
            { "GaussianNoise(deviation)", "deviation" },
            { "Contrast(min)", "min" },
            { "Contrast(max)", "max" },
            { "Scale(min)", "min" },
            { "Scale(max)", "max" },
            { "Scale(tiny min)", "min" },
            { "Rotate(maxDegrees)", "maxDegrees" },
            { "Translate(maxFraction)", "maxFraction" },
            { "ColorJitter(maxPerChannel)", "maxPerChannel" },
            { "FlipHorizontal(probability)", "probability" },
            { "Brightness(probability)", "probability" },
            { "Clamp(+inf, +inf)", "min" },
            { "Clamp(-inf, -inf)", "max" },
        };
    }

    [Theory]
    [MemberData(nameof(Overflowing))]
    public void Every_parameter_refuses_a_value_beyond_its_range(string call, string parameter)
    {
        const double huge = 1e300;
        var a = new Augmentation(H, W, C);
        Action act = call switch
        {
            "Brightness(maxDelta)" => () => a.Brightness(huge),
            "GaussianNoise(mean)" => () => a.GaussianNoise(huge, 1),
            "GaussianNoise(-mean)" => () => a.GaussianNoise(-huge, 1),
            "GaussianNoise(deviation)" => () => a.GaussianNoise(0, huge),
            "Contrast(min)" => () => a.Contrast(huge, huge),
            "Contrast(max)" => () => a.Contrast(1, huge),
            "Scale(min)" => () => a.Scale(huge, huge),
            "Scale(max)" => () => a.Scale(1, huge),
            "Scale(tiny min)" => () => a.Scale(5e-324, 1), // 1/5e-324 = ∞: NaN pixels from the resampling
            "Rotate(maxDegrees)" => () => a.Rotate(huge),
            "Translate(maxFraction)" => () => a.Translate(huge),
            "ColorJitter(maxPerChannel)" => () => a.ColorJitter(huge),
            "FlipHorizontal(probability)" => () => a.FlipHorizontal(huge),
            "Brightness(probability)" => () => a.Brightness(0.1, huge),
            "Clamp(+inf, +inf)" => () => a.Clamp(float.PositiveInfinity, float.PositiveInfinity),
            "Clamp(-inf, -inf)" => () => a.Clamp(float.NegativeInfinity, float.NegativeInfinity),
            _ => throw new ArgumentException(call),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(act);
        Assert.Equal(parameter, e.ParamName);
        Assert.Matches(@"\[[^\])]*[\])]|above|below", e.Message); // the message states the range
        Assert.Equal(0, a.Count);
    }

    /// <summary>Each transform at the edges of its ranges, on images whose values reach ±10²⁰: every output is finite.</summary>
    [Fact]
    public void Valid_settings_at_their_limits_keep_finite_pixels_finite()
    {
        const int m = 8;
        var rng = new Rng(5);
        var x = new float[m * Size];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % 7 == 0 ? (i % 2 == 0 ? 1e20f : -1e20f) : rng.NextSingle() * 255f;
        Func<Augmentation, Augmentation>[] settings =
        [
            a => a.Brightness(Augmentation.MaxShift, 1),
            a => a.GaussianNoise(Augmentation.MaxShift, Augmentation.MaxShift, 1),
            a => a.GaussianNoise(-Augmentation.MaxShift, 0, 1),
            a => a.Contrast(0, Augmentation.MaxContrast, 1),
            a => a.Contrast(Augmentation.MaxContrast, Augmentation.MaxContrast, 1),
            a => a.Scale(Augmentation.MinScale, Augmentation.MinScale, 1),
            a => a.Scale(Augmentation.MaxScale, Augmentation.MaxScale, 1),
            a => a.Scale(Augmentation.MinScale, Augmentation.MaxScale, 1),
            a => a.Rotate(180, 1),
            a => a.Translate(0.99, 1),
            a => a.RandomCrop(Math.Max(H, W), 1),
            a => a.ColorJitter(1, 1),
            a => a.FlipHorizontal(1).FlipVertical(1),
            a => a.Clamp(float.NegativeInfinity, 1),
            a => a.Clamp(-1, float.PositiveInfinity),
            a => a.Clamp(-float.MaxValue, float.MaxValue),
        ];
        for (int s = 0; s < settings.Length; s++)
        {
            Augmentation a = settings[s](new Augmentation(H, W, C));
            var y = new float[x.Length];
            var r = new Rng((ulong)s + 1);
            a.Apply(x, y, m, ref r);
            for (int i = 0; i < y.Length; i++)
                Assert.True(float.IsFinite(y[i]), $"setting {s}: y[{i}] = {y[i]}");
        }
    }

    [Fact]
    public void The_limits_themselves_are_accepted()
    {
        var a = new Augmentation(H, W, C)
            .Brightness(Augmentation.MaxShift)
            .GaussianNoise(-Augmentation.MaxShift, Augmentation.MaxShift)
            .Contrast(Augmentation.MaxContrast, Augmentation.MaxContrast)
            .Scale(Augmentation.MinScale, Augmentation.MaxScale)
            .Clamp(float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal(4, a.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Brightness(Math.BitIncrement(Augmentation.MaxShift)));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Scale(Math.BitDecrement(Augmentation.MinScale), 1));
    }
}
