using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

// BenchmarkDotNet classes, one per case of issue 4: ONNX Runtime's Run with preallocated OrtValues is the baseline,
// so the "Ratio" column is a time over ONNX's (the "×" targets are the inverse of NetGen's ratio); the same
// OrtValues through an IoBinding (RunWithBinding) are a third row. Each setup builds both
// sides from the same parameters and stops with the reason if their outputs disagree.
// Run: dotnet run -c Release --project tests/NetGen.Benchmarks -- --filter '*'

/// <summary>The set-up every case shares: its fixture (built by <see cref="Create"/>), and for the cases compared with
/// ONNX Runtime, the agreement check and the two ONNX Runtime rows.</summary>
[MemoryDiagnoser]
public abstract class Case<TNet> where TNet : class, INetwork, new()
{
    protected Fixture<TNet> F = null!;

    protected abstract Fixture<TNet> Create();

    [GlobalSetup]
    public virtual void Setup() => F = Create();

    [GlobalCleanup] public void Cleanup() => F.Dispose();
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

/// <summary>NetGen only (ONNX Runtime's training package is not served here). Target: ≤ 5 µs; TorchSharp ≈ 259 µs.</summary>
public class NetATrainStep211 : Case<NetA>
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

/// <summary>NetGen only. Target: ≤ 1.25 ms; TorchSharp ≈ 1.9 ms.</summary>
public class NetCTrainStep256 : Case<NetC>
{
    protected override Fixture<NetC> Create() => Cases.NetC();

    [Benchmark(Description = "NetGen TrainStep")] public float Generated() => F.Net.TrainStep(F.X, F.Y, Cases.NetCBatch, F.LearningRate);
}
