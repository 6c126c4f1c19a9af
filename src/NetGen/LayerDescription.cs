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
        int biasOffset, int biasLength)
    {
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

    /// <summary>What the layer computes.</summary>
    public LayerKind Kind { get; }

    /// <summary>l, counted from 1 over the layers that have parameters (W1, b1 belong to layer 1).</summary>
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
    /// <c>Linear.weight</c>.</summary>
    public ReadOnlySpan<int> WeightShape => _weightShape;

    /// <summary>The number of floats in W[l]: the product of <see cref="WeightShape"/>.</summary>
    public int WeightLength
    {
        get
        {
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
