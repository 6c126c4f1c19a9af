// A consumer of the NetGen package: issue 5's whole training workflow on the breast cancer data (data/sklearn, 569 × 30,
// label 1 = benign). Loads the CSV with Dataset.FromCsv, splits it 60/20/20 (stratified, seed 7), standardises on the
// training part, trains 30-16(ReLU)-1(Sigmoid) with binary cross-entropy by Trainer.Fit (Adam, mini-batches of 32, early
// stopping), reads bias and variance, then saves and reloads the parameters (NetGen's format and safetensors) and feeds
// LoadParameters damaged, truncated and foreign files. Prints machine-readable "key value" lines that
// NetGen.Package.Tests parses (the key is everything before the last space):
//   samples all|train|dev|test <m>           features <n>
//   standardized max abs mean <value>        the largest |mean| of a standardised training feature
//   epochs max|run|best <count>              the epoch limit, the epochs trained, TrainingHistory.BestEpoch
//   patience <p>                             EarlyStopping.Patience
//   stopped early <True|False>               TrainingHistory.StoppedEarly
//   progress reports <count>                 EpochReport values received through TrainingOptions.Progress
//   progress last best epoch <epoch>         the last report with IsBest (must be BestEpoch)
//   history lengths consistent <True|False>  TrainCost and DevCost have one entry per epoch
//   dev cost lowest <J>                      min of TrainingHistory.DevCost, "R" format
//   dev cost lowest epoch <epoch>            where it is (from 1)
//   dev cost last epoch <J>                  the last entry of TrainingHistory.DevCost (above the lowest: something was restored)
//   dev cost after fit <J>                   net.Cost on the dev set after Fit returned, "R" format
//   accuracy train|dev|test <fraction>       (a > 0.5) == (y > 0.5), "R" format
//   error train|dev <fraction>               1 − accuracy, what BiasVariance.Diagnose is given
//   verdict <Verdict>                        BiasVariance.Diagnose(trainError, devError).Verdict
//   bias <gap> / variance <gap>              Diagnosis.AvoidableBias and Diagnosis.Variance, "R" format
//   advice length <chars>                    Diagnosis.Advice is not empty
//   roundtrip <format> differing bits <k>    parameters whose bits differ after Save… and Load… into a fresh instance
//   roundtrip <format> fresh differed <k>    how many differed before the load (shows the check is not vacuous)
//   roundtrip <format> test accuracy <a>     the reloaded net's test accuracy
//   refuse <case> <exception type name>      what LoadParameters / LoadSafetensors threw (None when nothing)
//   refuse <case> unchanged <True|False>     the parameters are bit for bit those before the attempt
//   safetensors tensors <names>              the tensor names in the header, comma-separated, in file order
//   safetensors architecture <fingerprint>   no spaces in it, so it is one token
//   elapsed fit <ms>                         wall time of Trainer.Fit (information only)
//   done
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using NetGen;

/// <summary>The network under test: 30 features, 16 ReLU units, one sigmoid output.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 21)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class BreastCancerNet;

/// <summary>Another architecture with other shapes (8 hidden units).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 4)]
[Input(30)]
[Dense(8, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class NarrowNet;

/// <summary>Another architecture with the same shapes and parameter count (tanh instead of ReLU): only the fingerprint differs.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 4)]
[Input(30)]
[Dense(16, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class TanhNet;

public static class Program
{
    const int MaxEpochs = 2000;
    const int Patience = 15;

    sealed class CountingProgress : IProgress<EpochReport>
    {
        public int Reports;
        public int LastBest;
        public void Report(EpochReport value)
        {
            Reports++;
            if (value.IsBest) LastBest = value.Epoch;
        }
    }

    public static int Main()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string folder = Path.Combine(AppContext.BaseDirectory, "data");

        // scikit-learn's header "569,30,malignant,benign" is skipped (CsvHeader.Skip, the default); the label is the last column.
        Dataset all = Dataset.FromCsv(Path.Combine(folder, "breast_cancer.csv"), new CsvOptions { Header = CsvHeader.Skip });
        var (rawTrain, rawDev, rawTest) = all.Split(0.6, 0.2, 0.2, seed: 7, stratify: true);
        Standardizer scale = Standardizer.Fit(rawTrain);
        Dataset train = scale.Apply(rawTrain), dev = scale.Apply(rawDev), test = scale.Apply(rawTest);
        Print("samples all", all.Count);
        Print("samples train", train.Count);
        Print("samples dev", dev.Count);
        Print("samples test", test.Count);
        Print("features", all.InputSize);
        Print("standardized max abs mean", MaxAbsMean(train));

        var net = new BreastCancerNet();
        var progress = new CountingProgress();
        var clock = Stopwatch.StartNew();
        TrainingHistory history = Trainer.Fit(net, train, dev, new TrainingOptions
        {
            Epochs = MaxEpochs,
            BatchSize = 32,
            Optimizer = Optimizer.Adam,
            LearningRate = 0.01f,
            ShuffleSeed = 3,
            EarlyStopping = new EarlyStopping(Patience, MinDelta: 1e-4),
            Progress = progress,
        });
        clock.Stop();

        Print("epochs max", MaxEpochs);
        Print("epochs run", history.Epochs);
        Print("epochs best", history.BestEpoch);
        Print("patience", Patience);
        Print("stopped early", history.StoppedEarly);
        Print("progress reports", progress.Reports);
        Print("progress last best epoch", progress.LastBest);
        Print("history lengths consistent", history.TrainCost.Count == history.Epochs && history.DevCost.Count == history.Epochs);
        double lowest = double.PositiveInfinity;
        int lowestEpoch = 0;
        for (int i = 0; i < history.DevCost.Count; i++)
            if (history.DevCost[i] < lowest) { lowest = history.DevCost[i]; lowestEpoch = i + 1; }
        Print("dev cost lowest", lowest);
        Print("dev cost last epoch", history.DevCost[^1]);
        Print("dev cost lowest epoch", lowestEpoch);
        Print("dev cost after fit", (double)net.Cost(dev.X, dev.Y, dev.Count));

        double trainAccuracy = Accuracy(net, train), devAccuracy = Accuracy(net, dev), testAccuracy = Accuracy(net, test);
        Print("accuracy train", trainAccuracy);
        Print("accuracy dev", devAccuracy);
        Print("accuracy test", testAccuracy);
        double trainError = 1 - trainAccuracy, devError = 1 - devAccuracy;
        Print("error train", trainError);
        Print("error dev", devError);
        Diagnosis diagnosis = BiasVariance.Diagnose(trainError, devError);
        Print("verdict", diagnosis.Verdict);
        Print("bias", diagnosis.AvoidableBias);
        Print("variance", diagnosis.Variance);
        Print("advice length", diagnosis.Advice.Length);
        Console.WriteLine("# " + diagnosis.Advice);
        Print("elapsed fit", clock.ElapsedMilliseconds);

        string work = Path.Combine(Path.GetTempPath(), "netgen-breast-cancer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            Persistence(net, test, work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        Console.WriteLine("done");
        return 0;
    }

    static void Persistence(BreastCancerNet net, Dataset test, string work)
    {
        // NetGen's format: save, then load into a fresh instance whose parameters differ.
        string path = Path.Combine(work, "breast-cancer.ngp");
        net.SaveParameters(path);
        var reloaded = new BreastCancerNet(seed: 99);
        Print("roundtrip ngp fresh differed", DifferingBits(net.Parameters, reloaded.Parameters));
        reloaded.LoadParameters(path);
        Print("roundtrip ngp differing bits", DifferingBits(net.Parameters, reloaded.Parameters));
        Print("roundtrip ngp test accuracy", Accuracy(reloaded, test));

        byte[] bytes = File.ReadAllBytes(path);
        byte[] damaged = (byte[])bytes.Clone();
        damaged[damaged.Length / 2] ^= 0x40;                     // one bit of one parameter byte: only the checksum can tell
        string damagedPath = Path.Combine(work, "damaged.ngp");
        File.WriteAllBytes(damagedPath, damaged);
        string truncatedPath = Path.Combine(work, "truncated.ngp");
        File.WriteAllBytes(truncatedPath, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        string narrowPath = Path.Combine(work, "narrow.ngp");
        new NarrowNet().SaveParameters(narrowPath);
        string tanhPath = Path.Combine(work, "tanh.ngp");
        new TanhNet().SaveParameters(tanhPath);                  // same shapes and byte length, another fingerprint

        Refuse("damaged", damagedPath, safetensors: false);
        Refuse("truncated", truncatedPath, safetensors: false);
        Refuse("foreign shapes", narrowPath, safetensors: false);
        Refuse("foreign activation", tanhPath, safetensors: false);

        // safetensors: the same round trip, the header's tensor names, and a foreign file refused.
        string tensors = Path.Combine(work, "breast-cancer.safetensors");
        net.SaveSafetensors(tensors);
        var imported = new BreastCancerNet(seed: 98);
        Print("roundtrip safetensors fresh differed", DifferingBits(net.Parameters, imported.Parameters));
        imported.LoadSafetensors(tensors);
        Print("roundtrip safetensors differing bits", DifferingBits(net.Parameters, imported.Parameters));
        Print("roundtrip safetensors test accuracy", Accuracy(imported, test));
        byte[] file = File.ReadAllBytes(tensors);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        using (JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength)))
        {
            var names = new List<string>();
            foreach (JsonProperty property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                    Print("safetensors architecture", property.Value.GetProperty("netgen.architecture").GetString()!);
                else
                    names.Add(property.Name);
            }
            Print("safetensors tensors", string.Join(",", names));
        }
        string narrowTensors = Path.Combine(work, "narrow.safetensors");
        new NarrowNet().SaveSafetensors(narrowTensors);
        Refuse("safetensors foreign shapes", narrowTensors, safetensors: true);
        byte[] shortened = file.AsSpan(0, file.Length - 4).ToArray();
        string shortPath = Path.Combine(work, "truncated.safetensors");
        File.WriteAllBytes(shortPath, shortened);
        Refuse("safetensors truncated", shortPath, safetensors: true);
    }

    /// <summary>Loads <paramref name="path"/> into a fresh net (seed 5) and reports the exception and whether the parameters moved.</summary>
    static void Refuse(string name, string path, bool safetensors)
    {
        var victim = new BreastCancerNet(seed: 5);
        float[] before = victim.Parameters.ToArray();
        string thrown = "None";
        try
        {
            if (safetensors)
                victim.LoadSafetensors(path);
            else
                victim.LoadParameters(path);
        }
        catch (Exception ex)
        {
            thrown = ex.GetType().Name;
            Console.WriteLine($"# {name}: {ex.Message}");
        }
        Print($"refuse {name}", thrown);
        Print($"refuse {name} unchanged", DifferingBits(before, victim.Parameters) == 0);
    }

    static int DifferingBits(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) return int.MaxValue;
        ReadOnlySpan<uint> x = MemoryMarshal.Cast<float, uint>(a), y = MemoryMarshal.Cast<float, uint>(b);
        int differing = 0;
        for (int i = 0; i < x.Length; i++)
            if (x[i] != y[i]) differing++;
        return differing;
    }

    static double Accuracy(INetwork net, Dataset data)
    {
        var predictions = new float[data.Count * data.OutputSize];
        net.PredictBatch(data.X, predictions, data.Count);
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
            if ((predictions[i] > 0.5f) == (data.Y[i] > 0.5f)) correct++;
        return (double)correct / data.Count;
    }

    static double MaxAbsMean(Dataset data)
    {
        double worst = 0;
        for (int j = 0; j < data.InputSize; j++)
        {
            double sum = 0;
            for (int i = 0; i < data.Count; i++) sum += data.X[i * data.InputSize + j];
            worst = Math.Max(worst, Math.Abs(sum / data.Count));
        }
        return worst;
    }

    static void Print(string key, object value) => Console.WriteLine(key + " " + value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    });
}
