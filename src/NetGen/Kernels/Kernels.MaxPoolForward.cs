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
            case 16: MaxPoolPairs<Width512>(ref Ref(a), ref Ref(z), samples, p); return;
            case 8: MaxPoolPairs<Width256>(ref Ref(a), ref Ref(z), samples, p); return;
            case 4: MaxPoolPairs<Width128>(ref Ref(a), ref Ref(z), samples, p); return;
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

    /// <summary>
    /// The floats per vector of the 2 × 2, stride-2 pool kernels for <paramref name="p"/>: the widest accelerated width
    /// no wider than a row of the output (a vector of outputs reads two vectors of each of two input rows); 0 for other
    /// windows or strides, or with no vectors on this machine (window by window then).
    /// </summary>
    internal static int PairsWidth(in PoolGeometry p)
    {
        if (p.WindowHeight != 2 || p.WindowWidth != 2 || p.Stride != 2) return 0;
        int ow = p.OutWidth;
        return Width512.IsAccelerated && ow >= Width512.Count ? Width512.Count
            : Width256.IsAccelerated && ow >= Width256.Count ? Width256.Count
            : Width128.IsAccelerated && ow >= Width128.Count ? Width128.Count
            : 0;
    }

    /// <summary>Z[oy, ox] = max(A[2oy, 2ox], A[2oy, 2ox + 1], A[2oy + 1, 2ox], A[2oy + 1, 2ox + 1]) a vector of ox at a
    /// time: the two rows' maximum, then its even and odd lanes split apart and their maximum. The last vector of a row
    /// overlaps the one before (same values stored again).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPoolPairs<TVec>(ref float a0, ref float z0, int samples, in PoolGeometry p)
        where TVec : struct, IVector<TVec>
    {
        int w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth, n = TVec.Count, planes = samples * p.Channels;
        nint inPlane = (nint)p.InHeight * w, outPlane = (nint)oh * ow;
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
                    TVec lo = TVec.Max(TVec.Load(ref r0, at), TVec.Load(ref r1, at));
                    TVec hi = TVec.Max(TVec.Load(ref r0, at + (nuint)n), TVec.Load(ref r1, at + (nuint)n));
                    TVec.Deinterleave(lo, hi, out TVec even, out TVec odd);
                    TVec.Store(TVec.Max(even, odd), ref zr, (nuint)ox);
                    if (ox + n >= ow) break;
                }
            }
    }
}
