// A consumer of the NetGen package whose declarations are wrong on purpose: one fault per network.
// NetGen.Package.Tests builds it and expects, for every "// expect NG####" marker, that diagnostic
// (an error, NG0301 a warning) on exactly the marked line, and no other NG diagnostic and no C# error.
using System;
using NetGen;

// NG0001: the class is not partial (reported at the class name).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(1, Activation.Sigmoid)]
public class NotPartial { } // expect NG0001

// NG0101: no [Input] (reported at [Network]).
[Network(Loss = Loss.BinaryCrossEntropy)] // expect NG0101
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class NoInput;

// NG0103: no layer at all (reported at [Network]).
[Network(Loss = Loss.BinaryCrossEntropy)] // expect NG0103
[Input(2)]
public partial class NoLayer;

// NG0104: a dense layer of 0 units.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(0, Activation.Relu)] // expect NG0104
[Dense(1, Activation.Sigmoid)]
public partial class ZeroUnits;

// NG0104: an input of size 0.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(0)] // expect NG0104
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class ZeroInput;

// NG0105: Inputs = 5, but the layer below has 4 units.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dense(3, Activation.Relu, Inputs = 5)] // expect NG0105
[Dense(1, Activation.Sigmoid)]
public partial class WrongInputs;

// NG0201: Softmax on a hidden layer.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Softmax)] // expect NG0201
[Dense(1, Activation.Sigmoid)]
public partial class HiddenSoftmax;

// NG0202: binary cross-entropy needs a sigmoid output, not tanh (reported at the output [Dense]).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Tanh)] // expect NG0202
public partial class BceWithTanh;

// NG0203: cross-entropy needs a softmax of at least 2 units (reported at the output [Dense]).
[Network(Loss = Loss.CrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Softmax)] // expect NG0203
public partial class OneUnitSoftmax;

// NG0003: the layer attributes are split over two partial declarations (reported on the other declaration).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Tanh)]
public partial class SplitLayers;

[Dense(1, Activation.Sigmoid)] // expect NG0003
public partial class SplitLayers;

// NG0301 (warning): Init.Zeros on the whole network (reported at [Network]); the code is still generated.
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Zeros)] // expect NG0301
[Input(2)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class ZerosNetwork;

// NG0301 (warning): Init.Zeros on one layer (reported at that [Dense]); the code is still generated.
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He)]
[Input(2)]
[Dense(4, Activation.Tanh, Init = Init.Zeros)] // expect NG0301
[Dense(1, Activation.Sigmoid)]
public partial class ZerosLayer;

// NG0107: [Input] after a [Dense] (reported at [Input]).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Dense(4, Activation.Tanh)]
[Input(3)] // expect NG0107
[Dense(1, Activation.Sigmoid)]
public partial class InputAfterDense;

// NG0401: a keep probability above 1.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dropout(1.5f)] // expect NG0401
[Dense(1, Activation.Sigmoid)]
public partial class KeepAboveOne;

// NG0401: a keep probability of 0 (would drop every unit and divide by 0).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dropout(0f)] // expect NG0401
[Dense(1, Activation.Sigmoid)]
public partial class KeepZero;

// NG0402: [Dropout] before any [Dense] (there is no layer above it to drop).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dropout(0.9f)] // expect NG0402
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class DropoutOnInput;

// NG0402: [Dropout] after the output layer.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[Dropout(0.9f)] // expect NG0402
public partial class DropoutOnOutput;

// NG0403: a negative network-wide L2 strength.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[L2(-1f)] // expect NG0403
public partial class NegativeL2;

// NG0403: a negative per-layer L1 strength (reported at that [Dense]).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu, L1 = -0.5f)] // expect NG0403
[Dense(1, Activation.Sigmoid)]
public partial class NegativeLayerL1;

// NG0404: [L2] declared twice (reported at the second).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(4, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[L2(0.1f)]
[L2(0.1f)] // expect NG0404
public partial class TwiceL2;

// Issue 14: each shape fault of a conv network, on the attribute at fault, from the packed package.
// NG0112: a 6 × 6 kernel over the 5 × 5 × 4 map that the valid conv and the pool below leave.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(12, 12, 1)]
[Conv2D(4, 3, Activation.Relu)]
[MaxPool(2)]
[Conv2D(8, 6, Activation.Relu)] // expect NG0112
[Dense(1, Activation.Sigmoid)]
public partial class ConvKernelTooLarge;

// NG0113: 4 × 4 pool windows over a 3 × 5 × 2 map.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(3, 5, 2)]
[MaxPool(4)] // expect NG0113
[Dense(1, Activation.Sigmoid)]
public partial class PoolWindowTooLarge;

// NG0114: a conv after a dense layer (no map left to slide over).
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(8, 8)]
[Dense(16, Activation.Relu)]
[Conv2D(2, 3, Activation.Relu)] // expect NG0114
[Dense(1, Activation.Sigmoid)]
public partial class ConvAfterDense;

// NG0115: the issue's LeNet-5 with Inputs = 256 where the map below flattens to 5 × 5 × 16 = 400.
[Network(Loss = Loss.CrossEntropy, Init = Init.He)]
[Input(28, 28, 1)]
[Conv2D(6, 5, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 5, Activation.Relu)]
[MaxPool(2)]
[Dense(120, Activation.Relu, Inputs = 256)] // expect NG0115
[Dense(84, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class LeNetWrongInputs;

// NG0116: Padding.Same with a stride of 2.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(8, 8)]
[Conv2D(2, 3, Activation.Relu, Padding = Padding.Same, Stride = 2)] // expect NG0116
[Dense(1, Activation.Sigmoid)]
public partial class SamePaddingStrided;

// NG0117: a conv over a flat input.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(64)]
[Conv2D(2, 3, Activation.Relu)] // expect NG0117
[Dense(1, Activation.Sigmoid)]
public partial class ConvOverFlatInput;

// NG0104 for conv and pool sizes: a stride of 0, a pool window of -2.
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(6, 6)]
[Conv2D(2, 3, Activation.Relu, Stride = 0)] // expect NG0104
[Dense(1, Activation.Sigmoid)]
public partial class ConvStrideZero;

[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(6, 6)]
[AveragePool(-2)] // expect NG0104
[Dense(1, Activation.Sigmoid)]
public partial class PoolWindowNegative;

public static class Program
{
    // A warning does not stop generation: these two networks must exist and compile.
    public static int Main() =>
        new ZerosNetwork().Parameters.Length + new ZerosLayer().Parameters.Length > 0 ? 0 : 1;
}
