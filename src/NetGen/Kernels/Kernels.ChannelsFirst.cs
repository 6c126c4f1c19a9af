using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>A0[s, c, y, x] = X[s, y, x, c]: the input's samples (height × width × channels, row-major, the contract)
    /// as channel planes, the layout of the conv and pool kernels. A0 is overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ChannelsFirst(ReadOnlySpan<float> x, Span<float> a0, int samples, int height, int width,
        int channels)
    {
        RequireSize(samples, nameof(samples)); RequireSize(height, nameof(height));
        RequireSize(width, nameof(width)); RequireSize(channels, nameof(channels));
        long size = (long)height * width * channels;
        if (size > int.MaxValue)
            throw new ArgumentException($"a sample of {height} × {width} × {channels} = {size} floats does not fit in a span.");
        RequireMatrix(x.Length, samples, (int)size, nameof(x));
        RequireMatrix(a0.Length, samples, (int)size, nameof(a0));
        ref float x0 = ref Ref(x), d0 = ref Ref(a0);
        int pixels = height * width, n = (int)size;
        for (int s = 0; s < samples; s++)
        {
            ref float xS = ref Unsafe.Add(ref x0, (nint)s * n);
            ref float dS = ref Unsafe.Add(ref d0, (nint)s * n);
            for (int q = 0; q < pixels; q++)
                for (int c = 0; c < channels; c++)
                    Unsafe.Add(ref dS, (nint)c * pixels + q) = Unsafe.Add(ref xS, (nint)q * channels + c);
        }
    }
}
