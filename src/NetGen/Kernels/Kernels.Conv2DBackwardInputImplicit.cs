using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dA[l-1] = dZ ⋆ W flipped for stride 1, as a forward convolution: dA[s, c, y, x] = Σ_f Σ_ky,kx
    /// W'[c, f, ky, kx]·dZpad[s, f, y + ky, x + kx] with W'[c, f, ky, kx] = W[f, c, kh − 1 − ky, kw − 1 − kx] and dZ
    /// padded by kh − 1 − padTop rows above and kw − 1 − padLeft columns left (zeros elsewhere), through
    /// <see cref="ImplicitProduct"/> sample by sample. Scratch: dZ of one sample padded, W' and the product of one
    /// sample.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv2DBackwardInputImplicit(ref float dz0, ref float w0, ref float da0, int samples,
        in ConvGeometry g, Span<float> scratch)
    {
        ConvGrid grid = BackwardInputGrid(g);
        int cIn = g.InChannels, filters = g.Filters, kh = g.KernelHeight, kw = g.KernelWidth;
        int padded = grid.PaddedLength(filters);
        ref float dzp = ref Ref(scratch);
        ref float flipped = ref Unsafe.Add(ref dzp, padded);
        ref float product = ref Unsafe.Add(ref flipped, g.WeightCount);
        if (padded > 0) scratch.Slice(0, padded).Clear();
        int taps = kh * kw;
        for (int f = 0; f < filters; f++)
            for (int c = 0; c < cIn; c++)
            {
                ref float from = ref Unsafe.Add(ref w0, ((nint)f * cIn + c) * taps);
                ref float to = ref Unsafe.Add(ref flipped, ((nint)c * filters + f) * taps);
                for (int t = 0; t < taps; t++)
                    Unsafe.Add(ref to, taps - 1 - t) = Unsafe.Add(ref from, t);
            }
        for (int s = 0; s < samples; s++)
        {
            ref float dzS = ref Unsafe.Add(ref dz0, (nint)s * g.OutputSize);
            ref float daS = ref Unsafe.Add(ref da0, (nint)s * g.InputSize);
            if (!grid.Alias) CopyIntoGrid(ref dzS, ref dzp, filters, g.OutHeight, g.OutWidth, grid);
            ref float x = ref grid.Alias ? ref dzS : ref dzp;
            ref float target = ref grid.Direct ? ref daS : ref product;
            ImplicitProduct(ref x, grid.Plane, grid.Width, ref flipped, ref flipped, false, ref target, cIn, filters,
                kh, kw, grid.Count);
            if (!grid.Direct) CopyFromGrid(ref product, ref daS, cIn, g.InHeight, g.InWidth, grid);
        }
    }
}
