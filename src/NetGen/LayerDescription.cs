using System;

namespace NetGen;

/// <summary>
/// One layer of a network, as its generated class describes it (<c>INetwork.Layers</c>): what it computes, its sizes,
/// where its parameters sit in <see cref="INetwork.Parameters"/> and what they are called in weight files. Code that
/// saves, loads or exports a network reads this instead of parsing <see cref="INetwork.Architecture"/>.
/// </summary>
public sealed class LayerDescription
{
    private readonly int[] _weightShape;

    private LayerDescription(LayerKind kind, int index, string name, int inputSize, int outputSize,
        Activation activation, float leakySlope, float keepProbability, int weightOffset, int[] weightShape,
        int biasOffset, int biasLength, (int, int, int)? inputShape = null, (int, int, int)? outputShape = null,
        int kernelHeight = 0, int kernelWidth = 0, int stride = 0, int padTop = 0, int padLeft = 0)
    {
        InputShape = inputShape ?? (1, 1, inputSize);
        OutputShape = outputShape ?? (1, 1, outputSize);
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Stride = stride;
        PadTop = padTop;
        PadLeft = padLeft;
        Kind = kind;
        Index = index;
        Name = name;
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;
        LeakySlope = leakySlope;
        KeepProbability = keepProbability;
        WeightOffset = weightOffset;
        _weightShape = weightShape;
        BiasOffset = biasOffset;
        BiasLength = biasLength;
    }

    /// <summary>A dense layer l of <paramref name="outputSize"/> units over <paramref name="inputSize"/> inputs: W[l] is
    /// (n[l], n[l-1]) row-major at <paramref name="weightOffset"/>, b[l] (n[l]) at <paramref name="biasOffset"/>.</summary>
    /// <param name="index">l, counted from 1 as in the notes.</param>
    /// <param name="name">The prefix of the layer's tensor names in weight files (<c>{name}.weight</c>,
    /// <c>{name}.bias</c>): the declared <c>Name</c>, or <c>layers.{l-1}</c>.</param>
    /// <param name="inputSize">n[l-1].</param>
    /// <param name="outputSize">n[l].</param>
    /// <param name="activation">g[l].</param>
    /// <param name="leakySlope">The slope for z &lt; 0 of a leaky ReLU (ignored by the other activations).</param>
    /// <param name="keepProbability">The keep probability of the dropout on A[l] in training; 1 without dropout.</param>
    /// <param name="weightOffset">Where W[l] starts in the parameters.</param>
    /// <param name="biasOffset">Where b[l] starts in the parameters.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the index is below 1, an offset is negative, or the keep
    /// probability is not in (0, 1].</exception>
    public static LayerDescription Dense(int index, string name, int inputSize, int outputSize, Activation activation,
        float leakySlope, float keepProbability, int weightOffset, int biasOffset)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(weightOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(biasOffset);
        if (!(keepProbability > 0f && keepProbability <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability,
                "The keep probability of a dropout must be in (0, 1]; 1 means no dropout.");
        return new LayerDescription(LayerKind.Dense, index, name, inputSize, outputSize, activation, leakySlope,
            keepProbability, weightOffset, [outputSize, inputSize], biasOffset, outputSize);
    }

    /// <summary>A conv layer l (PyTorch's <c>Conv2d</c>): W[l] is (filters, c_in, kh, kw) row-major at
    /// <paramref name="weightOffset"/>, b[l] (filters) at <paramref name="biasOffset"/>; it reads a map of
    /// <paramref name="inputShape"/> and writes one of <paramref name="outputShape"/> (height, width, channels).</summary>
    /// <param name="index">l, counted from 1 over every layer (conv, pool and dense).</param>
    /// <param name="name">The prefix of the layer's tensor names in weight files, as for <see cref="Dense"/>.</param>
    /// <param name="inputShape">The map read: (h, w, c_in).</param>
    /// <param name="outputShape">The map written: (oh, ow, filters).</param>
    /// <param name="kernelHeight">kh.</param>
    /// <param name="kernelWidth">kw.</param>
    /// <param name="stride">The step between two windows.</param>
    /// <param name="padTop">The zero rows above the input (the rest of the padding is below).</param>
    /// <param name="padLeft">The zero columns left of the input (the rest is on the right).</param>
    /// <param name="activation">g[l].</param>
    /// <param name="leakySlope">The slope for z &lt; 0 of a leaky ReLU.</param>
    /// <param name="keepProbability">The keep probability of the dropout on A[l]; 1 without dropout.</param>
    /// <param name="weightOffset">Where W[l] starts in the parameters.</param>
    /// <param name="biasOffset">Where b[l] starts in the parameters.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, the stride or the index is below 1, a padding or offset is
    /// negative, or the keep probability is not in (0, 1].</exception>
    public static LayerDescription Conv2D(int index, string name, (int Height, int Width, int Channels) inputShape,
        (int Height, int Width, int Channels) outputShape, int kernelHeight, int kernelWidth, int stride, int padTop,
        int padLeft, Activation activation, float leakySlope, float keepProbability, int weightOffset, int biasOffset)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckMap(index, inputShape, outputShape, kernelHeight, kernelWidth, stride, keepProbability);
        ArgumentOutOfRangeException.ThrowIfNegative(padTop);
        ArgumentOutOfRangeException.ThrowIfNegative(padLeft);
        ArgumentOutOfRangeException.ThrowIfNegative(weightOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(biasOffset);
        int filters = outputShape.Channels;
        return new LayerDescription(LayerKind.Conv2D, index, name, Size(inputShape), Size(outputShape), activation,
            leakySlope, keepProbability, weightOffset, [filters, inputShape.Channels, kernelHeight, kernelWidth],
            biasOffset, filters, inputShape, outputShape, kernelHeight, kernelWidth, stride, padTop, padLeft);
    }

    /// <summary>A pooling layer l (<see cref="LayerKind.MaxPool"/> or <see cref="LayerKind.AveragePool"/>) over windows
    /// of <paramref name="windowHeight"/> × <paramref name="windowWidth"/>: no parameters (an empty
    /// <see cref="WeightShape"/>, <see cref="BiasLength"/> 0).</summary>
    /// <param name="kind">MaxPool or AveragePool.</param>
    /// <param name="index">l, counted from 1 over every layer.</param>
    /// <param name="name">NetGen's <c>layers.{l-1}</c> (a pool has no tensors; the name keeps the numbering).</param>
    /// <param name="inputShape">The map read: (h, w, c).</param>
    /// <param name="outputShape">The map written: (oh, ow, c).</param>
    /// <param name="windowHeight">A window's height.</param>
    /// <param name="windowWidth">A window's width.</param>
    /// <param name="stride">The step between two windows.</param>
    /// <param name="keepProbability">The keep probability of the dropout on A[l]; 1 without dropout.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a pool, a size, the stride or the
    /// index is below 1, the channels change, or the keep probability is not in (0, 1].</exception>
    public static LayerDescription Pool(LayerKind kind, int index, string name, (int Height, int Width, int Channels) inputShape,
        (int Height, int Width, int Channels) outputShape, int windowHeight, int windowWidth, int stride,
        float keepProbability)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (kind is not (LayerKind.MaxPool or LayerKind.AveragePool))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A pool layer is MaxPool or AveragePool.");
        CheckMap(index, inputShape, outputShape, windowHeight, windowWidth, stride, keepProbability);
        if (inputShape.Channels != outputShape.Channels)
            throw new ArgumentOutOfRangeException(nameof(outputShape), outputShape,
                $"A pool keeps the channels: {inputShape.Channels} in, {outputShape.Channels} out.");
        return new LayerDescription(kind, index, name, Size(inputShape), Size(outputShape), Activation.Linear, 0f,
            keepProbability, 0, [], 0, 0, inputShape, outputShape, windowHeight, windowWidth, stride);
    }

    private static void CheckMap(int index, (int Height, int Width, int Channels) input,
        (int Height, int Width, int Channels) output, int windowHeight, int windowWidth, int stride, float keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        foreach (int size in new[] { input.Height, input.Width, input.Channels, output.Height, output.Width,
                     output.Channels, windowHeight, windowWidth, stride })
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if ((long)input.Height * input.Width * input.Channels > int.MaxValue
            || (long)output.Height * output.Width * output.Channels > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(input), "A map holds more floats than a span can.");
        if (!(keep > 0f && keep <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keep), keep,
                "The keep probability of a dropout must be in (0, 1]; 1 means no dropout.");
    }

    private static int Size((int Height, int Width, int Channels) shape) => shape.Height * shape.Width * shape.Channels;

    /// <summary>The map the layer reads as (height, width, channels); a dense layer's is (1, 1, n[l-1]).</summary>
    public (int Height, int Width, int Channels) InputShape { get; }

    /// <summary>The map the layer writes as (height, width, channels); a dense layer's is (1, 1, n[l]).</summary>
    public (int Height, int Width, int Channels) OutputShape { get; }

    /// <summary>A conv layer's kh or a pool's window height; 0 for a dense layer.</summary>
    public int KernelHeight { get; }

    /// <summary>A conv layer's kw or a pool's window width; 0 for a dense layer.</summary>
    public int KernelWidth { get; }

    /// <summary>The step between two windows of a conv or pool layer; 0 for a dense layer.</summary>
    public int Stride { get; }

    /// <summary>The zero rows above a conv layer's input (Padding.Same); 0 otherwise.</summary>
    public int PadTop { get; }

    /// <summary>The zero columns left of a conv layer's input (Padding.Same); 0 otherwise.</summary>
    public int PadLeft { get; }

    /// <summary>What the layer computes.</summary>
    public LayerKind Kind { get; }

    /// <summary>l, counted from 1 over every layer, conv, pool and dense (W1, b1 belong to layer 1).</summary>
    public int Index { get; }

    /// <summary>The prefix of the layer's tensor names in weight files: <c>{Name}.weight</c>, <c>{Name}.bias</c>.</summary>
    public string Name { get; }

    /// <summary>n[l-1]: the floats of one sample that the layer reads.</summary>
    public int InputSize { get; }

    /// <summary>n[l]: the floats of one sample that the layer writes.</summary>
    public int OutputSize { get; }

    /// <summary>g[l].</summary>
    public Activation Activation { get; }

    /// <summary>The slope for z &lt; 0 when <see cref="Activation"/> is <see cref="Activation.LeakyRelu"/>.</summary>
    public float LeakySlope { get; }

    /// <summary>The keep probability of the inverted dropout on A[l] during training; 1 when the layer has none.</summary>
    public float KeepProbability { get; }

    /// <summary>Where W[l] starts in <see cref="INetwork.Parameters"/>.</summary>
    public int WeightOffset { get; }

    /// <summary>The shape of W[l], outermost first; a dense layer's is (n[l], n[l-1]), PyTorch's
    /// <c>Linear.weight</c>; a conv layer's (filters, c_in, kh, kw), <c>Conv2d.weight</c>; a pool's is empty.</summary>
    public ReadOnlySpan<int> WeightShape => _weightShape;

    /// <summary>The number of floats in W[l]: the product of <see cref="WeightShape"/>.</summary>
    public int WeightLength
    {
        get
        {
            if (_weightShape.Length == 0) return 0; // a pool: no W
            int length = 1;
            foreach (int n in _weightShape) length *= n;
            return length;
        }
    }

    /// <summary>Where b[l] starts in <see cref="INetwork.Parameters"/>.</summary>
    public int BiasOffset { get; }

    /// <summary>The number of floats in b[l].</summary>
    public int BiasLength { get; }

    /// <summary>For example "layer 1 (layers.0): dense 2 → 20, Relu".</summary>
    /// <returns>The layer in one line.</returns>
    public override string ToString()
        => $"layer {Index} ({Name}): {Kind.ToString().ToLowerInvariant()} {InputSize} → {OutputSize}, {Activation}";
}
