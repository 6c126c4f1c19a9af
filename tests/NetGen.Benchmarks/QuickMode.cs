using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Runtime.Intrinsics;

namespace NetGen.Benchmarks;

/// <summary>
/// `--quick`: every case of issue 4 in a few minutes, as one table of medians with the ratios, the targets and whether
/// they are met, and the bytes each call allocated. NetGen and ONNX Runtime run in alternating timed batches, after an
/// agreement check of their outputs; a disagreement is printed loudly, its rows are marked, and the exit code is 1.
/// Then issue 15's table: each case on one core and on all cores, alternating (<see cref="OnCores"/>); then the
/// LeNet-5 section (issue 14) and the restrictions of the instruction sets (issue 12).
/// </summary>
public static partial class QuickMode
{
    /// <summary>Timed batches per operation (each about <see cref="Harness.BatchSeconds"/> long).</summary>
    public const int Batches = 201;
    /// <summary>One core's FMA peak as the issue states it.</summary>
    public const double PeakGFlops = 112;

    private sealed class Row
    {
        public required string Case;
        public Series? NetGen, Onnx, OnnxBound;
        public double? MinSpeedup;      // a "≥ k× ONNX Runtime" target
        public double? MaxNs;           // a "≤ t" time target (training)
        public string? TorchSharp;      // the yardstick of the training rows
        public double TorchSharpNs;
        public bool Disagrees;
        public string? Error;
    }

    public static int Run(TextWriter w)
    {
        // The issue-4 rows, the conv section and the restriction children stay on one thread, as when their targets
        // were set; the issue-15 table sets the knob itself for each batch. The caller's setting comes back at the end.
        int callersDegree = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = 1;
        try
        {
            return RunOnOneThreadFirst(w);
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = callersDegree;
        }
    }

    private static int RunOnOneThreadFirst(TextWriter w)
    {
        var total = Stopwatch.StartNew();
        TryRaisePriority();
        w.WriteLine("NetGen benchmarks, quick mode: medians of alternating Stopwatch batches");
        w.WriteLine($"Threads: the issue-4 rows, the LeNet-5 section and the restriction children run on one thread " +
                    $"(Parallelism.MaxDegreeOfParallelism = 1); the issue-15 table runs each case on 1 and on all " +
                    $"{Environment.ProcessorCount} cores (= Environment.ProcessorCount), alternating batch by batch. " +
                    $"ONNX Runtime: 1 thread throughout.");
        w.WriteLine(new string('=', 100));
        Machine.Print(w);
        double[]? loadBefore = Machine.LoadAverage();
        if (loadBefore is not null)
            w.WriteLine($"Load:    {string.Join(", ", loadBefore.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)))} (1, 5, 15 min) on {Environment.ProcessorCount} cores" +
                        (loadBefore[0] > Environment.ProcessorCount - 1 ? "  <-- BUSY MACHINE: other processes compete for the cores; medians will be inflated" : ""));
        (double fma, string fmaHow) = Machine.MeasureFmaThroughput();
        w.WriteLine($"FMA:     measured {fma:0.0} GFLOP/s on one core ({fmaHow}); the targets use the issue's {PeakGFlops:0} GFLOP/s");
        if (Vector512.IsHardwareAccelerated)
        {
            double stream = Machine.MeasureStreamBandwidth((int)Cases.NetCMultiplyAdds);
            w.WriteLine($"Stream:  one core reads net C's weights ({Cases.NetCMultiplyAdds * 4 / 1024} KB, more than L1 holds) at {stream:0} GB/s at best: a one-sample " +
                        $"Predict of net C, which reads each weight once, takes ≥ {Cases.NetCMultiplyAdds * 4 / stream / 1e3:0.00} µs on this machine");
        }
        w.WriteLine($"Timing:  {Harness.WarmUpSeconds:0.0} s warm-up per operation, then {Batches} timed batches of ≈ {Harness.BatchSeconds * 1e3:0} ms each; bytes = GC.GetAllocatedBytesForCurrentThread over the timed batches / calls");
        w.WriteLine();

        var rows = new List<Row>();
        var failures = new List<string>();

        w.WriteLine("Agreement of outputs (same parameters on both sides; |NetGen − ONNX| ≤ 1e-5·max(1, |ONNX|)):");
        Measure(w, rows, failures, "net A 2-20-3-1", Cases.NetA, f =>
        {
            Row one = Versus("net A 2-20-3-1 Predict, 1 sample", new NetAPredictCall(f.Net, f.x, f.y), f.Onnx1, minSpeedup: 100);
            Row batch = Versus($"net A PredictBatch, {Cases.NetABatch} samples",
                               new NetAPredictBatchCall(f.Net, f.X, f.Predictions, Cases.NetABatch), f.OnnxBatch!, minSpeedup: 5);
            var train = new NetATrainStepCall(f.Net, f.X, f.Y, Cases.NetABatch, f.LearningRate);
            Series t = Harness.Single(ref train, Batches, f.RestoreParameters);
            string? trainError = FiniteAfterTraining(f);
            f.RestoreParameters();
            return
            [
                one,
                batch,
                new Row { Case = $"net A TrainStep, {Cases.NetABatch} samples", NetGen = t, MaxNs = 5_000, TorchSharp = "≈ 259 µs", TorchSharpNs = 259_000, Error = trainError },
            ];
        });
        Measure(w, rows, failures, "dense 8→8 tanh", Cases.Dense8, f =>
        {
            return [Versus("dense 8→8 tanh Predict, 1 sample", new Dense8PredictCall(f.Net, f.x, f.y), f.Onnx1, minSpeedup: 100)];
        });
        Measure(w, rows, failures, "dense 64→64 tanh", Cases.Dense64, f =>
        {
            return [Versus("dense 64→64 tanh Predict, 1 sample", new Dense64PredictCall(f.Net, f.x, f.y), f.Onnx1, minSpeedup: 10)];
        });
        Measure(w, rows, failures, "net C 784-128-10", Cases.NetC, f =>
        {
            Row one = Versus("net C 784-128-10 Predict, 1 sample", new NetCPredictCall(f.Net, f.x, f.y), f.Onnx1, minSpeedup: 2);
            Row batch = Versus($"net C PredictBatch, {Cases.NetCBatch} samples",
                               new NetCPredictBatchCall(f.Net, f.X, f.Predictions, Cases.NetCBatch), f.OnnxBatch!, minSpeedup: 1);
            // The frozen form (issue 13): the same batch on Wᵀ packed once at Freeze() instead of on every call.
            Row frozen = Versus($"net C Frozen.PredictBatch, {Cases.NetCBatch} samples",
                                new NetCFrozenPredictBatchCall(f.Net.Freeze(), f.X, f.Predictions, Cases.NetCBatch), f.OnnxBatch!,
                                minSpeedup: 1.05);
            var train = new NetCTrainStepCall(f.Net, f.X, f.Y, Cases.NetCBatch, f.LearningRate);
            Series t = Harness.Single(ref train, Batches, f.RestoreParameters);
            string? trainError = FiniteAfterTraining(f);
            f.RestoreParameters();
            return
            [
                one,
                batch,
                frozen,
                new Row { Case = $"net C TrainStep, {Cases.NetCBatch} samples", NetGen = t, MaxNs = 1_250_000, TorchSharp = "≈ 1.9 ms", TorchSharpNs = 1_900_000, Error = trainError },
            ];
        });

        int met = PrintTables(w, rows, fma, out int targets);
        PrintFrozenRatio(w, rows, fma);
        met += OnCores(w, fma, failures, out int coreTargets);
        targets += coreTargets;
        Parallelism.MaxDegreeOfParallelism = 1;
        ConvKernels.Run(w, fma);
        if (!Restrictions.Print(w, Time))
            failures.Add("net A under a restriction of the instruction sets: a child failed or disagreed with ONNX Runtime");

        w.WriteLine();
        if (failures.Count == 0)
            w.WriteLine("Agreement: every case's NetGen and ONNX Runtime outputs agree within 1e-5.");
        else
        {
            Loud(w, "SOME RESULTS ARE NOT VALID:");
            foreach (string f in failures) w.WriteLine($"  !!! {f}");
        }
        double[]? loadAfter = Machine.LoadAverage();
        if (loadAfter is not null && loadAfter[0] > Environment.ProcessorCount - 1)
            w.WriteLine($"Load average at the end: {loadAfter[0]:0.00} on {Environment.ProcessorCount} cores: other processes competed for the cores during the run; take the medians as upper bounds (see min/p25 above).");
        w.WriteLine($"Targets met: {met} of {targets}.  Quick mode took {total.Elapsed.TotalSeconds:0} s.");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>NetGen against ONNX Runtime's Run (the baseline) and its RunWithBinding, in alternating batches.</summary>
    private static Row Versus<T>(string name, T netGen, OnnxRunner onnx, double minSpeedup) where T : struct, IOperation
    {
        var run = new OnnxRun(onnx);
        var bound = new OnnxRunBound(onnx);
        var (a, b, c) = Harness.Trio(ref netGen, ref run, ref bound, Batches);
        return new Row { Case = name, NetGen = a, Onnx = b, OnnxBound = c, MinSpeedup = minSpeedup };
    }

    /// <summary>Builds one case, prints its agreement, measures it; any failure is caught and reported, the rest goes on.</summary>
    private static void Measure<TNet>(TextWriter w, List<Row> rows, List<string> failures, string name,
                                      Func<Fixture<TNet>> create, Func<Fixture<TNet>, Row[]> measure)
        where TNet : class, INetwork, new()
    {
        Fixture<TNet>? f = null;
        try
        {
            f = create();
            if (f.Agreement.Passed)
                w.WriteLine($"  {name,-18} {f.Agreement}");
            else
            {
                Loud(w, $"AGREEMENT CHECK FAILED for {name}: {f.Agreement}");
                failures.Add($"{name}: NetGen and ONNX Runtime disagree ({f.Agreement}); its rows are marked DISAGREE");
            }
            Row[] measured = measure(f);
            foreach (Row r in measured)
            {
                r.Disagrees = !f.Agreement.Passed && r.Onnx is not null;
                if (r.Error is not null) failures.Add($"{r.Case}: {r.Error}");
            }
            rows.AddRange(measured);
        }
        catch (Exception e)
        {
            Loud(w, $"{name} FAILED: {e.GetType().Name}: {e.Message}");
            failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            rows.Add(new Row { Case = name, Error = $"{e.GetType().Name}" });
        }
        finally
        {
            f?.Dispose();
        }
    }

    private static string? FiniteAfterTraining<TNet>(Fixture<TNet> f) where TNet : class, INetwork, new()
    {
        foreach (float p in f.Net.Parameters)
            if (!float.IsFinite(p))
                return "a parameter is not finite after the timed training steps";
        return null;
    }

    private static int PrintTables(TextWriter w, List<Row> rows, double measuredFma, out int targets)
    {
        int met = 0;
        targets = 0;

        // ---- inference: NetGen vs ONNX Runtime ----
        var t = new Table("case", "NetGen", "ONNX Runtime", "speed-up", "target", "met", "NetGen B/call", "ONNX B/call", "ONNX IoBinding", "speed-up");
        foreach (Row r in rows.Where(r => r.MaxNs is null))
        {
            if (r.Error is not null && r.NetGen is null)
            {
                t.Add(r.Case, "ERROR", "ERROR", "—", "—", "NOT MET (error)", "—", "—", "—", "—");
                targets++;
                continue;
            }
            double speedup = r.Onnx!.MedianNs / r.NetGen!.MedianNs;
            bool ok = speedup >= r.MinSpeedup!.Value && !r.Disagrees;
            targets++;
            if (ok) met++;
            t.Add(r.Case, Time(r.NetGen.MedianNs), Time(r.Onnx.MedianNs), $"{speedup:0.0}×", $"≥ {r.MinSpeedup:0.##}×",
                  r.Disagrees ? "DISAGREE" : ok ? "met" : "NOT MET", Bytes(r.NetGen), Bytes(r.Onnx),
                  Time(r.OnnxBound!.MedianNs), $"{r.OnnxBound.MedianNs / r.NetGen.MedianNs:0.0}×");

            if (r.Case.StartsWith("net C PredictBatch", StringComparison.Ordinal))
            {
                double flops = 2.0 * Cases.NetCBatch * Cases.NetCMultiplyAdds;
                double ng = flops / r.NetGen.MedianNs, ox = flops / r.Onnx.MedianNs, oxb = flops / r.OnnxBound.MedianNs; // flops per ns = GFLOP/s
                bool peakOk = ng >= 0.8 * PeakGFlops && !r.Disagrees;
                targets++;
                if (peakOk) met++;
                t.Add($"  └ the same in GFLOP/s ({ng / measuredFma:0%} of measured FMA)", $"{ng:0.0} GFLOP/s", $"{ox:0.0} GFLOP/s", $"{ng / PeakGFlops:0%} of {PeakGFlops:0}",
                      $"≥ 80% of {PeakGFlops:0}", r.Disagrees ? "DISAGREE" : peakOk ? "met" : "NOT MET", "", "", $"{oxb:0.0} GFLOP/s", "");
            }
        }
        w.WriteLine();
        w.WriteLine("Inference, NetGen vs ONNX Runtime (speed-up = ONNX median / NetGen median; the targets are against ONNX's");
        w.WriteLine("Run(RunOptions, names, OrtValues, names, OrtValues); the last two columns: the same OrtValues through RunWithBinding):");
        t.Print(w);

        // ---- training ----
        var tr = new Table("training step", "NetGen", "target", "met", "TorchSharp (by hand)", "vs TorchSharp", "NetGen B/call");
        foreach (Row r in rows.Where(r => r.MaxNs is not null))
        {
            bool ok = r.NetGen!.MedianNs <= r.MaxNs!.Value && r.Error is null;
            targets++;
            if (ok) met++;
            tr.Add(r.Case, Time(r.NetGen.MedianNs), $"≤ {Time(r.MaxNs.Value)}", r.Error is not null ? "INVALID" : ok ? "met" : "NOT MET",
                   r.TorchSharp!, $"{r.TorchSharpNs / r.NetGen.MedianNs:0.0}× faster", Bytes(r.NetGen));
        }
        w.WriteLine();
        w.WriteLine("Training (NetGen only: ONNX Runtime's training package is not served here; TorchSharp does not load on this OS):");
        tr.Print(w);

        // ---- allocation ----
        var allocating = rows.Where(r => r.NetGen is not null && r.NetGen.Bytes != 0).ToList();
        bool allocOk = allocating.Count == 0 && rows.All(r => r.NetGen is not null);
        targets++;
        if (allocOk) met++;
        w.WriteLine();
        w.WriteLine($"Allocation: every NetGen Predict, PredictBatch and TrainStep above allocates 0 bytes per call: {(allocOk ? "met" : "NOT MET")}"
                    + (allocating.Count == 0 ? "" : " — " + string.Join("; ", allocating.Select(r => $"{r.Case}: {r.NetGen!.Bytes} B over {r.NetGen.Calls} calls")))
                    + (rows.All(r => r.NetGen is not null) ? "" : " — not measured: " + string.Join(", ", rows.Where(r => r.NetGen is null).Select(r => r.Case))));

        // ---- spread ----
        var d = new Table("series", "median", "min", "p25", "p75", "batches × calls");
        foreach (Row r in rows)
        {
            if (r.NetGen is { } a) d.Add($"{r.Case} — NetGen", Time(a.MedianNs), Time(a.MinNs), Time(a.P25Ns), Time(a.P75Ns), $"{a.Batches} × {a.CallsPerBatch}");
            if (r.Onnx is { } b) d.Add($"{r.Case} — ONNX Run", Time(b.MedianNs), Time(b.MinNs), Time(b.P25Ns), Time(b.P75Ns), $"{b.Batches} × {b.CallsPerBatch}");
            if (r.OnnxBound is { } c) d.Add($"{r.Case} — ONNX IoBinding", Time(c.MedianNs), Time(c.MinNs), Time(c.P25Ns), Time(c.P75Ns), $"{c.Batches} × {c.CallsPerBatch}");
        }
        w.WriteLine();
        w.WriteLine($"Spread of the per-call times over the timed batches (measured FMA throughput here: {measuredFma:0.0} GFLOP/s):");
        d.Print(w);
        return met;
    }

    private static string Time(double ns) => ns switch
    {
        double.NaN => "—",
        < 10 => $"{ns:0.00} ns",
        < 100 => $"{ns:0.0} ns",
        < 1e3 => $"{ns:0} ns",
        < 1e4 => $"{ns / 1e3:0.00} µs",
        < 1e5 => $"{ns / 1e3:0.0} µs",
        < 1e6 => $"{ns / 1e3:0} µs",
        < 1e7 => $"{ns / 1e6:0.00} ms",
        _ => $"{ns / 1e6:0.0} ms",
    };

    private static string Bytes(Series s) =>
        s.Bytes == 0 ? "0" : s.BytesPerCall >= 1 ? s.BytesPerCall.ToString("0", CultureInfo.InvariantCulture) : $"< 1 ({s.Bytes} B in all)";

    private static void Loud(TextWriter w, string message)
    {
        w.WriteLine();
        w.WriteLine(new string('!', 100));
        w.WriteLine($"!!! {message}");
        w.WriteLine(new string('!', 100));
    }

    internal static void TryRaisePriority()
    {
        try { Process.GetCurrentProcess().PriorityClass = ProcessPriorityClass.High; } catch { /* not allowed: fine */ }
        try { Thread.CurrentThread.Priority = ThreadPriority.Highest; } catch { /* not allowed: fine */ }
    }

    /// <summary>A plain text table with columns padded to their widest cell.</summary>
    private sealed class Table(params string[] header)
    {
        private readonly List<string[]> _rows = [header];

        public void Add(params string[] cells) => _rows.Add(cells);

        public void Print(TextWriter w)
        {
            int columns = _rows.Max(r => r.Length);
            var width = new int[columns];
            foreach (string[] r in _rows)
                for (int c = 0; c < r.Length; c++)
                    width[c] = Math.Max(width[c], r[c].Length);
            for (int i = 0; i < _rows.Count; i++)
            {
                w.WriteLine("  " + string.Join(" | ", _rows[i].Select((cell, c) => c == 0 ? cell.PadRight(width[c]) : cell.PadLeft(width[c]))).TrimEnd());
                if (i == 0)
                    w.WriteLine("  " + string.Join("-+-", width.Select(n => new string('-', n))));
            }
        }
    }

    /// <summary>The frozen batch against the mutable one, from the same run's medians.</summary>
    private static void PrintFrozenRatio(TextWriter w, List<Row> rows, double measuredFma)
    {
        Row? mutable = rows.FirstOrDefault(r => r.Case.StartsWith("net C PredictBatch", StringComparison.Ordinal));
        Row? frozen = rows.FirstOrDefault(r => r.Case.StartsWith("net C Frozen.PredictBatch", StringComparison.Ordinal));
        if (mutable?.NetGen is null || frozen?.NetGen is null) return;
        w.WriteLine($"Frozen:  net C Frozen.PredictBatch ({Cases.NetCBatch} samples) is " +
                    $"{mutable.NetGen.MedianNs / frozen.NetGen.MedianNs:0.00}× the mutable PredictBatch (medians " +
                    $"{Time(frozen.NetGen.MedianNs)} and {Time(mutable.NetGen.MedianNs)}): W1ᵀ packed once, at Freeze(); " +
                    $"{2.0 * Cases.NetCBatch * Cases.NetCMultiplyAdds / frozen.NetGen.MedianNs:0.0} GFLOP/s, " +
                    $"{2.0 * Cases.NetCBatch * Cases.NetCMultiplyAdds / frozen.NetGen.MedianNs / measuredFma:0%} of the measured FMA peak.");
    }
}

/// <summary>net C's frozen snapshot, one batch.</summary>
public readonly struct NetCFrozenPredictBatchCall(NetC.Frozen net, float[] X, float[] Y, int m) : IOperation
{
    /// <summary>One PredictBatch of the snapshot.</summary>
    public void Invoke() => net.PredictBatch(X, Y, m);
}
