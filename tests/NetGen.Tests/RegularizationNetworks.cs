using System;
using NetGen.Tests.Reference;

namespace NetGen.Tests.Regularization;

// The networks of the regularization tests (L2, L1, per-layer overrides, dropout). They live in their own
// namespace so that their names never meet the other numerical tests' networks. Each network that a test compares
// with the double reference is described a second time, independently, in RegularizationCases below.

// ───── The football runs (data/README.md, "football"): 2-20-3-1, ReLU, ReLU, sigmoid, BCE ─────

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class FootballBaselineNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[L2(0.7f)]
public partial class FootballWeightDecayNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dropout(0.86f)]
[Dense(3, Activation.Relu)]
[Dropout(0.86f)]
[Dense(1, Activation.Sigmoid)]
public partial class FootballKeep86Net;

// ───── One architecture, 3-6-4-2 (tanh, ReLU, sigmoid; multi-label BCE), with every penalty variant ─────
// Same sizes, so one Parameters block can be copied between them; only the penalty (or dropout) differs.

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Sigmoid)]
public partial class PenaltyFreeNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Sigmoid)]
[L2(0.5f)]
public partial class L2OnlyNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Sigmoid)]
[L1(0.4f)]
public partial class L1OnlyNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Sigmoid)]
[L2(0.5f)]
[L1(0.4f)]
public partial class L2AndL1Net;

/// <summary>L2 on the whole net, turned off on layer 2 only.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Relu, L2 = 0f)]
[Dense(2, Activation.Sigmoid)]
[L2(0.5f)]
public partial class L2OffOnLayer2Net;

/// <summary>L2 λ = 0.5 on the net, λ = 1.25 on layer 1; L1 only on layer 3 (no class-level L1).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh, L2 = 1.25f)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Sigmoid, L1 = 0.3f)]
[L2(0.5f)]
public partial class MixedOverrideNet;

/// <summary>L1 and L2 on the net; layer 3 turns L1 off and layer 1 turns L2 off.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh, L2 = 0f)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Sigmoid, L1 = 0f)]
[L2(0.5f)]
[L1(0.4f)]
public partial class BothOffSomewhereNet;

/// <summary>The 3-6-4-2 net with dropout on both hidden layers and no penalty.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dropout(0.7f)]
[Dense(4, Activation.Relu)]
[Dropout(0.5f)]
[Dense(2, Activation.Sigmoid)]
public partial class DropoutTwinNet;

/// <summary>The 3-6-4-2 net with dropout on both hidden layers and both penalties.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 41)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dropout(0.7f)]
[Dense(4, Activation.Relu)]
[Dropout(0.5f)]
[Dense(2, Activation.Sigmoid)]
[L2(0.5f)]
[L1(0.4f)]
public partial class DropoutTwinL2L1Net;

// ───── Dropout + penalties for the finite-difference checks: every hidden activation behind a dropout ─────

/// <summary>ReLU behind both dropouts, L2; BCE.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 31)]
[Input(3)]
[Dense(6, Activation.Relu)]
[Dropout(0.7f)]
[Dense(4, Activation.Relu)]
[Dropout(0.8f)]
[Dense(1, Activation.Sigmoid)]
[L2(0.6f)]
public partial class ReluDropoutL2Net;

/// <summary>Tanh behind a dropout (g′ must come from Z, not from the scaled A), L1; MSE on a linear output.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 32)]
[Input(3)]
[Dense(5, Activation.Tanh)]
[Dropout(0.75f)]
[Dense(2, Activation.Linear)]
[L1(0.3f)]
public partial class TanhDropoutL1Net;

/// <summary>Sigmoid then tanh behind dropouts, L2 and L1; softmax + CE.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.Glorot, Seed = 33)]
[Input(4)]
[Dense(5, Activation.Sigmoid)]
[Dropout(0.6f)]
[Dense(4, Activation.Tanh)]
[Dropout(0.9f)]
[Dense(3, Activation.Softmax)]
[L2(0.4f)]
[L1(0.2f)]
public partial class SigmoidTanhDropoutNet;

/// <summary>Leaky ReLU (slope 0.1) behind a dropout; class L2 0.3, layer 1 adds L1 0.5, layer 2 sets L2 0.8; BCE, 2 outputs.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 34)]
[Input(3)]
[Dense(6, Activation.LeakyRelu, LeakySlope = 0.1f, L1 = 0.5f)]
[Dropout(0.5f)]
[Dense(2, Activation.Sigmoid, L2 = 0.8f)]
[L2(0.3f)]
public partial class LeakyDropoutMixedNet;

/// <summary>A linear hidden layer then a tanh one, each behind a dropout, L2; MSE on a linear output.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 35)]
[Input(3)]
[Dense(4, Activation.Linear)]
[Dropout(0.8f)]
[Dense(3, Activation.Tanh)]
[Dropout(0.7f)]
[Dense(2, Activation.Linear)]
[L2(0.2f)]
public partial class LinearTanhDropoutNet;

// ───── Mask probes: x = 0, linear layers, W2 = 1, so that db1[k]·keep·m counts the samples that kept unit k ─────

[Network(Loss = Loss.MeanSquaredError, Init = Init.Normal, Seed = 51)]
[Input(1)]
[Dense(64, Activation.Linear)]
[Dropout(0.86f)]
[Dense(1, Activation.Linear)]
public partial class MaskProbe86Net;

[Network(Loss = Loss.MeanSquaredError, Init = Init.Normal, Seed = 52)]
[Input(1)]
[Dense(64, Activation.Linear)]
[Dropout(0.5f)]
[Dense(1, Activation.Linear)]
public partial class MaskProbe50Net;

/// <summary>7 units (odd, so a mask of one sample ends on a half-used 64-bit draw), keep 0.6.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 53)]
[Input(1)]
[Dense(7, Activation.Linear)]
[Dropout(0.6f)]
[Dense(1, Activation.Linear)]
public partial class MaskProbe7Net;

/// <summary>A declared dropout network and its independent double description (targets follow from its loss).</summary>
public sealed record RegularizationCase(string Name, Func<INetwork> Factory, ReferenceNetwork Reference)
{
    /// <summary>A new instance, checked against the reference's sizes.</summary>
    public INetwork Create()
    {
        INetwork net = Factory();
        if (net.InputSize != Reference.InputSize || net.OutputSize != Reference.OutputSize || net.LayerCount != Reference.LayerCount
            || net.ParameterCount != Reference.ParameterCount || net.Loss != Reference.Loss)
            throw new InvalidOperationException($"{Name}: the generated sizes ({net.Architecture}, {net.ParameterCount} parameters) " +
                $"differ from the reference's ({Reference.ParameterCount} parameters).");
        return net;
    }

    public override string ToString() => Name;
}

/// <summary>The dropout networks above, described again for <see cref="ReferenceNetwork"/> (per-layer λ spelled out).</summary>
public static class RegularizationCases
{
    private static LayerSpec D(int units, Activation g, double? keep = null, double l2 = 0, double l1 = 0, double slope = 0.01)
        => new(units, g, slope) { Keep = keep, L2 = l2, L1 = l1 };

    public static readonly RegularizationCase[] All =
    {
        new("ReluDropoutL2", () => new ReluDropoutL2Net(), new ReferenceNetwork(3, Loss.BinaryCrossEntropy,
            D(6, Activation.Relu, keep: 0.7, l2: 0.6), D(4, Activation.Relu, keep: 0.8, l2: 0.6), D(1, Activation.Sigmoid, l2: 0.6))),
        new("TanhDropoutL1", () => new TanhDropoutL1Net(), new ReferenceNetwork(3, Loss.MeanSquaredError,
            D(5, Activation.Tanh, keep: 0.75, l1: 0.3), D(2, Activation.Linear, l1: 0.3))),
        new("SigmoidTanhDropout", () => new SigmoidTanhDropoutNet(), new ReferenceNetwork(4, Loss.CrossEntropy,
            D(5, Activation.Sigmoid, keep: 0.6, l2: 0.4, l1: 0.2), D(4, Activation.Tanh, keep: 0.9, l2: 0.4, l1: 0.2),
            D(3, Activation.Softmax, l2: 0.4, l1: 0.2))),
        new("LeakyDropoutMixed", () => new LeakyDropoutMixedNet(), new ReferenceNetwork(3, Loss.BinaryCrossEntropy,
            D(6, Activation.LeakyRelu, keep: 0.5, l2: 0.3, l1: 0.5, slope: 0.1), D(2, Activation.Sigmoid, l2: 0.8))),
        new("LinearTanhDropout", () => new LinearTanhDropoutNet(), new ReferenceNetwork(3, Loss.MeanSquaredError,
            D(4, Activation.Linear, keep: 0.8, l2: 0.2), D(3, Activation.Tanh, keep: 0.7, l2: 0.2), D(2, Activation.Linear, l2: 0.2))),
        new("DropoutTwinL2L1", () => new DropoutTwinL2L1Net(), new ReferenceNetwork(3, Loss.BinaryCrossEntropy,
            D(6, Activation.Tanh, keep: 0.7, l2: 0.5, l1: 0.4), D(4, Activation.Relu, keep: 0.5, l2: 0.5, l1: 0.4),
            D(2, Activation.Sigmoid, l2: 0.5, l1: 0.4))),
    };

    public static RegularizationCase Get(string name)
    {
        foreach (RegularizationCase c in All)
            if (c.Name == name) return c;
        throw new ArgumentException($"no case {name}", nameof(name));
    }
}

/// <summary>The generated keepMasks overload is not on <see cref="INetwork"/>; this reaches it on every dropout net above.</summary>
public static class MaskedGradients
{
    public static float ComputeGradients(INetwork net, ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, Span<float> gradients, ReadOnlySpan<float> keepMasks)
        => net switch
        {
            FootballKeep86Net n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            DropoutTwinNet n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            DropoutTwinL2L1Net n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            ReluDropoutL2Net n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            TanhDropoutL1Net n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            SigmoidTanhDropoutNet n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            LeakyDropoutMixedNet n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            LinearTanhDropoutNet n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            MaskProbe86Net n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            MaskProbe50Net n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            MaskProbe7Net n => n.ComputeGradients(X, Y, m, gradients, keepMasks),
            _ => throw new ArgumentException($"{net.GetType().Name} has no keepMasks overload here", nameof(net)),
        };

    /// <summary>Widens floats to doubles (exactly).</summary>
    public static double[] Widen(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>A standard normal draw (Box–Muller) from a System.Random: independent of NetGen.Rng.</summary>
    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
