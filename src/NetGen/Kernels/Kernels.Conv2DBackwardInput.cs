using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dA[l-1] = dZ ⋆ full W flipped: dA[s, c, y, x] = Σ_f Σ_ky,kx W[f, c, ky, kx]·dZ[s, f, oy, ox] over the (oy, ox) with
    /// oy·stride − padTop + ky = y and ox·stride − padLeft + kx = x, the transpose of <see cref="Conv2DForward"/>'s map
    /// from A to Z. dZ is samples × (filters·oh·ow), dA samples × (c_in·h·w), overwritten (pixels no window reads get 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Conv2DBackwardInput(ReadOnlySpan<float> dz, ReadOnlySpan<float> w, Span<float> da,
        int samples, in ConvGeometry g, Span<float> scratch)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(g.Stride, nameof(g));
        RequireMatrix(dz.Length, samples, g.OutputSize, nameof(dz));
        RequireLength(w.Length, g.WeightCount, nameof(w));
        RequireMatrix(da.Length, samples, g.InputSize, nameof(da));
        RequireLength(scratch.Length, Conv2DScratchLength(g, samples), nameof(scratch));

        if (BackwardInputImplicit(g))
            Conv2DBackwardInputImplicit(ref Ref(dz), ref Ref(w), ref Ref(da), samples, g, scratch);
        else
            Conv2DBackwardInputDirect(dz, w, da, samples, g);
    }

    /// <summary>Whether <see cref="Conv2DBackwardInput"/> takes the implicit product for <paramref name="g"/>.</summary>
    internal static bool BackwardInputImplicit(in ConvGeometry g)
        => ImplicitPays(BackwardInputGrid(g), g.Stride, g.InChannels, g.Filters * g.KernelHeight * g.KernelWidth);

    private static int BackwardInputScratch(in ConvGeometry g)
    {
        if (!BackwardInputImplicit(g)) return 0;
        ConvGrid grid = BackwardInputGrid(g);
        return grid.PaddedLength(g.Filters) + g.WeightCount + grid.ProductLength(g.InChannels);
    }

    /// <summary><see cref="Conv2DBackwardInput"/> as direct loops, each dZ value scattered over its window: the path of
    /// small maps and strides above 1, and the reference of the tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Conv2DBackwardInputDirect(ReadOnlySpan<float> dz, ReadOnlySpan<float> w, Span<float> da,
        int samples, in ConvGeometry g)
    {
        int cIn = g.InChannels, h = g.InHeight, wd = g.InWidth, kh = g.KernelHeight, kw = g.KernelWidth;
        int oh = g.OutHeight, ow = g.OutWidth, stride = g.Stride;
        ref float dz0 = ref Ref(dz), w0 = ref Ref(w), da0 = ref Ref(da);
        da.Slice(0, samples * g.InputSize).Clear();
        // Scattered: each dZ value adds its window's weights to the pixels that window read.
        for (int s = 0; s < samples; s++)
        {
            ref float daS = ref Unsafe.Add(ref da0, (nint)s * g.InputSize);
            ref float dzS = ref Unsafe.Add(ref dz0, (nint)s * g.OutputSize);
            for (int f = 0; f < g.Filters; f++)
                for (int oy = 0; oy < oh; oy++)
                {
                    int y0 = oy * stride - g.PadTop;
                    int kyFrom = Math.Max(0, -y0), kyTo = Math.Min(kh, h - y0);
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int x0 = ox * stride - g.PadLeft;
                        int kxFrom = Math.Max(0, -x0), kxTo = Math.Min(kw, wd - x0);
                        float d = Unsafe.Add(ref dzS, ((nint)f * oh + oy) * ow + ox);
                        for (int c = 0; c < cIn; c++)
                        {
                            ref float daC = ref Unsafe.Add(ref daS, (nint)c * h * wd);
                            ref float wC = ref Unsafe.Add(ref w0, ((nint)f * cIn + c) * kh * kw);
                            for (int ky = kyFrom; ky < kyTo; ky++)
                                for (int kx = kxFrom; kx < kxTo; kx++)
                                    Unsafe.Add(ref daC, (nint)(y0 + ky) * wd + x0 + kx) += d * Unsafe.Add(ref wC, ky * kw + kx);
                        }
                    }
                }
        }
    }
}
