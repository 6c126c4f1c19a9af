using System;
using System.Globalization;
using NetGen;

namespace ConvPretrainedApp;

// A PyTorch nn.Sequential(Conv2d(2, 3, (4, 3), padding='same'), ReLU(), MaxPool2d(2), Flatten(), Linear(27, 5), ReLU(),
// Linear(5, 3)) saved with safetensors.torch.save_file; its modules with parameters are 0, 4 and 6.
[Network(Loss = Loss.CrossEntropy)]
[Input(6, 6, 2)]
[Conv2D(3, 4, Activation.Relu, Padding = Padding.Same, KernelWidth = 3)]
[MaxPool(2)]
[Dense(5, Activation.Relu)]
[Dense(3, Activation.Softmax)]
[Weights("models/conv.safetensors")]
public partial class ConvNet;

public static class Program
{
    /// <summary>Prints the predictions of the compiled-in weights for a few samples (h × w × c, x[s][i] =
    /// sin(0.37·i + 1.3·s + 0.1) as float32), one sample a line, each float as its round-trip text.</summary>
    public static int Main()
    {
        var net = new ConvNet();
        var x = new float[ConvNet.InputSize];
        var y = new float[ConvNet.OutputSize];
        for (int s = 0; s < 5; s++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)Math.Sin(0.37 * i + 1.3 * s + 0.1);
            net.Predict(x, y);
            Console.WriteLine("y " + string.Join(" ", Array.ConvertAll(y, v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        return 0;
    }
}
