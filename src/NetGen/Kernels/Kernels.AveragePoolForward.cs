using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Z[s, c, oy, ox] = (1 / (wh·ww))·Σ_i,j A[s, c, oy·stride + i, ox·stride + j] over the window of wh × ww.
    /// A is samples × (c·h·w), Z samples × (c·oh·ow), channel planes per sample; Z is overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AveragePoolForward(ReadOnlySpan<float> a, Span<float> z, int samples, in PoolGeometry p)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(p.Stride, nameof(p));
        RequireMatrix(a.Length, samples, p.InputSize, nameof(a));
        RequireMatrix(z.Length, samples, p.OutputSize, nameof(z));
        switch (PairsWidth(p))
        {
            case 16: AveragePoolPairs<Width512>(ref Ref(a), ref Ref(z), samples, p); return;
            case 8: AveragePoolPairs<Width256>(ref Ref(a), ref Ref(z), samples, p); return;
            case 4: AveragePoolPairs<Width128>(ref Ref(a), ref Ref(z), samples, p); return;
        }
        AveragePoolForwardDirect(a, z, samples, p);
    }

    /// <summary><see cref="AveragePoolForward"/> window by window: any window and stride, and the reference of the
    /// tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AveragePoolForwardDirect(ReadOnlySpan<float> a, Span<float> z, int samples, in PoolGeometry p)
    {
        ref float a0 = ref Ref(a), z0 = ref Ref(z);
        int h = p.InHeight, w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth;
        float scale = 1f / (p.WindowHeight * p.WindowWidth);
        int planes = samples * p.Channels;
        for (int plane = 0; plane < planes; plane++)
        {
            ref float aP = ref Unsafe.Add(ref a0, (nint)plane * h * w);
            ref float zP = ref Unsafe.Add(ref z0, (nint)plane * oh * ow);
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float sum = 0f;
                    int y0 = oy * p.Stride, x0 = ox * p.Stride;
                    for (int i = 0; i < p.WindowHeight; i++)
                        for (int j = 0; j < p.WindowWidth; j++)
                            sum += Unsafe.Add(ref aP, (y0 + i) * w + x0 + j);
                    Unsafe.Add(ref zP, oy * ow + ox) = sum * scale;
                }
        }
    }

    /// <summary>Z[oy, ox] = ((A[2oy, 2ox] + A[2oy + 1, 2ox]) + (A[2oy, 2ox + 1] + A[2oy + 1, 2ox + 1]))·¼ a vector of ox
    /// at a time, as <see cref="MaxPoolPairs"/> does with max.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AveragePoolPairs<TVec>(ref float a0, ref float z0, int samples, in PoolGeometry p)
        where TVec : struct, IVector<TVec>
    {
        int w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth, n = TVec.Count, planes = samples * p.Channels;
        nint inPlane = (nint)p.InHeight * w, outPlane = (nint)oh * ow;
        TVec quarter = TVec.Broadcast(0.25f);
        for (int plane = 0; plane < planes; plane++)
            for (int oy = 0; oy < oh; oy++)
            {
                ref float r0 = ref Unsafe.Add(ref a0, plane * inPlane + (nint)2 * oy * w);
                ref float r1 = ref Unsafe.Add(ref r0, w);
                ref float zr = ref Unsafe.Add(ref z0, plane * outPlane + (nint)oy * ow);
                for (int ox = 0; ; ox += n)
                {
                    if (ox > ow - n) ox = ow - n;
                    nuint at = (nuint)(2 * ox);
                    TVec lo = TVec.Load(ref r0, at) + TVec.Load(ref r1, at);
                    TVec hi = TVec.Load(ref r0, at + (nuint)n) + TVec.Load(ref r1, at + (nuint)n);
                    TVec.Deinterleave(lo, hi, out TVec even, out TVec odd);
                    TVec.Store((even + odd) * quarter, ref zr, (nuint)ox);
                    if (ox + n >= ow) break;
                }
            }
    }
}
