using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using NetGen.Serve;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace NetGen.Serve.Onnx;

/// <summary>
/// examples/NetGen.Serve served by ONNX Runtime: the same <see cref="Api"/> (routes, JSON, 400 messages) over
/// models/breast-cancer.onnx, read from beside the binary at start-up.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        using var model = new OnnxModel(Path.Combine(AppContext.BaseDirectory, "models"));
        return Api.Run(args, model);
    }
}

/// <summary>The ONNX model, which takes raw samples: its graph opens with the input scaling x ← (x − μ)/σ (a
/// <c>Sub</c> and a <c>Div</c> over the saved μ and σ, in float32 where NetGen's Standardizer uses double); one
/// <c>InferenceSession.Run</c> per request, whatever its number of samples.</summary>
public sealed class OnnxModel : IServedModel, IDisposable
{
    const string Input = "x", Output = "y";
    static readonly string[] InputNames = [Input], OutputNames = [Output];

    readonly SessionOptions _options;
    readonly InferenceSession _session;
    readonly RunOptions _run = new();

    /// <summary>Loads <c>breast-cancer.onnx</c> from <paramref name="folder"/> and checks its shapes: x [batch, n],
    /// y [batch, 1].</summary>
    /// <exception cref="InvalidDataException">The model is not what the service needs (the message says what was
    /// expected and what was found).</exception>
    public OnnxModel(string folder)
    {
        string onnx = Path.Combine(folder, "breast-cancer.onnx");
        // One thread per request, as NetGen's Frozen.Predict: the server's concurrency comes from its requests, and
        // ORT's own pool of spinning threads would compete with them for the cores.
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(onnx, _options);
        try
        {
            NodeMetadata x = _session.InputMetadata.TryGetValue(Input, out NodeMetadata? i) ? i
                : throw new InvalidDataException($"{onnx} has no input \"{Input}\"; its inputs: {string.Join(", ", _session.InputMetadata.Keys)}");
            NodeMetadata y = _session.OutputMetadata.TryGetValue(Output, out NodeMetadata? o) ? o
                : throw new InvalidDataException($"{onnx} has no output \"{Output}\"; its outputs: {string.Join(", ", _session.OutputMetadata.Keys)}");
            if (x.Dimensions.Length != 2 || x.Dimensions[1] <= 0 || y.Dimensions.Length != 2 || y.Dimensions[1] != 1)
                throw new InvalidDataException($"{onnx}: x is [{string.Join(", ", x.Dimensions)}] and y [{string.Join(", ", y.Dimensions)}]; "
                    + "expected x [batch, n] and y [batch, 1]");
            InputSize = x.Dimensions[1];
            ModelMetadata metadata = _session.ModelMetadata;
            string architecture = metadata.CustomMetadataMap.TryGetValue("netgen.architecture", out string? a) ? a : "?";
            Info = new ModelInfo(metadata.GraphName, architecture, InputSize, 1, Parameters(architecture),
                ["malignant", "benign"]);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The raw features of one sample, from the model's input shape.</summary>
    public int InputSize { get; }

    /// <summary>What <c>GET /</c> answers: the graph's name and NetGen's architecture string from the model's
    /// metadata, so that both services describe the model in the same words.</summary>
    public ModelInfo Info { get; }

    /// <summary>Runs the raw samples as one tensor x [count, n] into y [count, 1] (over pooled buffers);
    /// <c>InferenceSession.Run</c> is safe from any number of threads at once.</summary>
    public string? Predict(ReadOnlySpan<float> raw, Span<float> probabilities, int count)
    {
        int n = InputSize;
        float[] x = ArrayPool<float>.Shared.Rent(count * n), y = ArrayPool<float>.Shared.Rent(count);
        try
        {
            raw[..(count * n)].CopyTo(x);
            using OrtValue input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                x.AsMemory(0, count * n), [count, n]);
            using OrtValue output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                y.AsMemory(0, count), [count, 1]);
            _session.Run(_run, InputNames, [input], OutputNames, [output]);
            y.AsSpan(0, count).CopyTo(probabilities);
            return null;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(x);
            ArrayPool<float>.Shared.Return(y);
        }
    }

    /// <summary>The parameters of the dense layers in NetGen's architecture string ("30-16:Relu-1:Sigmoid/…" →
    /// 30·16 + 16 + 16·1 + 1 = 513), or 0 when it is not one.</summary>
    static int Parameters(string architecture)
    {
        string[] layers = architecture.Split('/')[0].Split('-');
        int total = 0, previous = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            if (!int.TryParse(layers[l].Split(':')[0], out int width)) return 0;
            if (l > 0) total += previous * width + width;
            previous = width;
        }
        return total;
    }

    public void Dispose()
    {
        _session?.Dispose();
        _run.Dispose();
        _options.Dispose();
    }
}
