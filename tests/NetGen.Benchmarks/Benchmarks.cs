using System;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

// BenchmarkDotNet classes, one per case of issue 4: ONNX Runtime's Run with preallocated OrtValues is the baseline,
// so the "Ratio" column is a time over ONNX's (the "×" targets are the inverse of NetGen's ratio); the same
// OrtValues through an IoBinding (RunWithBinding) are a third row. Each setup builds both
// sides from the same parameters and stops with the reason if their outputs disagree. These run on one thread
// (Parallelism.MaxDegreeOfParallelism = 1), as ONNX Runtime does.
// Issue 15's cases (the training steps, net C's batch, LeNet-5) take a Threads parameter instead: One
// (MaxDegreeOfParallelism = 1) or All (= Environment.ProcessorCount); they are NetGen alone.
// Run: dotnet run -c Release --project tests/NetGen.Benchmarks -- --full-table   (or --filter '*' with any job)

/// <summary>The cores a case runs on: one (<see cref="Parallelism.MaxDegreeOfParallelism"/> = 1) or all
/// (= <see cref="Environment.ProcessorCount"/>).</summary>
public enum Cores
{
    /// <summary>MaxDegreeOfParallelism = 1: the single-thread path.</summary>
    One,
    /// <summary>MaxDegreeOfParallelism = Environment.ProcessorCount (the library's default).</summary>
    All,
}

/// <summary>Sets <see cref="Parallelism.MaxDegreeOfParallelism"/> for a benchmark and puts the caller's back.</summary>
public static class Knob
{
    /// <summary>The knob's value for <paramref name="cores"/>.</summary>
    public static int Degree(Cores cores) => cores == Cores.One ? 1 : Environment.ProcessorCount;

    /// <summary>Sets the knob for <paramref name="cores"/>; returns the value it had.</summary>
    public static int Set(Cores cores)
    {
        int before = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = Degree(cores);
        return before;
    }
}

/// <summary>The set-up every case shares: its fixture (built by <see cref="Create"/>), the knob (one thread unless
/// the case says otherwise), and for the cases compared with ONNX Runtime, the agreement check and the two ONNX
/// Runtime rows.</summary>
[MemoryDiagnoser]
public abstract class Case<TNet> where TNet : class, INetwork, new()
{
    protected Fixture<TNet> F = null!;
    private int _callersDegree;

    protected abstract Fixture<TNet> Create();

    /// <summary>The cores of this case: one, unless a <see cref="OnCores{TNet}"/> case says otherwise.</summary>
    protected virtual Cores Setting => Cores.One;

    [GlobalSetup]
    public virtual void Setup()
    {
        _callersDegree = Knob.Set(Setting);
        F = Create();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        F.Dispose();
        Parallelism.MaxDegreeOfParallelism = _callersDegree;
    }
}

/// <summary>A NetGen-only case of issue 15, at one core and at all cores.</summary>
public abstract class OnCores<TNet> : Case<TNet> where TNet : class, INetwork, new()
{
    /// <summary>One: MaxDegreeOfParallelism = 1; All: = Environment.ProcessorCount.</summary>
    [Params(Cores.One, Cores.All)]
    public Cores Threads { get; set; }

    protected override Cores Setting => Threads;
}

/// <summary>A case measured against ONNX Runtime's one-sample (or, with <see cref="Batch"/>, batch) model.</summary>
public abstract class VersusOnnx<TNet> : Case<TNet> where TNet : class, INetwork, new()
{
    private OnnxRunner _onnx = null!;

    protected virtual bool Batch => false;

    public override void Setup()
    {
        base.Setup();
        F.ThrowIfDisagree();
        _onnx = Batch ? F.OnnxBatch! : F.Onnx1;
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime")] public void Onnx() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime (IoBinding)")] public void OnnxBound() => _onnx.RunBound();
}

public class NetAPredict : VersusOnnx<NetA>
{
    protected override Fixture<NetA> Create() => Cases.NetA();

    [Benchmark(Description = "NetGen")] public void Generated() => F.Net.Predict(F.x, F.y);
}

public class NetAPredictBatch211 : VersusOnnx<NetA>
{
    protected override Fixture<NetA> Create() => Cases.NetA();
    protected override bool Batch => true;

    [Benchmark(Description = "NetGen")] public void Generated() => F.Net.PredictBatch(F.X, F.Predictions, Cases.NetABatch);
}

/// <summary>NetGen only (ONNX Runtime's training package is not served here). Targets: ≤ 2.5 µs on one core (issue 15;
/// issue 4's was 5 µs), all cores ≥ 0.97× one (never slower); TorchSharp ≈ 259 µs. Multiply-adds: 211·(3·103 − 40).
/// </summary>
public class NetATrainStep211 : OnCores<NetA>
{
    protected override Fixture<NetA> Create() => Cases.NetA();

    [Benchmark(Description = "NetGen TrainStep")] public float Generated() => F.Net.TrainStep(F.X, F.Y, Cases.NetABatch, F.LearningRate);
}

public class Dense8Predict : VersusOnnx<Dense8>
{
    protected override Fixture<Dense8> Create() => Cases.Dense8();

    [Benchmark(Description = "NetGen")] public void Generated() => F.Net.Predict(F.x, F.y);
}

public class Dense64Predict : VersusOnnx<Dense64>
{
    protected override Fixture<Dense64> Create() => Cases.Dense64();

    [Benchmark(Description = "NetGen")] public void Generated() => F.Net.Predict(F.x, F.y);
}

public class NetCPredict : VersusOnnx<NetC>
{
    protected override Fixture<NetC> Create() => Cases.NetC();

    [Benchmark(Description = "NetGen")] public void Generated() => F.Net.Predict(F.x, F.y);
}

/// <summary>GFLOP/s = 2·256·(784·128 + 128·10) / time; the quick mode prints one core's measured FMA peak.</summary>
public class NetCPredictBatch256 : VersusOnnx<NetC>
{
    protected override Fixture<NetC> Create() => Cases.NetC();
    protected override bool Batch => true;

    [Benchmark(Description = "NetGen")] public void Generated() => F.Net.PredictBatch(F.X, F.Predictions, Cases.NetCBatch);
}

/// <summary>NetGen only. Targets: ≤ 500 µs on one core (issue 15; issue 4's was 1.25 ms), all cores ≥ 1.6× one;
/// TorchSharp ≈ 1.9 ms. Multiply-adds: 256·(3·(784·128 + 128·10) − 784·128).</summary>
public class NetCTrainStep256 : OnCores<NetC>
{
    protected override Fixture<NetC> Create() => Cases.NetC();

    [Benchmark(Description = "NetGen TrainStep")] public float Generated() => F.Net.TrainStep(F.X, F.Y, Cases.NetCBatch, F.LearningRate);
}

/// <summary>Net C's batch of 256 on one core and on all cores, NetGen alone (<see cref="NetCPredictBatch256"/> is the
/// one-thread comparison with ONNX Runtime). Target: all cores ≥ 1.7× one.</summary>
public class NetCPredictBatch256Cores : OnCores<NetC>
{
    protected override Fixture<NetC> Create() => Cases.NetC();

    /// <summary>One PredictBatch of the 256 samples.</summary>
    [Benchmark(Description = "NetGen PredictBatch")] public void Generated() => F.Net.PredictBatch(F.X, F.Predictions, Cases.NetCBatch);
}

/// <summary>SimpleChains.jl's README net 4-32-16-4 (tanh, tanh, identity; MSE), one full-batch step over 10 000
/// samples. Targets: ≤ 0.7 ms on one core, all cores ≥ 1.7× one. Multiply-adds: 10 000·(3·704 − 128).</summary>
public class SimpleChainsTrainStep10000 : OnCores<SimpleChainsNet>
{
    protected override Fixture<SimpleChainsNet> Create() => Cases.SimpleChains();

    /// <summary>One full-batch step; returns the cost before it.</summary>
    [Benchmark(Description = "NetGen TrainStep")]
    public float Generated() => F.Net.TrainStep(F.X, F.Y, Cases.SimpleChainsBatch, F.LearningRate);
}

/// <summary>The generated LeNet-5 on 64 samples, at one core and at all cores.</summary>
[MemoryDiagnoser]
public abstract class LeNet5OnCores
{
    protected LeNet5Case C = null!;
    private int _callersDegree;

    /// <summary>One: MaxDegreeOfParallelism = 1; All: = Environment.ProcessorCount.</summary>
    [Params(Cores.One, Cores.All)]
    public Cores Threads { get; set; }

    /// <summary>Sets the knob, then builds the network and its data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _callersDegree = Knob.Set(Threads);
        C = new LeNet5Case();
    }

    /// <summary>Puts the caller's knob back.</summary>
    [GlobalCleanup]
    public void Cleanup() => Parallelism.MaxDegreeOfParallelism = _callersDegree;
}

/// <summary>LeNet-5's forward over 64 samples (no target in issue 15; the one-thread comparison with ONNX Runtime is the
/// quick mode's conv section).</summary>
public class LeNet5PredictBatch64 : LeNet5OnCores
{
    /// <summary>One PredictBatch of the 64 samples.</summary>
    [Benchmark(Description = "NetGen PredictBatch")]
    public void Generated() => C.Net.PredictBatch(C.X, C.Predictions, LeNet5Case.Samples);
}

/// <summary>One LeNet-5 training step of 64 samples. Target: all cores ≥ 1.6× one. Multiply-adds:
/// 64·(3·416 520 − 117 600).</summary>
public class LeNet5TrainStep64 : LeNet5OnCores
{
    /// <summary>One step of the 64 samples; returns the cost before it.</summary>
    [Benchmark(Description = "NetGen TrainStep")]
    public float Generated() => C.Net.TrainStep(C.X, C.Y, LeNet5Case.Samples, LeNet5Case.LearningRate);
}
