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
        Football();
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

    /// <summary>
    /// The course's football data (211 training points, 200 test points): the same 2-20-3-1 network from the same
    /// published starting weights, trained 30 000 full-batch steps at learning rate 0.3 without regularization, with
    /// L2 (λ = 0.7) and with inverted dropout (keep = 0.86) — the notes' chapter 3 story in one table.
    /// </summary>
    private static void Football()
    {
        var trainRows = Data.ReadCsv("football/football_train.csv");
        var testRows = Data.ReadCsv("football/football_test.csv");
        var (xTrain, yTrain) = Data.ToXY(trainRows, [0, 1], 2);
        var (xTest, yTest) = Data.ToXY(testRows, [0, 1], 2);
        int m = trainRows.Count;

        // The published dropout run drew the same masks at every step; they are stored features × samples.
        var publishedMasks = new float[m * (20 + 3)];
        Data.ReadTransposed("football/reg_dropout_D1.csv", publishedMasks.AsSpan(0, m * 20), 20, m);
        Data.ReadTransposed("football/reg_dropout_D2.csv", publishedMasks.AsSpan(m * 20, m * 3), 3, m);

        Console.WriteLine($"Football ({m} training, {testRows.Count} test points), 2-20-3-1 from the published starting weights, 30 000 steps:");
        Console.WriteLine($"  {"run",-34} {"cost @0",9} {"@10 000",9} {"@20 000",9} {"train",9} {"test",9}");
        Run("no regularization", new FootballNet(), null);
        Run("L2, λ = 0.7", new FootballL2Net(), null);
        Run("dropout 0.86, the published masks", new FootballDropoutNet(), publishedMasks);
        Run("dropout 0.86, fresh masks", new FootballDropoutNet(), Array.Empty<float>());
        Console.WriteLine("  published: no regularization 200/211 and 183/200, L2 198/211 and 186/200, dropout 196/211 and 190/200");
        Console.WriteLine();

        void Run(string name, INetwork net, float[]? masks)
        {
            Span<float> parameters = net.Parameters;
            Data.ReadMatrix("football/reg_W1.csv", parameters.Slice(0, 40));
            Data.ReadMatrix("football/reg_W2.csv", parameters.Slice(60, 60));
            Data.ReadMatrix("football/reg_W3.csv", parameters.Slice(123, 3));
            var costs = new float[3];
            var gradients = new float[net.ParameterCount];
            for (int i = 0; i < 30_000; i++)
            {
                float cost = masks is { Length: > 0 } && net is FootballDropoutNet dropout
                    ? dropout.ComputeGradients(xTrain, yTrain, m, gradients, masks)
                    : net.ComputeGradients(xTrain, yTrain, m, gradients);
                Kernels.GradientDescent(parameters, gradients, 0.3f);
                if (i % 10_000 == 0) costs[i / 10_000] = cost;
            }
            int trainCorrect = Correct(net, xTrain, yTrain, m), testCorrect = Correct(net, xTest, yTest, testRows.Count);
            Console.WriteLine($"  {name,-34} {costs[0],9:F6} {costs[1],9:F6} {costs[2],9:F6} {trainCorrect,5}/{m} {testCorrect,5}/{testRows.Count}");
        }
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
        Console.WriteLine($"  {"network",-66} {"cost",9} {"train acc",10} {"test acc",9}");
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
        Console.WriteLine($"  {name,-66} {cost,9:F4} {Accuracy(net, xTrain, yTrain, train),10:P1} {Accuracy(net, xTest, yTest, test),9:P1}");
    }

    /// <summary>mean((prediction &gt; 0.5) == y) over m samples of one output.</summary>
    private static double Accuracy(INetwork net, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int m) => (double)Correct(net, x, y, m) / m;

    /// <summary>How many of m samples of one output have (prediction &gt; 0.5) == y.</summary>
    private static int Correct(INetwork net, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int m)
    {
        var predictions = new float[m];
        net.PredictBatch(x, predictions, m);
        int correct = 0;
        for (int i = 0; i < m; i++)
            if ((predictions[i] > 0.5f) == (y[i] > 0.5f)) correct++;
        return correct;
    }
}
