using System;
using System.ComponentModel;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen;

/// <summary>For generated code only, not for direct use: one shard of a batch, run by <see cref="ShardPool.Run"/>.
/// Implemented once per network instance (or frozen snapshot) by a private class that keeps no per-call state: every
/// per-call value travels in the <see cref="ShardArgs"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IShardWork
{
    /// <summary>Runs shard <see cref="ShardArgs.Shard"/> of the call described by <paramref name="args"/>.</summary>
    /// <param name="args">The operation, the shard's samples and the call's buffers.</param>
    /// <returns>The shard's share of a sum the caller adds up (the cost's data term), or 0.</returns>
    double RunShard(in ShardArgs args);
}

/// <summary>For generated code only, not for direct use: what one shard of a call works on. The call's spans cross
/// threads as the pointers <see cref="ShardPool.Run"/> pinned while its caller waits; each property rebuilds a
/// span.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly unsafe struct ShardArgs
{
    private readonly float* _x, _y, _output, _partials, _workspace;
    private readonly int _xLength, _yLength, _outputLength, _partialsLength, _workspaceLength;

    internal ShardArgs(int operation, int shard, int shards, int m, float* x, int xLength, float* y, int yLength,
        float* output, int outputLength, float* partials, int partialsLength, float* workspace, int workspaceLength)
    {
        Operation = operation;
        Shard = shard;
        Shards = shards;
        M = m;
        Start = ShardPool.Start(shard, shards, m);
        Count = ShardPool.Start(shard + 1, shards, m) - Start;
        _x = x;
        _xLength = xLength;
        _y = y;
        _yLength = yLength;
        _output = output;
        _outputLength = outputLength;
        _partials = partials;
        _partialsLength = partialsLength;
        _workspace = workspace;
        _workspaceLength = workspaceLength;
    }

    /// <summary>The same call's shard <paramref name="shard"/>.</summary>
    internal ShardArgs For(int shard) => new(Operation, shard, Shards, M, _x, _xLength, _y, _yLength, _output,
        _outputLength, _partials, _partialsLength, _workspace, _workspaceLength);

    /// <summary>What the generated code does with the shard (its own numbering).</summary>
    public int Operation { get; }

    /// <summary>k: this shard, from 0.</summary>
    public int Shard { get; }

    /// <summary>S: the call's number of shards.</summary>
    public int Shards { get; }

    /// <summary>m: the call's number of samples.</summary>
    public int M { get; }

    /// <summary>The first sample of this shard.</summary>
    public int Start { get; }

    /// <summary>This shard's number of samples, at least 1.</summary>
    public int Count { get; }

    /// <summary>The call's whole X (m rows).</summary>
    public ReadOnlySpan<float> X => new(_x, _xLength);

    /// <summary>The call's whole Y (m rows of targets), or empty.</summary>
    public ReadOnlySpan<float> Y => new(_y, _yLength);

    /// <summary>The call's whole output: the predictions (m rows) or shard 0's gradients.</summary>
    public Span<float> Output => new(_output, _outputLength);

    /// <summary>The gradients of shards 1 … S − 1, one block after another, or empty.</summary>
    public Span<float> Partials => new(_partials, _partialsLength);

    /// <summary>The call's whole workspace.</summary>
    public Span<float> Workspace => new(_workspace, _workspaceLength);
}

/// <summary>For generated code only, not for direct use: splits a batch into shards of samples and runs them on
/// persistent background workers and the calling thread, one fork/join per call, allocating nothing after warm-up.
/// Public because the code NetGen writes into your assembly calls it; hidden from IntelliSense.</summary>
/// <remarks>The partition depends only on m, the work per sample and <see cref="Parallelism.MaxDegreeOfParallelism"/>,
/// never on which workers are free: when another call holds the workers, the caller runs the same shards itself, one
/// after another, with the same results.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ShardPool
{
    /// <summary>The fewest samples a shard gets: two groups of 16 (the column kernels' vector lanes).</summary>
    internal const int MinSamples = 32;

    /// <summary>The fewest multiply-adds of forward pass a shard gets: 2²⁰, some 100 µs of one core's training work
    /// (forward and backward) at the kernels' speed, against the few µs of waking a sleeping worker; net A's batch of
    /// 211 (21 733) stays far below, net C's of 256 (26 M) far above.</summary>
    internal const long MinWork = 1L << 20;

    /// <summary>Shard boundaries fall on multiples of this many samples (but the last).</summary>
    internal const int Alignment = 16;

    /// <summary>S for a batch: min(<see cref="Parallelism.MaxDegreeOfParallelism"/>, m / 32, m·work / 2²⁰), at least 1.
    /// </summary>
    /// <param name="m">The number of samples.</param>
    /// <param name="workPerSample">The multiply-adds of one sample's forward pass.</param>
    /// <returns>The number of shards.</returns>
    public static int Plan(int m, long workPerSample)
        => Plan(m, workPerSample, Parallelism.MaxDegreeOfParallelism);

    internal static int Plan(int m, long workPerSample, int maxDegreeOfParallelism)
    {
        long shards = Math.Min(maxDegreeOfParallelism, m / MinSamples);
        shards = Math.Min(shards, (long)m * Math.Max(workPerSample, 0) / MinWork);
        return (int)Math.Max(shards, 1);
    }

    /// <summary>The first sample of shard <paramref name="shard"/> of <paramref name="shards"/> over m samples:
    /// k·m / S rounded down to a multiple of 16, and m for k = S.</summary>
    /// <param name="shard">k, from 0 to S.</param>
    /// <param name="shards">S.</param>
    /// <param name="m">The number of samples.</param>
    /// <returns>The index of the shard's first sample.</returns>
    public static int Start(int shard, int shards, int m)
        => shard >= shards ? m : (int)((long)shard * m / shards) / Alignment * Alignment;

    // ───── The workers ─────

    private sealed class Worker
    {
        public readonly ManualResetEventSlim Wake = new(false, SpinCount);
        public Thread? Thread;

        // The event's lock object is made by the first wait that blocks: made here, at warm-up (see EnsureWorkers).
        public Worker() => Wake.Wait(1);
    }

    private const int SpinCount = 200;

    private static readonly object s_grow = new();
    private static Worker[] s_workers = Array.Empty<Worker>();
    private static int s_busy; // 1 while a call holds the workers
    private static readonly ManualResetEventSlim s_done = new(false, SpinCount);
    private static int s_pending;
    // The job the workers read (written by the holder before it wakes them).
    private static IShardWork? s_work;
    private static ShardArgs s_args;
    private static double[] s_results = Array.Empty<double>();
    private static ExceptionDispatchInfo?[] s_errors = Array.Empty<ExceptionDispatchInfo?>();
    // Shard k is run by whoever sets s_claims[k] from 0 to 1 first: its worker or, when the worker is late (asleep, or
    // its core busy), the caller once it has finished its own shards. Which thread runs a shard never changes its
    // result.
    private static int[] s_claims = Array.Empty<int>();

    /// <summary>Test hook: when set, shard k of every call throws before running (k ≥ 1 runs on a worker).</summary>
    internal static int ThrowInShard { get; set; } = -1;

    /// <summary>Runs the S shards of one call of <paramref name="work"/>, shard 0 on the calling thread and the others
    /// on the workers (or all on the calling thread when another call holds the workers), and returns the sum of what
    /// the shards returned, added in the order 0, 1, …, S − 1. The spans stay pinned until every shard has finished. An
    /// exception of a shard is rethrown here, the lowest shard's first.</summary>
    /// <param name="work">The network's shard code.</param>
    /// <param name="operation">What the shards do (the generated code's numbering).</param>
    /// <param name="shards">S, at least 1.</param>
    /// <param name="m">The number of samples.</param>
    /// <param name="x">The call's X.</param>
    /// <param name="y">The call's Y, or empty.</param>
    /// <param name="output">The call's output (predictions or gradients).</param>
    /// <param name="partials">The gradients of shards 1 … S − 1, or empty.</param>
    /// <param name="workspace">The call's workspace.</param>
    /// <returns>Σ over the shards of their results, in order.</returns>
    public static unsafe double Run(IShardWork work, int operation, int shards, int m, ReadOnlySpan<float> x,
        ReadOnlySpan<float> y, Span<float> output, Span<float> partials, Span<float> workspace)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (shards < 1 || shards > m)
            throw new ArgumentOutOfRangeException(nameof(shards), shards, $"the shards must number 1 to m = {m}.");
        fixed (float* px = x, py = y, po = output, pp = partials, pw = workspace)
        {
            var args = new ShardArgs(operation, 0, shards, m, px, x.Length, py, y.Length, po, output.Length, pp,
                partials.Length, pw, workspace.Length);
            if (shards == 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
                return RunHere(work, args);
            try
            {
                return RunOnWorkers(work, args);
            }
            finally
            {
                Volatile.Write(ref s_busy, 0);
            }
        }
    }

    /// <summary>Every shard on the calling thread, in order.</summary>
    private static double RunHere(IShardWork work, in ShardArgs args)
    {
        double sum = 0;
        for (int k = 0; k < args.Shards; k++)
            sum += RunOne(work, args.For(k));
        return sum;
    }

    private static double RunOne(IShardWork work, in ShardArgs args)
    {
        if (args.Shard == ThrowInShard)
            throw new InvalidOperationException($"test fault in shard {args.Shard}");
        return work.RunShard(args);
    }

    private static double RunOnWorkers(IShardWork work, in ShardArgs args)
    {
        int shards = args.Shards;
        EnsureWorkers(shards - 1);
        s_work = work;
        s_args = args;
        Array.Clear(s_errors, 0, shards);
        s_done.Reset();
        Volatile.Write(ref s_pending, shards);
        // The job is in place before any claim opens (a late worker that claims a shard of this call reads this call).
        for (int k = 1; k < shards; k++)
            Volatile.Write(ref s_claims[k], 0);
        for (int k = 1; k < shards; k++)
            s_workers[k - 1].Wake.Set();
        RunClaimed(0);
        // The shards no worker has started yet: run them here rather than wait for a sleeping or descheduled worker.
        for (int k = 1; k < shards; k++)
            if (Interlocked.CompareExchange(ref s_claims[k], 1, 0) == 0)
                RunClaimed(k);
        s_done.Wait();
        s_work = null;
        for (int k = 0; k < shards; k++)
            s_errors[k]?.Throw();
        double sum = 0;
        for (int k = 0; k < shards; k++)
            sum += s_results[k];
        return sum;
    }

    /// <summary>Starts workers until there are at least <paramref name="count"/> (only while holding the
    /// pool).</summary>
    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count) return;
        lock (s_grow)
        {
            var workers = new Worker[count];
            Array.Copy(s_workers, workers, s_workers.Length);
            for (int i = s_workers.Length; i < count; i++)
            {
                var worker = new Worker();
                int shard = i + 1;
                worker.Thread = new Thread(() => WorkerLoop(worker, shard))
                {
                    IsBackground = true,
                    Name = "NetGen shard " + shard,
                };
                workers[i] = worker;
            }
            s_results = new double[count + 1];
            s_errors = new ExceptionDispatchInfo?[count + 1];
            var claims = new int[count + 1];
            Array.Fill(claims, 1); // closed until a call opens them
            s_claims = claims;
            for (int i = s_workers.Length; i < count; i++)
                workers[i].Thread!.Start();
            s_workers = workers;
            // ManualResetEventSlim makes its lock object on the first wait that has to block, which may come long
            // after warm-up: one timed-out wait here makes it now (1 ms, once per process), so that no later call
            // allocates. The caller holds the pool, so nothing sets s_done meanwhile (the call resets it next).
            s_done.Reset();
            s_done.Wait(1);
        }
    }

    private static void WorkerLoop(Worker worker, int shard)
    {
        while (true)
        {
            worker.Wake.Wait();
            worker.Wake.Reset();
            if (Interlocked.CompareExchange(ref s_claims[shard], 1, 0) == 0)
                RunClaimed(shard);
        }
    }

    /// <summary>Runs shard k of the current call (claimed by this thread), keeps its result or its exception for the
    /// caller, and signals the caller after the call's last shard.</summary>
    private static void RunClaimed(int shard)
    {
        try
        {
            s_results[shard] = RunOne(s_work!, s_args.For(shard));
        }
#pragma warning disable CA1031 // handed to the caller, which rethrows it after every shard has let go of the spans
        catch (Exception e)
#pragma warning restore CA1031
        {
            s_errors[shard] = ExceptionDispatchInfo.Capture(e);
            s_results[shard] = 0;
        }
        if (Interlocked.Decrement(ref s_pending) == 0)
            s_done.Set();
    }

    // ───── The reduction ─────

    /// <summary>g = Σ_k (count_k / m)·g_k over the shards, summed in the order k = 0, 1, …, S − 1 for every parameter:
    /// g_0 is <paramref name="gradients"/> itself, g_k (k ≥ 1) the k-th block of <paramref name="partials"/>. Split
    /// across the workers by disjoint ranges of parameters; given <paramref name="parameters"/>, each range also takes
    /// its step θ ← θ − α·g there while it is in cache (the float operations of Kernels.GradientDescent).</summary>
    /// <param name="gradients">g_0 on entry, g on exit.</param>
    /// <param name="partials">g_1 … g_{S−1}, each as long as <paramref name="gradients"/>.</param>
    /// <param name="shards">S, at least 2.</param>
    /// <param name="m">The number of samples.</param>
    /// <param name="parameters">θ, or empty for no step.</param>
    /// <param name="learningRate">α (read only with <paramref name="parameters"/>).</param>
    public static void Reduce(Span<float> gradients, ReadOnlySpan<float> partials, int shards, int m,
        Span<float> parameters, float learningRate)
    {
        int n = gradients.Length;
        if (partials.Length < (long)(shards - 1) * n)
            throw new ArgumentException($"partials must hold {shards - 1} × {n} floats, but has {partials.Length}.",
                nameof(partials));
        if (parameters.Length != 0 && parameters.Length != n)
            throw new ArgumentException($"parameters must hold {n} floats, but has {parameters.Length}.",
                nameof(parameters));
        int ranges = Math.Min(shards, Math.Max(1, n / 4096));
        // S, m and α reach the ranges through a span of their own (ShardArgs carries no numbers of the reduction's).
        Span<float> setting = stackalloc float[3];
        setting[0] = BitConverter.Int32BitsToSingle(shards); // the bits, not the value: exact for any m
        setting[1] = BitConverter.Int32BitsToSingle(m);
        setting[2] = learningRate;
        Run(Reducer.Instance, parameters.Length != 0 ? 1 : 0, ranges, ranges, partials, setting, gradients, parameters,
            default);
    }

    /// <summary>The reduction over one range of parameters: <see cref="ShardArgs.Shard"/> is the range.</summary>
    private sealed class Reducer : IShardWork
    {
        public static readonly Reducer Instance = new();

        public double RunShard(in ShardArgs args)
        {
            Span<float> g = args.Output;
            ReadOnlySpan<float> partials = args.X, setting = args.Y;
            int shards = BitConverter.SingleToInt32Bits(setting[0]), m = BitConverter.SingleToInt32Bits(setting[1]);
            float learningRate = setting[2];
            int n = g.Length;
            int start = (int)((long)args.Shard * n / args.Shards);
            int end = (int)((long)(args.Shard + 1) * n / args.Shards);
            Span<float> range = g.Slice(start, end - start);
            float scale0 = (float)ShardCount(0, shards, m) / m;
            System.Numerics.Tensors.TensorPrimitives.Multiply(range, scale0, range);
            for (int k = 1; k < shards; k++)
            {
                float scale = (float)ShardCount(k, shards, m) / m;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(partials.Slice((k - 1) * n + start, end - start),
                    scale, range, range);
            }
            if (args.Operation == 1)
            {
                Span<float> theta = args.Partials.Slice(start, end - start);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(range, -learningRate, theta, theta);
            }
            return 0;
        }
    }

    private static int ShardCount(int shard, int shards, int m)
        => Start(shard + 1, shards, m) - Start(shard, shards, m);
}
