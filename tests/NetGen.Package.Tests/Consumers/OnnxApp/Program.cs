using Microsoft.ML.OnnxRuntime;
using NetGen;

// Saves two networks as ONNX with the packed package's SaveOnnx, runs each file in ONNX Runtime, and prints, per
// network, the largest difference from PredictBatch relative to 1e-5·|y| + 1e-6 (≤ 1 agrees).
int failures = 0;
failures += Check(new SoftmaxNet(), "softmax");
failures += Check(new LeakyNet(), "leaky");
Console.WriteLine(failures == 0 ? "agree" : $"{failures} disagree");
return failures;

static int Check(INetwork net, string name)
{
    const int m = 37;
    var rng = new Random(11);
    var x = new float[m * net.InputSize];
    for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 4 - 2);
    var expected = new float[m * net.OutputSize];
    net.PredictBatch(x, expected, m);

    string path = Path.Combine(AppContext.BaseDirectory, name + ".onnx");
    net.SaveOnnx(path);
    using var session = new InferenceSession(path);
    using var input = OrtValue.CreateTensorValueFromMemory(x, [m, net.InputSize]);
    using var outputs = session.Run(new RunOptions(), ["x"], [input], ["y"]);
    ReadOnlySpan<float> y = outputs[0].GetTensorDataAsSpan<float>();
    double worst = 0;
    for (int i = 0; i < expected.Length; i++)
        worst = Math.Max(worst, Math.Abs(y[i] - expected[i]) / (1e-5 * Math.Abs(expected[i]) + 1e-6));
    Console.WriteLine($"{name} {net.Architecture} outputs {y.Length} worst {worst:F3}");
    return y.Length == expected.Length && worst <= 1 ? 0 : 1;
}

[Network(Loss = Loss.CrossEntropy, Seed = 3)]
[Input(6)]
[Dense(40, Activation.Tanh)]
[Dense(33, Activation.Relu)]
[Dense(4, Activation.Softmax)]
public partial class SoftmaxNet;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 4)]
[Input(5)]
[Dense(12, Activation.LeakyRelu, LeakySlope = 0.2f)]
[Dense(1, Activation.Sigmoid)]
public partial class LeakyNet;
