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
}
