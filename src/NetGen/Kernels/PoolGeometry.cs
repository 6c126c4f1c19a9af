using System;
using System.ComponentModel;

namespace NetGen;

/// <summary>
/// For generated code only, not for direct use: the sizes of one pooling layer, as the pool kernels
/// (<see cref="Kernels.MaxPoolForward"/>, <see cref="Kernels.AveragePoolForward"/> and their backward kernels) read them.
/// One sample's input map is <see cref="Channels"/> × <see cref="InHeight"/> × <see cref="InWidth"/> (channel planes,
/// row-major), its output <see cref="Channels"/> × <see cref="OutHeight"/> × <see cref="OutWidth"/>; output pixel
/// (oy, ox) pools rows oy·stride … + window height − 1 and columns ox·stride … + window width − 1, all inside the map.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct PoolGeometry
{
    /// <summary>Checks and keeps the sizes of a pooling layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or the stride is below 1, or a window would reach past the
    /// map.</exception>
    /// <exception cref="ArgumentException">A map holds more than <see cref="int.MaxValue"/> floats.</exception>
    public PoolGeometry(int channels, int inHeight, int inWidth, int windowHeight, int windowWidth, int stride,
        int outHeight, int outWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        if ((long)(outHeight - 1) * stride + windowHeight > inHeight)
            throw new ArgumentOutOfRangeException(nameof(outHeight), outHeight,
                $"{outHeight} windows of {windowHeight} rows every {stride} need {(long)(outHeight - 1) * stride + windowHeight} rows; the map has {inHeight}.");
        if ((long)(outWidth - 1) * stride + windowWidth > inWidth)
            throw new ArgumentOutOfRangeException(nameof(outWidth), outWidth,
                $"{outWidth} windows of {windowWidth} columns every {stride} need {(long)(outWidth - 1) * stride + windowWidth} columns; the map has {inWidth}.");
        if ((long)channels * inHeight * inWidth > int.MaxValue)
            throw new ArgumentException($"the input map would hold {(long)channels * inHeight * inWidth} floats; at most {int.MaxValue} fit in a span.");
        Channels = channels; InHeight = inHeight; InWidth = inWidth;
        WindowHeight = windowHeight; WindowWidth = windowWidth; Stride = stride;
        OutHeight = outHeight; OutWidth = outWidth;
    }

    /// <summary>The channels, the same in and out.</summary>
    public int Channels { get; }

    /// <summary>The input map's height.</summary>
    public int InHeight { get; }

    /// <summary>The input map's width.</summary>
    public int InWidth { get; }

    /// <summary>A window's height.</summary>
    public int WindowHeight { get; }

    /// <summary>A window's width.</summary>
    public int WindowWidth { get; }

    /// <summary>The step between two windows, down and across.</summary>
    public int Stride { get; }

    /// <summary>The output map's height.</summary>
    public int OutHeight { get; }

    /// <summary>The output map's width.</summary>
    public int OutWidth { get; }

    /// <summary>The floats of one sample's input map: c·h·w.</summary>
    public int InputSize => Channels * InHeight * InWidth;

    /// <summary>The floats of one sample's output map: c·oh·ow.</summary>
    public int OutputSize => Channels * OutHeight * OutWidth;
}
