using NetGen.Tests.Reference;

namespace NetGen.Tests;

// The conv networks the numerical tests check (issue 14 item 6), each declared here and described a second time,
// independently, as a ReferenceNetwork in ConvCases. Between them: padding Valid and Same (odd and even kernels),
// strides 1, 2 and 3, non-square kernels, a kernel equal to its map, 1 × 1 maps, max and average pools (overlapping
// windows too), every activation on a conv layer, dropout after a conv layer, and L2 and L1 on conv weights.

/// <summary>The LeNet-5 of issue 14: 28 × 28 × 1 → conv 6 of 5 × 5, same → max 2 → conv 16 of 5 × 5 → max 2 → 120 → 84 → 10.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He)]
[Input(28, 28, 1)]
[Conv2D(6, 5, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 5, Activation.Relu)]
[MaxPool(2)]
[Dense(120, Activation.Relu)]
[Dense(84, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5;

/// <summary>Two channels in, stride 2 with a 3 × 2 kernel (the last row and column of the 7 × 6 map unread), tanh, an
/// overlapping average pool (2 every 1), then a softmax: 7 × 6 × 2 → 3 × 3 × 3 → 2 × 2 × 3 → 2.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.Glorot, Seed = 21)]
[Input(7, 6, 2)]
[Conv2D(3, 3, Activation.Tanh, Stride = 2, KernelWidth = 2)]
[AveragePool(2, Stride = 1)]
[Dense(2, Activation.Softmax)]
public partial class ConvStrideNet;

/// <summary>Same padding with an even kernel (pad below and right), leaky ReLU, an overlapping max pool of 3 every 2,
/// then a sigmoid conv whose kernel equals its map: 5 × 5 × 1 → 5 × 5 × 2 → 2 × 2 × 2 → 1 × 1 × 3 → 1.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 22)]
[Input(5, 5)]
[Conv2D(2, 2, Activation.LeakyRelu, Padding = Padding.Same, LeakySlope = 0.1f)]
[MaxPool(3, Stride = 2)]
[Conv2D(3, 2, Activation.Sigmoid)]
[Dense(1, Activation.Sigmoid)]
public partial class ConvSameNet;

/// <summary>1 × 1 maps: a conv of 1 × 1 over 3 channels (a dense layer over the channels), ReLU, then MSE.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.LeCun, Seed = 23)]
[Input(1, 1, 3)]
[Conv2D(4, 1, Activation.Relu)]
[Dense(2, Activation.Linear)]
public partial class ConvOneByOneNet;

/// <summary>A linear conv, then a softmax conv whose 3 × 3 kernel covers its whole map, as the output: 4 × 4 × 1 →
/// 3 × 3 × 2 → 1 × 1 × 3.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.Glorot, Seed = 24)]
[Input(4, 4, 1)]
[Conv2D(2, 2, Activation.Linear)]
[Conv2D(3, 3, Activation.Softmax)]
public partial class ConvOutputNet;

/// <summary>Same padding (odd kernel), ReLU, dropout after the conv layer, max pool, and the penalties: L2 network-wide,
/// L1 on the conv layer alone: 6 × 6 × 2 → 6 × 6 × 3 → 3 × 3 × 3 → 3.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 25)]
[L2(0.5f)]
[Input(6, 6, 2)]
[Conv2D(3, 3, Activation.Relu, Padding = Padding.Same, L1 = 0.3f)]
[Dropout(0.75f)]
[MaxPool(2)]
[Dense(3, Activation.Softmax)]
public partial class ConvDropoutNet;

/// <summary>Stride 3 with a 3 × 1 kernel and an average pool as the output (MSE on a map): 9 × 7 × 1 → 3 × 7 × 2 →
/// 1 × 3 × 2.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.He, Seed = 26)]
[Input(9, 7)]
[Conv2D(2, 3, Activation.Sigmoid, Stride = 3, KernelWidth = 1)]
[AveragePool(2, Stride = 2)]
public partial class ConvPoolOutputNet;

/// <summary>The conv networks above described again, independently, for the float64 reference.</summary>
public static class ConvCases
{
    private static LayerSpec D(int units, Activation activation) => new(units, activation);

    private static LayerSpec Conv(int filters, int kh, int kw, Activation activation, int stride = 1, bool same = false,
        double slope = 0.01) => LayerSpec.Conv(filters, kh, kw, activation, stride, same, slope);

    private static LayerSpec Max(int size, int stride) => LayerSpec.Pool(LayerKind.MaxPool, size, stride);

    private static LayerSpec Average(int size, int stride) => LayerSpec.Pool(LayerKind.AveragePool, size, stride);

    /// <summary>Every conv case.</summary>
    public static readonly NetCase[] All =
    {
        new("ConvStride", () => new ConvStrideNet(),
            new((7, 6, 2), Loss.CrossEntropy, Conv(3, 3, 2, Activation.Tanh, stride: 2), Average(2, 1), D(2, Activation.Softmax)),
            TargetKind.OneHot),
        new("ConvSame", () => new ConvSameNet(),
            new((5, 5, 1), Loss.BinaryCrossEntropy, Conv(2, 2, 2, Activation.LeakyRelu, same: true, slope: 0.1f), Max(3, 2),
                Conv(3, 2, 2, Activation.Sigmoid), D(1, Activation.Sigmoid)),
            TargetKind.Binary),
        new("ConvOneByOne", () => new ConvOneByOneNet(),
            new((1, 1, 3), Loss.MeanSquaredError, Conv(4, 1, 1, Activation.Relu), D(2, Activation.Linear)), TargetKind.Real),
        new("ConvOutput", () => new ConvOutputNet(),
            new((4, 4, 1), Loss.CrossEntropy, Conv(2, 2, 2, Activation.Linear), Conv(3, 3, 3, Activation.Softmax)),
            TargetKind.OneHot),
        new("ConvDropout", () => new ConvDropoutNet(),
            new((6, 6, 2), Loss.CrossEntropy,
                Conv(3, 3, 3, Activation.Relu, same: true) with { Keep = 0.75, L2 = 0.5f, L1 = 0.3f }, Max(2, 2),
                D(3, Activation.Softmax) with { L2 = 0.5f }),
            TargetKind.OneHot),
        new("ConvPoolOutput", () => new ConvPoolOutputNet(),
            new((9, 7, 1), Loss.MeanSquaredError, Conv(2, 3, 1, Activation.Sigmoid, stride: 3), Average(2, 2)),
            TargetKind.Real),
    };
}
