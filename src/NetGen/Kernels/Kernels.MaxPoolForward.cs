using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Z[s, c, oy, ox] = max over the window A[s, c, oy·stride + i, ox·stride + j], 0 ≤ i &lt; window height,
    /// 0 ≤ j &lt; window width. A is samples × (c·h·w), Z samples × (c·oh·ow), channel planes per sample; Z is
    /// overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPoolForward(ReadOnlySpan<float> a, Span<float> z, int samples, in PoolGeometry p)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(p.Stride, nameof(p));
        RequireMatrix(a.Length, samples, p.InputSize, nameof(a));
        RequireMatrix(z.Length, samples, p.OutputSize, nameof(z));
        switch (PairsWidth(p))
        {
            case 16: PoolPairs<Width512, MaxOfPair>(ref Ref(a), ref Ref(z), samples, p); return;
            case 8: PoolPairs<Width256, MaxOfPair>(ref Ref(a), ref Ref(z), samples, p); return;
            case 4: PoolPairs<Width128, MaxOfPair>(ref Ref(a), ref Ref(z), samples, p); return;
        }
        MaxPoolForwardDirect(a, z, samples, p);
    }

    /// <summary><see cref="MaxPoolForward"/> window by window: any window and stride, and the reference of the tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaxPoolForwardDirect(ReadOnlySpan<float> a, Span<float> z, int samples, in PoolGeometry p)
    {
        ref float a0 = ref Ref(a), z0 = ref Ref(z);
        int h = p.InHeight, w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth;
        int planes = samples * p.Channels;
        for (int plane = 0; plane < planes; plane++)
        {
            ref float aP = ref Unsafe.Add(ref a0, (nint)plane * h * w);
            ref float zP = ref Unsafe.Add(ref z0, (nint)plane * oh * ow);
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    Unsafe.Add(ref zP, oy * ow + ox) = Unsafe.Add(ref aP, WindowMaximum(ref aP, oy, ox, p));
        }
    }

    /// <summary>The offset in its plane of the first maximum, in row-major order, of window (oy, ox): the one that gets
    /// the gradient. NaN compares false, so a NaN is passed over unless it is the window's first value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WindowMaximum(ref float plane, int oy, int ox, in PoolGeometry p)
    {
        int y0 = oy * p.Stride, x0 = ox * p.Stride, w = p.InWidth;
        int best = y0 * w + x0;
        float max = Unsafe.Add(ref plane, best);
        for (int i = 0; i < p.WindowHeight; i++)
            for (int j = 0; j < p.WindowWidth; j++)
            {
                int at = (y0 + i) * w + x0 + j;
                float v = Unsafe.Add(ref plane, at);
                if (v > max) { max = v; best = at; } // strictly greater: a tie keeps the first
            }
        return best;
    }
}
