using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace NetGen.Benchmarks;

// Issue 15's table: each case on one core (Parallelism.MaxDegreeOfParallelism = 1) and on all cores
// (= Environment.ProcessorCount), in alternating batches of the same run, with the speed-up, GFLOP/s and the share of
// the FMA peak, the targets of issue 15 items 2 and 3, and the bytes per call at both settings.
public static partial class QuickMode
{
    /// <summary>Timed batches per setting in issue 15's table (each about <see cref="Harness.BatchSeconds"/> long).</summary>
    public const int CoreBatches = 151;

    private sealed class CoreRow
    {
        public required string Case;
        /// <summary>The multiply-adds of one call, as a formula (GFLOP/s = 2 × these / time).</summary>
        public required string Formula;
        public double MultiplyAdds;
        public int Parameters;
        public Series? One, All;
        /// <summary>A "≤ t on one core" target (issue 15 item 2).</summary>
        public double? MaxOneNs;
        /// <summary>A "≥ k× on all cores against one core" target (issue 15 item 3).</summary>
        public double? MinSpeedup;
        /// <summary>The largest |all cores − one core| / max(1, |one core|) of one call's outputs (predictions, or the
        /// parameters after one step from the same start).</summary>
        public double Delta;
        public string? Error;
    }

    // Multiply-adds per sample. Training counts the forward products and the backward ones: per dense layer
    // n·n′ for the forward, n·n′ for dW, and n·n′ for dA except in the first layer (its dA would be the data's);
    // conv layers likewise with their MACs. Activations, the loss and the update are not counted.
    private const long NetAForward = 2 * 20 + 20 * 3 + 3 * 1;                       // 103
    private const long NetATrain = 3 * NetAForward - 2 * 20;                        // 269
    private const long NetCTrain = 3 * Cases.NetCMultiplyAdds - 784 * 128;          // 204 544
    private const long ChainsForward = 4 * 32 + 32 * 16 + 16 * 4;                   // 704
    private const long ChainsTrain = 3 * ChainsForward - 4 * 32;                    // 1 984
    private const long LeNetTrain = 3 * LeNet5Case.ForwardMultiplyAdds - LeNet5Case.FirstLayerMultiplyAdds;

    /// <summary>`--cores`: issue 15's table alone, after the machine's header; exit code 1 when a case failed or its
    /// two settings disagree. The caller's knob comes back at the end.</summary>
    public static int RunCores(TextWriter w)
    {
        int callersDegree = Parallelism.MaxDegreeOfParallelism;
        try
        {
            TryRaisePriority();
            var total = System.Diagnostics.Stopwatch.StartNew();
            Machine.Print(w);
            if (Machine.LoadAverage() is { } load)
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Load:    {load[0]:0.00}, {load[1]:0.00}, {load[2]:0.00} (1, 5, 15 min) on {Environment.ProcessorCount} cores"));
            (double fma, string how) = Machine.MeasureFmaThroughput();
            w.WriteLine($"FMA:     measured {fma:0.0} GFLOP/s on one core ({how})");
            var failures = new List<string>();
            int met = OnCores(w, fma, failures, out int targets);
            foreach (string f in failures) w.WriteLine($"  !!! {f}");
            if (Machine.LoadAverage() is { } after)
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Load average at the end: {after[0]:0.00}"));
            w.WriteLine($"Targets met: {met} of {targets}.  Took {total.Elapsed.TotalSeconds:0} s.");
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = callersDegree;
        }
    }

    /// <summary>Measures and prints issue 15's table; returns the targets met, <paramref name="targets"/> the targets
    /// counted. Leaves the knob at 1.</summary>
    private static int OnCores(TextWriter w, double fma, List<string> failures, out int targets)
    {
        int cores = Environment.ProcessorCount;
        var rows = new List<CoreRow>();
        w.WriteLine();
        w.WriteLine($"Every core (issue 15): each case at MaxDegreeOfParallelism = 1 and = {cores}, in alternating batches of " +
                    $"the same run ({CoreBatches} per setting, each ≈ {Harness.BatchSeconds * 1e3:0} ms after {Harness.WarmUpSeconds:0.0} s of warm-up; " +
                    "training restores the parameters before each batch):");

        Case(w, rows, failures, "net C PredictBatch", () =>
        {
            using Fixture<NetC> f = Cases.NetC();
            Agreed(w, failures, f);
            NetC.Frozen frozen = f.Net.Freeze();
            return
            [
                Measure(new NetCPredictBatchCall(f.Net, f.X, f.Predictions, Cases.NetCBatch), null,
                        () => f.Predictions.ToArray(), $"net C PredictBatch, {Cases.NetCBatch} samples",
                        "m·(784·128 + 128·10)", Cases.NetCBatch * (double)Cases.NetCMultiplyAdds, f.Net.Parameters.Length,
                        maxOneNs: null, minSpeedup: 1.7),
                // Not a target of the issue: the frozen form splits its batch on the same terms.
                Measure(new NetCFrozenPredictBatchCall(frozen, f.X, f.Predictions, Cases.NetCBatch), null,
                        () => f.Predictions.ToArray(), $"net C Frozen.PredictBatch, {Cases.NetCBatch} samples",
                        "m·(784·128 + 128·10)", Cases.NetCBatch * (double)Cases.NetCMultiplyAdds, f.Net.Parameters.Length,
                        maxOneNs: null, minSpeedup: null),
                Measure(new NetCTrainStepCall(f.Net, f.X, f.Y, Cases.NetCBatch, f.LearningRate), f.RestoreParameters,
                        () => f.Net.Parameters.ToArray(), $"net C TrainStep, {Cases.NetCBatch} samples",
                        "m·(3·(784·128 + 128·10) − 784·128)", Cases.NetCBatch * (double)NetCTrain, f.Net.Parameters.Length,
                        maxOneNs: 500_000, minSpeedup: 1.6),
            ];
        });
        Case(w, rows, failures, "4-32-16-4 tanh", () =>
        {
            using Fixture<SimpleChainsNet> f = Cases.SimpleChains();
            Agreed(w, failures, f);
            return
            [
                Measure(new SimpleChainsTrainStepCall(f.Net, f.X, f.Y, Cases.SimpleChainsBatch, f.LearningRate),
                        f.RestoreParameters, () => f.Net.Parameters.ToArray(),
                        $"4-32-16-4 tanh TrainStep, full batch of {Cases.SimpleChainsBatch}",
                        "m·(3·(4·32 + 32·16 + 16·4) − 4·32)", Cases.SimpleChainsBatch * (double)ChainsTrain,
                        f.Net.Parameters.Length, maxOneNs: 700_000, minSpeedup: 1.7),
            ];
        });
        Case(w, rows, failures, "LeNet-5", () =>
        {
            var c = new LeNet5Case();
            return
            [
                // Not a target of the issue: the forward alone, for the conv layers' share of the step.
                Measure(new LeNet5PredictBatchCall(c.Net, c.X, c.Predictions, LeNet5Case.Samples), null,
                        () => c.Predictions.ToArray(), $"LeNet-5 PredictBatch, {LeNet5Case.Samples} samples",
                        "m·(6·28²·25 + 16·10²·150 + 400·120 + 120·84 + 84·10)",
                        LeNet5Case.Samples * (double)LeNet5Case.ForwardMultiplyAdds, c.Net.Parameters.Length,
                        maxOneNs: null, minSpeedup: null),
                Measure(new LeNet5TrainStepCall(c.Net, c.X, c.Y, LeNet5Case.Samples, LeNet5Case.LearningRate),
                        c.RestoreParameters, () => c.Net.Parameters.ToArray(),
                        $"LeNet-5 TrainStep, {LeNet5Case.Samples} samples",
                        "m·(3·forward − 6·28²·25), forward as above",
                        LeNet5Case.Samples * (double)LeNetTrain, c.Net.Parameters.Length, maxOneNs: null, minSpeedup: 1.6),
            ];
        });
        Case(w, rows, failures, "net A", () =>
        {
            using Fixture<NetA> f = Cases.NetA();
            Agreed(w, failures, f);
            return
            [
                Measure(new NetAPredictBatchCall(f.Net, f.X, f.Predictions, Cases.NetABatch), null,
                        () => f.Predictions.ToArray(), $"net A PredictBatch, {Cases.NetABatch} samples",
                        "m·(2·20 + 20·3 + 3·1)", Cases.NetABatch * (double)NetAForward, f.Net.Parameters.Length,
                        maxOneNs: null, minSpeedup: 0.97),
                Measure(new NetATrainStepCall(f.Net, f.X, f.Y, Cases.NetABatch, f.LearningRate), f.RestoreParameters,
                        () => f.Net.Parameters.ToArray(), $"net A TrainStep, {Cases.NetABatch} samples",
                        "m·(3·(2·20 + 20·3 + 3·1) − 2·20)", Cases.NetABatch * (double)NetATrain, f.Net.Parameters.Length,
                        maxOneNs: 2_500, minSpeedup: 0.97),
            ];
        });
        Parallelism.MaxDegreeOfParallelism = 1;

        foreach (CoreRow r in rows)
            if (r.Error is not null)
                failures.Add($"{r.Case} (issue 15 table): {r.Error}");
        return PrintCores(w, rows, fma, cores, out targets);
    }

    /// <summary>The fixture's check against ONNX Runtime, on one line; a disagreement is a failure (exit code 1).</summary>
    private static void Agreed<TNet>(TextWriter w, List<string> failures, Fixture<TNet> f) where TNet : class, INetwork, new()
    {
        w.WriteLine($"  {f.Name,-18} against ONNX Runtime at MaxDegreeOfParallelism = {Parallelism.MaxDegreeOfParallelism}: {f.Agreement}");
        if (!f.Agreement.Passed)
            failures.Add($"{f.Name} (issue 15 table): NetGen and ONNX Runtime disagree ({f.Agreement})");
    }

    /// <summary>Builds and measures one case's rows; a failure is reported and the rest goes on.</summary>
    private static void Case(TextWriter w, List<CoreRow> rows, List<string> failures, string name, Func<CoreRow[]> measure)
    {
        try
        {
            // The fixture's own check against ONNX Runtime then runs on the all-cores path (the issue-4 section checks
            // the one-core path); Measure compares the two paths call by call.
            Parallelism.MaxDegreeOfParallelism = Environment.ProcessorCount;
            rows.AddRange(measure());
        }
        catch (Exception e)
        {
            Loud(w, $"{name} FAILED: {e.GetType().Name}: {e.Message}");
            failures.Add($"{name} (issue 15 table): {e.GetType().Name}: {e.Message}");
            rows.Add(new CoreRow { Case = name, Formula = "—", Error = e.GetType().Name });
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = 1;
        }
    }

    /// <summary>One operation at one core and at all cores: first one call at each setting from the same start (the
    /// outputs must agree), then the alternating batches. <paramref name="restore"/> (training) puts the parameters back
    /// before each batch and each of the two checking calls, and after the last batch.</summary>
    private static CoreRow Measure<T>(T op, Action? restore, Func<float[]> output, string name, string formula,
                                      double multiplyAdds, int parameters, double? maxOneNs, double? minSpeedup)
        where T : struct, IOperation
    {
        int cores = Environment.ProcessorCount;
        void One()
        {
            Parallelism.MaxDegreeOfParallelism = 1;
            restore?.Invoke();
        }
        void All()
        {
            Parallelism.MaxDegreeOfParallelism = cores;
            restore?.Invoke();
        }

        One();
        op.Invoke();
        float[] one = output();
        All();
        op.Invoke();
        float[] all = output();
        double delta = 0;
        for (int i = 0; i < one.Length; i++)
        {
            double d = Math.Abs((double)all[i] - one[i]) / Math.Max(1, Math.Abs((double)one[i]));
            if (!(d <= delta)) delta = double.IsNaN(d) ? double.PositiveInfinity : d;
        }

        (Series s1, Series s2) = Harness.Alternate(ref op, CoreBatches, One, All);
        string? error = null;
        foreach (float v in output())
            if (!float.IsFinite(v))
            {
                error = "an output or parameter is not finite after the timed calls";
                break;
            }
        One();
        if (!(delta <= Agreement.Tolerance))
            error ??= $"all cores and one core disagree: max |Δ| = {delta:0.00e+00} (tolerance {Agreement.Tolerance:0e+00})";
        return new CoreRow
        {
            Case = name, Formula = formula, MultiplyAdds = multiplyAdds, Parameters = parameters, One = s1, All = s2,
            MaxOneNs = maxOneNs, MinSpeedup = minSpeedup, Delta = delta, Error = error,
        };
    }

    private static int PrintCores(TextWriter w, List<CoreRow> rows, double fma, int cores, out int targets)
    {
        int met = 0;
        targets = 0;
        double machine = fma * cores;
        string Rate(double multiplyAdds, Series s) => $"{2 * multiplyAdds / s.MedianNs:0.0}";
        var t = new Table("case", "1 core", $"{cores} cores", "speed-up", "best", "target", "met", "1-core target", "met",
                          "GFLOP/s 1 core", "of 1×FMA", $"GFLOP/s {cores} cores", $"of {cores}×FMA",
                          "B/call 1 core", $"B/call {cores}", $"|Δ| {cores} vs 1");
        foreach (CoreRow r in rows)
        {
            if (r.One is null || r.All is null)
            {
                t.Add(r.Case, "ERROR", "ERROR", "—", "—", "—", r.MinSpeedup is null ? "" : "NOT MET (error)", "—",
                      r.MaxOneNs is null ? "" : "NOT MET (error)");
                if (r.MinSpeedup is not null) targets++;
                if (r.MaxOneNs is not null) targets++;
                continue;
            }
            double speedup = r.One.MedianNs / r.All.MedianNs;
            string speedupMet = "", oneMet = "";
            if (r.MinSpeedup is { } k)
            {
                if (cores == 1)
                    speedupMet = "n/a (1 core)";
                else
                {
                    bool ok = speedup >= k && r.Error is null;
                    targets++;
                    if (ok) met++;
                    speedupMet = r.Error is not null ? "INVALID" : ok ? "met" : "NOT MET";
                }
            }
            if (r.MaxOneNs is { } most)
            {
                bool ok = r.One.MedianNs <= most && r.Error is null;
                targets++;
                if (ok) met++;
                oneMet = r.Error is not null ? "INVALID" : ok ? "met" : "NOT MET";
            }
            t.Add(r.Case, Time(r.One.MedianNs), Time(r.All.MedianNs), $"{speedup:0.00}×",
                  $"{r.One.MinNs / r.All.MinNs:0.00}×",
                  r.MinSpeedup is { } s ? $"≥ {s:0.0#}×" : "—", speedupMet,
                  r.MaxOneNs is { } m ? $"≤ {Time(m)}" : "—", oneMet,
                  Rate(r.MultiplyAdds, r.One), $"{2 * r.MultiplyAdds / r.One.MedianNs / fma:0%}",
                  Rate(r.MultiplyAdds, r.All), $"{2 * r.MultiplyAdds / r.All.MedianNs / machine:0%}",
                  Bytes(r.One), Bytes(r.All), r.Delta == 0 ? "0 (same bits)" : $"{r.Delta:0.0e+00}");
        }
        w.WriteLine($"  (speed-up = median on 1 core / median on {cores}, the target's measure; best = fastest batch over fastest batch, the ratio " +
                    "least inflated by other processes on a shared machine;");
        w.WriteLine($"   GFLOP/s = 2 × multiply-adds / median; the peak is " +
                    $"one core's measured FMA, {fma:0.0} GFLOP/s, times the cores used; bytes over all threads; |Δ| = the");
        w.WriteLine("   largest relative difference of one call's outputs, or of the parameters after one step, from the same start)");
        t.Print(w);

        bool measured = rows.All(r => r.One is not null && r.All is not null);
        var allocating = rows.Where(r => r.One is { Bytes: not 0 } || r.All is { Bytes: not 0 }).ToList();
        bool allocOk = measured && allocating.Count == 0;
        targets++;
        if (allocOk) met++;
        w.WriteLine($"  Allocation: every call above allocates 0 bytes at both settings (all threads counted): " +
                    (allocOk ? "met" : "NOT MET") +
                    (allocating.Count == 0 ? "" : " — " + string.Join("; ", allocating.Select(r =>
                        $"{r.Case}: {r.One!.Bytes} B over {r.One.Calls} calls on 1 core, {r.All!.Bytes} B over {r.All.Calls} on {cores}"))));

        w.WriteLine("  Multiply-adds per call (m = samples; training = forward + dW + dA, no dA for the first layer):");
        foreach (CoreRow r in rows.Where(r => r.One is not null))
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {r.Case,-44} {r.Formula} = {r.MultiplyAdds:#,0}; {r.Parameters:#,0} parameters ({r.Parameters * 4 / 1024.0:0.#} KB)"));

        var d = new Table("series", "median", "min", "p25", "p75", "batches × calls");
        foreach (CoreRow r in rows)
        {
            if (r.One is { } a) d.Add($"{r.Case} — 1 core", Time(a.MedianNs), Time(a.MinNs), Time(a.P25Ns), Time(a.P75Ns), $"{a.Batches} × {a.CallsPerBatch}");
            if (r.All is { } b) d.Add($"{r.Case} — {cores} cores", Time(b.MedianNs), Time(b.MinNs), Time(b.P25Ns), Time(b.P75Ns), $"{b.Batches} × {b.CallsPerBatch}");
        }
        w.WriteLine("  Spread of the per-call times over the timed batches:");
        d.Print(w);

        string[] caches = Machine.Caches();
        w.WriteLine(caches.Length == 0
            ? "  Caches: not listed in /sys/devices/system/cpu/cpu0/cache"
            : "  Caches of cpu0 (/sys/devices/system/cpu/cpu0/cache): " + string.Join("; ", caches));
        return met;
    }
}

/// <summary>SimpleChains.jl's README net, one full-batch training step.</summary>
public readonly struct SimpleChainsTrainStepCall(SimpleChainsNet net, float[] X, float[] Y, int m, float rate) : IOperation
{
    /// <summary>One TrainStep over the whole batch.</summary>
    public void Invoke() => net.TrainStep(X, Y, m, rate);
}
