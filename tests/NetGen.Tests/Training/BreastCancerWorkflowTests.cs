using System;
using System.IO;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>A small MLP for the 30 breast-cancer features.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 21)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class BreastCancerNet;

/// <summary>
/// Issue 5's whole workflow on real data: the breast-cancer table split 60/20/20, standardised on the training part,
/// trained with Adam and early stopping that stops on its own and leaves the best dev cost in place, at least 90 % test
/// accuracy (a well-trained MLP gets 95–97 %), parameters saved and reloaded bit for bit, damaged files refused.
/// </summary>
public sealed class BreastCancerWorkflowTests
{
    [Fact]
    public void Split_train_with_Adam_and_early_stopping_save_and_reload()
    {
        Dataset all = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"), new CsvOptions());
        var (rawTrain, rawDev, rawTest) = all.Split(0.6, 0.2, 0.2, seed: 7, stratify: true);
        Standardizer scale = Standardizer.Fit(rawTrain);
        Dataset train = scale.Apply(rawTrain), dev = scale.Apply(rawDev), test = scale.Apply(rawTest);
        Assert.Equal(341, train.Count);
        Assert.Equal(114, dev.Count);
        Assert.Equal(114, test.Count);

        var net = new BreastCancerNet();
        TrainingHistory history = Trainer.Fit(net, train, dev, new TrainingOptions
        {
            Epochs = 2000, BatchSize = 32, Optimizer = Optimizer.Adam, LearningRate = 0.01f, ShuffleSeed = 3,
            EarlyStopping = new EarlyStopping(Patience: 15, MinDelta: 1e-4),
        });

        Assert.True(history.StoppedEarly, $"ran all {history.Epochs} epochs");
        Assert.True(history.Epochs < 2000);
        double lowest = double.PositiveInfinity;
        foreach (double cost in history.DevCost) lowest = Math.Min(lowest, cost);
        // The run went on past its best epoch, so putting the best parameters back really changed something.
        Assert.True(history.DevCost[^1] > lowest, $"the last epoch ({history.Epochs}) was the best: nothing to restore");
        Assert.Equal((float)lowest, net.Cost(dev.X, dev.Y, dev.Count));

        double accuracy = Accuracy(net, test);
        Assert.True(accuracy >= 0.90, $"test accuracy {accuracy:P1} after {history.Epochs} epochs (best {history.BestEpoch})");

        string folder = Path.Combine(Path.GetTempPath(), "netgen-workflow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "breast-cancer.ngp");
            net.SaveParameters(path);
            var reloaded = new BreastCancerNet(seed: 99);
            reloaded.LoadParameters(path);
            Assert.Equal(net.Parameters.ToArray(), reloaded.Parameters.ToArray());
            Assert.Equal(accuracy, Accuracy(reloaded, test));

            byte[] bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x40;
            string damaged = Path.Combine(folder, "damaged.ngp");
            File.WriteAllBytes(damaged, bytes);
            var untouched = new BreastCancerNet(seed: 5);
            float[] before = untouched.Parameters.ToArray();
            Assert.Throws<InvalidDataException>(() => untouched.LoadParameters(damaged));
            Assert.Equal(before, untouched.Parameters.ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Accuracy(INetwork net, Dataset data)
    {
        var predictions = new float[data.Count];
        net.PredictBatch(data.X, predictions, data.Count);
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
            if ((predictions[i] > 0.5f) == (data.Y[i] > 0.5f)) correct++;
        return (double)correct / data.Count;
    }
}
