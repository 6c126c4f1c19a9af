using System;
using System.Collections.Generic;

namespace NetGen.Tests.Training;

/// <summary>A network of two parameters whose cost ignores them (1 always) and whose first gradient is
/// <paramref name="gradient"/> until call <paramref name="infiniteAtCall"/> of ComputeGradients, where it is −∞: gradient
/// descent then moves parameter 0 to +∞ with every cost finite. Only the scan of the parameters can see it.</summary>
internal sealed class BlindNetwork(int infiniteAtCall, float gradient) : INetwork
{
    private readonly float[] _parameters = [0.5f, -0.25f];
    private int _calls;
    public int InputSize => 1;
    public int OutputSize => 1;
    public int LayerCount => 1;
    public int ParameterCount => 2;
    public string Architecture => "blind";
    public Loss Loss => Loss.MeanSquaredError;
    public IReadOnlyList<LayerDescription> Layers { get; } =
        [LayerDescription.Dense(1, "layers.0", 1, 1, Activation.Linear, 0.01f, 1f, 0, 1)];
    public Span<float> Parameters => _parameters;
    public void Predict(ReadOnlySpan<float> x, Span<float> y) => y[0] = 0;
    public void PredictBatch(ReadOnlySpan<float> X, Span<float> Y, int m) => Y.Slice(0, m).Clear();
    public float Cost(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m) => 1f;
    public float ComputeGradients(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, Span<float> gradients)
    {
        gradients[0] = ++_calls == infiniteAtCall ? float.NegativeInfinity : gradient;
        gradients[1] = 0;
        return 1f;
    }
    public float TrainStep(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, float learningRate) => 1f;
}
