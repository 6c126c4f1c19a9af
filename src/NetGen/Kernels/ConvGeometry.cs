using System;
using System.ComponentModel;

namespace NetGen;

/// <summary>
/// For generated code only, not for direct use: the sizes of one convolution, as the conv kernels
/// (<see cref="Kernels.Conv2DForward"/> and its backward kernels) read them. The input map of one sample is
/// <see cref="InChannels"/> × <see cref="InHeight"/> × <see cref="InWidth"/> (channel planes, row-major), the output
/// <see cref="Filters"/> × <see cref="OutHeight"/> × <see cref="OutWidth"/>, W is (filters, c_in, kh, kw). Output pixel
/// (oy, ox) reads input rows oy·stride − PadTop … + kh − 1 and columns ox·stride − PadLeft … + kw − 1, zeros outside.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ConvGeometry
{
    /// <summary>Checks and keeps the sizes of a convolution.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or the stride is below 1, a padding is negative or not
    /// smaller than the kernel, or a window would lie wholly in the padding.</exception>
    /// <exception cref="ArgumentException">A map or W holds more than <see cref="int.MaxValue"/> floats.</exception>
    public ConvGeometry(int inChannels, int inHeight, int inWidth, int filters, int kernelHeight, int kernelWidth,
        int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        // A padding of k or more would make the first window all zeros; PyTorch refuses it too.
        if (padTop < 0 || padTop >= kernelHeight)
            throw new ArgumentOutOfRangeException(nameof(padTop), padTop, $"must be in [0, {kernelHeight}) (kh).");
        if (padLeft < 0 || padLeft >= kernelWidth)
            throw new ArgumentOutOfRangeException(nameof(padLeft), padLeft, $"must be in [0, {kernelWidth}) (kw).");
        // The last window must start on the input: past it, it would read only padding.
        if ((long)(outHeight - 1) * stride - padTop > inHeight - 1)
            throw new ArgumentOutOfRangeException(nameof(outHeight), outHeight,
                $"{outHeight} rows of stride {stride} from row −{padTop} go past the input's {inHeight} rows.");
        if ((long)(outWidth - 1) * stride - padLeft > inWidth - 1)
            throw new ArgumentOutOfRangeException(nameof(outWidth), outWidth,
                $"{outWidth} columns of stride {stride} from column −{padLeft} go past the input's {inWidth} columns.");
        RequireCount((long)inChannels * inHeight * inWidth, "the input map");
        RequireCount((long)filters * outHeight * outWidth, "the output map");
        RequireCount((long)filters * inChannels * kernelHeight * kernelWidth, "W");
        InChannels = inChannels; InHeight = inHeight; InWidth = inWidth;
        Filters = filters; KernelHeight = kernelHeight; KernelWidth = kernelWidth;
        Stride = stride; PadTop = padTop; PadLeft = padLeft; OutHeight = outHeight; OutWidth = outWidth;
    }

    private static void RequireCount(long count, string what)
    {
        if (count > int.MaxValue)
            throw new ArgumentException($"{what} would hold {count} floats; at most {int.MaxValue} fit in a span.");
    }

    /// <summary>c_in, the channels of the input map.</summary>
    public int InChannels { get; }

    /// <summary>The input map's height.</summary>
    public int InHeight { get; }

    /// <summary>The input map's width.</summary>
    public int InWidth { get; }

    /// <summary>The number of filters: the output map's channels.</summary>
    public int Filters { get; }

    /// <summary>kh.</summary>
    public int KernelHeight { get; }

    /// <summary>kw.</summary>
    public int KernelWidth { get; }

    /// <summary>The step between two windows, down and across.</summary>
    public int Stride { get; }

    /// <summary>The zero rows above the input.</summary>
    public int PadTop { get; }

    /// <summary>The zero columns left of the input.</summary>
    public int PadLeft { get; }

    /// <summary>The output map's height.</summary>
    public int OutHeight { get; }

    /// <summary>The output map's width.</summary>
    public int OutWidth { get; }

    /// <summary>The floats of one sample's input map: c_in·h·w.</summary>
    public int InputSize => InChannels * InHeight * InWidth;

    /// <summary>The floats of one sample's output map: filters·oh·ow.</summary>
    public int OutputSize => Filters * OutHeight * OutWidth;

    /// <summary>The floats of W: filters·c_in·kh·kw.</summary>
    public int WeightCount => Filters * InChannels * KernelHeight * KernelWidth;
}
