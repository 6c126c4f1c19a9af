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
        if (p.WindowHeight == 2 && p.WindowWidth == 2 && p.Stride == 2)
            MaxPoolBackwardPairs(ref Ref(a), ref Ref(dz), da, samples, p);
        else
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
    /// <see cref="MaxPoolBackward"/> for 2 × 2 windows of stride 2, which do not overlap: each window's four values are
    /// written at once (dZ where the first maximum is, in the order (0, 0), (0, 1), (1, 0), (1, 1), else 0), so dA is
    /// not cleared first except for the row and column no window reaches (odd h or w). Scalar: the four compares are
    /// cheap next to the call-per-window of the general loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPoolBackwardPairs(ref float a0, ref float dz0, Span<float> da, int samples, in PoolGeometry p)
    {
        int w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth, planes = samples * p.Channels;
        if (p.InHeight != 2 * oh || w != 2 * ow) da.Slice(0, samples * p.InputSize).Clear();
        ref float da0 = ref Ref(da);
        nint inPlane = (nint)p.InHeight * w, outPlane = (nint)oh * ow;
        for (int plane = 0; plane < planes; plane++)
            for (int oy = 0; oy < oh; oy++)
            {
                nint row = plane * inPlane + (nint)2 * oy * w;
                ref float a00 = ref Unsafe.Add(ref a0, row), d00 = ref Unsafe.Add(ref da0, row);
                ref float dzr = ref Unsafe.Add(ref dz0, plane * outPlane + (nint)oy * ow);
                for (int ox = 0; ox < ow; ox++)
                {
                    int x = 2 * ox;
                    float v00 = Unsafe.Add(ref a00, x), v01 = Unsafe.Add(ref a00, x + 1);
                    float v10 = Unsafe.Add(ref a00, x + w), v11 = Unsafe.Add(ref a00, x + w + 1);
                    // The first maximum in row-major order, strictly greater to move on, as WindowMaximum picks it.
                    int best = 0; float max = v00;
                    if (v01 > max) { max = v01; best = 1; }
                    if (v10 > max) { max = v10; best = 2; }
                    if (v11 > max) best = 3;
                    float d = Unsafe.Add(ref dzr, ox);
                    Unsafe.Add(ref d00, x) = best == 0 ? d : 0f;
                    Unsafe.Add(ref d00, x + 1) = best == 1 ? d : 0f;
                    Unsafe.Add(ref d00, x + w) = best == 2 ? d : 0f;
                    Unsafe.Add(ref d00, x + w + 1) = best == 3 ? d : 0f;
                }
            }
    }
}
