using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

// BenchmarkDotNet classes, one per case of issue 4: ONNX Runtime's Run with preallocated OrtValues is the baseline,
// so the "Ratio" column is a time over ONNX's (the "×" targets are the inverse of NetGen's ratio); the same
// OrtValues through an IoBinding (RunWithBinding) are a third row. Each setup builds both
// sides from the same parameters and stops with the reason if their outputs disagree.
// Run: dotnet run -c Release --project tests/NetGen.Benchmarks -- --filter '*'

[MemoryDiagnoser]
public class NetAPredict
{
    private Fixture<NetA> _f = null!;
    private NetA _net = null!;
    private float[] _x = null!, _y = null!;
    private OnnxRunner _onnx = null!;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.NetA();
        _f.ThrowIfDisagree();
        (_net, _x, _y, _onnx) = (_f.Net, _f.x, _f.y, _f.Onnx1);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true, Description = "ONNX Runtime")] public void Onnx() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime (IoBinding)")] public void OnnxBound() => _onnx.RunBound();

    [Benchmark(Description = "NetGen")] public void Generated() => _net.Predict(_x, _y);
}

[MemoryDiagnoser]
public class NetAPredictBatch211
{
    private Fixture<NetA> _f = null!;
    private NetA _net = null!;
    private float[] _X = null!, _P = null!;
    private OnnxRunner _onnx = null!;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.NetA();
        _f.ThrowIfDisagree();
        (_net, _X, _P, _onnx) = (_f.Net, _f.X, _f.Predictions, _f.OnnxBatch!);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true, Description = "ONNX Runtime")] public void Onnx() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime (IoBinding)")] public void OnnxBound() => _onnx.RunBound();

    [Benchmark(Description = "NetGen")] public void Generated() => _net.PredictBatch(_X, _P, Cases.NetABatch);
}

/// <summary>NetGen only (ONNX Runtime's training package is not served here). Target: ≤ 5 µs; TorchSharp ≈ 259 µs.</summary>
[MemoryDiagnoser]
public class NetATrainStep211
{
    private Fixture<NetA> _f = null!;
    private NetA _net = null!;
    private float[] _X = null!, _Y = null!;
    private float _rate;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.NetA();
        (_net, _X, _Y, _rate) = (_f.Net, _f.X, _f.Y, _f.LearningRate);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Description = "NetGen TrainStep")] public float Generated() => _net.TrainStep(_X, _Y, Cases.NetABatch, _rate);
}

[MemoryDiagnoser]
public class Dense8Predict
{
    private Fixture<Dense8> _f = null!;
    private Dense8 _net = null!;
    private float[] _x = null!, _y = null!;
    private OnnxRunner _onnx = null!;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.Dense8();
        _f.ThrowIfDisagree();
        (_net, _x, _y, _onnx) = (_f.Net, _f.x, _f.y, _f.Onnx1);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true, Description = "ONNX Runtime")] public void Onnx() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime (IoBinding)")] public void OnnxBound() => _onnx.RunBound();

    [Benchmark(Description = "NetGen")] public void Generated() => _net.Predict(_x, _y);
}

[MemoryDiagnoser]
public class Dense64Predict
{
    private Fixture<Dense64> _f = null!;
    private Dense64 _net = null!;
    private float[] _x = null!, _y = null!;
    private OnnxRunner _onnx = null!;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.Dense64();
        _f.ThrowIfDisagree();
        (_net, _x, _y, _onnx) = (_f.Net, _f.x, _f.y, _f.Onnx1);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true, Description = "ONNX Runtime")] public void Onnx() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime (IoBinding)")] public void OnnxBound() => _onnx.RunBound();

    [Benchmark(Description = "NetGen")] public void Generated() => _net.Predict(_x, _y);
}

[MemoryDiagnoser]
public class NetCPredict
{
    private Fixture<NetC> _f = null!;
    private NetC _net = null!;
    private float[] _x = null!, _y = null!;
    private OnnxRunner _onnx = null!;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.NetC();
        _f.ThrowIfDisagree();
        (_net, _x, _y, _onnx) = (_f.Net, _f.x, _f.y, _f.Onnx1);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true, Description = "ONNX Runtime")] public void Onnx() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime (IoBinding)")] public void OnnxBound() => _onnx.RunBound();

    [Benchmark(Description = "NetGen")] public void Generated() => _net.Predict(_x, _y);
}

/// <summary>GFLOP/s = 2·256·(784·128 + 128·10) / time; one core's FMA peak here ≈ 112 GFLOP/s (quick mode prints it).</summary>
[MemoryDiagnoser]
public class NetCPredictBatch256
{
    private Fixture<NetC> _f = null!;
    private NetC _net = null!;
    private float[] _X = null!, _P = null!;
    private OnnxRunner _onnx = null!;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.NetC();
        _f.ThrowIfDisagree();
        (_net, _X, _P, _onnx) = (_f.Net, _f.X, _f.Predictions, _f.OnnxBatch!);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true, Description = "ONNX Runtime")] public void Onnx() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime (IoBinding)")] public void OnnxBound() => _onnx.RunBound();

    [Benchmark(Description = "NetGen")] public void Generated() => _net.PredictBatch(_X, _P, Cases.NetCBatch);
}

/// <summary>NetGen only. Target: ≤ 1.25 ms; TorchSharp ≈ 1.9 ms.</summary>
[MemoryDiagnoser]
public class NetCTrainStep256
{
    private Fixture<NetC> _f = null!;
    private NetC _net = null!;
    private float[] _X = null!, _Y = null!;
    private float _rate;

    [GlobalSetup]
    public void Setup()
    {
        _f = Cases.NetC();
        (_net, _X, _Y, _rate) = (_f.Net, _f.X, _f.Y, _f.LearningRate);
    }

    [GlobalCleanup] public void Cleanup() => _f.Dispose();

    [Benchmark(Description = "NetGen TrainStep")] public float Generated() => _net.TrainStep(_X, _Y, Cases.NetCBatch, _rate);
}
