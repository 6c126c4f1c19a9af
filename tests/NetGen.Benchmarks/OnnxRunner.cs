using System;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>
/// One ONNX Runtime session at its best for these sizes: one thread (IntraOpNumThreads = InterOpNumThreads = 1),
/// sequential execution, every graph optimization, and <see cref="Run"/> through the overload that takes
/// preallocated input and output <see cref="OrtValue"/>s over pinned managed arrays (<see cref="X"/>, <see cref="Y"/>),
/// so a call copies nothing and creates no tensor; <see cref="RunBound"/> does the same through an IoBinding.
/// </summary>
public sealed class OnnxRunner : IDisposable
{
    public readonly int Batch, InputSize, OutputSize;
    /// <summary>The input, Batch × InputSize: write a sample here, then <see cref="Run"/>.</summary>
    public readonly float[] X;
    /// <summary>The output, Batch × OutputSize, written by <see cref="Run"/>.</summary>
    public readonly float[] Y;

    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly string[] _inputNames, _outputNames;
    private readonly OrtValue[] _inputs, _outputs;
    private readonly OrtIoBinding _binding;

    /// <param name="model">The ONNX model's bytes.</param>
    /// <param name="batch">The rows of every call.</param>
    /// <param name="inputSize">The floats of one input row.</param>
    /// <param name="outputSize">The floats of one output row.</param>
    /// <param name="inputName">The model's input: <see cref="OnnxModels.InputName"/>, or NetGen's "x" for a model that
    /// <c>SaveOnnx</c> wrote.</param>
    /// <param name="outputName">The model's output, likewise.</param>
    public OnnxRunner(byte[] model, int batch, int inputSize, int outputSize, string inputName = OnnxModels.InputName,
        string outputName = OnnxModels.OutputName)
    {
        _inputNames = [inputName];
        _outputNames = [outputName];
        Batch = batch;
        InputSize = inputSize;
        OutputSize = outputSize;
        X = new float[batch * inputSize];
        Y = new float[batch * outputSize];
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(model, _options);
        _runOptions = new RunOptions();
        _inputs = [OrtValue.CreateTensorValueFromMemory(X, [batch, inputSize])];
        _outputs = [OrtValue.CreateTensorValueFromMemory(Y, [batch, outputSize])];
        _binding = _session.CreateIoBinding();
        _binding.BindInput(inputName, _inputs[0]);
        _binding.BindOutput(outputName, _outputs[0]);
    }

    /// <summary>Y = model(X): <c>InferenceSession.Run(RunOptions, names, OrtValues, names, OrtValues)</c>, the measured baseline.</summary>
    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    /// <summary>Y = model(X) through an <see cref="OrtIoBinding"/> of the same OrtValues (<c>RunWithBinding</c>): no names
    /// to look up per call. Reported next to <see cref="Run"/>, in case it is the faster of the two here.</summary>
    public void RunBound() => _session.RunWithBinding(_runOptions, _binding);

    public static string Version => OrtEnv.Instance().GetVersionString();

    public void Dispose()
    {
        _binding.Dispose();
        foreach (OrtValue v in _inputs) v.Dispose();
        foreach (OrtValue v in _outputs) v.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
