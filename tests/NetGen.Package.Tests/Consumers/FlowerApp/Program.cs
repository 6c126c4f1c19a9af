// A consumer of the NetGen package: the planar "flower" data set with 2-n_h-1 networks (tanh, then sigmoid,
// binary cross-entropy), trained from the published starting weights for 5000 full-batch gradient-descent steps
// at α = 1.2. Prints machine-readable lines that NetGen.Package.Tests parses:
//   accuracy <n_h> <percent>      training accuracy, mean((a > 0.5) == y) × 100
//   cost <n_h> <J>                the cost before the last step
//   allocated predict <bytes>     heap bytes of 1000 Predict calls after warm-up
//   allocated trainstep <bytes>   heap bytes of 1000 full-batch TrainStep calls after warm-up
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using NetGen;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(2)]
[Dense(1, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class Flower1;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(2)]
[Dense(2, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class Flower2;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(2)]
[Dense(3, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class Flower3;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(2)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class Flower4;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(2)]
[Dense(5, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class Flower5;

public static class Program
{
    const int Steps = 5000;
    const float LearningRate = 1.2f;

    public static int Main()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "data");
        (float[] x, float[] y, int m) = LoadFlower(Path.Combine(data, "flower.csv"));
        Console.WriteLine($"samples {m}");

        var f1 = new Flower1(); Load(f1.W1, f1.B1, f1.W2, f1.B2, data, 1); Report(1, f1, x, y, m);
        var f2 = new Flower2(); Load(f2.W1, f2.B1, f2.W2, f2.B2, data, 2); Report(2, f2, x, y, m);
        var f3 = new Flower3(); Load(f3.W1, f3.B1, f3.W2, f3.B2, data, 3); Report(3, f3, x, y, m);
        var f4 = new Flower4(); Load(f4.W1, f4.B1, f4.W2, f4.B2, data, 4); Report(4, f4, x, y, m);
        var f5 = new Flower5(); Load(f5.W1, f5.B1, f5.W2, f5.B2, data, 5); Report(5, f5, x, y, m);

        // Allocation: the concrete generated members, after a warm-up at the same batch size.
        var net = new Flower4();
        Span<float> output = stackalloc float[Flower4.OutputSize];
        for (int i = 0; i < 100; i++)
        {
            net.Predict(x.AsSpan(2 * (i % m), 2), output);
            net.TrainStep(x, y, m, LearningRate);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            net.Predict(x.AsSpan(2 * (i % m), 2), output);
        long predictBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            net.TrainStep(x, y, m, LearningRate);
        long trainBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Console.WriteLine($"allocated predict {predictBytes}");
        Console.WriteLine($"allocated trainstep {trainBytes}");
        Console.WriteLine("done");
        return 0;
    }

    static void Load(Span<float> w1, Span<float> b1, Span<float> w2, Span<float> b2, string data, int nh)
    {
        Fill(w1, Path.Combine(data, $"planar_nh{nh}_W1.csv"));
        Fill(w2, Path.Combine(data, $"planar_nh{nh}_W2.csv"));
        b1.Clear();
        b2.Clear();
    }

    static void Report<T>(int nh, T net, float[] x, float[] y, int m) where T : INetwork
    {
        float cost = float.NaN;
        for (int step = 0; step < Steps; step++)
            cost = net.TrainStep(x, y, m, LearningRate);

        var a = new float[m];
        net.PredictBatch(x, a, m);
        int correct = 0;
        for (int i = 0; i < m; i++)
            if ((a[i] > 0.5f) == (y[i] > 0.5f))
                correct++;

        double percent = correct * 100.0 / m;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cost {nh} {cost:R}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {nh} {percent:R}"));
    }

    // W[l] is row-major (n[l], n[l-1]): the CSV holds n[l] rows of n[l-1] values, exactly that layout.
    static void Fill(Span<float> target, string path)
    {
        var values = new List<float>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Trim().Length == 0) continue;
            foreach (string cell in line.Split(','))
                values.Add((float)double.Parse(cell, CultureInfo.InvariantCulture));
        }
        if (values.Count != target.Length)
            throw new InvalidDataException($"{Path.GetFileName(path)} holds {values.Count} values, the layer has {target.Length}.");
        values.ToArray().CopyTo(target);
    }

    // flower.csv: header "x1,x2,y", then one sample per row. X is m × 2 (rows are samples), Y is m × 1.
    static (float[] X, float[] Y, int M) LoadFlower(string path)
    {
        var xs = new List<float>();
        var ys = new List<float>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Trim().Length == 0 || line.StartsWith("x1", StringComparison.Ordinal)) continue;
            string[] cells = line.Split(',');
            xs.Add((float)double.Parse(cells[0], CultureInfo.InvariantCulture));
            xs.Add((float)double.Parse(cells[1], CultureInfo.InvariantCulture));
            ys.Add((float)double.Parse(cells[2], CultureInfo.InvariantCulture));
        }
        return (xs.ToArray(), ys.ToArray(), ys.Count);
    }
}
