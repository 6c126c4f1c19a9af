using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// What every generated network offers, so that code written once (a trainer, a saver, a benchmark)
/// works with any declared network. The generated class also has these as constants and members of its own.
/// </summary>
public interface INetwork
{
    /// <summary>n[0]: the features of one sample.</summary>
    int InputSize { get; }

    /// <summary>n[L]: the outputs of one sample.</summary>
    int OutputSize { get; }

    /// <summary>L: the number of dense layers.</summary>
    int LayerCount { get; }

    /// <summary>The length of <see cref="Parameters"/>.</summary>
    int ParameterCount { get; }

    /// <summary>A text that identifies the architecture (sizes, activations, loss); two networks with the same
    /// text have parameter blocks of the same layout and meaning.</summary>
    string Architecture { get; }

    /// <summary>The cost the network is trained on.</summary>
    Loss Loss { get; }

    /// <summary>The layers with parameters, in order from the input (layer 1) to the output (layer L): for each, what it
    /// computes, its sizes n[l-1] → n[l], its activation (and leaky slope), its dropout keep probability, where W[l] and
    /// b[l] sit in <see cref="Parameters"/>, and the prefix of their tensor names in weight files. Saving, loading and
    /// export read this instead of parsing <see cref="Architecture"/>; it must agree with <see cref="InputSize"/>,
    /// <see cref="OutputSize"/>, <see cref="LayerCount"/> and <see cref="ParameterCount"/>. A generated network returns
    /// the same read-only list on every call (built once, nothing allocated).</summary>
    IReadOnlyList<LayerDescription> Layers { get; }

    /// <summary>Every parameter in one block: W1, b1, W2, b2, …; W[l] row-major with shape (n[l], n[l-1]).</summary>
    Span<float> Parameters { get; }

    /// <summary>One sample: y = network(x). Allocates nothing; safe to call from many threads at once.</summary>
    void Predict(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>m samples, rows are samples: X is m × InputSize, Y is m × OutputSize.</summary>
    void PredictBatch(ReadOnlySpan<float> X, Span<float> Y, int m);

    /// <summary>The cost J on a batch (with any penalty terms, without dropout).</summary>
    float Cost(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m);

    /// <summary>Training-mode forward and backward pass; writes dJ/dθ into <paramref name="gradients"/> (the layout of
    /// <see cref="Parameters"/>) and returns the training cost.</summary>
    float ComputeGradients(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, Span<float> gradients);

    /// <summary>One gradient-descent step θ ← θ − α·dJ/dθ; returns the cost before the step.</summary>
    float TrainStep(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, float learningRate);
}
