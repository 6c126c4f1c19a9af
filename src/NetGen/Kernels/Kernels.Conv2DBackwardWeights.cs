using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dW = (1/m)·Σ_s dZ[s] ⋆ A[s] and db = (1/m)·Σ_s Σ_oy,ox dZ[s, f, oy, ox], as <see cref="DenseBackwardWeights"/>
    /// scales: dW[f, c, ky, kx] = (1/m)·Σ_s Σ_oy,ox dZ[s, f, oy, ox]·A[s, c, oy·stride − padTop + ky,
    /// ox·stride − padLeft + kx] (A = 0 in the padding), m = <paramref name="samples"/>. A is samples × (c_in·h·w), dZ
    /// samples × (filters·oh·ow); dW (filters, c_in, kh, kw) and db (filters) are overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Conv2DBackwardWeights(ReadOnlySpan<float> a, ReadOnlySpan<float> dz, Span<float> dw,
        Span<float> db, int samples, in ConvGeometry g, Span<float> scratch)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(g.Stride, nameof(g));
        RequireMatrix(a.Length, samples, g.InputSize, nameof(a));
        RequireMatrix(dz.Length, samples, g.OutputSize, nameof(dz));
        RequireLength(dw.Length, g.WeightCount, nameof(dw));
        RequireLength(db.Length, g.Filters, nameof(db));
        RequireLength(scratch.Length, Conv2DScratchLength(g, samples), nameof(scratch));

        if (BackwardWeightsImplicit(g))
            Conv2DBackwardWeightsImplicit(ref Ref(a), ref Ref(dz), ref Ref(dw), ref Ref(db), samples, g, scratch);
        else
            Conv2DBackwardWeightsDirect(a, dz, dw, db, samples, g);
    }

    /// <summary>Whether <see cref="Conv2DBackwardWeights"/> takes the implicit product for <paramref name="g"/>.</summary>
    internal static bool BackwardWeightsImplicit(in ConvGeometry g)
        => ImplicitPays(ForwardGrid(g), g.Stride, g.Filters, g.InChannels * g.KernelHeight * g.KernelWidth);

    private static int BackwardWeightsScratch(in ConvGeometry g)
    {
        if (!BackwardWeightsImplicit(g)) return 0;
        ConvGrid grid = ForwardGrid(g);
        return grid.PaddedLength(g.InChannels) + grid.ProductLength(g.Filters);
    }

    /// <summary><see cref="Conv2DBackwardWeights"/> as direct loops, one weight at a time: the path of small maps and
    /// strides above 1, and the reference of the tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Conv2DBackwardWeightsDirect(ReadOnlySpan<float> a, ReadOnlySpan<float> dz, Span<float> dw,
        Span<float> db, int samples, in ConvGeometry g)
    {
        int cIn = g.InChannels, h = g.InHeight, wd = g.InWidth, kh = g.KernelHeight, kw = g.KernelWidth;
        int oh = g.OutHeight, ow = g.OutWidth, stride = g.Stride;
        ref float a0 = ref Ref(a), dz0 = ref Ref(dz), dw0 = ref Ref(dw), db0 = ref Ref(db);
        float scale = 1f / samples;
        for (int f = 0; f < g.Filters; f++)
        {
            float bias = 0f;
            for (int s = 0; s < samples; s++)
            {
                ref float dzF = ref Unsafe.Add(ref dz0, (nint)s * g.OutputSize + (nint)f * oh * ow);
                for (int q = 0; q < oh * ow; q++)
                    bias += Unsafe.Add(ref dzF, q);
            }
            Unsafe.Add(ref db0, f) = bias * scale;

            for (int c = 0; c < cIn; c++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                    {
                        float sum = 0f;
                        for (int s = 0; s < samples; s++)
                        {
                            ref float dzF = ref Unsafe.Add(ref dz0, (nint)s * g.OutputSize + (nint)f * oh * ow);
                            ref float aC = ref Unsafe.Add(ref a0, (nint)s * g.InputSize + (nint)c * h * wd);
                            for (int oy = 0; oy < oh; oy++)
                            {
                                int y = oy * stride - g.PadTop + ky;
                                if ((uint)y >= (uint)h) continue; // a padding row: A = 0 there
                                for (int ox = 0; ox < ow; ox++)
                                {
                                    int x = ox * stride - g.PadLeft + kx;
                                    if ((uint)x >= (uint)wd) continue;
                                    sum += Unsafe.Add(ref dzF, oy * ow + ox) * Unsafe.Add(ref aC, (nint)y * wd + x);
                                }
                            }
                        }
                        Unsafe.Add(ref dw0, (((nint)f * cIn + c) * kh + ky) * kw + kx) = sum * scale;
                    }
        }
    }
}
