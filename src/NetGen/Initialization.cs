using System;
using System.ComponentModel;

namespace NetGen;

/// <summary>For generated code only, not for direct use: fills a weight matrix W[l] of shape (n[l], n[l-1]) as an
/// <see cref="Init"/> asks. Public because a generated network's constructor calls it; hidden from IntelliSense (choose
/// the initialisation with <see cref="DenseAttribute.Init"/> and the seed with <see cref="NetworkAttribute.Seed"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Initialization
{
    /// <summary>
    /// Zeros: W = 0. Normal: W = randn × scale. LeCun: W = randn / √n[l-1]. Glorot: W = randn·√(2/(n[l-1]+n[l])).
    /// He: W = randn·√(2/n[l-1]). Draws come from <paramref name="rng"/> in row-major order.
    /// </summary>
    public static void Fill(Span<float> W, Init init, int fanIn, int fanOut, float scale, ref Rng rng)
    {
        double deviation = init switch
        {
            Init.Zeros => 0.0,
            Init.Normal => scale,
            Init.LeCun => 1.0 / Math.Sqrt(fanIn),
            Init.Glorot => Math.Sqrt(2.0 / (fanIn + fanOut)),
            Init.He => Math.Sqrt(2.0 / fanIn),
            _ => throw new ArgumentOutOfRangeException(nameof(init), init, "no such initialisation"),
        };
        if (deviation == 0.0)
            W.Clear();
        else
            rng.FillGaussian(W, deviation);
    }
}
