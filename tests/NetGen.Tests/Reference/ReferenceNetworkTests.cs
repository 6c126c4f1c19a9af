using System;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Reference;

/// <summary>
/// The yardstick is checked before it is used: the reference reproduces published costs (data/README.md) in
/// double precision and closed forms of each loss.
/// </summary>
public sealed class ReferenceNetworkTests
{
    private static double[] Theta(ReferenceNetwork r, params string[] weightFiles)
    {
        var theta = new double[r.ParameterCount]; // biases 0
        for (int l = 1; l <= weightFiles.Length; l++)
        {
            var (values, rows, columns) = TestData.ReadMatrix(weightFiles[l - 1]);
            Assert.Equal((r.Size(l), r.Size(l - 1)), (rows, columns));
            values.CopyTo(theta, r.WeightOffset(l));
        }
        return theta;
    }

    private static (double[] X, double[] Y, int m) Table(string file)
    {
        var (X, Y, m, _) = TestData.ReadFeaturesAndLabel(file);
        return (Problem.ToDouble(X), Problem.ToDouble(Y), m);
    }

    [Fact]
    public void Flower_cost_at_iteration_0_is_the_published_one()
    {
        var r = new ReferenceNetwork(2, Loss.BinaryCrossEntropy, new[] { new LayerSpec(4, Activation.Tanh), new LayerSpec(1, Activation.Sigmoid) });
        var (X, Y, m) = Table("flower/flower.csv");
        Assert.Equal(400, m);
        double J = r.Cost(Theta(r, "flower/planar_nh4_W1.csv", "flower/planar_nh4_W2.csv"), X, Y, m);
        Assert.Equal(0.693048, J, 5e-7); // published to 6 decimals
    }

    [Theory]
    [InlineData(0.0, 0.6557412523)]
    [InlineData(0.7, 0.6974484493)]
    public void Football_cost_at_iteration_0_is_the_published_one(double lambda, double published)
    {
        var r = new ReferenceNetwork(2, Loss.BinaryCrossEntropy,
            new LayerSpec(20, Activation.Relu) { L2 = lambda }, new LayerSpec(3, Activation.Relu) { L2 = lambda },
            new LayerSpec(1, Activation.Sigmoid) { L2 = lambda });
        var (X, Y, m) = Table("football/football_train.csv");
        Assert.Equal(211, m);
        double J = r.Cost(Theta(r, "football/reg_W1.csv", "football/reg_W2.csv", "football/reg_W3.csv"), X, Y, m);
        Assert.Equal(published, J, 1e-9); // published to 10 decimals
    }

    [Fact]
    public void Cross_entropy_of_equal_logits_is_log_k()
    {
        var r = new ReferenceNetwork(3, Loss.CrossEntropy, new[] { new LayerSpec(5, Activation.Softmax) });
        double[] X = { 1, 2, 3, -1, 0.5, 4 };
        double[] Y = { 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 };
        Assert.Equal(Math.Log(5), r.Cost(new double[r.ParameterCount], X, Y, 2), 1e-15);
    }

    [Fact]
    public void Mean_squared_error_is_half_the_squared_distance_over_m()
    {
        // One linear layer with W = 0 and b = (1, −2): J = (1/m) Σ ½‖b − y‖².
        var r = new ReferenceNetwork(1, Loss.MeanSquaredError, new[] { new LayerSpec(2, Activation.Linear) });
        double[] theta = { 0, 0, 1, -2 };
        double[] X = { 3, 4, 5 };
        double[] Y = { 1, 0, 0, 0, 2, -2 };
        double expected = (0.5 * (0 + 4) + 0.5 * (1 + 4) + 0.5 * (1 + 0)) / 3;
        Assert.Equal(expected, r.Cost(theta, X, Y, 3), 1e-15);
    }

    [Fact]
    public void Layout_is_W1_b1_W2_b2_row_major()
    {
        var r = new ReferenceNetwork(3, Loss.MeanSquaredError, new[] { new LayerSpec(2, Activation.Linear), new LayerSpec(1, Activation.Linear) });
        Assert.Equal(new[] { 0, 8 }, new[] { r.WeightOffset(1), r.WeightOffset(2) });
        Assert.Equal(new[] { 6, 10 }, new[] { r.BiasOffset(1), r.BiasOffset(2) });
        Assert.Equal(11, r.ParameterCount);
        // W1 = [[1,2,3],[4,5,6]], b1 = (0.5, −1), W2 = [[1, −1]], b2 = 0.25; x = (1, 0, −1):
        // z1 = (1 − 3 + 0.5, 4 − 6 − 1) = (−1.5, −3), y = −1.5 + 3 + 0.25 = 1.75.
        double[] theta = { 1, 2, 3, 4, 5, 6, 0.5, -1, 1, -1, 0.25 };
        double output = r.Forward(theta, new double[] { 1, 0, -1 }, 1).A[2][0];
        Assert.Equal(1.75, output, 1e-15);
    }

    [Fact]
    public void Leaky_relu_uses_its_slope()
    {
        var r = new ReferenceNetwork(1, Loss.MeanSquaredError, new[] { new LayerSpec(1, Activation.LeakyRelu, 0.1) });
        double[] a = r.Forward(new double[] { 1, 0 }, new double[] { -2, 3 }, 2).A[1];
        Assert.Equal(new[] { -0.2, 3.0 }, a.Select(v => Math.Round(v, 12)).ToArray());
    }

    /// <summary>The pairings DESIGN §3 has no formula for are refused when the reference is built, naming the rule,
    /// so that a mistyped case fails there and not as a wrong number in a gradient test.</summary>
    [Theory]
    [InlineData("binary cross-entropy needs a sigmoid output", Loss.BinaryCrossEntropy, Activation.Linear, Activation.Linear, null)]
    [InlineData("cross-entropy needs a softmax output", Loss.CrossEntropy, Activation.Relu, Activation.Sigmoid, null)]
    [InlineData("softmax only on the output layer", Loss.MeanSquaredError, Activation.Softmax, Activation.Linear, null)]
    [InlineData("no dropout on the output layer", Loss.MeanSquaredError, Activation.Tanh, Activation.Linear, 0.5)]
    public void Construction_refuses_a_network_without_formulas(string rule, Loss loss, Activation hidden, Activation output,
        double? outputKeep)
    {
        var e = Assert.Throws<ArgumentException>(() => new ReferenceNetwork(2, loss,
            new LayerSpec(3, hidden), new LayerSpec(2, output) { Keep = outputKeep }));
        Assert.Contains(rule, e.Message);
    }
}
