namespace NetGen.Benchmarks;

// The networks of issues 4, 14 and 15, declared as a user would. The ONNX models they are compared with are built from
// the same parameter blocks (OnnxModels.cs); the benchmarks call these concrete classes directly (no interface).

/// <summary>Net A: the football network 2-20-3-1 (ReLU, ReLU, sigmoid) with binary cross-entropy.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class NetA;

/// <summary>One dense layer 8 → 8 with tanh, trained on mean squared error.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 8)]
[Input(8)]
[Dense(8, Activation.Tanh)]
public partial class Dense8;

/// <summary>One dense layer 64 → 64 with tanh, trained on mean squared error.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 64)]
[Input(64)]
[Dense(64, Activation.Tanh)]
public partial class Dense64;

/// <summary>Net C: an MNIST-sized classifier 784-128-10 (ReLU, softmax) with cross-entropy.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 10)]
[Input(784)]
[Dense(128, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class NetC;

/// <summary>The LeNet-5 of issue 14: 28 × 28 × 1 → conv 6 of 5 × 5, same → max 2 → conv 16 of 5 × 5 → max 2 → 120 → 84
/// → 10.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 5)]
[Input(28, 28, 1)]
[Conv2D(6, 5, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 5, Activation.Relu)]
[MaxPool(2)]
[Dense(120, Activation.Relu)]
[Dense(84, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5;

/// <summary>SimpleChains.jl's README network (issue 15): Input(4), Dense(32, tanh), Dense(16, tanh), Dense(4, identity),
/// mean squared error, trained on the full batch of 10 000 samples.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 4)]
[Input(4)]
[Dense(32, Activation.Tanh)]
[Dense(16, Activation.Tanh)]
[Dense(4, Activation.Linear)]
public partial class SimpleChainsNet;
