using System.Buffers;
using NetGen;

namespace NetGen.Serve;

/// <summary>
/// A NativeAOT web service that serves the breast-cancer network the demo trains (<see cref="CancerNet"/>, its weights
/// and input scaling compiled in from models/breast-cancer.safetensors by <c>[Weights]</c>); the routes are in
/// <see cref="Api"/>, shared with its ONNX Runtime twin examples/NetGen.Serve.Onnx.
/// <c>--save-onnx DIR</c> writes that twin's model instead of serving: the same network, its input scaling first, as
/// <c>DIR/breast-cancer.onnx</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var model = new Model();
        int save = Array.IndexOf(args, "--save-onnx");
        if (save < 0)
            return Api.Run(args, model);
        if (save + 1 >= args.Length)
        {
            Console.Error.WriteLine("--save-onnx needs the folder to write breast-cancer.onnx to");
            return 2;
        }
        model.SaveOnnx(args[save + 1]);
        return 0;
    }
}

/// <summary>The served network and its input scaling, both compiled in: nothing is read at start-up.</summary>
public sealed class Model : IServedModel
{
    // The frozen snapshot of the compiled-in parameters: immutable, safe from every request thread at once.
    private readonly CancerNet.Frozen _net = CancerNet.Pretrained;
    private readonly Standardizer _scaling;

    public Model()
    {
        // [Weights] compiled the file's scaling.mean and scaling.deviation in beside the parameters.
        _scaling = CancerNet.PretrainedScaling
            ?? throw new InvalidOperationException("models/breast-cancer.safetensors was compiled in without its scaling");
        Info = new ModelInfo(nameof(CancerNet), CancerNet.Architecture, CancerNet.InputSize, CancerNet.OutputSize,
            CancerNet.ParameterCount, ["malignant", "benign"]);
    }

    /// <summary>n[0]: the raw features of one sample.</summary>
    public int InputSize => CancerNet.InputSize;

    /// <summary>What <c>GET /</c> answers.</summary>
    public ModelInfo Info { get; }

    /// <summary>x ← (x − μ)/σ by <see cref="Standardizer.Apply(ReadOnlySpan{float}, Span{float})"/> (in double,
    /// rounded to float), then the network: <c>Predict</c> for one sample, <c>PredictBatch</c> for more; safe from any
    /// number of requests at once (a frozen snapshot is never written), and allocation-free (a pooled buffer).</summary>
    public string? Predict(ReadOnlySpan<float> raw, Span<float> probabilities, int count)
    {
        int n = CancerNet.InputSize;
        float[]? rented = count == 1 ? null : ArrayPool<float>.Shared.Rent(count * n);
        try
        {
            Span<float> x = rented is null ? stackalloc float[CancerNet.InputSize] : rented.AsSpan(0, count * n);
            try
            {
                _scaling.Apply(raw, x);
            }
            catch (ArgumentException e)
            {
                // A finite input so far beyond the training data that (x − μ)/σ leaves float's range: say which.
                return e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            }
            if (count == 1)
                _net.Predict(x, probabilities[..1]);
            else
                _net.PredictBatch(x, probabilities[..count], count);
            return null;
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Writes the served network, its input scaling in the graph (<see cref="Onnx.SaveOnnx(INetwork, string,
    /// Standardizer)"/>: raw samples in, P(benign) out), as <c>breast-cancer.onnx</c> in <paramref name="folder"/>: the
    /// model of examples/NetGen.Serve.Onnx, which then gives the same answers without NetGen.</summary>
    public void SaveOnnx(string folder)
        // new CancerNet() starts from the compiled-in parameters, the ones Pretrained froze.
        => new CancerNet().SaveOnnx(Path.Combine(folder, "breast-cancer.onnx"), _scaling);
}

/// <summary>Breast cancer (all 30 features): 30-16-1, ReLU then sigmoid — the demo's network of the same name.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 7)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[Weights("models/breast-cancer.safetensors")] // the demo's output, checked and compiled in at build time
public partial class CancerNet;
