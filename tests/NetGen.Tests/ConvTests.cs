using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests;

/// <summary>
/// Generated conv networks (issue 14 item 6) against the float64 <see cref="ReferenceNetwork"/>: the forward pass of
/// Predict, PredictBatch and Cost, and ComputeGradients against central differences of the reference's cost, for the
/// cases of <see cref="ConvCases"/> (padding Valid and Same with odd and even kernels, strides 1 to 3, non-square
/// kernels, kernels equal to the map, 1 × 1 maps, max and average pools with overlapping windows, every activation on
/// a conv layer, dropout after a conv layer with the masks given, L2 and L1 on conv weights).
/// </summary>
public sealed class ConvTests
{
    /// <summary>Central-difference step; as <see cref="GradientTests"/>: truncation and rounding ≪ float32 error.</summary>
    private const double H = 1e-5;

    /// <summary>|g − fd| ≤ Tolerance·max(1, |fd|), as <see cref="GradientTests"/> argues it: float32 sums of at most a
    /// few hundred O(1) products err by ≲ 1e-5, while a wrong index, padding, stride or factor errs by ≥ 1e-3.</summary>
    private const double Tolerance = 1e-4;

    private readonly ITestOutputHelper _output;

    public ConvTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (NetCase c in ConvCases.All)
        {
            data.Add(c.Name, 1);
            data.Add(c.Name, 7);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PredictBatch_Predict_and_Cost_match_the_reference(string name, int m)
    {
        Problem p = Problem.Create(name, m);
        ReferenceNetwork r = p.Case.Reference;
        double[] expected = r.Forward(p.Theta, p.Xd, m).A[r.LayerCount];
        var batch = new float[m * r.OutputSize];
        p.Net.PredictBatch(p.X, batch, m);
        var one = new float[r.OutputSize];
        for (int i = 0; i < m; i++)
        {
            p.Net.Predict(p.X.AsSpan(i * r.InputSize, r.InputSize), one);
            for (int j = 0; j < r.OutputSize; j++)
            {
                double e = expected[i * r.OutputSize + j];
                Assert.True(Math.Abs(batch[i * r.OutputSize + j] - e) <= 1e-5 * Math.Max(1, Math.Abs(e)),
                    $"{name}: PredictBatch sample {i} unit {j} is {batch[i * r.OutputSize + j]:R}, the reference gives {e:R}");
                Assert.True(Math.Abs(one[j] - e) <= 1e-5 * Math.Max(1, Math.Abs(e)),
                    $"{name}: Predict sample {i} unit {j} is {one[j]:R}, the reference gives {e:R}");
            }
        }
        double cost = r.Cost(p.Theta, p.Xd, p.Yd, m);
        float actual = p.Net.Cost(p.X, p.Y, m);
        Assert.True(Math.Abs(actual - cost) <= 1e-5 * Math.Max(1, Math.Abs(cost)), $"{name}: Cost {actual:R}, reference {cost:R}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_central_differences_of_the_reference(string name, int m)
    {
        Problem p = Problem.Create(name, m);
        ReferenceNetwork r = p.Case.Reference;
        var gradients = new float[p.Net.ParameterCount];
        gradients.AsSpan().Fill(float.NaN); // every entry must be written
        double[] masks = Array.Empty<double>();
        float cost;
        if (r.MaskUnitsPerSample > 0)
        {
            // Dropout after a conv layer: the masks are given (as the dense dropout tests do), drawn until no ReLU or
            // max-pool window is within the kink margin in training mode too.
            var rng = new Random(17 * m);
            for (int attempt = 0; ; attempt++)
            {
                masks = r.DrawMasks(rng, m);
                if (r.SmallestKinkDistance(p.Theta, p.Xd, m, masks).All(d => d >= Problem.KinkMargin)) break;
                Assert.True(attempt < 1000, "no masks away from the kinks");
            }
            float[] keep = masks.Select(v => (float)v).ToArray();
            cost = ((ConvDropoutNet)p.Net).ComputeGradients(p.X, p.Y, m, gradients, keep);
        }
        else
            cost = p.Net.ComputeGradients(p.X, p.Y, m, gradients);

        double[] fd = r.FiniteDifferenceGradient(p.Theta, p.Xd, p.Yd, m, masks, H);
        var failures = new List<string>();
        double worst = 0;
        for (int i = 0; i < gradients.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(fd[i])), error = Math.Abs(gradients[i] - fd[i]);
            if (!(error <= Tolerance * scale)) failures.Add($"{r.Describe(i)}: g = {gradients[i]:R}, central difference {fd[i]:R}");
            worst = Math.Max(worst, error / scale);
        }
        _output.WriteLine($"{name} m={m}: {gradients.Length} parameters, worst |g − fd| / max(1, |fd|) = {worst:E2}");
        Assert.True(failures.Count == 0, $"{name}, m = {m}: {failures.Count} of {gradients.Length} entries differ:\n"
            + string.Join("\n", failures.Take(12)));
        double expectedCost = r.Cost(p.Theta, p.Xd, p.Yd, m, masks);
        Assert.True(Math.Abs(cost - expectedCost) <= 1e-5 * Math.Max(1, expectedCost), $"{name}: cost {cost}, reference {expectedCost}");
        // The gradient moves something: not a vacuous comparison of zeros.
        Assert.Contains(fd, v => Math.Abs(v) > 1e-3);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainStep_is_theta_minus_learning_rate_times_gradient(string name, int m)
    {
        const float learningRate = 0.37f;
        Problem p = Problem.Create(name, m);
        if (p.Case.Reference.MaskUnitsPerSample > 0) return; // its masks are drawn per call: checked above with masks given
        float[] theta = p.Net.Parameters.ToArray();
        var g = new float[theta.Length];
        float cost = p.Net.ComputeGradients(p.X, p.Y, m, g);
        Assert.Equal(cost, p.Net.TrainStep(p.X, p.Y, m, learningRate));
        float[] after = p.Net.Parameters.ToArray();
        for (int i = 0; i < theta.Length; i++)
        {
            float separate = theta[i] - learningRate * g[i], fused = MathF.FusedMultiplyAdd(-learningRate, g[i], theta[i]);
            Assert.True(after[i] == separate || after[i] == fused, $"{p.Case.Reference.Describe(i)}: {after[i]:R}, expected {separate:R}");
        }
    }

    [Fact]
    public void LeNet5_has_the_shapes_of_the_issue_and_PyTorchs_parameter_count()
    {
        // 6·1·5·5 + 6 = 156, 16·6·5·5 + 16 = 2 416, 400·120 + 120 = 48 120, 120·84 + 84 = 10 164, 84·10 + 10 = 850:
        // 61 706, PyTorch's count for this LeNet-5 (conv1 with padding 2).
        Assert.Equal(61706, LeNet5.ParameterCount);
        Assert.Equal(7, LeNet5.LayerCount);
        var net = new LeNet5();
        IReadOnlyList<LayerDescription> layers = net.Layers;
        Assert.Equal(new[] { LayerKind.Conv2D, LayerKind.MaxPool, LayerKind.Conv2D, LayerKind.MaxPool, LayerKind.Dense, LayerKind.Dense, LayerKind.Dense },
            layers.Select(l => l.Kind));
        Assert.Equal(new[] { (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120), (1, 1, 84), (1, 1, 10) },
            layers.Select(l => l.OutputShape));
        Assert.Equal(new[] { 6, 1, 5, 5 }, layers[0].WeightShape.ToArray());
        Assert.Equal(new[] { 16, 6, 5, 5 }, layers[2].WeightShape.ToArray());
        Assert.Equal(0, layers[1].WeightLength);
        Assert.Equal(0, layers[1].BiasLength);
        Assert.Equal(new[] { 120, 400 }, layers[4].WeightShape.ToArray()); // flattens 5 × 5 × 16
        Assert.Equal(new[] { "layers.0", "layers.2", "layers.4", "layers.5", "layers.6" },
            layers.Where(l => l.Kind != LayerKind.MaxPool).Select(l => l.Name));
        Assert.Equal((2, 2), (layers[0].PadTop, layers[0].PadLeft));
        // The parameter views sit where the descriptions say: W3 starts after W1 (150) and b1 (6).
        Assert.Equal(156, layers[2].WeightOffset);
        Assert.Equal(150 + 6 + 2400, layers[2].BiasOffset);
        Assert.Equal(2400, net.W3.Length);
        Assert.Equal(16, net.B3.Length);
    }

    [Fact]
    public void Conv_weights_are_drawn_with_PyTorchs_fan_in()
    {
        // He: W = randn·√(2 / fan-in), fan-in = c_in·kh·kw = 6·5·5 = 150 for conv 3 (not 14·14·6 = 1 176, the map):
        // the sample deviation of its 2 400 weights is √(2/150) = 0.1155 within ±3·σ/√(2n) ≈ ±4.3 %.
        float[] w = new LeNet5(seed: 3).W3.ToArray();
        double deviation = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(deviation, 0.1155 * 0.957, 0.1155 * 1.043);
        // Conv 1: fan-in 1·5·5 = 25, √(2/25) = 0.283 over 150 weights: ±3·σ/√300 ≈ ±17 %.
        float[] w1 = new LeNet5(seed: 3).W1.ToArray();
        Assert.InRange(Math.Sqrt(w1.Select(v => (double)v * v).Average()), 0.283 * 0.83, 0.283 * 1.17);
    }

    [Fact]
    public void LeNet5_predicts_as_the_reference_and_its_frozen_form_as_itself()
    {
        var net = new LeNet5(seed: 4);
        var r = new ReferenceNetwork((28, 28, 1), Loss.CrossEntropy,
            LayerSpec.Conv(6, 5, 5, Activation.Relu, same: true), LayerSpec.Pool(LayerKind.MaxPool, 2, 2),
            LayerSpec.Conv(16, 5, 5, Activation.Relu), LayerSpec.Pool(LayerKind.MaxPool, 2, 2),
            new LayerSpec(120, Activation.Relu), new LayerSpec(84, Activation.Relu), new LayerSpec(10, Activation.Softmax));
        Assert.Equal(LeNet5.ParameterCount, r.ParameterCount);
        for (int j = 0; j < net.B1.Length; j++) net.B1[j] = 0.1f * (j - 2); // biases that matter
        // 5 samples: from 4 on, the snapshot's batches equal the network's bit for bit (FrozenTests says why not below).
        const int m = 5;
        float[] X = TestData.Uniform(m * 784, 5);
        double[] expected = r.Forward(Problem.ToDouble(net.Parameters), Problem.ToDouble(X), m).A[7];
        var Y = new float[m * 10];
        net.PredictBatch(X, Y, m);
        var frozen = new float[m * 10];
        net.Freeze().PredictBatch(X, frozen, m);
        for (int t = 0; t < Y.Length; t++)
            Assert.True(Math.Abs(Y[t] - expected[t]) <= 1e-5, $"output {t}: {Y[t]:R}, reference {expected[t]:R}");
        Assert.Equal(Y, frozen);
        Assert.Equal(0.1f, net.B1[3]); // prediction leaves the parameters alone
    }
}
