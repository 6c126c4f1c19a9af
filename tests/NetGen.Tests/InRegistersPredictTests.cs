using System;
using Xunit;

namespace NetGen.Tests;

// Small networks (input and every layer ≤ 32 wide) predict one sample with each layer's A in registers. These cover
// its every case: rows packed 16, 8, 4 and 2 to a vector (1, 2, 4, 8 inputs), rows of other widths below and above 16
// (one and two vectors of A), layers of 1 to 32 units (one and two groups of 16), every activation, softmax last.

[Network(Loss = Loss.MeanSquaredError, Seed = 21)]
[Input(1)]
[Dense(32, Activation.Relu)]
[Dense(17, Activation.Tanh)]
[Dense(3, Activation.Linear)]
public partial class RegistersNet1;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 22)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class RegistersNet2;

[Network(Loss = Loss.CrossEntropy, Seed = 23)]
[Input(4)]
[Dense(16, Activation.LeakyRelu, LeakySlope = 0.2f)]
[Dense(9, Activation.Sigmoid)]
[Dense(4, Activation.Softmax)]
public partial class RegistersNet3;

[Network(Loss = Loss.MeanSquaredError, Seed = 24)]
[Input(8)]
[Dense(31, Activation.Tanh)]
[Dense(8, Activation.Linear)]
public partial class RegistersNet4;

[Network(Loss = Loss.CrossEntropy, Seed = 25)]
[Input(32)]
[Dense(32, Activation.Sigmoid)]
[Dense(2, Activation.Softmax)]
public partial class RegistersNet5;

[Network(Loss = Loss.MeanSquaredError, Seed = 26)]
[Input(17)]
[Dense(5, Activation.Relu)]
[Dense(16, Activation.Tanh)]
[Dense(1, Activation.Linear)]
public partial class RegistersNet6;

[Network(Loss = Loss.MeanSquaredError, Seed = 27)]
[Input(3)]
[Dense(24, Activation.Sigmoid)]
public partial class RegistersNet7;

public class InRegistersPredictTests
{
    /// <summary>The forward pass in double precision, from the network's own parameters: A[l] = g(W[l]·A[l-1] + b[l]).</summary>
    private static double[] Reference(INetwork net, int[] sizes, Activation[] activations, float slope, float[] x)
    {
        ReadOnlySpan<float> p = net.Parameters;
        double[] a = Array.ConvertAll(x, v => (double)v);
        int offset = 0;
        for (int l = 1; l < sizes.Length; l++)
        {
            int nIn = sizes[l - 1], nOut = sizes[l];
            var z = new double[nOut];
            for (int j = 0; j < nOut; j++)
            {
                double sum = p[offset + nIn * nOut + j];
                for (int k = 0; k < nIn; k++) sum += (double)p[offset + j * nIn + k] * a[k];
                z[j] = sum;
            }
            offset += nIn * nOut + nOut;
            Activation g = activations[l - 1];
            if (g == Activation.Softmax)
            {
                double max = double.NegativeInfinity, total = 0;
                foreach (double v in z) max = Math.Max(max, v);
                for (int j = 0; j < nOut; j++) total += z[j] = Math.Exp(z[j] - max);
                for (int j = 0; j < nOut; j++) z[j] /= total;
            }
            else
                for (int j = 0; j < nOut; j++)
                    z[j] = g switch
                    {
                        Activation.Relu => Math.Max(0, z[j]),
                        Activation.LeakyRelu => z[j] > 0 ? z[j] : slope * z[j],
                        Activation.Sigmoid => 1 / (1 + Math.Exp(-z[j])),
                        Activation.Tanh => Math.Tanh(z[j]),
                        _ => z[j],
                    };
            a = z;
        }
        return a;
    }

    /// <summary>Random parameters of either sign (biases too, so that ReLUs are sometimes off), several random samples:
    /// Predict within 2e-6·(1 + |y|) of the double reference (a few float roundings per layer, each carried through a
    /// 1-Lipschitz g, plus the vector exponential's 2 ulp) and within 1e-6 of PredictBatch.</summary>
    private static void Check<TNet>(int[] sizes, Activation[] activations, float slope = 0f) where TNet : INetwork, new()
    {
        var net = new TNet();
        var rng = new Rng(99);
        Span<float> p = net.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = (float)(rng.NextDouble() * 2 - 1);
        int nIn = sizes[0], nOut = sizes[^1], samples = 7;
        var X = new float[samples * nIn];
        for (int i = 0; i < X.Length; i++) X[i] = (float)(rng.NextDouble() * 4 - 2);
        var batch = new float[samples * nOut];
        net.PredictBatch(X, batch, samples);
        for (int s = 0; s < samples; s++)
        {
            float[] x = X.AsSpan(s * nIn, nIn).ToArray();
            var y = new float[nOut + 2];
            y[0] = -777f;
            y[^1] = 12345f;
            net.Predict(x, y.AsSpan(1, nOut));
            Assert.Equal(-777f, y[0]);
            Assert.Equal(12345f, y[^1]);
            double[] expected = Reference(net, sizes, activations, slope, x);
            for (int j = 0; j < nOut; j++)
            {
                Assert.True(Math.Abs(y[1 + j] - expected[j]) <= 2e-6 * (1 + Math.Abs(expected[j])), $"{typeof(TNet).Name} sample {s} output {j}: {y[1 + j]} vs {expected[j]}");
                Assert.True(Math.Abs(y[1 + j] - batch[s * nOut + j]) <= 1e-6 * (1 + Math.Abs(expected[j])), $"{typeof(TNet).Name} sample {s} output {j}: Predict {y[1 + j]}, PredictBatch {batch[s * nOut + j]}");
            }
        }
    }

    [Fact] public void One_input_to_32_17_3() => Check<RegistersNet1>([1, 32, 17, 3], [Activation.Relu, Activation.Tanh, Activation.Linear]);
    [Fact] public void Two_inputs_20_3_1() => Check<RegistersNet2>([2, 20, 3, 1], [Activation.Relu, Activation.Relu, Activation.Sigmoid]);
    [Fact] public void Four_inputs_16_9_softmax_4() => Check<RegistersNet3>([4, 16, 9, 4], [Activation.LeakyRelu, Activation.Sigmoid, Activation.Softmax], 0.2f);
    [Fact] public void Eight_inputs_31_8() => Check<RegistersNet4>([8, 31, 8], [Activation.Tanh, Activation.Linear]);
    [Fact] public void Thirty_two_inputs_32_softmax_2() => Check<RegistersNet5>([32, 32, 2], [Activation.Sigmoid, Activation.Softmax]);
    [Fact] public void Seventeen_inputs_5_16_1() => Check<RegistersNet6>([17, 5, 16, 1], [Activation.Relu, Activation.Tanh, Activation.Linear]);
    [Fact] public void Three_inputs_24() => Check<RegistersNet7>([3, 24], [Activation.Sigmoid]);

    /// <summary>The blocks never read or write past their span, whatever they are asked.</summary>
    [Fact]
    public void Loads_and_stores_stay_inside_their_span()
    {
        float[] data = { 1, 2, 3, 4, 5 };
        var v = Kernels.InRegisters.Load(data.AsSpan(2), 0, 16);
        Assert.Equal(new float[] { 3, 4, 5, 0 }, new[] { v[0], v[1], v[2], v[3] });
        for (int i = 3; i < 16; i++) Assert.Equal(0f, v[i]);
        Assert.Equal(0f, Kernels.InRegisters.Load(data, 5, 4)[0]);
        var target = new float[20];
        Kernels.InRegisters.Store(target.AsSpan(3, 5), 0, System.Runtime.Intrinsics.Vector512.Create(7f));
        Assert.Equal(new float[] { 0, 0, 0, 7, 7, 7, 7, 7, 0, 0 }, target[..10]);
        Kernels.InRegisters.Store(target.AsSpan(3, 5), 5, System.Runtime.Intrinsics.Vector512.Create(9f));
        Assert.DoesNotContain(9f, target);
    }
    /// <summary>Row r's vector: lane k holds (r + 1)·(k + 1), so that row r sums to (r + 1)·136 (1 + 2 + … + 16).</summary>
    private static System.Runtime.Intrinsics.Vector512<float> Row(int r)
    {
        var lanes = new float[16];
        for (int k = 0; k < 16; k++) lanes[k] = (r + 1) * (k + 1);
        return System.Runtime.Intrinsics.Vector512.Create(lanes);
    }

    /// <summary>The generated code passes a fold only the rows its layer has (FoldRows(r0, r1, r2) for 3 units): lane j
    /// holds row j's sum, by hand (r + 1)·136, and every lane past the last row is 0 — as when the sixteen were given
    /// with zeros, the form it replaces.</summary>
    [Avx512Fact]
    public void A_fold_of_the_rows_a_layer_has_sums_them_and_leaves_zeros_after()
    {
        var three = Kernels.InRegisters.FoldRows(Row(0), Row(1), Row(2));
        var sixteen = Kernels.InRegisters.FoldRows(Row(0), Row(1), Row(2), Row(3), Row(4), Row(5), Row(6), Row(7), Row(8), Row(9),
            Row(10), Row(11), Row(12), Row(13), Row(14), Row(15));
        for (int j = 0; j < 16; j++)
        {
            Assert.Equal(j < 3 ? (j + 1) * 136f : 0f, three[j]);
            Assert.Equal((j + 1) * 136f, sixteen[j]);
        }
        // Rows of 2 packed 8 to a vector: one vector given is rows 0-7; lane j of the vector p is 2 × j.
        var packed = System.Runtime.Intrinsics.Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var pairs = Kernels.InRegisters.FoldPairs(packed);
        for (int j = 0; j < 16; j++)
            Assert.Equal(j < 8 ? 4f * j + 1 : 0f, pairs[j]); // (2j) + (2j + 1)
        // Rows of 8 packed 2 to a vector: one vector given is rows 0 and 1 (0 + … + 7 = 28, 8 + … + 15 = 92).
        var eights = Kernels.InRegisters.FoldEights(packed);
        Assert.Equal(new[] { 28f, 92f, 0f }, new[] { eights[0], eights[1], eights[2] });
        var fours = Kernels.InRegisters.FoldFours(packed); // rows 0-3 of 4 inputs: 6, 22, 38, 54
        Assert.Equal(new[] { 6f, 22f, 38f, 54f, 0f }, new[] { fours[0], fours[1], fours[2], fours[3], fours[4] });
    }

    /// <summary>One row of 20 inputs against A held in two vectors: lane k is W[k]·A[k] + W[16 + k]·A[16 + k], lanes
    /// 4-15 of the second half zero (the row has 4 floats there); the weights after the row are not read.</summary>
    [Avx512Fact]
    public void Products_of_a_row_wider_than_16_join_its_two_halves()
    {
        float[] w = new float[40];
        for (int i = 0; i < w.Length; i++) w[i] = i < 20 ? i + 1 : 1000; // the row, then the next row's weights
        var a0 = System.Runtime.Intrinsics.Vector512.Create(2f);
        var a1 = System.Runtime.Intrinsics.Vector512.Create(3f);
        var products = Kernels.InRegisters.Products(w, 0, 20, a0, a1);
        for (int k = 0; k < 16; k++)
            Assert.Equal(2f * (k + 1) + (k < 4 ? 3f * (17 + k) : 0f), products[k]);
        // Summed, the row's dot product: 2·(1 + … + 16) + 3·(17 + 18 + 19 + 20) = 272 + 222.
        Assert.Equal(494f, System.Runtime.Intrinsics.Vector512.Sum(products));
    }
}
