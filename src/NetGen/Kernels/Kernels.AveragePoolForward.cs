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
            case 16: PoolPairs<Width512, MeanOfPair>(ref Ref(a), ref Ref(z), samples, p); return;
            case 8: PoolPairs<Width256, MeanOfPair>(ref Ref(a), ref Ref(z), samples, p); return;
            case 4: PoolPairs<Width128, MeanOfPair>(ref Ref(a), ref Ref(z), samples, p); return;
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
}
