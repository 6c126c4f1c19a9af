using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace NetGen;

/// <summary>
/// Exports and imports a network's parameters in the safetensors format (https://github.com/huggingface/safetensors),
/// so that weights move to and from PyTorch (<c>safetensors.torch.load_file</c> / <c>save_file</c>).
/// </summary>
/// <remarks>
/// <para>
/// The file: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON (padded with spaces so that the data
/// starts at a multiple of 8); then the raw tensor data, float32 little-endian. The JSON names each tensor with its
/// <c>dtype</c> ("F32"), <c>shape</c> and <c>data_offsets</c> [begin, end) in bytes from the start of the data.
/// </para>
/// <para>
/// <b>Tensor names.</b> Dense layer l = 1…L (the notes' W[l], b[l]) is the Linear module number l − 1:
/// <c>"layers.{l-1}.weight"</c> with shape [n[l], n[l-1]] (row-major, PyTorch's <c>Linear.weight</c>) and
/// <c>"layers.{l-1}.bias"</c> with shape [n[l]]. These are the names of a PyTorch
/// <c>self.layers = nn.ModuleList([nn.Linear(n0, n1), nn.Linear(n1, n2), …])</c>; the indices count the Linear modules
/// only, so for an <c>nn.Sequential</c> that interleaves activations (whose Linear modules are at 0, 2, 4, …) rename
/// the keys, e.g. <c>{k.replace(f"layers.{i}.", f"{2*i}."): v}</c>. The tensors are stored in the order of
/// <see cref="INetwork.Parameters"/> (W1, b1, W2, b2, …), so the data section is exactly that block.
/// </para>
/// <para>
/// The header's <c>__metadata__</c> holds one entry, <c>"netgen.architecture"</c>: the network's
/// <see cref="INetwork.Architecture"/> fingerprint. For the 3-4-1 net "3-4:Tanh-1:Sigmoid/BinaryCrossEntropy" the header is
/// <c>{"__metadata__":{"netgen.architecture":"3-4:Tanh-1:Sigmoid/BinaryCrossEntropy"},"layers.0.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]},"layers.0.bias":{"dtype":"F32","shape":[4],"data_offsets":[48,64]},"layers.1.weight":{"dtype":"F32","shape":[1,4],"data_offsets":[64,80]},"layers.1.bias":{"dtype":"F32","shape":[1],"data_offsets":[80,84]}}</c>.
/// </para>
/// <para>
/// <b>Import</b> reads and checks everything before it changes a parameter: the header must be valid JSON within the file,
/// hold exactly the tensors above, each F32 with the network's shape and in-range offsets of the right length; a
/// <c>"netgen.architecture"</c> entry, when present, must equal the network's fingerprint (files from PyTorch usually
/// have none, and are then matched on shapes alone — the activations are not recorded). Any mismatch throws an
/// <see cref="InvalidDataException"/> naming the expected and the found tensors, and the parameters stay unchanged.
/// Export is atomic like <see cref="ParameterFile.SaveParameters(INetwork, string)"/>.
/// </para>
/// </remarks>
public static class Safetensors
{
    /// <summary>The metadata key that holds the network's architecture fingerprint.</summary>
    public const string ArchitectureKey = "netgen.architecture";

    private const int MaxHeaderLength = 100 << 20;

    /// <summary>The name of W[l] (l = 1…L): "layers.{l-1}.weight".</summary>
    public static string WeightName(int layer) => $"layers.{layer - 1}.weight";

    /// <summary>The name of b[l] (l = 1…L): "layers.{l-1}.bias".</summary>
    public static string BiasName(int layer) => $"layers.{layer - 1}.bias";

    /// <summary>Writes the network's parameters to <paramref name="path"/> as safetensors, atomically.</summary>
    /// <param name="net">The network to export.</param>
    /// <param name="path">The file to write (by convention *.safetensors).</param>
    /// <exception cref="NotSupportedException">The network's <see cref="INetwork.Architecture"/> is not in the generated form, so its layer shapes are unknown.</exception>
    public static void SaveSafetensors(this INetwork net, string path) => SaveSafetensors(net, path, wrap: null);

    internal static void SaveSafetensors(INetwork net, string path, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, Encode(net), wrap);
    }

    private static NetworkLayout LayoutOf(INetwork net)
        => NetworkLayout.Of(net) ?? throw new NotSupportedException(
            $"The layer shapes of {net.GetType().Name} cannot be read from its architecture \"{net.Architecture}\" (expected the form \"2-20:Relu-1:Sigmoid/BinaryCrossEntropy\" agreeing with its {net.ParameterCount} parameters).");

    /// <summary>(name, shape, offset into Parameters, length) for each tensor, in the order of Parameters.</summary>
    private static List<(string Name, int[] Shape, int Offset, int Length)> Tensors(NetworkLayout layout)
    {
        var tensors = new List<(string, int[], int, int)>();
        int offset = 0;
        for (int l = 1; l <= layout.LayerCount; l++)
        {
            int rows = layout.Sizes[l], columns = layout.Sizes[l - 1];
            tensors.Add((WeightName(l), new[] { rows, columns }, offset, rows * columns));
            offset += rows * columns;
            tensors.Add((BiasName(l), new[] { rows }, offset, rows));
            offset += rows;
        }
        return tensors;
    }

    internal static byte[] Encode(INetwork net)
    {
        NetworkLayout layout = LayoutOf(net);
        var tensors = Tensors(layout);
        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteStartObject("__metadata__");
            w.WriteString(ArchitectureKey, net.Architecture);
            w.WriteEndObject();
            foreach (var (name, shape, offset, length) in tensors)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(4L * offset);
                w.WriteNumberValue(4L * (offset + length));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int headerLength = (int)json.Length;
        int padded = (headerLength + 7) / 8 * 8;
        ReadOnlySpan<float> parameters = net.Parameters;
        var bytes = new byte[8 + padded + 4L * parameters.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.GetBuffer().AsSpan(0, headerLength).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + headerLength, padded - headerLength).Fill((byte)' ');
        Span<byte> data = bytes.AsSpan(8 + padded);
        for (int i = 0; i < parameters.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(data.Slice(4 * i), parameters[i]);
        return bytes;
    }

    /// <summary>Reads a safetensors file and, once every check has passed, copies its tensors into the network.</summary>
    /// <param name="net">The network to import into.</param>
    /// <param name="path">A safetensors file with the tensors described in the remarks of <see cref="Safetensors"/>.</param>
    /// <exception cref="InvalidDataException">The file is not safetensors, is truncated, or its tensors' names, dtypes or
    /// shapes are not the network's; the message names what was expected and what was found, and the parameters are unchanged.</exception>
    /// <exception cref="NotSupportedException">The network's layer shapes cannot be read from its architecture.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static void LoadSafetensors(this INetwork net, string path)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentException.ThrowIfNullOrEmpty(path);
        NetworkLayout layout = LayoutOf(net);
        float[] parameters = Decode(net, layout, ParameterFile.ReadFile(net, path), path);
        parameters.CopyTo(net.Parameters);
    }

    private static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    private static float[] Decode(INetwork net, NetworkLayout layout, ReadOnlySpan<byte> bytes, string path)
    {
        var expected = Tensors(layout);
        string expectedList = string.Join(", ", expected.Select(t => $"{t.Name} F32 {Shape(t.Shape.Select(d => (long)d))}"));
        InvalidDataException Invalid(string reason) => ParameterFile.Invalid(net, path, reason.TrimEnd('.') + $"; expected the tensors {expectedList}.");

        if (bytes.Length < 8)
            throw Invalid($"the file has {bytes.Length} bytes, too few for the 8-byte header length of a safetensors file; it is truncated or not safetensors.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8) || headerLength > MaxHeaderLength)
            throw Invalid($"the first 8 bytes give a header of {headerLength} bytes, but the file has only {bytes.Length - 8} bytes after them; it is truncated or not safetensors.");
        ReadOnlySpan<byte> header = bytes.Slice(8, (int)headerLength);
        ReadOnlySpan<byte> data = bytes.Slice(8 + (int)headerLength);

        var found = new Dictionary<string, (string Dtype, long[] Shape, long Begin, long End)>(StringComparer.Ordinal);
        string? architecture = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(header.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid($"the header is JSON {doc.RootElement.ValueKind}, not an object; this is not safetensors.");
            foreach (JsonProperty property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object
                        && property.Value.TryGetProperty(ArchitectureKey, out JsonElement a) && a.ValueKind == JsonValueKind.String)
                        architecture = a.GetString();
                    continue;
                }
                JsonElement t = property.Value;
                if (t.ValueKind != JsonValueKind.Object
                    || !t.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
                    || !t.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array
                    || !t.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
                    throw Invalid($"the header's entry \"{property.Name}\" is not a tensor (dtype, shape, data_offsets [begin, end]).");
                long[] dims = shape.EnumerateArray().Select(d => d.TryGetInt64(out long v) && v >= 0 ? v : -1).ToArray();
                long begin = offsets[0].TryGetInt64(out long b) ? b : -1, end = offsets[1].TryGetInt64(out long e) ? e : -1;
                if (dims.Contains(-1) || begin < 0 || end < 0)
                    throw Invalid($"the tensor \"{property.Name}\" has a shape or offsets that are not non-negative integers.");
                if (!found.TryAdd(property.Name, (dtype.GetString()!, dims, begin, end)))
                    throw Invalid($"the header names the tensor \"{property.Name}\" twice.");
            }
        }
        catch (JsonException ex)
        {
            throw Invalid($"the header is not valid JSON ({ex.Message}); this is not safetensors or it is corrupted.");
        }

        string foundList = found.Count == 0 ? "none" : string.Join(", ", found.Select(kv => $"{kv.Key} {kv.Value.Dtype} {Shape(kv.Value.Shape)}"));
        if (architecture is not null && architecture != net.Architecture)
            throw Invalid($"the file was exported from a network \"{architecture}\" with the tensors {foundList}, not from this architecture.");
        var expectedNames = expected.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (found.Count != expected.Count || !found.Keys.All(expectedNames.Contains))
            throw Invalid($"the file holds the tensors {foundList}.");

        var parameters = new float[net.ParameterCount];
        foreach (var (name, shape, offset, length) in expected)
        {
            var t = found[name];
            if (t.Dtype != "F32" || !t.Shape.SequenceEqual(shape.Select(d => (long)d)))
                throw Invalid($"the tensor {name} is {t.Dtype} {Shape(t.Shape)}, not F32 {Shape(shape.Select(d => (long)d))}; the file holds the tensors {foundList}.");
            if (t.Begin > t.End || t.End > data.Length || t.End - t.Begin != 4L * length)
                throw Invalid($"the tensor {name} F32 {Shape(t.Shape)} needs {4L * length} bytes, but its data_offsets are [{t.Begin}, {t.End}) in a data section of {data.Length} bytes; the file is truncated or corrupted.");
            ReadOnlySpan<byte> source = data.Slice((int)t.Begin, 4 * length);
            for (int i = 0; i < length; i++)
                parameters[offset + i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(4 * i));
        }
        return parameters;
    }
}
