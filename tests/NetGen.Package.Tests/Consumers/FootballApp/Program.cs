// A consumer of the NetGen package: the course's "football" regularization story (data/README.md, "football").
// Network 2-20-3-1 (ReLU, ReLU, sigmoid), binary cross-entropy, Init.LeCun; every run starts from the published
// reg_W1/W2/W3.csv with zero biases and takes 30 000 full-batch gradient-descent steps at α = 0.3:
//   plain     no penalty, TrainStep
//   l2        [L2(0.7f)], TrainStep
//   dropout   [Dropout(0.86f)] after both hidden layers, the published fixed masks at every step:
//             ComputeGradients(X, Y, m, gradients, keepMasks) + Kernels.GradientDescent
// The three runs train at once, one thread each. Prints machine-readable "key value" lines that
// NetGen.Package.Tests parses (the key is everything before the last space):
//   cost <run> <iteration> <J>          J returned at iteration 0, 10000, 20000 (the cost before that step)
//   correct <run> train|test <count>    samples with (a > 0.5) == (y > 0.5) after the run
//   samples train|test <m>
//   elapsed <run> <ms>                  wall time of the run (information only)
//   identity <what> <deviation>         J(λ) − J(0) and g(λ) − g(0) of two nets that differ only by [L2(0.7f)], at the
//                                       same parameters, against (λ/2m)·Σ‖W‖²_F and (λ/m)·W (0 on every bias):
//                                       the largest |deviation| over three parameter sets (start, and both trained runs)
//   identity penalty min <value>        the smallest penalty term checked (shows the check is not vacuous)
//   allocated <what> <bytes>            heap bytes of 1000 calls after warm-up, on this thread
//   done
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using NetGen;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class FootballPlain;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dense(3, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[L2(0.7f)]
public partial class FootballL2;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.LeCun, Seed = 3)]
[Input(2)]
[Dense(20, Activation.Relu)]
[Dropout(0.86f)]
[Dense(3, Activation.Relu)]
[Dropout(0.86f)]
[Dense(1, Activation.Sigmoid)]
public partial class FootballDropout;

public static class Program
{
    const int Iterations = 30_000;
    const float LearningRate = 0.3f;
    const double Lambda = 0.7;
    static readonly int[] Sizes = [2, 20, 3, 1];

    sealed record Result(float[] Costs, int TrainCorrect, int TestCorrect, long Milliseconds);

    public static int Main()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "data");
        (float[] X, float[] Y, int m) = LoadSet(Path.Combine(data, "football_train.csv"));
        (float[] Xt, float[] Yt, int mt) = LoadSet(Path.Combine(data, "football_test.csv"));
        float[] start = LoadStart(data);
        float[] masks = LoadMasks(data, m);
        Console.WriteLine($"samples train {m}");
        Console.WriteLine($"samples test {mt}");

        var plain = new FootballPlain();
        var l2 = new FootballL2();
        var dropout = new FootballDropout();
        start.CopyTo(plain.Parameters);
        start.CopyTo(l2.Parameters);
        start.CopyTo(dropout.Parameters);

        // The three runs, one thread each: each net has its own workspace, nothing is shared but the read-only data.
        var results = new Result?[3];
        var errors = new Exception?[3];
        var threads = new Thread[3];
        Func<Result>[] runs =
        [
            () => Run(plain, () => plain.TrainStep(X, Y, m, LearningRate), X, Y, m, Xt, Yt, mt),
            () => Run(l2, () => l2.TrainStep(X, Y, m, LearningRate), X, Y, m, Xt, Yt, mt),
            () =>
            {
                var gradients = new float[FootballDropout.ParameterCount];
                return Run(dropout, () =>
                {
                    float cost = dropout.ComputeGradients(X, Y, m, gradients, masks);
                    Kernels.GradientDescent(dropout.Parameters, gradients, LearningRate);
                    return cost;
                }, X, Y, m, Xt, Yt, mt);
            },
        ];
        for (int r = 0; r < runs.Length; r++)
        {
            int index = r;
            threads[r] = new Thread(() =>
            {
                try { results[index] = runs[index](); }
                catch (Exception e) { errors[index] = e; }
            });
            threads[r].Start();
        }
        foreach (Thread thread in threads)
            thread.Join();
        string[] names = ["plain", "l2", "dropout"];
        for (int r = 0; r < runs.Length; r++)
        {
            if (errors[r] is not null)
            {
                Console.WriteLine($"run {names[r]} failed: {errors[r]}");
                return 1;
            }
            Result result = results[r]!;
            for (int k = 0; k < result.Costs.Length; k++)
                Print($"cost {names[r]} {k * 10_000}", result.Costs[k]);
            Console.WriteLine($"correct {names[r]} train {result.TrainCorrect}");
            Console.WriteLine($"correct {names[r]} test {result.TestCorrect}");
            Console.WriteLine($"elapsed {names[r]} {result.Milliseconds}");
        }

        CheckIdentities([start, plain.Parameters.ToArray(), l2.Parameters.ToArray()], X, Y, m);
        MeasureAllocations(start, masks, X, Y, m);
        Console.WriteLine("done");
        return 0;
    }

    static Result Run(INetwork net, Func<float> step, float[] X, float[] Y, int m, float[] Xt, float[] Yt, int mt)
    {
        var clock = Stopwatch.StartNew();
        var costs = new float[3];
        for (int i = 0; i < Iterations; i++)
        {
            float cost = step();
            if (i % 10_000 == 0)
                costs[i / 10_000] = cost;
        }
        return new Result(costs, Correct(net, X, Y, m), Correct(net, Xt, Yt, mt), clock.ElapsedMilliseconds);
    }

    static int Correct(INetwork net, float[] X, float[] Y, int m)
    {
        var a = new float[m];
        net.PredictBatch(X, a, m);
        int correct = 0;
        for (int i = 0; i < m; i++)
            if ((a[i] > 0.5f) == (Y[i] > 0.5f))
                correct++;
        return correct;
    }

    /// <summary>
    /// Two nets that differ only by [L2(0.7f)], given the same parameters: J(λ) − J(0) must be (λ/2m)·Σ_l ‖W[l]‖²_F (through
    /// Cost and through ComputeGradients' return value), and g(λ) − g(0) must be (λ/m)·W on every weight and exactly 0 on
    /// every bias. Differences are taken in double from the two float results.
    /// </summary>
    static void CheckIdentities(float[][] points, float[] X, float[] Y, int m)
    {
        if (FootballPlain.ParameterCount != FootballL2.ParameterCount || FootballPlain.ParameterCount != ParameterCount())
            throw new InvalidOperationException($"parameter counts {FootballPlain.ParameterCount} / {FootballL2.ParameterCount}, layout {ParameterCount()}");
        bool[] isWeight = WeightMask();
        double costDeviation = 0, trainingCostDeviation = 0, weightDeviation = 0, biasDeviation = 0, smallestPenalty = double.MaxValue;
        var g0 = new float[FootballPlain.ParameterCount];
        var gPenalty = new float[FootballL2.ParameterCount];
        foreach (float[] theta in points)
        {
            var plain = new FootballPlain();
            var penalised = new FootballL2();
            theta.CopyTo(plain.Parameters);
            theta.CopyTo(penalised.Parameters);

            double penalty = 0;
            for (int k = 0; k < theta.Length; k++)
                if (isWeight[k])
                    penalty += (double)theta[k] * theta[k];
            penalty *= Lambda / (2.0 * m);
            smallestPenalty = Math.Min(smallestPenalty, penalty);

            double j0 = plain.Cost(X, Y, m), jPenalty = penalised.Cost(X, Y, m);
            costDeviation = Math.Max(costDeviation, Math.Abs(jPenalty - j0 - penalty));

            double t0 = plain.ComputeGradients(X, Y, m, g0), tPenalty = penalised.ComputeGradients(X, Y, m, gPenalty);
            trainingCostDeviation = Math.Max(trainingCostDeviation, Math.Abs(tPenalty - t0 - penalty));

            for (int k = 0; k < theta.Length; k++)
            {
                double difference = (double)gPenalty[k] - g0[k];
                if (isWeight[k])
                    weightDeviation = Math.Max(weightDeviation, Math.Abs(difference - Lambda / m * theta[k]));
                else
                    biasDeviation = Math.Max(biasDeviation, Math.Abs(difference));
            }
        }
        Print("identity cost", costDeviation);
        Print("identity trainingcost", trainingCostDeviation);
        Print("identity weights", weightDeviation);
        Print("identity biases", biasDeviation);
        Print("identity penalty min", smallestPenalty);
    }

    /// <summary>Heap bytes of 1000 calls on this thread, after 100 warm-up calls at the same m.</summary>
    static void MeasureAllocations(float[] start, float[] masks, float[] X, float[] Y, int m)
    {
        var net = new FootballDropout();
        start.CopyTo(net.Parameters);
        var gradients = new float[FootballDropout.ParameterCount];
        for (int i = 0; i < 100; i++)
        {
            net.TrainStep(X, Y, m, LearningRate);
            net.ComputeGradients(X, Y, m, gradients, masks);
            Kernels.GradientDescent(net.Parameters, gradients, LearningRate);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            net.TrainStep(X, Y, m, LearningRate);
        long trainStep = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            net.ComputeGradients(X, Y, m, gradients, masks);
            Kernels.GradientDescent(net.Parameters, gradients, LearningRate);
        }
        long masked = GC.GetAllocatedBytesForCurrentThread() - before;

        Console.WriteLine($"allocated dropout trainstep {trainStep}");
        Console.WriteLine($"allocated dropout masked {masked}");
    }

    static int ParameterCount()
    {
        int count = 0;
        for (int l = 1; l < Sizes.Length; l++)
            count += Sizes[l] * Sizes[l - 1] + Sizes[l];
        return count;
    }

    /// <summary>Parameters are W1, b1, W2, b2, W3, b3; W[l] is n[l] × n[l-1].</summary>
    static bool[] WeightMask()
    {
        var mask = new bool[ParameterCount()];
        int offset = 0;
        for (int l = 1; l < Sizes.Length; l++)
        {
            for (int k = 0; k < Sizes[l] * Sizes[l - 1]; k++)
                mask[offset + k] = true;
            offset += Sizes[l] * Sizes[l - 1] + Sizes[l];
        }
        return mask;
    }

    static void Print(string key, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key} {value:R}"));

    /// <summary>(reg_W1, 0, reg_W2, 0, reg_W3, 0): each file holds W[l] as n[l] lines of n[l-1] values, NetGen's row-major layout.</summary>
    static float[] LoadStart(string data)
    {
        var parameters = new float[ParameterCount()];
        int offset = 0;
        for (int l = 1; l < Sizes.Length; l++)
        {
            double[][] rows = ReadRows(Path.Combine(data, $"reg_W{l}.csv"), skipHeader: false);
            if (rows.Length != Sizes[l] || Array.Exists(rows, r => r.Length != Sizes[l - 1]))
                throw new InvalidDataException($"reg_W{l}.csv is not {Sizes[l]} × {Sizes[l - 1]}");
            for (int i = 0; i < Sizes[l]; i++)
                for (int j = 0; j < Sizes[l - 1]; j++)
                    parameters[offset + i * Sizes[l - 1] + j] = (float)rows[i][j];
            offset += Sizes[l] * Sizes[l - 1] + Sizes[l]; // the bias stays 0
        }
        return parameters;
    }

    /// <summary>
    /// The published masks are features × samples (D1 20 × m, D2 3 × m); keepMasks wants each dropout layer in order,
    /// rows are samples: D1ᵀ (m × 20), then D2ᵀ (m × 3).
    /// </summary>
    static float[] LoadMasks(string data, int m)
    {
        double[][] d1 = ReadRows(Path.Combine(data, "reg_dropout_D1.csv"), skipHeader: false);
        double[][] d2 = ReadRows(Path.Combine(data, "reg_dropout_D2.csv"), skipHeader: false);
        if (d1.Length != 20 || d2.Length != 3 || Array.Exists(d1, r => r.Length != m) || Array.Exists(d2, r => r.Length != m))
            throw new InvalidDataException($"the masks are not 20 × {m} and 3 × {m}");
        var masks = new float[m * (20 + 3)];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < 20; j++)
                masks[i * 20 + j] = (float)d1[j][i];
            for (int j = 0; j < 3; j++)
                masks[m * 20 + i * 3 + j] = (float)d2[j][i];
        }
        return masks;
    }

    /// <summary>football_*.csv: header "x1,x2,y", then one sample per row. X is m × 2 (rows are samples), Y is m × 1.</summary>
    static (float[] X, float[] Y, int M) LoadSet(string path)
    {
        double[][] rows = ReadRows(path, skipHeader: true);
        var x = new float[rows.Length * 2];
        var y = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            x[2 * i] = (float)rows[i][0];
            x[2 * i + 1] = (float)rows[i][1];
            y[i] = (float)rows[i][2];
        }
        return (x, y, rows.Length);
    }

    static double[][] ReadRows(string path, bool skipHeader)
    {
        var rows = new List<double[]>();
        bool header = skipHeader;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Trim().Length == 0) continue;
            if (header) { header = false; continue; }
            string[] cells = line.Split(',');
            var row = new double[cells.Length];
            for (int j = 0; j < cells.Length; j++)
                row[j] = double.Parse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture);
            rows.Add(row);
        }
        return rows.ToArray();
    }
}
