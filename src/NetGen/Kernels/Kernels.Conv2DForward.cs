using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// The floats of scratch that the conv kernels need for <paramref name="samples"/> samples of <paramref name="g"/>
    /// on this machine: the most any of <see cref="Conv2DForward"/>, <see cref="Conv2DBackwardWeights"/> and
    /// <see cref="Conv2DBackwardInput"/> uses (a padded copy of one sample's map and one sample's product; the same
    /// for any number of samples), 0 where all three take the direct loops. Generated code calls it once, at
    /// construction, and gives the three kernels one buffer.
    /// </summary>
    public static int Conv2DScratchLength(in ConvGeometry g, int samples)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(g.Stride, nameof(g));
        return Math.Max(ForwardScratch(g), Math.Max(BackwardWeightsScratch(g), BackwardInputScratch(g)));
    }

    /// <summary>Whether <see cref="Conv2DForward"/> takes the implicit product for <paramref name="g"/>.</summary>
    internal static bool ForwardImplicit(in ConvGeometry g)
        => ImplicitPays(ForwardGrid(g), g.Stride, g.Filters, g.InChannels * g.KernelHeight * g.KernelWidth);

    private static int ForwardScratch(in ConvGeometry g) => ForwardImplicit(g) ? ImplicitForwardLength(g) : 0;

    /// <summary>The scratch of the implicit forward product for <paramref name="g"/>, whether or not it pays.</summary>
    internal static int ImplicitForwardLength(in ConvGeometry g)
    {
        ConvGrid grid = ForwardGrid(g);
        return grid.PaddedLength(g.InChannels) + grid.ProductLength(g.Filters);
    }

    /// <summary>
    /// Z = W ⋆ A + b: Z[s, f, oy, ox] = b[f] + Σ_c Σ_ky Σ_kx W[f, c, ky, kx]·A[s, c, oy·stride − padTop + ky,
    /// ox·stride − padLeft + kx], with A = 0 outside the map (padding). A is samples × (c_in·h·w), Z samples ×
    /// (filters·oh·ow), both channel planes per sample; W is (filters, c_in, kh, kw), b (filters). Z is overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Conv2DForward(ReadOnlySpan<float> a, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> z,
        int samples, in ConvGeometry g, Span<float> scratch)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(g.Stride, nameof(g));
        RequireMatrix(a.Length, samples, g.InputSize, nameof(a));
        RequireLength(w.Length, g.WeightCount, nameof(w));
        RequireLength(b.Length, g.Filters, nameof(b));
        RequireMatrix(z.Length, samples, g.OutputSize, nameof(z));
        RequireLength(scratch.Length, Conv2DScratchLength(g, samples), nameof(scratch));

        if (ForwardImplicit(g))
            Conv2DForwardImplicit(ref Ref(a), ref Ref(w), ref Ref(b), ref Ref(z), samples, g, scratch);
        else
            Conv2DForwardDirect(a, w, b, z, samples, g);
    }

    /// <summary><see cref="Conv2DForward"/> as direct loops, one output at a time: the path of small maps and strides
    /// above 1, and the reference of the tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Conv2DForwardDirect(ReadOnlySpan<float> a, ReadOnlySpan<float> w, ReadOnlySpan<float> b,
        Span<float> z, int samples, in ConvGeometry g)
    {
        int cIn = g.InChannels, h = g.InHeight, wd = g.InWidth, kh = g.KernelHeight, kw = g.KernelWidth;
        int oh = g.OutHeight, ow = g.OutWidth, stride = g.Stride;
        ref float a0 = ref Ref(a), w0 = ref Ref(w), b0 = ref Ref(b), z0 = ref Ref(z);
        for (int s = 0; s < samples; s++)
        {
            ref float aS = ref Unsafe.Add(ref a0, (nint)s * g.InputSize);
            ref float zS = ref Unsafe.Add(ref z0, (nint)s * g.OutputSize);
            for (int f = 0; f < g.Filters; f++)
            {
                ref float wF = ref Unsafe.Add(ref w0, (nint)f * cIn * kh * kw);
                for (int oy = 0; oy < oh; oy++)
                {
                    int y0 = oy * stride - g.PadTop;
                    // The kernel rows that land on the map: the rest read padding, which adds nothing.
                    int kyFrom = Math.Max(0, -y0), kyTo = Math.Min(kh, h - y0);
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int x0 = ox * stride - g.PadLeft;
                        int kxFrom = Math.Max(0, -x0), kxTo = Math.Min(kw, wd - x0);
                        float sum = Unsafe.Add(ref b0, f);
                        for (int c = 0; c < cIn; c++)
                        {
                            ref float aC = ref Unsafe.Add(ref aS, (nint)c * h * wd);
                            ref float wC = ref Unsafe.Add(ref wF, (nint)c * kh * kw);
                            for (int ky = kyFrom; ky < kyTo; ky++)
                                for (int kx = kxFrom; kx < kxTo; kx++)
                                    sum += Unsafe.Add(ref wC, ky * kw + kx)
                                        * Unsafe.Add(ref aC, (nint)(y0 + ky) * wd + x0 + kx);
                        }
                        Unsafe.Add(ref zS, ((nint)f * oh + oy) * ow + ox) = sum;
                    }
                }
            }
        }
    }

    /// <summary>Throws unless a geometry was built by its constructor (a default one has stride 0).</summary>
    internal static void RequireGeometry(int stride, string name)
    {
        if (stride < 1)
            throw new ArgumentException(
                $"{name} must be built by its constructor (a default geometry has stride 0); found stride {stride}.", name);
    }
}
