namespace NetGen.Generator.Model;

// The generator's own copies of the runtime enums (it cannot reference the net10.0 runtime). Values must match src/NetGen/Enums.cs.

internal enum ActivationKind { Linear = 0, Sigmoid = 1, Tanh = 2, Relu = 3, LeakyRelu = 4, Softmax = 5 }

internal enum LossKind { BinaryCrossEntropy = 0, CrossEntropy = 1, MeanSquaredError = 2 }

internal enum InitKind { Default = 0, Zeros = 1, Normal = 2, LeCun = 3, Glorot = 4, He = 5 }
