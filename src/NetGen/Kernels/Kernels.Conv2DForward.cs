using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>The floats of scratch that the conv kernels need for <paramref name="samples"/> samples of
    /// <paramref name="g"/> (0: the direct loops need none). Generated code calls it once, at construction.</summary>
    public static int Conv2DScratchLength(in ConvGeometry g, int samples)
    {
        RequireSize(samples, nameof(samples));
        RequireGeometry(g.Stride, nameof(g));
        return 0;
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
