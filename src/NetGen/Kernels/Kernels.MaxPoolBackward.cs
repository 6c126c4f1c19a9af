using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>dA[s, c, y, x] = Σ over the windows whose first maximum (row-major) is A[s, c, y, x] of their
    /// dZ[s, c, oy, ox]: each window's gradient goes whole to the value <see cref="MaxPoolForward"/> picked, summed where
    /// overlapping windows pick the same one. A and dA are samples × (c·h·w), dZ samples × (c·oh·ow); dA is
    /// overwritten (0 where no window's maximum is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPoolBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> dz, Span<float> da, int samples,
        in PoolGeometry p)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(p.Stride, nameof(p));
        RequireMatrix(a.Length, samples, p.InputSize, nameof(a));
        RequireMatrix(dz.Length, samples, p.OutputSize, nameof(dz));
        RequireMatrix(da.Length, samples, p.InputSize, nameof(da));
        switch (PairsWidth(p))
        {
            case 16: MaxPoolBackwardPairs<Width512>(ref Ref(a), ref Ref(dz), da, samples, p); return;
            case 8: MaxPoolBackwardPairs<Width256>(ref Ref(a), ref Ref(dz), da, samples, p); return;
            case 4: MaxPoolBackwardPairs<Width128>(ref Ref(a), ref Ref(dz), da, samples, p); return;
        }
        MaxPoolBackwardDirect(a, dz, da, samples, p);
    }

    /// <summary><see cref="MaxPoolBackward"/> window by window: any window and stride, and the reference of the
    /// tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaxPoolBackwardDirect(ReadOnlySpan<float> a, ReadOnlySpan<float> dz, Span<float> da,
        int samples, in PoolGeometry p)
    {
        ref float a0 = ref Ref(a), dz0 = ref Ref(dz), da0 = ref Ref(da);
        int h = p.InHeight, w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth;
        int planes = samples * p.Channels;
        da.Slice(0, samples * p.InputSize).Clear();
        for (int plane = 0; plane < planes; plane++)
        {
            ref float aP = ref Unsafe.Add(ref a0, (nint)plane * h * w);
            ref float daP = ref Unsafe.Add(ref da0, (nint)plane * h * w);
            ref float dzP = ref Unsafe.Add(ref dz0, (nint)plane * oh * ow);
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    Unsafe.Add(ref daP, WindowMaximum(ref aP, oy, ox, p)) += Unsafe.Add(ref dzP, oy * ow + ox);
        }
    }

    /// <summary>
    /// <see cref="MaxPoolBackward"/> for 2 × 2 windows of stride 2, which do not overlap, a vector of windows at a time:
    /// each window's four values split into four vectors (even and odd lanes of its two rows), their maximum m, then
    /// the masks of the first value equal to m in the order (0, 0), (0, 1), (1, 0), (1, 1) (the last takes what the
    /// first three did not), dZ masked by each and interleaved back. Written, not accumulated: only the row and column
    /// no window reaches (odd h or w) are cleared. The last vector of a row overlaps the one before (same values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPoolBackwardPairs<TVec>(ref float a0, ref float dz0, Span<float> da, int samples,
        in PoolGeometry p)
        where TVec : struct, IVector<TVec>
    {
        int w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth, n = TVec.Count, planes = samples * p.Channels;
        if (p.InHeight != 2 * oh || w != 2 * ow) da.Slice(0, samples * p.InputSize).Clear();
        ref float da0 = ref Ref(da);
        nint inPlane = (nint)p.InHeight * w, outPlane = (nint)oh * ow;
        TVec all = TVec.Equal(default, default);
        for (int plane = 0; plane < planes; plane++)
            for (int oy = 0; oy < oh; oy++)
            {
                nint row = plane * inPlane + (nint)2 * oy * w;
                ref float r0 = ref Unsafe.Add(ref a0, row);
                ref float r1 = ref Unsafe.Add(ref r0, w);
                ref float d0 = ref Unsafe.Add(ref da0, row);
                ref float d1 = ref Unsafe.Add(ref d0, w);
                ref float dzr = ref Unsafe.Add(ref dz0, plane * outPlane + (nint)oy * ow);
                for (int ox = 0; ; ox += n)
                {
                    if (ox > ow - n) ox = ow - n;
                    nuint at = (nuint)(2 * ox), next = at + (nuint)n;
                    TVec.Deinterleave(TVec.Load(ref r0, at), TVec.Load(ref r0, next), out TVec v00, out TVec v01);
                    TVec.Deinterleave(TVec.Load(ref r1, at), TVec.Load(ref r1, next), out TVec v10, out TVec v11);
                    TVec m = TVec.Max(TVec.Max(v00, v01), TVec.Max(v10, v11));
                    TVec t00 = TVec.Equal(v00, m);
                    TVec t01 = TVec.AndNot(TVec.Equal(v01, m), t00);
                    TVec t10 = TVec.AndNot(TVec.AndNot(TVec.Equal(v10, m), t00), t01);
                    TVec t11 = TVec.AndNot(TVec.AndNot(TVec.AndNot(all, t00), t01), t10);
                    TVec d = TVec.Load(ref dzr, (nuint)ox);
                    TVec.Interleave(d & t00, d & t01, out TVec low, out TVec high);
                    TVec.Store(low, ref d0, at); TVec.Store(high, ref d0, next);
                    TVec.Interleave(d & t10, d & t11, out low, out high);
                    TVec.Store(low, ref d1, at); TVec.Store(high, ref d1, next);
                    if (ox + n >= ow) break;
                }
            }
    }
}
