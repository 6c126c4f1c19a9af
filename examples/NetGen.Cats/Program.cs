using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen;

namespace NetGen.Cats;

// The 2-layer model of the deeplearning.ai "cat vs non-cat" application exercise: 12288-7-1, ReLU then sigmoid,
// binary cross-entropy, randn × 0.01. The 64 × 64 × 3 photos are flattened in HWC order, the order of the files.
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Normal)]
[Input(64, 64, 3)]
[Dense(7, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class CatNet;

// A small CNN trained from scratch. The 2 × 2 max pool first halves the photo (a quarter of the work for every layer
// after it); two 3 × 3 convolutions of 8 and 16 filters, each followed by a pool, then one sigmoid unit reading the
// 8 × 8 × 16 map flattened in (c, h, w) order. 2 417 parameters against the 2-layer MLP's 86 031.
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 1)]
[Input(64, 64, 3)]
[MaxPool(2)]                                             // → 32 × 32 × 3
[Conv2D(8, 3, Activation.Relu, Padding = Padding.Same)]  // → 32 × 32 × 8
[MaxPool(2)]                                             // → 16 × 16 × 8
[Conv2D(16, 3, Activation.Relu, Padding = Padding.Same)] // → 16 × 16 × 16
[MaxPool(2)]                                             // → 8 × 8 × 16
[Dense(1, Activation.Sigmoid)]                           // flattens 1 024
public partial class CatCnn;

/// <summary>
/// Reproduces the published 2-layer cat result (data/README.md, "catvnoncat") from the published starting weights —
/// full-batch gradient descent, learning rate 0.0075, 2500 iterations — then trains the same network from the same
/// starting weights with data augmentation, then trains a small CNN (<see cref="CatCnn"/>) from scratch with the same
/// augmentation, and reports the test accuracies beside the notes' published 2-layer (72 %) and 4-layer (80 %) MLPs.
/// </summary>
public static class Program
{
    private const int Height = 64, Width = 64, Channels = 3, Pixels = Height * Width * Channels, Hidden = 7;
    private const float LearningRate = 0.0075f;
    private const int Iterations = 2500;

    // The published run (float64 numpy): the cost before steps 0, 100 and 2400, and the accuracies.
    private const double Published0 = 0.6930497357, Published100 = 0.6464320953, Published2400 = 0.0485547856;

    public static int Main(string[] args)
    {
        string folder = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "data", "catvnoncat");
        if (!File.Exists(Path.Combine(folder, "train_x.u8")))
        {
            Console.Error.WriteLine($"The cat photos are not in {folder}; pass the folder holding train_x.u8 as the first argument.");
            return 1;
        }

        Dataset train = Load(folder, "train", 209), test = Load(folder, "test", 50);
        Console.WriteLine($"cat vs non-cat: {train.Count} training photos ({Cats(train)} cats), {test.Count} test photos ({Cats(test)} cats), " +
                          $"{Height}×{Width}×{Channels} = {CatNet.InputSize} features (bytes / 255, HWC order)");
        Console.WriteLine($"network {CatNet.Architecture}, {CatNet.ParameterCount} parameters");
        Console.WriteLine();

        // 1. The published run: TrainStep on the whole training set, 2500 times.
        Console.WriteLine($"1. The published run: full-batch gradient descent, α = {LearningRate}, {Iterations} iterations, from cat2_W1/cat2_W2");
        var net = Start(folder);
        var clock = Stopwatch.StartNew();
        float cost0 = 0, cost100 = 0, cost2400 = 0;
        for (int i = 0; i < Iterations; i++)
        {
            float cost = net.TrainStep(train.X, train.Y, train.Count, LearningRate); // the cost before step i
            if (i == 0) cost0 = cost;
            if (i == 100) cost100 = cost;
            if (i == 2400) cost2400 = cost;
            if (i % 100 == 0)
                Console.WriteLine($"   cost after iteration {i,4}: {cost:F10}");
        }
        clock.Stop();
        // mean((prediction > 0.5) == y), the published accuracy: Metrics' rule for one sigmoid output.
        double trainAccuracy = Metrics.Accuracy(net, train), testAccuracy = Metrics.Accuracy(net, test);
        Console.WriteLine($"   {Iterations} iterations in {clock.Elapsed.TotalSeconds:F1} s ({clock.Elapsed.TotalMilliseconds / Iterations:F2} ms each)");
        Console.WriteLine($"   published: cost @0 {Published0:F10}, @100 {Published100:F10}, @2400 {Published2400:F10}, train accuracy 1.0, test accuracy 0.72");
        Console.WriteLine($"   NetGen:    cost @0 {cost0:F10}, @100 {cost100:F10}, @2400 {cost2400:F10}, " +
                          $"train accuracy {trainAccuracy:0.###}, test accuracy {testAccuracy:0.###}");
        Console.WriteLine();

        // 2. The same network from the same starting weights, trained on augmented photos.
        Console.WriteLine("2. The same network and starting weights, trained with data augmentation");
        // Flips, shifts of up to 10 % and brightness changes, drawn afresh for every epoch's (full) batch; the training
        // set itself is never changed and the test set is never augmented.
        var augmentation = new Augmentation(Height, Width, Channels).FlipHorizontal(0.5).Translate(0.1, 0.5).Brightness(0.1, 0.5);
        Console.WriteLine($"   augmentation: horizontal flip (p 0.5), translate ≤ 10 % (p 0.5), brightness ± 0.1 (p 0.5); " +
                          $"Trainer.Fit, {Iterations} epochs of the full batch, α = {LearningRate}");
        var augmented = Start(folder);
        clock.Restart();
        TrainingHistory history = Trainer.Fit(augmented, train, null, new TrainingOptions
        {
            Epochs = Iterations,
            BatchSize = 0,
            LearningRate = LearningRate,
            Augment = augmentation,
        });
        clock.Stop();
        // history.TrainCost[e − 1] is J on the unaugmented training photos after epoch e (= after e steps).
        for (int e = 100; e <= history.TrainCost.Count; e += 100)
            Console.WriteLine($"   cost on the training photos after {e,4} steps: {history.TrainCost[e - 1]:F10}");
        double augmentedTrain = Metrics.Accuracy(augmented, train), augmentedTest = Metrics.Accuracy(augmented, test);
        Console.WriteLine($"   {history.TrainCost.Count} epochs in {clock.Elapsed.TotalSeconds:F1} s ({clock.Elapsed.TotalMilliseconds / history.TrainCost.Count:F2} ms each)");
        Console.WriteLine($"   train accuracy (unaugmented photos) {augmentedTrain:0.###}, test accuracy {augmentedTest:0.###}");
        Console.WriteLine();
        // 3. A CNN from scratch (He initialisation, seed 1), trained with the same augmentation.
        Console.WriteLine($"3. A CNN trained from scratch with the same augmentation: {CatCnn.Architecture}");
        Console.WriteLine($"   {CatCnn.ParameterCount} parameters; Trainer.Fit, Adam, α = {CnnLearningRate}, " +
                          $"batches of {CnnBatchSize}, {CnnEpochs} epochs, shuffle seed {CnnSeed}");
        var cnn = new CatCnn();
        clock.Restart();
        TrainingHistory cnnHistory = Trainer.Fit(cnn, train, null, CnnOptions(augmentation));
        clock.Stop();
        for (int e = 10; e <= cnnHistory.TrainCost.Count; e += 10)
            Console.WriteLine($"   cost on the training photos after epoch {e,3}: {cnnHistory.TrainCost[e - 1]:F6}");
        double cnnTrain = Metrics.Accuracy(cnn, train), cnnTest = Metrics.Accuracy(cnn, test);
        Console.WriteLine($"   {cnnHistory.TrainCost.Count} epochs in {clock.Elapsed.TotalSeconds:F1} s " +
                          $"({clock.Elapsed.TotalMilliseconds / cnnHistory.TrainCost.Count:F0} ms each)");
        Console.WriteLine($"   train accuracy (unaugmented photos) {cnnTrain:0.###}, test accuracy {cnnTest:0.###}");
        Console.WriteLine();
        Console.WriteLine($"test accuracy (of {test.Count} photos):");
        Console.WriteLine($"   2-layer MLP, published run       0.72 (published), {testAccuracy:0.###} here {Of(testAccuracy, test)}");
        Console.WriteLine($"   2-layer MLP with augmentation    {augmentedTest:0.###} {Of(augmentedTest, test)}");
        Console.WriteLine("   4-layer MLP 12288-20-7-5-1       0.80 (published)");
        Console.WriteLine($"   CNN with augmentation            {cnnTest:0.###} {Of(cnnTest, test)}");
        return 0;
    }

    private const float CnnLearningRate = 0.003f;
    private const int CnnEpochs = 40, CnnBatchSize = 32;
    private const ulong CnnSeed = 1;

    /// <summary>"(k/m)": an accuracy as the count of photos right.</summary>
    private static string Of(double accuracy, Dataset data) => $"({Math.Round(accuracy * data.Count)}/{data.Count})";

    /// <summary>How the CNN is trained: Adam, mini-batches of 32 shuffled with a fixed seed, each batch augmented.</summary>
    private static TrainingOptions CnnOptions(Augmentation augmentation) => new()
    {
        Epochs = CnnEpochs,
        BatchSize = CnnBatchSize,
        Optimizer = Optimizer.Adam,
        LearningRate = CnnLearningRate,
        ShuffleSeed = CnnSeed,
        Augment = augmentation,
    };

    /// <summary>A network holding the published starting weights: W1 from the float64 file, W2 from the CSV, biases 0.</summary>
    private static CatNet Start(string folder)
    {
        var net = new CatNet();
        net.Parameters.Clear();
        byte[] w1 = File.ReadAllBytes(Path.Combine(folder, "cat2_W1_7x12288.f64"));
        if (w1.Length != Hidden * Pixels * sizeof(double))
            throw new InvalidDataException($"cat2_W1_7x12288.f64 has {w1.Length} bytes, expected {Hidden * Pixels * sizeof(double)}");
        for (int i = 0; i < Hidden * Pixels; i++)
            net.W1[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(w1.AsSpan(i * sizeof(double)));
        double[] w2 = File.ReadAllText(Path.Combine(folder, "cat2_W2.csv")).Trim().Split(',')
            .Select(s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        if (w2.Length != Hidden)
            throw new InvalidDataException($"cat2_W2.csv has {w2.Length} values, expected {Hidden}");
        for (int j = 0; j < Hidden; j++)
            net.W2[j] = (float)w2[j];
        return net;
    }

    /// <summary>{part}_x.u8 (count × 12 288 bytes, HWC) as bytes / 255, and {part}_y.csv (one 0/1 per line).</summary>
    private static Dataset Load(string folder, string part, int count)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(folder, $"{part}_x.u8"));
        if (bytes.Length != count * Pixels)
            throw new InvalidDataException($"{part}_x.u8 has {bytes.Length} bytes, expected {count} × {Pixels}");
        var x = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            x[i] = (float)(bytes[i] / 255.0);
        float[] y = File.ReadAllLines(Path.Combine(folder, $"{part}_y.csv")).Where(l => l.Trim().Length > 0)
            .Select(l => float.Parse(l, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        if (y.Length != count)
            throw new InvalidDataException($"{part}_y.csv has {y.Length} labels, expected {count}");
        return new Dataset(x, y, Pixels, 1);
    }

    private static int Cats(Dataset data)
    {
        int cats = 0;
        foreach (float y in data.Y) if (y == 1) cats++;
        return cats;
    }
}
