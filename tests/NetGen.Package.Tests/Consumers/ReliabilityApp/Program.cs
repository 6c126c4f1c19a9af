// A consumer of the NetGen package: issue 11's "done when", from the package alone, on iris (data/sklearn, 150 × 4,
// three species). Prints machine-readable "key value" lines that NetGen.Package.Tests parses (the key is everything
// before the last space):
//   diverged <optimizer> <stopping> exception <type>   what Trainer.Fit threw at a learning rate of 1e30 (None if nothing)
//   diverged <optimizer> <stopping> epoch|step <n>     TrainingDivergedException.Epoch and .Step
//   diverged <optimizer> <stopping> history <n>        epochs in TrainingDivergedException.History
//   diverged <optimizer> <stopping> finite <bool>      every parameter finite afterwards
//   diverged <optimizer> <stopping> as given <bool>    the parameters are bit for bit those Fit was given
//   nan exception <type> / nan message <text>          what new Dataset(...) said of a NaN at sample 2, column 3
//   accuracy metrics|hand <fraction>                   Metrics.Accuracy and a count over PredictClass, "R" format
//   confusion equal <bool>                             Metrics.ConfusionMatrix equals the hand count over PredictClass
//   confusion total <n>                                the sum of its cells (the test set's size)
//   scaling <format> loaded <bool>                     the file gave a Standardizer back
//   scaling <format> differing bits <k>                outputs on raw inputs (scaled by the loaded Standardizer)
//                                                      whose bits differ from the original model's
//   done
using System;
using System.Globalization;
using System.IO;
using NetGen;

CultureInfo inv = CultureInfo.InvariantCulture;
Dataset all = Dataset.FromCsv("data/iris.csv", new CsvOptions { Header = CsvHeader.Skip, OneHot = true });
var (rawTrain, rawDev, rawTest) = all.Split(0.6, 0.2, 0.2, seed: 7, stratify: true);
Standardizer scale = Standardizer.Fit(rawTrain);
Dataset train = scale.Apply(rawTrain), dev = scale.Apply(rawDev), test = scale.Apply(rawTest);

// 1. Divergence is an error, and the model survives it.
foreach (Optimizer optimizer in new[] { Optimizer.GradientDescent, Optimizer.Momentum, Optimizer.Adam })
    foreach (bool stopping in new[] { false, true })
    {
        string key = $"diverged {optimizer} {(stopping ? "early-stopping" : "plain")}";
        var net = new IrisNet();
        float[] given = net.Parameters.ToArray();
        var options = new TrainingOptions
        {
            Epochs = 50, BatchSize = 16, Optimizer = optimizer, LearningRate = 1e30f, ShuffleSeed = 3,
            EarlyStopping = stopping ? new EarlyStopping(Patience: 5) : null,
        };
        try
        {
            Trainer.Fit(net, train, dev, options);
            Console.WriteLine($"{key} exception None");
        }
        catch (TrainingDivergedException e)
        {
            Console.WriteLine($"{key} exception {e.GetType().Name}");
            Console.WriteLine($"{key} epoch {e.Epoch}");
            Console.WriteLine($"{key} step {e.Step}");
            Console.WriteLine($"{key} history {e.History.Epochs}");
        }
        bool finite = true;
        foreach (float p in net.Parameters) finite &= float.IsFinite(p);
        Console.WriteLine($"{key} finite {finite}");
        Console.WriteLine($"{key} as given {net.Parameters.SequenceEqual(given)}");
    }

// 2. Bad numbers are refused at the door.
float[] x = all.X.ToArray(), y = all.Y.ToArray();
x[2 * all.InputSize + 3] = float.NaN;
try
{
    _ = new Dataset(x, y, all.InputSize, all.OutputSize);
    Console.WriteLine("nan exception None");
}
catch (ArgumentException e)
{
    Console.WriteLine($"nan exception {e.GetType().Name}");
    Console.WriteLine($"nan message {e.Message.ReplaceLineEndings(" ")}");
}

// 3. Evaluation: Metrics against a hand count over PredictClass.
var model = new IrisNet();
Trainer.Fit(model, train, dev, new TrainingOptions
{
    Epochs = 200, BatchSize = 16, Optimizer = Optimizer.Adam, LearningRate = 0.01f, ShuffleSeed = 3,
    EarlyStopping = new EarlyStopping(Patience: 20),
});
var hand = new int[3, 3];
int correct = 0;
for (int i = 0; i < test.Count; i++)
{
    ReadOnlySpan<float> target = test.Y.Slice(i * 3, 3);
    int truth = target[1] > target[0] ? (target[2] > target[1] ? 2 : 1) : (target[2] > target[0] ? 2 : 0);
    int predicted = model.PredictClass(test.X.Slice(i * 4, 4));
    hand[truth, predicted]++;
    if (truth == predicted) correct++;
}
int[,] confusion = Metrics.ConfusionMatrix(model, test);
bool same = confusion.GetLength(0) == 3 && confusion.GetLength(1) == 3;
int total = 0;
for (int r = 0; r < 3 && same; r++)
    for (int c = 0; c < 3; c++) { same &= confusion[r, c] == hand[r, c]; total += confusion[r, c]; }
Console.WriteLine($"accuracy metrics {Metrics.Accuracy(model, test).ToString("R", inv)}");
Console.WriteLine($"accuracy hand {((double)correct / test.Count).ToString("R", inv)}");
Console.WriteLine($"confusion equal {same}");
Console.WriteLine($"confusion total {total}");

// 4. The preprocessing travels with the model: saved with its Standardizer, loaded into a fresh instance elsewhere,
// the model gives the same outputs from raw inputs.
float[] expected = new float[rawTest.Count * 3];
model.PredictBatch(test.X, expected, test.Count);
Directory.CreateDirectory("out");
foreach (string format in new[] { "ngp", "safetensors" })
{
    string path = Path.Combine("out", "iris." + format);
    var loaded = new IrisNet(seed: 99);
    Standardizer? scaling;
    if (format == "ngp")
    {
        model.SaveParameters(path, scale);
        loaded.LoadParameters(path, out scaling);
    }
    else
    {
        model.SaveSafetensors(path, scale);
        loaded.LoadSafetensors(path, out scaling);
    }
    Console.WriteLine($"scaling {format} loaded {scaling is not null}");
    if (scaling is null) continue;
    float[] actual = new float[rawTest.Count * 3];
    loaded.PredictBatch(scaling.Apply(rawTest).X, actual, rawTest.Count);
    int differing = 0;
    for (int i = 0; i < actual.Length; i++)
        if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i])) differing++;
    Console.WriteLine($"scaling {format} differing bits {differing}");
}
Console.WriteLine("done");

/// <summary>Iris: 4 measurements, 10 ReLU units, 3 softmax units under cross-entropy.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 5)]
[Input(4)]
[Dense(10, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class IrisNet;

/// <summary>Layer attributes without [Network]: the build warns here (NG0004) and generates nothing.</summary>
[Input(4)]
[Dense(3, Activation.Softmax)]
public partial class Forgotten;
