using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Spectre.Console;

namespace NetGen.Demo;

/// <summary>The three runs of the demo; each prints its results and writes its plots (and parameters) into the output folder.</summary>
internal sealed class Demos(string output, bool live)
{
    /// <summary>A path as the user typed it: relative to the current directory when it lies below it.</summary>
    public static string Show(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private string OutputFile(string name) => Path.Combine(output, name);

    private static void Wrote(string path, string what) => Console.WriteLine($"  wrote {Show(path)}  ({what})");

    /// <summary>The course's flower: 2-4-1, tanh then sigmoid, learning rate 1.2, 10 000 full-batch steps.</summary>
    public void Flower()
    {
        var rows = Data.ReadCsv("flower/flower.csv");
        var (x, y) = Data.ToXY(rows, [0, 1], 2);
        var net = new FlowerNet();
        Data.ReadMatrix("flower/planar_nh4_W1.csv", net.W1);
        Data.ReadMatrix("flower/planar_nh4_W2.csv", net.W2);

        Console.WriteLine($"Flower ({rows.Count} points) with {FlowerNet.Architecture}, from the published starting weights:");
        var clock = Stopwatch.StartNew();
        var costs = new double[10_001];
        for (int i = 0; i <= 10_000; i++)
        {
            float cost = net.TrainStep(x, y, rows.Count, 1.2f);
            costs[i] = cost;
            if (i % 1000 == 0) Console.WriteLine($"  iteration {i,6}  cost {cost:F6}");
        }
        double accuracy = Metrics.Accuracy(net, new Dataset(x, y, FlowerNet.InputSize, FlowerNet.OutputSize));
        Console.WriteLine($"  accuracy {accuracy:P2} (published: about 90 %), {clock.ElapsedMilliseconds} ms");

        string costPlot = OutputFile("flower-cost.png");
        Plots.Costs(costPlot, "Flower 2-4-1 (tanh, sigmoid), learning rate 1.2, full batch", "iteration",
            [new Plots.Curve("training cost", Enumerable.Range(0, costs.Length).Select(i => (double)i).ToArray(), costs)]);
        Wrote(costPlot, "cost per iteration");
        string boundary = OutputFile("flower-boundary.png");
        Plots.DecisionBoundary(boundary, $"Flower 2-4-1 after 10 000 steps: accuracy {accuracy:P1}", net, x, y, rows.Count);
        Wrote(boundary, "decision boundary over the 400 points");
        Console.WriteLine();
    }

    /// <summary>
    /// The course's football data (211 training points, 200 test points): the same 2-20-3-1 network from the same
    /// published starting weights, trained 30 000 full-batch steps at learning rate 0.3 without regularization, with
    /// L2 (λ = 0.7) and with inverted dropout (keep = 0.86) — the notes' chapter 3 story in one table.
    /// </summary>
    public void Football()
    {
        var trainRows = Data.ReadCsv("football/football_train.csv");
        var testRows = Data.ReadCsv("football/football_test.csv");
        var (xTrain, yTrain) = Data.ToXY(trainRows, [0, 1], 2);
        var (xTest, yTest) = Data.ToXY(testRows, [0, 1], 2);
        int m = trainRows.Count;
        Dataset train = new(xTrain, yTrain, 2, 1), test = new(xTest, yTest, 2, 1);

        // The published dropout run drew the same masks at every step; they are stored features × samples.
        var publishedMasks = new float[m * (20 + 3)];
        Data.ReadTransposed("football/reg_dropout_D1.csv", publishedMasks.AsSpan(0, m * 20), 20, m);
        Data.ReadTransposed("football/reg_dropout_D2.csv", publishedMasks.AsSpan(m * 20, m * 3), 3, m);

        Console.WriteLine($"Football ({m} training, {testRows.Count} test points), 2-20-3-1 from the published starting weights, 30 000 steps:");
        Console.WriteLine($"  {"run",-34} {"cost @0",9} {"@10 000",9} {"@20 000",9} {"train",9} {"test",9}");
        var curves = new Plots.Curve[4];
        var plots = new (string Path, string Title, INetwork Net)[4];
        curves[0] = Run(0, "no regularization", "football-none-boundary.png", new FootballNet(), null);
        curves[1] = Run(1, "L2, λ = 0.7", "football-l2-boundary.png", new FootballL2Net(), null);
        curves[2] = Run(2, "dropout 0.86, the published masks", "football-dropout-published-boundary.png", new FootballDropoutNet(), publishedMasks);
        curves[3] = Run(3, "dropout 0.86, fresh masks", "football-dropout-fresh-boundary.png", new FootballDropoutNet(), Array.Empty<float>());
        Console.WriteLine("  published: no regularization 200/211 and 183/200, L2 198/211 and 186/200, dropout 196/211 and 190/200");

        string costPlot = OutputFile("football-cost.png");
        Plots.Costs(costPlot, "Football 2-20-3-1: training cost, learning rate 0.3, full batch", "iteration", curves);
        Wrote(costPlot, "cost per iteration of the four runs");
        foreach (var (path, title, net) in plots)
        {
            Plots.DecisionBoundary(path, title, net, xTrain, yTrain, m);
            Wrote(path, "decision boundary over the 211 training points");
        }
        Console.WriteLine();

        Plots.Curve Run(int index, string name, string file, INetwork net, float[]? masks)
        {
            Span<float> parameters = net.Parameters;
            Data.ReadMatrix("football/reg_W1.csv", parameters.Slice(0, 40));
            Data.ReadMatrix("football/reg_W2.csv", parameters.Slice(60, 60));
            Data.ReadMatrix("football/reg_W3.csv", parameters.Slice(123, 3));
            var costs = new float[3];
            const int every = 10;
            var iterations = new double[30_000 / every];
            var path = new double[30_000 / every];
            var gradients = new float[net.ParameterCount];
            for (int i = 0; i < 30_000; i++)
            {
                float cost = masks is { Length: > 0 } && net is FootballDropoutNet dropout
                    ? dropout.ComputeGradients(xTrain, yTrain, m, gradients, masks)
                    : net.ComputeGradients(xTrain, yTrain, m, gradients);
                Kernels.GradientDescent(parameters, gradients, 0.3f);
                if (i % 10_000 == 0) costs[i / 10_000] = cost;
                if (i % every == 0) { iterations[i / every] = i; path[i / every] = cost; }
            }
            int trainCorrect = Correct(net, train), testCorrect = Correct(net, test);
            Console.WriteLine($"  {name,-34} {costs[0],9:F6} {costs[1],9:F6} {costs[2],9:F6} {trainCorrect,5}/{m} {testCorrect,5}/{testRows.Count}");
            plots[index] = (OutputFile(file), $"Football, {name}: train {trainCorrect}/{m}, test {testCorrect}/{testRows.Count}", net);
            return new Plots.Curve(name, iterations, path);
        }
    }

    /// <summary>
    /// Breast cancer (569 samples, 30 features, label 0/1): a stratified 60/20/20 split, standardised on the training
    /// part, a 30-16-1 network trained by <see cref="Trainer.Fit"/> with early stopping on the dev cost; then the
    /// accuracies, the bias/variance verdict, the cost plot and the saved parameters.
    /// </summary>
    public void BreastCancer(DemoSettings settings)
    {
        var all = Dataset.FromCsv(Data.PathOf("sklearn/breast_cancer.csv"), new CsvOptions { Header = CsvHeader.Skip });
        var (trainRaw, devRaw, testRaw) = all.Split(0.6, 0.2, 0.2, settings.Seed, stratify: true);
        var standardizer = Standardizer.Fit(trainRaw);
        Dataset train = standardizer.Apply(trainRaw), dev = standardizer.Apply(devRaw), test = standardizer.Apply(testRaw);

        string penalty = settings.Penalty.ToLowerInvariant();
        Func<INetwork> create = penalty switch
        {
            "l2" => () => new CancerL2Net(),
            "dropout" => () => new CancerDropoutNet(),
            _ => () => new CancerNet(),
        };
        INetwork net = create();
        var optimizer = settings.ParsedOptimizer();
        float learningRate = settings.EffectiveLearningRate();
        EarlyStopping? stopping = settings.Patience > 0 ? new EarlyStopping(settings.Patience, 1e-4) : null;

        Console.WriteLine($"Breast cancer ({all.Count} samples, {all.InputSize} features): stratified 60/20/20 split (seed {settings.Seed}) into "
            + $"{train.Count} training, {dev.Count} dev and {test.Count} test samples, standardised on the training part.");
        Console.WriteLine($"  network {net.GetType().Name} {net.Architecture} (penalty: {penalty}), {net.ParameterCount} parameters");
        Console.WriteLine($"  {optimizer}, learning rate {learningRate}, batch size {(settings.BatchSize == 0 ? "full" : settings.BatchSize.ToString())}, "
            + $"at most {settings.Epochs} epochs, " + (stopping is null ? "no early stopping" : $"early stopping with patience {settings.Patience}"));

        TrainingOptions Options(IProgress<EpochReport>? progress) => new()
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = learningRate,
            Optimizer = optimizer,
            EarlyStopping = stopping,
            ShuffleSeed = settings.Seed,
            Progress = progress,
        };

        var clock = Stopwatch.StartNew();
        TrainingHistory history;
        if (live)
        {
            history = null!;
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("training", maxValue: settings.Epochs);
                    history = Trainer.Fit(net, train, dev, Options(new BarProgress(task)));
                    task.Description = $"{(history.StoppedEarly ? "stopped" : "done")} {history.Epochs}/{settings.Epochs}  "
                        + $"train {history.TrainCost[^1]:F4}  dev {history.DevCost[^1]:F4}  best {history.BestEpoch}";
                    task.Value = task.MaxValue;
                });
        }
        else
        {
            history = Trainer.Fit(net, train, dev, Options(new PlainProgress()));
        }
        clock.Stop();

        double trainAccuracy = Metrics.Accuracy(net, train), devAccuracy = Metrics.Accuracy(net, dev), testAccuracy = Metrics.Accuracy(net, test);
        Console.WriteLine($"  {history.Epochs} epochs in {clock.ElapsedMilliseconds} ms; "
            + (history.StoppedEarly
                ? $"stopped early (no dev cost improvement above 1e-4 for {settings.Patience} epochs); kept the parameters of epoch {history.BestEpoch}, the best dev cost {history.DevCost[history.BestEpoch - 1]:F4}"
                : stopping is null
                    ? $"ran every epoch and kept the last parameters (dev cost {history.DevCost[^1]:F4}; the best was {history.DevCost[history.BestEpoch - 1]:F4} at epoch {history.BestEpoch})"
                    : $"ran every epoch; kept the parameters of epoch {history.BestEpoch}, the best dev cost {history.DevCost[history.BestEpoch - 1]:F4}"));
        Console.WriteLine($"  accuracy: train {trainAccuracy:P1}, dev {devAccuracy:P1}, test {testAccuracy:P1}");
        var diagnosis = BiasVariance.Diagnose(1 - trainAccuracy, 1 - devAccuracy);
        Console.WriteLine($"  bias/variance (errors = 1 − accuracy: train {1 - trainAccuracy:P1}, dev {1 - devAccuracy:P1}, base 0 %): {diagnosis.Verdict}");
        Console.WriteLine($"  advice: {diagnosis.Advice}");

        string costPlot = OutputFile("breast-cancer-cost.png");
        var epochs = Enumerable.Range(1, history.Epochs).Select(e => (double)e).ToArray();
        Plots.Costs(costPlot, $"Breast cancer {net.Architecture.Split('/')[0]}, {optimizer}, α = {learningRate}", "epoch",
            [new Plots.Curve("train cost", epochs, history.TrainCost.ToArray()), new Plots.Curve("dev cost", epochs, history.DevCost.ToArray())],
            history.BestEpoch, $"best dev cost (epoch {history.BestEpoch})");
        Wrote(costPlot, "train and dev cost per epoch");

        string binary = OutputFile("breast-cancer.ngparams"), safetensors = OutputFile("breast-cancer.safetensors");
        net.SaveParameters(binary);
        Wrote(binary, $"parameters, NetGen binary format, {new FileInfo(binary).Length} bytes");
        net.SaveSafetensors(safetensors, standardizer); // with μ and σ: the file alone serves raw features
        Wrote(safetensors, $"parameters and input scaling, safetensors (layers.0.weight, layers.0.bias, …, scaling.mean, scaling.deviation), {new FileInfo(safetensors).Length} bytes");
        INetwork fromBinary = create(), fromSafetensors = create();
        fromBinary.LoadParameters(binary);
        fromSafetensors.LoadSafetensors(safetensors);
        bool same = SameBits(net.Parameters, fromBinary.Parameters) && SameBits(net.Parameters, fromSafetensors.Parameters);
        Console.WriteLine($"  reloaded both files into fresh networks: parameters {(same ? "identical bit for bit" : "DIFFERENT")}, test accuracy {Metrics.Accuracy(fromBinary, test):P1}");

        // The notes' shallow and deep networks on the same split, trained the same way.
        Console.WriteLine($"  the notes' networks, same split and training:");
        Console.WriteLine($"    {"network",-62} {"epochs",6} {"train",7} {"dev",7} {"test",7}");
        foreach (INetwork notes in new INetwork[] { new ShallowNet(), new DeepNet() })
        {
            TrainingHistory run = Trainer.Fit(notes, train, dev, Options(null));
            Console.WriteLine($"    {notes.GetType().Name + " " + notes.Architecture,-62} {run.Epochs,6} {Metrics.Accuracy(notes, train),7:P1} {Metrics.Accuracy(notes, dev),7:P1} {Metrics.Accuracy(notes, test),7:P1}");
        }
        Console.WriteLine();
    }

    /// <summary>
    /// Iris (150 flowers, 4 measurements, 3 species): a stratified 60/20/20 split, standardised on the training part, the
    /// softmax classifier <see cref="IrisNet"/> trained by <see cref="Trainer.Fit"/> with Adam and early stopping; then
    /// the accuracies and the test set's confusion matrix (<see cref="Metrics"/>).
    /// </summary>
    public void Iris(DemoSettings settings)
    {
        string path = Data.PathOf("sklearn/iris.csv");
        // scikit-learn's header: "150,4,setosa,versicolor,virginica" — the species names follow the two counts.
        string[] species = File.ReadLines(path).First().Split(',')[2..];
        var all = Dataset.FromCsv(path, new CsvOptions { Header = CsvHeader.Skip, OneHot = true });
        if (species.Length != all.OutputSize)
            species = Enumerable.Range(0, all.OutputSize).Select(c => $"class {c}").ToArray();
        var (trainRaw, devRaw, testRaw) = all.Split(0.6, 0.2, 0.2, settings.Seed, stratify: true);
        var standardizer = Standardizer.Fit(trainRaw);
        Dataset train = standardizer.Apply(trainRaw), dev = standardizer.Apply(devRaw), test = standardizer.Apply(testRaw);

        var net = new IrisNet();
        var options = new TrainingOptions
        {
            Epochs = 1000, BatchSize = 16, Optimizer = Optimizer.Adam, LearningRate = 0.01f, ShuffleSeed = settings.Seed,
            EarlyStopping = new EarlyStopping(Patience: 50, MinDelta: 1e-4),
        };
        Console.WriteLine($"Iris ({all.Count} flowers, {all.InputSize} measurements, {all.OutputSize} species): stratified 60/20/20 split "
            + $"(seed {settings.Seed}) into {train.Count} training, {dev.Count} dev and {test.Count} test samples, standardised on the training part.");
        Console.WriteLine($"  network IrisNet {IrisNet.Architecture}, {IrisNet.ParameterCount} parameters; Adam, learning rate "
            + $"{options.LearningRate}, batch size {options.BatchSize}, at most {options.Epochs} epochs, early stopping with patience 50");
        var clock = Stopwatch.StartNew();
        TrainingHistory history = Trainer.Fit(net, train, dev, options);
        clock.Stop();
        Console.WriteLine($"  {history.Epochs} epochs in {clock.ElapsedMilliseconds} ms; kept the parameters of epoch {history.BestEpoch}, "
            + $"the best dev cost {history.DevCost[history.BestEpoch - 1]:F4}");

        int[,] confusion = Metrics.ConfusionMatrix(net, test);
        double testAccuracy = Metrics.Accuracy(net, test);
        Console.WriteLine($"  accuracy: train {Metrics.Accuracy(net, train):P1}, dev {Metrics.Accuracy(net, dev):P1}, "
            + $"test {testAccuracy:P1} ({Math.Round(testAccuracy * test.Count)}/{test.Count})");
        Console.WriteLine("  test confusion matrix (rows: the true species, columns: the predicted):");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("true \\ predicted");
        foreach (string name in species)
            table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        for (int t = 0; t < species.Length; t++)
        {
            var cells = new string[species.Length + 1];
            cells[0] = Markup.Escape(species[t]);
            for (int p = 0; p < species.Length; p++)
                cells[p + 1] = t == p ? $"[green]{confusion[t, p]}[/]" : confusion[t, p] == 0 ? "[grey]0[/]" : $"[red]{confusion[t, p]}[/]";
            table.AddRow(cells);
        }
        AnsiConsole.Write(new Padder(table, new Spectre.Console.Padding(2, 0, 0, 0)));
        Console.WriteLine();
    }

    /// <summary>The digits' train/test split: stratified 75/25 with this seed, the same whatever <c>--seed</c> says, so
    /// that the accuracy printed (and quoted in the README) is always measured on the same 449 test images.</summary>
    public const ulong DigitsSplitSeed = 42;

    /// <summary>
    /// scikit-learn's 8 × 8 digits (1 797 images, 10 classes): a fixed stratified 75/25 split, the small CNN
    /// <see cref="DigitNet"/> trained by <see cref="Trainer.Fit"/> with Adam, then the accuracies, the cost plot and a
    /// picture of every misclassified test digit with its true and predicted label.
    /// </summary>
    public void Digits(DemoSettings settings)
    {
        Dataset all = Data.ReadDigits("sklearn/digits.csv.gz");
        var (train, _, test) = all.Split(0.75, 0, 0.25, DigitsSplitSeed, stratify: true);
        var net = new DigitNet();
        var options = new TrainingOptions
        {
            Epochs = 20, BatchSize = 32, Optimizer = Optimizer.Adam, LearningRate = 0.003f, ShuffleSeed = settings.Seed,
        };
        Console.WriteLine($"Digits ({all.Count} images of 8 × 8 pixels, 0–16 scaled to [0, 1], digits 0–9): "
            + $"a fixed stratified 75/25 split (seed {DigitsSplitSeed}) into {train.Count} training and {test.Count} test images.");
        Console.WriteLine($"  network DigitNet {DigitNet.Architecture}, {DigitNet.ParameterCount} parameters; "
            + $"Adam, learning rate {options.LearningRate}, batch size {options.BatchSize}, {options.Epochs} epochs "
            + $"(shuffle seed {settings.Seed})");
        var clock = Stopwatch.StartNew();
        TrainingHistory history = Trainer.Fit(net, train, null, options);
        clock.Stop();
        Console.WriteLine($"  {history.Epochs} epochs in {clock.ElapsedMilliseconds} ms; training cost "
            + $"{history.TrainCost[0]:F4} after epoch 1, {history.TrainCost[^1]:F4} after epoch {history.Epochs}");

        // Every test image's predicted digit: the largest of the ten outputs.
        var outputs = new float[test.Count * DigitNet.OutputSize];
        net.PredictBatch(test.X, outputs, test.Count);
        var mistakes = new System.Collections.Generic.List<Plots.Mistake>();
        for (int i = 0; i < test.Count; i++)
        {
            int predicted = 0;
            for (int c = 1; c < DigitNet.OutputSize; c++)
                if (outputs[i * DigitNet.OutputSize + c] > outputs[i * DigitNet.OutputSize + predicted]) predicted = c;
            int truth = test.ClassOf(i);
            if (predicted != truth) mistakes.Add(new Plots.Mistake(test.InputRow(i).ToArray(), truth, predicted));
        }
        double trainAccuracy = Metrics.Accuracy(net, train), testAccuracy = Metrics.Accuracy(net, test);
        Console.WriteLine($"  accuracy: train {trainAccuracy:P1} ({Correct(net, train)}/{train.Count}), "
            + $"test {testAccuracy:P1} ({test.Count - mistakes.Count}/{test.Count})");

        string costPlot = OutputFile("digits-cost.png");
        double[] epochs = Enumerable.Range(1, history.Epochs).Select(e => (double)e).ToArray();
        Plots.Costs(costPlot,
            $"Digits CNN (conv 3×3 ×16, max pool 2, 32, 10): Adam, α = {options.LearningRate}, batch {options.BatchSize}",
            "epoch", [new Plots.Curve("training cost", epochs, history.TrainCost.ToArray())]);
        Wrote(costPlot, "training cost per epoch");
        string grid = OutputFile("digits-misclassified.png");
        Plots.ImageGrid(grid, $"Misclassified test digits, true → predicted ({mistakes.Count} of {test.Count})",
            mistakes, 8, 8);
        Wrote(grid, $"the {mistakes.Count} misclassified test digits, true → predicted");
        Console.WriteLine();
    }

    private static bool SameBits(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b));

    /// <summary>Moves the live bar and shows the epoch and costs in its description (called on the training thread).</summary>
    private sealed class BarProgress(ProgressTask task) : IProgress<EpochReport>
    {
        public void Report(EpochReport value)
        {
            task.Description = $"epoch {value.Epoch,4}/{value.Epochs}  train {value.TrainCost:F4}  dev {value.DevCost ?? double.NaN:F4}{(value.IsBest ? " *" : "  ")}";
            task.Value = value.Epoch;
        }
    }

    /// <summary>Plain lines for logs: every 10th epoch and each first one.</summary>
    private sealed class PlainProgress : IProgress<EpochReport>
    {
        public void Report(EpochReport value)
        {
            if (value.Epoch == 1 || value.Epoch % 10 == 0 || value.Epoch == value.Epochs)
                Console.WriteLine($"  epoch {value.Epoch,4}/{value.Epochs}  train cost {value.TrainCost:F4}  dev cost {value.DevCost ?? double.NaN:F4}{(value.IsBest ? "  (best so far)" : "")}");
        }
    }

    /// <summary>How many samples the network classifies right: the trace of <see cref="Metrics.ConfusionMatrix"/>.</summary>
    private static int Correct(INetwork net, Dataset data)
    {
        int[,] confusion = Metrics.ConfusionMatrix(net, data);
        int correct = 0;
        for (int c = 0; c < confusion.GetLength(0); c++) correct += confusion[c, c];
        return correct;
    }
}
