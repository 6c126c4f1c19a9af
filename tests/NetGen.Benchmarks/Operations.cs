namespace NetGen.Benchmarks;

// The timed calls of the quick mode, each on the concrete generated class (as the BenchmarkDotNet classes do).

public struct OnnxRun(OnnxRunner runner) : IOperation
{
    private readonly OnnxRunner _runner = runner;
    public readonly void Invoke() => _runner.Run();
}

public struct OnnxRunBound(OnnxRunner runner) : IOperation
{
    private readonly OnnxRunner _runner = runner;
    public readonly void Invoke() => _runner.RunBound();
}

public struct NetAPredictCall(NetA net, float[] x, float[] y) : IOperation
{
    public readonly void Invoke() => net.Predict(x, y);
}

public struct NetAPredictBatchCall(NetA net, float[] X, float[] Y, int m) : IOperation
{
    public readonly void Invoke() => net.PredictBatch(X, Y, m);
}

public struct NetATrainStepCall(NetA net, float[] X, float[] Y, int m, float rate) : IOperation
{
    public readonly void Invoke() => net.TrainStep(X, Y, m, rate);
}

public struct Dense8PredictCall(Dense8 net, float[] x, float[] y) : IOperation
{
    public readonly void Invoke() => net.Predict(x, y);
}

public struct Dense64PredictCall(Dense64 net, float[] x, float[] y) : IOperation
{
    public readonly void Invoke() => net.Predict(x, y);
}

public struct NetCPredictCall(NetC net, float[] x, float[] y) : IOperation
{
    public readonly void Invoke() => net.Predict(x, y);
}

public struct NetCPredictBatchCall(NetC net, float[] X, float[] Y, int m) : IOperation
{
    public readonly void Invoke() => net.PredictBatch(X, Y, m);
}

public struct NetCTrainStepCall(NetC net, float[] X, float[] Y, int m, float rate) : IOperation
{
    public readonly void Invoke() => net.TrainStep(X, Y, m, rate);
}

public struct LeNet5PredictCall(LeNet5 net, float[] x, float[] y) : IOperation
{
    public readonly void Invoke() => net.Predict(x, y);
}

public struct LeNet5PredictBatchCall(LeNet5 net, float[] X, float[] Y, int m) : IOperation
{
    public readonly void Invoke() => net.PredictBatch(X, Y, m);
}

public struct LeNet5TrainStepCall(LeNet5 net, float[] X, float[] Y, int m, float rate) : IOperation
{
    public readonly void Invoke() => net.TrainStep(X, Y, m, rate);
}
