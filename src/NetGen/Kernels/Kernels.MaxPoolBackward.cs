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
}
