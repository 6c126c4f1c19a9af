using NetGen;

namespace NetGen.Demo;

/// <summary>The course's planar "flower" network 2-4-1, tanh then sigmoid, started from the published weights.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(2)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class FlowerNet;

/// <summary>The course's football network 2-20-3-1 (ReLU, ReLU, sigmoid) with no regularization.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class FootballNet;

/// <summary>The football network with an L2 penalty λ = 0.7 on every weight matrix.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[L2(0.7f)]
public partial class FootballL2Net;

/// <summary>The football network with inverted dropout, keep = 0.86, on both hidden layers.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dropout(0.86f)]
[Dense(3, Activation.Relu)]
[Dropout(0.86f)]
[Dense(1, Activation.Sigmoid)]
public partial class FootballDropoutNet;

/// <summary>Breast cancer (all 30 features): 30-16-1, ReLU then sigmoid, no regularization.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 7)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class CancerNet;

/// <summary>The breast cancer network with an L2 penalty λ = 0.1 on both weight matrices (<c>--penalty l2</c>).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 7)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[L2(0.1f)]
public partial class CancerL2Net;

/// <summary>The breast cancer network with inverted dropout, keep = 0.8, on the hidden layer (<c>--penalty dropout</c>).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 7)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dropout(0.8f)]
[Dense(1, Activation.Sigmoid)]
public partial class CancerDropoutNet;

/// <summary>The notes' shallow network: one hidden layer of 4 tanh units and a sigmoid output (here on 30 features).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Glorot, Seed = 2)]
[Input(30)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class ShallowNet;

/// <summary>The notes' deep network n = [n_x, 5, 5, 3, 1]: three ReLU hidden layers and a sigmoid output.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 3)]
[Input(30)]
[Dense(5, Activation.Relu)]
[Dense(5, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class DeepNet;

/// <summary>Iris (4 features, 3 species): 4-10-3, a ReLU hidden layer and a softmax output under cross-entropy.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 5)]
[Input(4)]
[Dense(10, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class IrisNet;

/// <summary>
/// scikit-learn's 8 × 8 digits (10 classes): a small CNN. One 3 × 3 convolution of 16 filters, padded to keep the
/// 8 × 8 map, then a 2 × 2 max pool to 4 × 4 × 16, a ReLU layer of 32 units (it reads the 256 pooled values in
/// (c, h, w) order) and a softmax over the ten digits.
/// </summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 1)]
[Input(8, 8, 1)]
[Conv2D(16, 3, Activation.Relu, Padding = Padding.Same)] // → 8 × 8 × 16
[MaxPool(2)]                                             // → 4 × 4 × 16
[Dense(32, Activation.Relu)]                             // flattens 256
[Dense(10, Activation.Softmax)]
public partial class DigitNet;
