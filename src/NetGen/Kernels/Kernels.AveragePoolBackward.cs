using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dA[s, c, y, x] = (1 / (wh·ww))·Σ dZ[s, c, oy, ox] over the windows that hold (y, x): each window shares
    /// its gradient evenly, summed where windows overlap. dZ is samples × (c·oh·ow), dA samples × (c·h·w), overwritten
    /// (0 where no window reaches).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AveragePoolBackward(ReadOnlySpan<float> dz, Span<float> da, int samples, in PoolGeometry p)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(p.Stride, nameof(p));
        RequireMatrix(dz.Length, samples, p.OutputSize, nameof(dz));
        RequireMatrix(da.Length, samples, p.InputSize, nameof(da));
        switch (PairsWidth(p))
        {
            case 16: AveragePoolBackwardPairs<Width512>(ref Ref(dz), da, samples, p); return;
            case 8: AveragePoolBackwardPairs<Width256>(ref Ref(dz), da, samples, p); return;
            case 4: AveragePoolBackwardPairs<Width128>(ref Ref(dz), da, samples, p); return;
        }
        AveragePoolBackwardDirect(dz, da, samples, p);
    }

    /// <summary><see cref="AveragePoolBackward"/> window by window: any window and stride, and the reference of the
    /// tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AveragePoolBackwardDirect(ReadOnlySpan<float> dz, Span<float> da, int samples, in PoolGeometry p)
    {
        ref float dz0 = ref Ref(dz), da0 = ref Ref(da);
        int h = p.InHeight, w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth;
        float scale = 1f / (p.WindowHeight * p.WindowWidth);
        int planes = samples * p.Channels;
        da.Slice(0, samples * p.InputSize).Clear();
        for (int plane = 0; plane < planes; plane++)
        {
            ref float daP = ref Unsafe.Add(ref da0, (nint)plane * h * w);
            ref float dzP = ref Unsafe.Add(ref dz0, (nint)plane * oh * ow);
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float share = Unsafe.Add(ref dzP, oy * ow + ox) * scale;
                    int y0 = oy * p.Stride, x0 = ox * p.Stride;
                    for (int i = 0; i < p.WindowHeight; i++)
                        for (int j = 0; j < p.WindowWidth; j++)
                            Unsafe.Add(ref daP, (y0 + i) * w + x0 + j) += share;
                }
        }
    }

    /// <summary>dA[2oy + i, 2ox + j] = dZ[oy, ox]·¼ for i, j ∈ {0, 1}, a vector of ox at a time (each value interleaved
    /// with itself gives both columns); windows that do not overlap are written, not accumulated, so only the row and
    /// column no window reaches (odd h or w) are cleared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AveragePoolBackwardPairs<TVec>(ref float dz0, Span<float> da, int samples, in PoolGeometry p)
        where TVec : struct, IVector<TVec>
    {
        int w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth, n = TVec.Count, planes = samples * p.Channels;
        if (p.InHeight != 2 * oh || w != 2 * ow) da.Slice(0, samples * p.InputSize).Clear();
        ref float da0 = ref Ref(da);
        nint inPlane = (nint)p.InHeight * w, outPlane = (nint)oh * ow;
        TVec quarter = TVec.Broadcast(0.25f);
        for (int plane = 0; plane < planes; plane++)
            for (int oy = 0; oy < oh; oy++)
            {
                ref float r0 = ref Unsafe.Add(ref da0, plane * inPlane + (nint)2 * oy * w);
                ref float r1 = ref Unsafe.Add(ref r0, w);
                ref float dzr = ref Unsafe.Add(ref dz0, plane * outPlane + (nint)oy * ow);
                for (int ox = 0; ; ox += n)
                {
                    if (ox > ow - n) ox = ow - n;
                    TVec d = TVec.Load(ref dzr, (nuint)ox) * quarter;
                    TVec.Interleave(d, d, out TVec low, out TVec high);
                    nuint at = (nuint)(2 * ox);
                    TVec.Store(low, ref r0, at); TVec.Store(high, ref r0, at + (nuint)n);
                    TVec.Store(low, ref r1, at); TVec.Store(high, ref r1, at + (nuint)n);
                    if (ox + n >= ow) break;
                }
            }
    }
}
