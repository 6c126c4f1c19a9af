using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

// `--fit`: what Trainer.Fit's overlap buys (issue 15 item 4). Each case runs Fit with everything on the calling thread
// (FitOverlap.Sequential) and with the next epoch prepared on a pool thread (FitOverlap.Overlapped, what Fit does by
// itself when the set is large enough), in alternating batches of the same run, from the same parameters each time.
// Both settings give the same bits (FitOverlapTests); only the time differs.
public static partial class QuickMode
{
    /// <summary>Timed batches per setting of each Fit case (a batch is one Fit call of tens of milliseconds).</summary>
    public const int FitBatches = 41;

    /// <summary>One Fit call under the setting in <see cref="Overlap"/>.</summary>
    private struct FitCall : IOperation
    {
        public INetwork Net;
        public Dataset Train;
        public Dataset? Dev;
        public TrainingOptions Options;
        public FitOverlap Overlap;
        public int PreparedOnHelper;

        public void Invoke() => Trainer.FitWith(Net, Train, Dev, Options, Overlap, out PreparedOnHelper);
    }

    /// <summary>`--fit`: the table of Fit with and without the overlap, at the default MaxDegreeOfParallelism.</summary>
    public static int RunFit(TextWriter w)
    {
        TryRaisePriority();
        var total = System.Diagnostics.Stopwatch.StartNew();
        Machine.Print(w);
        if (Machine.LoadAverage() is { } load)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Load:    {load[0]:0.00}, {load[1]:0.00}, {load[2]:0.00} (1, 5, 15 min) on {Environment.ProcessorCount} cores"));
        w.WriteLine();
        w.WriteLine($"Trainer.Fit (issue 15 item 4): each case sequential and overlapped, in alternating batches of the same run " +
                    $"({FitBatches} per setting, one Fit call each, from the same parameters), MaxDegreeOfParallelism = " +
                    $"{Parallelism.MaxDegreeOfParallelism}:");
        w.WriteLine("  case                                                        | sequential | overlapped | speed-up |  best | on helper");
        w.WriteLine("  ------------------------------------------------------------+------------+------------+----------+-------+----------");

        using (Fixture<SimpleChainsNet> f = Cases.SimpleChains())
        {
            var train = new Dataset(f.X, f.Y, 4, 4);
            var dev = new Dataset(f.X.AsSpan(0, 2000 * 4).ToArray(), f.Y.AsSpan(0, 2000 * 4).ToArray(), 4, 4);
            var adam = new TrainingOptions { Epochs = 3, BatchSize = 250, Optimizer = Optimizer.Adam, LearningRate = 1e-3f };
            FitRow(w, "4-32-16-4, 10 000 samples, batches of 250, 3 epochs", f.Net, f.RestoreParameters, train, null, adam);
            FitRow(w, "  the same with a dev set of 2 000", f.Net, f.RestoreParameters, train, dev, adam);
            // Twice the set: 80 000 input floats, above the size from which Fit draws the next augmentation ahead.
            var twice = new Dataset([.. f.X, .. f.X], [.. f.Y, .. f.Y], 4, 4);
            var image = new Augmentation(2, 2, 1).FlipHorizontal(0.5).GaussianNoise(0, 0.05, 1);
            FitRow(w, "4-32-16-4, full batch of 20 000, augmented, 3 epochs", f.Net, f.RestoreParameters, twice, null,
                new TrainingOptions { Epochs = 3, BatchSize = 0, LearningRate = 1e-3f, Augment = image });
        }
        {
            var c = new LeNet5Case();
            const int copies = 32; // 2 048 samples: the size from which Fit overlaps mini-batches by itself
            var x = new float[c.X.Length * copies];
            var y = new float[c.Y.Length * copies];
            for (int k = 0; k < copies; k++)
            {
                c.X.CopyTo(x, k * c.X.Length);
                c.Y.CopyTo(y, k * c.Y.Length);
            }
            var train = new Dataset(x, y, 784, 10);
            var crop = new Augmentation(28, 28, 1).FlipHorizontal(0.5).RandomCrop(2, 1);
            FitRow(w, "LeNet-5, 2 048 samples, batches of 64, flip + crop, 2 epochs", c.Net, c.RestoreParameters, train, null,
                new TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = LeNet5Case.LearningRate, Augment = crop });
        }
        if (Machine.LoadAverage() is { } after)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Load average at the end: {after[0]:0.00}"));
        w.WriteLine("  (speed-up = sequential median / overlapped median; best = fastest over fastest; on helper = epochs " +
                    "prepared by a pool thread in the last overlapped call)");
        w.WriteLine($"Took {total.Elapsed.TotalSeconds:0} s.");
        return 0;
    }

    private static void FitRow(TextWriter w, string name, INetwork net, Action restore, Dataset train, Dataset? dev,
                               TrainingOptions options)
    {
        var op = new FitCall { Net = net, Train = train, Dev = dev, Options = options };
        var sequential = new Series { CallsPerBatch = 1 };
        var overlapped = new Series { CallsPerBatch = 1 };
        // A Fit call is tens of milliseconds: a batch is one call, and three of each warm the JIT and the pools up.
        for (int r = -3; r < FitBatches; r++)
        {
            foreach (FitOverlap setting in (ReadOnlySpan<FitOverlap>)[FitOverlap.Sequential, FitOverlap.Overlapped])
            {
                restore();
                op.Overlap = setting;
                if (r < 0)
                    op.Invoke();
                else
                    Harness.Batch(ref op, 1, setting == FitOverlap.Sequential ? sequential : overlapped, allThreads: true);
            }
        }
        restore();
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-60}| {Time(sequential.MedianNs),10} | {Time(overlapped.MedianNs),10} | " +
            $"{sequential.MedianNs / overlapped.MedianNs,7:0.00}× | {sequential.MinNs / overlapped.MinNs,4:0.00}× | " +
            $"{op.PreparedOnHelper,9}"));
    }
}
