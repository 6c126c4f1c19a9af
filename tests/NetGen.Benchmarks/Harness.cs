using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace NetGen.Benchmarks;

/// <summary>One call of the code under test. The timing loops are generic over a struct implementing this, so the
/// JIT compiles one loop per operation with the call inlined: no delegate or interface call is timed.</summary>
public interface IOperation
{
    void Invoke();
}

/// <summary>Per-call times of the timed batches of one operation, and what they allocated.</summary>
public sealed class Series
{
    private readonly List<double> _perCallNs = new();
    public long Calls { get; private set; }
    public long Bytes { get; private set; }
    public int CallsPerBatch { get; set; }
    public int Batches => _perCallNs.Count;

    public void Add(long ticks, int calls, long bytes)
    {
        _perCallNs.Add(ticks * (1e9 / Stopwatch.Frequency) / calls);
        Calls += calls;
        Bytes += bytes;
    }

    public double MedianNs => Percentile(0.5);
    public double MinNs => Percentile(0);
    public double P25Ns => Percentile(0.25);
    public double P75Ns => Percentile(0.75);
    public double BytesPerCall => Calls == 0 ? 0 : (double)Bytes / Calls;

    private double Percentile(double q)
    {
        if (_perCallNs.Count == 0) return double.NaN;
        var sorted = _perCallNs.ToArray();
        Array.Sort(sorted);
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}

/// <summary>
/// Stopwatch timing: warm up (so that tiered JIT has promoted the code), size a batch of calls to about
/// <see cref="BatchSeconds"/>, then time many batches; the median per-call time over the batches is the result.
/// Allocation is GC.GetAllocatedBytesForCurrentThread() around each timed batch.
/// </summary>
public static class Harness
{
    public const double WarmUpSeconds = 0.4;
    public const double BatchSeconds = 0.010;

    /// <summary>Runs the operation for at least <paramref name="seconds"/> (and 200 calls); returns calls per second.</summary>
    public static double WarmUp<T>(ref T op, double seconds = WarmUpSeconds) where T : struct, IOperation
    {
        long start = Stopwatch.GetTimestamp(), want = (long)(seconds * Stopwatch.Frequency);
        long calls = 0, elapsed;
        do
        {
            for (int i = 0; i < 16; i++) op.Invoke();
            calls += 16;
            elapsed = Stopwatch.GetTimestamp() - start;
        }
        while (calls < 200 || elapsed < want);
        return calls * (double)Stopwatch.Frequency / elapsed;
    }

    /// <summary>Calls per batch for a batch of about <paramref name="seconds"/>, from the warm-up's rate (an average over
    /// the whole warm-up, so one preempted call does not skew it).</summary>
    public static int CallsFor(double callsPerSecond, double seconds = BatchSeconds) =>
        (int)Math.Clamp(Math.Round(callsPerSecond * seconds), 1, 1 << 30);

    /// <summary>One timed batch of <paramref name="calls"/> calls, recorded in <paramref name="series"/>. The bytes are
    /// the calling thread's, or with <paramref name="allThreads"/> the whole process's (the precise count, taken
    /// outside the timed loop): a call that spreads over cores allocates, if it does, on other threads.</summary>
    public static void Batch<T>(ref T op, int calls, Series series, bool allThreads = false) where T : struct, IOperation
    {
        long before = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
        long ticks = Time(ref op, calls);
        long bytes = (allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread())
                     - before;
        series.Add(ticks, calls, bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Time<T>(ref T op, int calls) where T : struct, IOperation
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
            op.Invoke();
        return Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Three operations (NetGen and ONNX Runtime's two ways to run) in alternating batches.</summary>
    public static (Series A, Series B, Series C) Trio<TA, TB, TC>(ref TA a, ref TB b, ref TC c, int batches)
        where TA : struct, IOperation where TB : struct, IOperation where TC : struct, IOperation
    {
        var sa = new Series { CallsPerBatch = CallsFor(WarmUp(ref a)) };
        var sb = new Series { CallsPerBatch = CallsFor(WarmUp(ref b)) };
        var sc = new Series { CallsPerBatch = CallsFor(WarmUp(ref c)) };
        Settle();
        for (int r = 0; r < batches; r++)
        {
            Batch(ref a, sa.CallsPerBatch, sa);
            Batch(ref b, sb.CallsPerBatch, sb);
            Batch(ref c, sc.CallsPerBatch, sc);
        }
        return (sa, sb, sc);
    }

    /// <summary>One operation alone; <paramref name="beforeBatch"/> runs untimed before each batch (and the warm-up).</summary>
    public static Series Single<T>(ref T op, int batches, Action? beforeBatch = null) where T : struct, IOperation
    {
        beforeBatch?.Invoke();
        var s = new Series { CallsPerBatch = CallsFor(WarmUp(ref op)) };
        Settle();
        for (int r = 0; r < batches; r++)
        {
            beforeBatch?.Invoke();
            Batch(ref op, s.CallsPerBatch, s);
        }
        return s;
    }

    /// <summary>
    /// One operation under two settings (e.g. one core and all cores) in alternating batches of the same run:
    /// <paramref name="first"/> runs untimed before the first setting's warm-up and each of its batches, and
    /// <paramref name="second"/> before the second's; each setting gets its own batch size (≈ <see cref="BatchSeconds"/>).
    /// Bytes are counted over all threads.
    /// </summary>
    public static (Series First, Series Second) Alternate<T>(ref T op, int batches, Action first, Action second)
        where T : struct, IOperation
    {
        first();
        var s1 = new Series { CallsPerBatch = CallsFor(WarmUp(ref op)) };
        second();
        var s2 = new Series { CallsPerBatch = CallsFor(WarmUp(ref op)) };
        Settle();
        for (int r = 0; r < batches; r++)
        {
            first();
            Batch(ref op, s1.CallsPerBatch, s1, allThreads: true);
            second();
            Batch(ref op, s2.CallsPerBatch, s2, allThreads: true);
        }
        return (s1, s2);
    }

    /// <summary>Leaves no garbage of the set-up to be collected inside a timed batch, and no finalizer to run in one:
    /// the finalizers queued by the second collection ran on the finalizer thread during the first timed batch, where
    /// the all-thread byte count saw them (336 B once per series).</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
