using System;
using System.Diagnostics;

namespace NetGen.Demo;

/// <summary>
/// Trains the notes' shallow and deep networks on the breast cancer data and the flower network from the published
/// starting weights, printing the cost as it falls and the accuracy at the end.
/// </summary>
public static class Program
{
    public static int Main()
    {
        Console.WriteLine("NetGen demo: networks declared with attributes, compiled at build time.");
        Console.WriteLine();
        Flower();
        BreastCancer();
        return 0;
    }

    /// <summary>The course's flower: 2-4-1, tanh then sigmoid, learning rate 1.2, 10 000 full-batch steps.</summary>
    private static void Flower()
    {
        var rows = Data.ReadCsv("flower/flower.csv");
        var (x, y) = Data.ToXY(rows, [0, 1], 2);
        var net = new FlowerNet();
        Data.ReadMatrix("flower/planar_nh4_W1.csv", net.W1);
        Data.ReadMatrix("flower/planar_nh4_W2.csv", net.W2);

        Console.WriteLine($"Flower ({rows.Count} points) with {FlowerNet.Architecture}, from the published starting weights:");
        var clock = Stopwatch.StartNew();
        for (int i = 0; i <= 10_000; i++)
        {
            float cost = net.TrainStep(x, y, rows.Count, 1.2f);
            if (i % 1000 == 0) Console.WriteLine($"  iteration {i,6}  cost {cost:F6}");
        }
        Console.WriteLine($"  accuracy {Accuracy(net, x, y, rows.Count):P2} (published: about 90 %), {clock.ElapsedMilliseconds} ms");
        Console.WriteLine();
    }

    /// <summary>Breast cancer (569 samples, 3 of its 30 features: mean radius, texture and smoothness), 80/20 split.</summary>
    private static void BreastCancer()
    {
        var rows = Data.ReadCsv("sklearn/breast_cancer.csv");
        Data.Shuffle(rows, seed: 42);
        int[] features = [0, 1, 4];
        var (x, y) = Data.ToXY(rows, features, 30);
        int m = rows.Count, train = m * 4 / 5, test = m - train;
        Data.Standardize(x, features.Length, train);
        ReadOnlySpan<float> xTrain = x.AsSpan(0, train * 3), yTrain = y.AsSpan(0, train);
        ReadOnlySpan<float> xTest = x.AsSpan(train * 3), yTest = y.AsSpan(train);

        Console.WriteLine($"Breast cancer: {train} training and {test} test samples, 3 features, 3000 full-batch steps:");
        Console.WriteLine($"  {"network",-40} {"cost",9} {"train acc",10} {"test acc",9}");
        Train(new ShallowNet(), "ShallowNet " + ShallowNet.Architecture, xTrain, yTrain, xTest, yTest, 1.0f);
        Train(new DeepNet(), "DeepNet " + DeepNet.Architecture, xTrain, yTrain, xTest, yTest, 0.1f);
        Console.WriteLine();
    }

    private static void Train(INetwork net, string name, ReadOnlySpan<float> xTrain, ReadOnlySpan<float> yTrain,
        ReadOnlySpan<float> xTest, ReadOnlySpan<float> yTest, float learningRate)
    {
        int train = yTrain.Length, test = yTest.Length;
        float cost = 0;
        for (int i = 0; i < 3000; i++) cost = net.TrainStep(xTrain, yTrain, train, learningRate);
        Console.WriteLine($"  {name,-40} {cost,9:F4} {Accuracy(net, xTrain, yTrain, train),10:P1} {Accuracy(net, xTest, yTest, test),9:P1}");
    }

    /// <summary>mean((prediction &gt; 0.5) == y) over m samples of one output.</summary>
    private static double Accuracy(INetwork net, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int m)
    {
        var predictions = new float[m];
        net.PredictBatch(x, predictions, m);
        int correct = 0;
        for (int i = 0; i < m; i++)
            if ((predictions[i] > 0.5f) == (y[i] > 0.5f)) correct++;
        return (double)correct / m;
    }
}
