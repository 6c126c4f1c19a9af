using System;
using System.Globalization;
using NetGen;

namespace PretrainedApp;

// A PyTorch nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 3), Softmax) saved with safetensors.torch.save_file.
[Network(Loss = Loss.CrossEntropy)]
[Input(4)]
[Dense(8, Activation.Relu)]
[Dense(3, Activation.Softmax)]
[Weights("models/iris.safetensors")]
public partial class IrisNet;

public static class Program
{
    /// <summary>Prints the predictions of the compiled-in weights for a few inputs, one sample a line, each float as
    /// its round-trip text.</summary>
    public static int Main()
    {
        float[][] inputs =
        {
            new[] { 5.1f, 3.5f, 1.4f, 0.2f },
            new[] { 6.4f, 3.2f, 4.5f, 1.5f },
            new[] { 6.3f, 3.3f, 6.0f, 2.5f },
            new[] { -1f, 0.5f, 2f, -0.25f },
        };
        var net = new IrisNet();
        var y = new float[IrisNet.OutputSize];
        foreach (float[] x in inputs)
        {
            net.Predict(x, y);
            Console.WriteLine("y " + string.Join(" ", Array.ConvertAll(y, v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        return 0;
    }
}
