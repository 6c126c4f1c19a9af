using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetGen.Serve;

/// <summary>
/// The service's HTTP side, shared by examples/NetGen.Serve (NetGen) and examples/NetGen.Serve.Onnx (ONNX Runtime),
/// which link this one file: the same routes, JSON and 400 messages over either model. <c>POST /predict</c> with
/// <c>{"x": [30 raw features]}</c> or <c>{"x": [[…], […]]}</c> answers P(benign) and the class; <c>GET /</c> describes
/// the model. A request that is not what the model needs gets a 400 whose message says what was expected and what was
/// found, and the server keeps serving.
/// </summary>
public static class Api
{
    /// <summary>The most samples one request may carry, so that one request cannot take the server's memory.</summary>
    public const int MaxBatch = 1024;

    /// <summary>The answers' JSON: camelCase, and messages as written (quotes and apostrophes not escaped).</summary>
    static readonly ServeJson Json = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Serves <paramref name="model"/> until the process is stopped (<c>--urls</c> and the other ASP.NET Core
    /// options are in <paramref name="args"/>).</summary>
    public static int Run(string[] args, IServedModel model)
    {
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

    /// <summary>Reads <c>{"x": …}</c>, checks every number, and answers one prediction or a batch of them (the batch
    /// in one call of the model, once every sample has been checked).</summary>
    static async Task<IResult> Predict(IServedModel model, HttpRequest request)
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
                if (error is not null) return BadRequest(error);
                float[] p = new float[1];
                error = model.Predict(one, p, 1) ?? NotFinite(p, single: true);
                return error is not null ? BadRequest(error) : Results.Json(Answer(model, p[0]), Json.Prediction);
            }
            if (count > MaxBatch)
                return BadRequest($"\"x\" holds {count} samples; at most {MaxBatch} per request");
            int n = model.InputSize;
            float[] samples = new float[count * n];
            for (int i = 0; i < count; i++)
            {
                string? error = Read(x[i], samples.AsSpan(i * n, n), $"x[{i}]");
                if (error is not null) return BadRequest(error);
            }
            float[] probabilities = new float[count];
            string? failed = model.Predict(samples, probabilities, count) ?? NotFinite(probabilities, single: false);
            if (failed is not null) return BadRequest(failed);
            var predictions = new Prediction[count];
            for (int i = 0; i < count; i++)
                predictions[i] = Answer(model, probabilities[i]);
            return Results.Json(new BatchPrediction(predictions), Json.BatchPrediction);
        }
    }

    /// <summary>Null, or which sample's answer is not a number: finite inputs far beyond the data's range can still
    /// overflow a layer, and JSON has no NaN.</summary>
    static string? NotFinite(float[] probabilities, bool single)
    {
        for (int i = 0; i < probabilities.Length; i++)
            if (!float.IsFinite(probabilities[i]))
                return $"{(single ? "x" : $"x[{i}]")}: the model's answer is {probabilities[i]}, not a probability; "
                    + "expected inputs of the training data's scale";
        return null;
    }

    /// <summary>P(benign), the class (1 when P &gt; 0.5) and its name.</summary>
    static Prediction Answer(IServedModel model, float p)
    {
        int @class = p > 0.5f ? 1 : 0;
        return new Prediction(p, @class, model.Info.Classes[@class]);
    }

    /// <summary>Copies one sample's numbers into <paramref name="destination"/>; null, or what is wrong with them.</summary>
    static string? Read(JsonElement values, Span<float> destination, string name)
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

/// <summary>What the service serves: a binary classifier of <see cref="InputSize"/> raw features.</summary>
public interface IServedModel
{
    /// <summary>The raw features of one sample.</summary>
    int InputSize { get; }

    /// <summary>What <c>GET /</c> answers.</summary>
    ModelInfo Info { get; }

    /// <summary>Writes P(benign) of <paramref name="count"/> samples of raw features (row after row, checked finite
    /// and of the right length) into <paramref name="probabilities"/>; safe from any number of requests at once.</summary>
    /// <returns>Null, or why these inputs cannot be answered (the 400's message; nothing was written).</returns>
    string? Predict(ReadOnlySpan<float> raw, Span<float> probabilities, int count);
}

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
