using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NetGen;

namespace NetGen.Serve;

/// <summary>
/// A NativeAOT web service that serves the breast-cancer network the demo trains (<see cref="CancerNet"/>, its weights
/// and input scaling compiled in from models/breast-cancer.safetensors by <c>[Weights]</c>):
/// <c>POST /predict</c> with <c>{"x": [30 raw features]}</c> or <c>{"x": [[…], […]]}</c> answers P(benign) and the
/// class; <c>GET /</c> describes the model. A request that is not what the model needs gets a 400 whose message says
/// what was expected and what was found, and the server keeps serving.
/// </summary>
public static class Program
{
    /// <summary>The most samples one request may carry, so that one request cannot take the server's memory.</summary>
    public const int MaxBatch = 1024;

    /// <summary>The answers' JSON: camelCase, and messages as written (quotes and apostrophes not escaped).</summary>
    static readonly ServeJson Json = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static int Main(string[] args)
    {
        var model = new Model();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Json));
        // One line per request would drown the start-up lines (and cost time under load).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        WebApplication app = builder.Build();
        app.MapGet("/", () => model.Info);
        app.MapPost("/predict", async (HttpRequest request) => await Predict(model, request));
        app.Run();
        return 0;
    }

    /// <summary>Reads <c>{"x": …}</c>, checks every number, and answers one prediction or a batch of them.</summary>
    static async Task<IResult> Predict(Model model, HttpRequest request)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return BadRequest($"the body is not JSON ({e.Message}); expected {{\"x\": [{model.InputSize} numbers]}}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("x", out JsonElement x))
                return BadRequest($"expected an object with \"x\": [{model.InputSize} numbers] or a list of such lists");
            if (x.ValueKind != JsonValueKind.Array)
                return BadRequest($"\"x\" is {Describe(x)}; expected [{model.InputSize} numbers] or a list of such lists");

            int count = x.GetArrayLength();
            bool batch = count > 0 && x[0].ValueKind == JsonValueKind.Array;
            if (!batch)
            {
                float[] one = new float[model.InputSize];
                string? error = Read(x, one, "x");
                return error is not null ? BadRequest(error) : Results.Json(model.Predict(one), Json.Prediction);
            }
            if (count > MaxBatch)
                return BadRequest($"\"x\" holds {count} samples; at most {MaxBatch} per request");
            var predictions = new Prediction[count];
            float[] sample = new float[model.InputSize];
            for (int i = 0; i < count; i++)
            {
                string? error = Read(x[i], sample, $"x[{i}]");
                if (error is not null) return BadRequest(error);
                predictions[i] = model.Predict(sample);
            }
            return Results.Json(new BatchPrediction(predictions), Json.BatchPrediction);
        }
    }

    /// <summary>Copies one sample's numbers into <paramref name="destination"/>; null, or what is wrong with them.</summary>
    static string? Read(JsonElement values, float[] destination, string name)
    {
        if (values.ValueKind != JsonValueKind.Array)
            return $"{name} is {Describe(values)}; expected a list of {destination.Length} numbers";
        int length = values.GetArrayLength();
        if (length != destination.Length)
            return $"{name} has {length} numbers; the model expects {destination.Length} (the raw features, in the "
                + "order of data/sklearn/breast_cancer.csv's columns)";
        for (int j = 0; j < length; j++)
        {
            JsonElement value = values[j];
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double d) || !float.IsFinite((float)d))
                return $"{name}[{j}] is {Describe(value)}; expected a finite number";
            destination[j] = (float)d;
        }
        return null;
    }

    static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => $"{value.GetRawText()}, beyond float's range",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Array => $"a list of {value.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };

    static IResult BadRequest(string message)
        => Results.Json(new Error(message), Json.Error, statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>The served network and its input scaling, both compiled in: nothing is read at start-up.</summary>
public sealed class Model
{
    // The frozen snapshot of the compiled-in parameters: immutable, safe from every request thread at once.
    private readonly CancerNet.Frozen _net = CancerNet.Pretrained;
    private readonly double[] _mean, _deviation;

    public Model()
    {
        // [Weights] compiled the file's scaling.mean and scaling.deviation in beside the parameters.
        Standardizer scaling = CancerNet.PretrainedScaling
            ?? throw new InvalidOperationException("models/breast-cancer.safetensors was compiled in without its scaling");
        _mean = scaling.Mean.ToArray();
        _deviation = scaling.Deviation.ToArray();
        Info = new ModelInfo(nameof(CancerNet), CancerNet.Architecture, CancerNet.InputSize, CancerNet.OutputSize,
            CancerNet.ParameterCount, ["malignant", "benign"]);
    }

    /// <summary>n[0]: the raw features of one sample.</summary>
    public int InputSize => CancerNet.InputSize;

    /// <summary>What <c>GET /</c> answers.</summary>
    public ModelInfo Info { get; }

    /// <summary>x ← (x − μ)/σ as <see cref="Standardizer.Apply"/> computes it, then the network; safe from any
    /// number of requests at once (a frozen snapshot is never written).</summary>
    public Prediction Predict(ReadOnlySpan<float> raw)
    {
        Span<float> x = stackalloc float[CancerNet.InputSize];
        for (int j = 0; j < x.Length; j++)
            x[j] = (float)((raw[j] - _mean[j]) / _deviation[j]);
        Span<float> y = stackalloc float[CancerNet.OutputSize];
        _net.Predict(x, y);
        int @class = y[0] > 0.5f ? 1 : 0;
        return new Prediction(y[0], @class, Info.Classes[@class]);
    }
}

/// <summary>Breast cancer (all 30 features): 30-16-1, ReLU then sigmoid — the demo's network of the same name.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 7)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
[Weights("models/breast-cancer.safetensors")] // the demo's output, checked and compiled in at build time
public partial class CancerNet;

/// <summary>One answer: P(benign), the class (1 = benign, 0 = malignant) and its name.</summary>
public sealed record Prediction(float Probability, int Class, string Label);

/// <summary>The answers to a batch, in the order of its samples.</summary>
public sealed record BatchPrediction(Prediction[] Predictions);

/// <summary>What a 400 answers.</summary>
public sealed record Error(string Message);

/// <summary>The model: its network, sizes and class names.</summary>
public sealed record ModelInfo(string Network, string Architecture, int InputSize, int OutputSize, int Parameters,
    string[] Classes);

/// <summary>Source-generated JSON: no reflection, so the service trims and compiles ahead of time.</summary>
[JsonSerializable(typeof(Prediction))]
[JsonSerializable(typeof(BatchPrediction))]
[JsonSerializable(typeof(Error))]
[JsonSerializable(typeof(ModelInfo))]
internal sealed partial class ServeJson : JsonSerializerContext;
