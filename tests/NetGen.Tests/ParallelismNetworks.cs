using System;

namespace NetGen.Tests;

// The networks of the parallelism tests (issue 15 item 1): one of each layout and kind, each with dropout and a penalty,
// so that a split batch meets every path that shards (the masks drawn shard by shard, the penalties added once).

/// <summary>Samples as columns (every layer ≤ 64 wide): ReLU with dropout, tanh with L1, sigmoid; L2 network-wide.
/// 8 + 256 + 512 + 48 = 816 multiply-adds per sample, so 4 096 samples split into up to 3 shards.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 51)]
[L2(0.05f)]
[Input(8)]
[Dense(32, Activation.Relu)]
[Dropout(0.8f)]
[Dense(16, Activation.Tanh, L1 = 0.02f)]
[Dense(3, Activation.Sigmoid)]
public partial class ParColumnsNet;

/// <summary>Samples as rows (100 inputs): ReLU with dropout, softmax with cross-entropy, L2. 8 800 multiply-adds per
/// sample.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 52)]
[L2(0.1f)]
[Input(100)]
[Dense(80, Activation.Relu)]
[Dropout(0.9f)]
[Dense(10, Activation.Softmax)]
public partial class ParRowsNet;

/// <summary>A conv network: 10 × 10 × 2 → conv 4 of 3 × 3 (ReLU, dropout) → max 2 → softmax 5, with L2. 8·8·4·9·2 +
/// 64·5 = 4 928 multiply-adds per sample.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 53)]
[L2(0.05f)]
[Input(10, 10, 2)]
[Conv2D(4, 3, Activation.Relu)]
[Dropout(0.9f)]
[MaxPool(2)]
[Dense(5, Activation.Softmax)]
public partial class ParConvNet;

/// <summary>Net A of issue 15: 2-20-3-1, the batch that must never split (211 samples).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 54)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class ParNetA;

/// <summary>SimpleChains' README net: 4-32-16-4 tanh with mean squared error.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 55)]
[Input(4)]
[Dense(32, Activation.Tanh)]
[Dense(16, Activation.Tanh)]
[Dense(4, Activation.Linear)]
public partial class ParTanhNet;

/// <summary>Data for the parallelism tests: Gaussian X and, per loss, valid targets (one-hot for softmax, 0/1 for
/// sigmoid, Gaussian for MSE), the same for a given seed.</summary>
internal static class ParallelData
{
    public static (float[] X, float[] Y) Batch(INetwork net, int m, int seed)
    {
        var rng = new Random(seed);
        int n0 = net.InputSize, nL = net.OutputSize;
        float[] X = new float[m * n0], Y = new float[m * nL];
        for (int i = 0; i < X.Length; i++) X[i] = (float)Problem.Gaussian(rng);
        for (int i = 0; i < m; i++)
        {
            if (net.Loss == Loss.CrossEntropy) Y[i * nL + rng.Next(nL)] = 1f;
            else
                for (int j = 0; j < nL; j++)
                    Y[i * nL + j] = net.Loss == Loss.MeanSquaredError ? (float)Problem.Gaussian(rng) : rng.Next(2);
        }
        return (X, Y);
    }

    /// <summary>FNV-1a over the bits of every parameter: equal checksums mean (all but surely) equal bits.</summary>
    public static ulong Checksum(ReadOnlySpan<float> values)
    {
        ulong hash = 14695981039346656037UL;
        foreach (float value in values)
        {
            hash ^= (uint)BitConverter.SingleToInt32Bits(value);
            hash *= 1099511628211UL;
        }
        return hash;
    }

    /// <summary>20 (or <paramref name="steps"/>) steps of gradient descent on one batch; returns the checksum of the
    /// parameters and of the costs the steps returned.</summary>
    public static (ulong Parameters, ulong Costs) Train(INetwork net, int m, int steps, float learningRate)
    {
        (float[] X, float[] Y) = Batch(net, m, seed: 7);
        float[] costs = new float[steps];
        for (int s = 0; s < steps; s++)
            costs[s] = net.TrainStep(X, Y, m, learningRate);
        return (Checksum(net.Parameters), Checksum(costs));
    }
}

/// <summary>Samples as rows without dropout (so that a split batch's gradients can meet a reference's): 100-80-10,
/// ReLU then softmax, L2.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 56)]
[L2(0.1f)]
[Input(100)]
[Dense(80, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class ParWideNet;
