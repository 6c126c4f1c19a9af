using System;
using System.Linq;
using NetGen.Tests.Reference;

namespace NetGen.Tests;

// The networks the numerical tests check. Each is declared once here and described a second time,
// independently, as a ReferenceNetwork in NetCases below; a mismatch of sizes fails loudly (NetCases.Create).

// ---- every activation in a hidden layer, under binary cross-entropy (sigmoid output) ----

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 11)]
[Input(3)]
[Dense(4, Activation.Linear)]
[Dense(1, Activation.Sigmoid)]
public partial class LinearSigmoidNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 12)]
[Input(3)]
[Dense(5, Activation.Sigmoid)]
[Dense(1, Activation.Sigmoid)]
public partial class SigmoidSigmoidNet;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 7)]
[Input(3)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class TanhSigmoidNet;

/// <summary>Logistic regression: a single layer (L = 1).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 14)]
[Input(5)]
[Dense(1, Activation.Sigmoid)]
public partial class LogisticNet;

// ---- softmax + cross-entropy ----

[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 13)]
[Input(4)]
[Dense(6, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class ReluSoftmaxNet;

[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 15)]
[Input(4)]
[Dense(6, Activation.LeakyRelu, LeakySlope = 0.1f)]
[Dense(4, Activation.Softmax)]
public partial class LeakyReluSoftmaxNet;

// ---- mean squared error with each kind of output ----

[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 16)]
[Input(3)]
[Dense(5, Activation.Tanh)]
[Dense(2, Activation.Linear)]
public partial class TanhLinearMseNet;

[Network(Loss = Loss.MeanSquaredError, Init = Init.He, Seed = 17)]
[Input(3)]
[Dense(6, Activation.Relu)]
[Dense(2, Activation.Sigmoid)]
public partial class ReluSigmoidMseNet;

[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 18)]
[Input(2)]
[Dense(4, Activation.Sigmoid)]
[Dense(3, Activation.Tanh)]
public partial class SigmoidTanhMseNet;

[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 19)]
[Input(3)]
[Dense(5, Activation.Tanh)]
[Dense(4, Activation.Softmax)]
public partial class TanhSoftmaxMseNet;

// ---- deeper nets ----

/// <summary>Three hidden layers; the leaky ReLU keeps the default slope 0.01.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.LeCun, Seed = 20)]
[Input(5)]
[Dense(8, Activation.Relu)]
[Dense(6, Activation.Tanh)]
[Dense(5, Activation.LeakyRelu)]
[Dense(3, Activation.Softmax)]
public partial class DeepSoftmaxNet;

/// <summary>Two hidden layers and two independent sigmoid outputs (multi-label BCE summed over all outputs).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 21)]
[Input(4)]
[Dense(7, Activation.Sigmoid)]
[Dense(5, Activation.Linear)]
[Dense(2, Activation.Sigmoid)]
public partial class DeepMultiLabelNet;

/// <summary>Wider layers (70 inputs, 40 and 17 units), so that vector kernels run with remainders.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 22)]
[Input(70)]
[Dense(40, Activation.Relu)]
[Dense(17, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class WideSoftmaxNet;

// ---- penalties ----

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 23)]
[Input(3)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
[L2(0.7f)]
public partial class L2Net;

[Network(Loss = Loss.MeanSquaredError, Init = Init.He, Seed = 24)]
[Input(3)]
[Dense(4, Activation.Relu)]
[Dense(2, Activation.Linear)]
[L1(0.3f)]
public partial class L1Net;

/// <summary>What the targets of a case look like (they must be valid for its loss).</summary>
public enum TargetKind
{
    /// <summary>0 or 1 (binary cross-entropy).</summary>
    Binary,
    /// <summary>One-hot rows (cross-entropy, or MSE on a softmax).</summary>
    OneHot,
    /// <summary>Standard normal (MSE on a linear output).</summary>
    Real,
    /// <summary>Uniform in (0, 1) (MSE on a sigmoid output).</summary>
    Unit,
    /// <summary>Uniform in (−1, 1) (MSE on a tanh output).</summary>
    Symmetric,
}

/// <summary>A declared network, its independent description, and the targets its loss accepts.</summary>
public sealed record NetCase(string Name, Func<INetwork> Factory, ReferenceNetwork Reference, TargetKind Targets)
{
    /// <summary>A new instance, checked against the reference's sizes.</summary>
    public INetwork Create()
    {
        INetwork net = Factory();
        if (net.InputSize != Reference.InputSize || net.OutputSize != Reference.OutputSize
            || net.LayerCount != Reference.LayerCount || net.ParameterCount != Reference.ParameterCount
            || net.Loss != Reference.Loss || net.Parameters.Length != Reference.ParameterCount)
            throw new InvalidOperationException(
                $"{Name}: the generated sizes (in {net.InputSize}, out {net.OutputSize}, L {net.LayerCount}, " +
                $"P {net.ParameterCount}, |Parameters| {net.Parameters.Length}, {net.Loss}) differ from the reference's " +
                $"(in {Reference.InputSize}, out {Reference.OutputSize}, L {Reference.LayerCount}, P {Reference.ParameterCount}, {Reference.Loss}).");
        return net;
    }

    public override string ToString() => Name;
}

/// <summary>The table of numerical test cases.</summary>
public static class NetCases
{
    private static ReferenceNetwork Ref(int input, Loss loss, params LayerSpec[] layers) => new(input, loss, layers);

    private static LayerSpec D(int units, Activation activation, float leakySlope = 0.01f) => new(units, activation, leakySlope);

    /// <summary>A layer with the network-wide L2 and L1 λ of its declaration (floats, as the attributes hold them).</summary>
    private static LayerSpec D(int units, Activation activation, float l2, float l1) => new(units, activation) { L2 = l2, L1 = l1 };

    /// <summary>Every case.</summary>
    public static readonly NetCase[] All =
    {
        new("LinearSigmoid", () => new LinearSigmoidNet(),
            Ref(3, Loss.BinaryCrossEntropy, D(4, Activation.Linear), D(1, Activation.Sigmoid)), TargetKind.Binary),
        new("SigmoidSigmoid", () => new SigmoidSigmoidNet(),
            Ref(3, Loss.BinaryCrossEntropy, D(5, Activation.Sigmoid), D(1, Activation.Sigmoid)), TargetKind.Binary),
        new("TanhSigmoid", () => new TanhSigmoidNet(),
            Ref(3, Loss.BinaryCrossEntropy, D(4, Activation.Tanh), D(1, Activation.Sigmoid)), TargetKind.Binary),
        new("Logistic", () => new LogisticNet(),
            Ref(5, Loss.BinaryCrossEntropy, D(1, Activation.Sigmoid)), TargetKind.Binary),
        new("ReluSoftmax", () => new ReluSoftmaxNet(),
            Ref(4, Loss.CrossEntropy, D(6, Activation.Relu), D(3, Activation.Softmax)), TargetKind.OneHot),
        new("LeakyReluSoftmax", () => new LeakyReluSoftmaxNet(),
            Ref(4, Loss.CrossEntropy, D(6, Activation.LeakyRelu, 0.1f), D(4, Activation.Softmax)), TargetKind.OneHot),
        new("TanhLinearMse", () => new TanhLinearMseNet(),
            Ref(3, Loss.MeanSquaredError, D(5, Activation.Tanh), D(2, Activation.Linear)), TargetKind.Real),
        new("ReluSigmoidMse", () => new ReluSigmoidMseNet(),
            Ref(3, Loss.MeanSquaredError, D(6, Activation.Relu), D(2, Activation.Sigmoid)), TargetKind.Unit),
        new("SigmoidTanhMse", () => new SigmoidTanhMseNet(),
            Ref(2, Loss.MeanSquaredError, D(4, Activation.Sigmoid), D(3, Activation.Tanh)), TargetKind.Symmetric),
        new("TanhSoftmaxMse", () => new TanhSoftmaxMseNet(),
            Ref(3, Loss.MeanSquaredError, D(5, Activation.Tanh), D(4, Activation.Softmax)), TargetKind.OneHot),
        new("DeepSoftmax", () => new DeepSoftmaxNet(),
            Ref(5, Loss.CrossEntropy, D(8, Activation.Relu), D(6, Activation.Tanh), D(5, Activation.LeakyRelu, 0.01f), D(3, Activation.Softmax)),
            TargetKind.OneHot),
        new("DeepMultiLabel", () => new DeepMultiLabelNet(),
            Ref(4, Loss.BinaryCrossEntropy, D(7, Activation.Sigmoid), D(5, Activation.Linear), D(2, Activation.Sigmoid)), TargetKind.Binary),
        new("WideSoftmax", () => new WideSoftmaxNet(),
            Ref(70, Loss.CrossEntropy, D(40, Activation.Relu), D(17, Activation.Tanh), D(3, Activation.Softmax)), TargetKind.OneHot),
        new("L2", () => new L2Net(),
            Ref(3, Loss.BinaryCrossEntropy, D(4, Activation.Tanh, l2: 0.7f, l1: 0), D(1, Activation.Sigmoid, l2: 0.7f, l1: 0)),
            TargetKind.Binary),
        new("L1", () => new L1Net(),
            Ref(3, Loss.MeanSquaredError, D(4, Activation.Relu, l2: 0, l1: 0.3f), D(2, Activation.Linear, l2: 0, l1: 0.3f)),
            TargetKind.Real),
    };

    /// <summary>The case called <paramref name="name"/>.</summary>
    public static NetCase Get(string name) => All.Concat(ConvCases.All).Single(c => c.Name == name);
}
