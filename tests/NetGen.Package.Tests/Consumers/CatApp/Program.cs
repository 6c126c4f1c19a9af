// A consumer of the NetGen package alone: the published 2-layer "cat vs non-cat" run (12288-7-1, ReLU then sigmoid,
// learning rate 0.0075, 2500 full-batch steps from the given starting weights), then augmentation's allocation check.
using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using NetGen;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(64, 64, 3)]
[Dense(7, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class CatNet;

public static class Program
{
    const int Pixels = CatNet.InputHeight * CatNet.InputWidth * CatNet.InputChannels;

    public static int Main()
    {
        var (xTrain, yTrain) = Load("train", 209);
        var (xTest, yTest) = Load("test", 50);
        var net = new CatNet();
        byte[] w1 = File.ReadAllBytes(Path.Combine("data", "cat2_W1_7x12288.f64"));
        for (int i = 0; i < 7 * Pixels; i++)
            net.W1[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(w1.AsSpan(i * 8, 8));
        string[] w2 = File.ReadAllText(Path.Combine("data", "cat2_W2.csv")).Trim().Split(',');
        for (int i = 0; i < 7; i++) net.W2[i] = float.Parse(w2[i], CultureInfo.InvariantCulture);

        for (int i = 0; i < 2500; i++)
        {
            float cost = net.TrainStep(xTrain, yTrain, 209, 0.0075f);
            if (i is 0 or 100 or 2400) Console.WriteLine($"cost {i} {cost.ToString("R", CultureInfo.InvariantCulture)}");
        }
        Console.WriteLine($"correct train {Correct(net, xTrain, yTrain, 209)}");
        Console.WriteLine($"correct test {Correct(net, xTest, yTest, 50)}");

        var augment = new Augmentation(CatNet.InputHeight, CatNet.InputWidth, CatNet.InputChannels)
            .FlipHorizontal().Translate(0.1).Rotate(10).Brightness(0.1).GaussianNoise(0, 0.02).Clamp(0, 1);
        var batch = new float[16 * Pixels];
        var rng = new Rng(1);
        for (int i = 0; i < 20; i++) augment.Apply(xTrain.AsSpan(0, 16 * Pixels), batch, 16, ref rng);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) augment.Apply(xTrain.AsSpan(0, 16 * Pixels), batch, 16, ref rng);
        Console.WriteLine($"allocated augment {GC.GetAllocatedBytesForCurrentThread() - before}");
        Console.WriteLine("done");
        return 0;
    }

    static (float[] X, float[] Y) Load(string part, int count)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine("data", $"{part}_x.u8"));
        if (bytes.Length != count * Pixels) throw new InvalidDataException($"{part}_x.u8: {bytes.Length} bytes, expected {count * Pixels}");
        var x = new float[bytes.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(bytes[i] / 255.0);
        string[] lines = File.ReadAllLines(Path.Combine("data", $"{part}_y.csv"));
        var y = new float[count];
        for (int i = 0; i < count; i++) y[i] = float.Parse(lines[i], CultureInfo.InvariantCulture);
        return (x, y);
    }

    static int Correct(INetwork net, float[] x, float[] y, int m)
    {
        var predictions = new float[m];
        net.PredictBatch(x, predictions, m);
        int correct = 0;
        for (int i = 0; i < m; i++) if ((predictions[i] > 0.5f) == (y[i] > 0.5f)) correct++;
        return correct;
    }
}
