using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace NetGen;

/// <summary>
/// Exports and imports a network's parameters, and optionally the <see cref="Standardizer"/> its inputs are scaled with,
/// in the safetensors format (https://github.com/huggingface/safetensors), so that weights move to and from PyTorch
/// (<c>safetensors.torch.load_file</c> / <c>save_file</c>).
/// </summary>
/// <remarks>
/// <para>
/// The file: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON (padded with spaces so that the data
/// starts at a multiple of 8); then the raw tensor data, little-endian. The JSON names each tensor with its
/// <c>dtype</c> ("F32", or "F64" for the scaling), <c>shape</c> and <c>data_offsets</c> [begin, end) in bytes from the
/// start of the data.
/// </para>
/// <para>
/// <b>Tensor names.</b> Each layer of <see cref="INetwork.Layers"/> is saved as <c>"{Name}.weight"</c>, W[l] with its
/// <see cref="LayerDescription.WeightShape"/> (a dense layer's [n[l], n[l-1]], row-major, PyTorch's
/// <c>Linear.weight</c>), and <c>"{Name}.bias"</c>, b[l] with shape [n[l]], both F32. Name is the layer's declared
/// <c>[Dense(…, Name = "fc1")]</c>, or NetGen's <c>"layers.{l-1}"</c>: the names of a PyTorch
/// <c>self.layers = nn.ModuleList([nn.Linear(n0, n1), nn.Linear(n1, n2), …])</c>. The layer tensors are stored in the
/// order of <see cref="INetwork.Parameters"/> (W1, b1, W2, b2, …), so the last 4·P bytes of the data are exactly that
/// block.
/// </para>
/// <para>
/// <b>Scaling.</b> Saved with a <see cref="Standardizer"/>, the file also holds <c>"scaling.mean"</c> (μ) and
/// <c>"scaling.deviation"</c> (σ), F64 with shape [n[0]], bit for bit as the standardizer holds them, at the start of the
/// data (so every tensor stays aligned to its element size); the inputs the network expects are
/// (x − scaling.mean) / scaling.deviation. They are not layers: in PyTorch take them out of the dictionary before
/// <c>load_state_dict</c>.
/// </para>
/// <para>
/// The header's <c>__metadata__</c> holds <c>"netgen.architecture"</c>: the network's
/// <see cref="INetwork.Architecture"/> fingerprint, and with a scaling <c>"netgen.scaling"</c>:
/// <c>"(x - scaling.mean) / scaling.deviation"</c>. For the 3-4-1 net "3-4:Tanh-1:Sigmoid/BinaryCrossEntropy" without
/// a scaling the header is
/// <c>{"__metadata__":{"netgen.architecture":"3-4:Tanh-1:Sigmoid/BinaryCrossEntropy"},"layers.0.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]},"layers.0.bias":{"dtype":"F32","shape":[4],"data_offsets":[48,64]},"layers.1.weight":{"dtype":"F32","shape":[1,4],"data_offsets":[64,80]},"layers.1.bias":{"dtype":"F32","shape":[1],"data_offsets":[80,84]}}</c>;
/// with one, <c>"netgen.scaling"</c> follows the architecture in the metadata, <c>"scaling.mean"</c> (F64 [3],
/// [0, 24)) and <c>"scaling.deviation"</c> (F64 [3], [24, 48)) come first, and the layers' offsets move up by 48.
/// </para>
/// <para>
/// <b>Import</b> reads and checks everything before it changes a parameter. The header must be UTF-8 JSON within the
/// file: an object whose <c>__metadata__</c> (at most one) maps strings to strings, and whose other entries (each name
/// once) are tensors with a string dtype, a shape of non-negative integers and data_offsets [begin, end] of
/// non-negative integers, as the safetensors reference library demands; the tensors' byte ranges must lie in the data
/// section, must not overlap, and must cover it without a gap. Each layer's tensors are found by the first of these
/// schemes that names any of them: the layers' names (<c>{Name}.weight</c>, <c>{Name}.bias</c>); NetGen's
/// <c>layers.{l-1}</c> (for a network whose layers are named otherwise); a PyTorch <c>nn.Sequential</c> state dict,
/// whose modules with a weight (<c>0.weight</c>, <c>2.weight</c>, <c>4.weight</c>, …, whatever gaps the activation
/// modules leave) are the network's layers in increasing index order. Each must have the layer's shape and the byte
/// length of its dtype: F32 is read as is, F16 and BF16 exactly and F64 rounded to float32. Tensors that no layer uses
/// (optimizer state, buffers such as <c>1.running_mean</c>) are ignored. Then either both scaling tensors
/// (F64 [n[0]], finite, σ &gt; 0) or neither; a <c>"netgen.architecture"</c> entry, when present, must equal the
/// network's fingerprint (files from PyTorch usually have none, and are then matched on shapes alone — the activations
/// are not recorded), and a <c>"netgen.scaling"</c> entry, when present, must be the one above with both scaling
/// tensors. Any mismatch throws an <see cref="InvalidDataException"/> naming the file, the tensor, the shape found and
/// the shape needed (e.g. "0.weight is [8, 4] in iris.safetensors, but layer 1 needs W1: 16 × 4"), and the parameters
/// stay unchanged. Export is atomic like <see cref="ParameterFile.SaveParameters(INetwork, string)"/>.
/// </para>
/// </remarks>
public static class Safetensors
{
    /// <summary>The metadata key that holds the network's architecture fingerprint.</summary>
    public const string ArchitectureKey = "netgen.architecture";

    /// <summary>The metadata key that marks a file with a scaling; its value is <see cref="ScalingFormula"/>.</summary>
    public const string ScalingKey = "netgen.scaling";

    /// <summary>The value of <see cref="ScalingKey"/>: how the network's inputs are made from raw ones.</summary>
    public const string ScalingFormula = "(x - scaling.mean) / scaling.deviation";

    /// <summary>The name of the scaling's μ, F64 [n[0]]: "scaling.mean".</summary>
    public const string ScalingMeanName = TensorNames.ScalingMean;

    /// <summary>The name of the scaling's σ, F64 [n[0]]: "scaling.deviation".</summary>
    public const string ScalingDeviationName = TensorNames.ScalingDeviation;


    /// <summary>NetGen's name of W[l] (l = 1…L) when the layer declares no Name: "layers.{l-1}.weight".</summary>
    public static string WeightName(int layer) => TensorNames.DefaultName(layer) + TensorNames.WeightSuffix;

    /// <summary>NetGen's name of b[l] (l = 1…L) when the layer declares no Name: "layers.{l-1}.bias".</summary>
    public static string BiasName(int layer) => TensorNames.DefaultName(layer) + TensorNames.BiasSuffix;


    /// <summary>Writes the network's parameters to <paramref name="path"/> as safetensors, atomically.</summary>
    /// <param name="net">The network to export.</param>
    /// <param name="path">The file to write (by convention *.safetensors).</param>
    /// <exception cref="ArgumentException">The network's <see cref="INetwork.Layers"/> disagree with its sizes (see
    /// <see cref="INetwork.Layers"/>); nothing is written.</exception>
    public static void SaveSafetensors(this INetwork net, string path) => Save(net, path, scaling: null, wrap: null);

    /// <summary>Writes the network's parameters to <paramref name="path"/> as safetensors together with the
    /// <see cref="Standardizer"/> its inputs are scaled with (tensors <c>"scaling.mean"</c> and
    /// <c>"scaling.deviation"</c>, F64), atomically.</summary>
    /// <param name="net">The network to export.</param>
    /// <param name="path">The file to write (by convention *.safetensors).</param>
    /// <param name="scaling">The μ and σ the network's inputs are standardised with; null saves none (as the overload
    /// without it).</param>
    /// <exception cref="ArgumentException"><paramref name="scaling"/> has another number of features than the network
    /// has inputs; nothing is written.</exception>
    /// <exception cref="ArgumentException">The network's <see cref="INetwork.Layers"/> disagree with its sizes (see
    /// <see cref="INetwork.Layers"/>); nothing is written.</exception>
    public static void SaveSafetensors(this INetwork net, string path, Standardizer? scaling)
        => Save(net, path, scaling, wrap: null);

    /// <summary>As <see cref="SaveSafetensors(INetwork, string)"/>; <paramref name="wrap"/> wraps the temporary file's stream (tests: a failure midway).</summary>
    internal static void SaveSafetensors(INetwork net, string path, Func<Stream, Stream>? wrap) => Save(net, path, null, wrap);

    /// <summary>The one save path: checks, encodes, then writes atomically.</summary>
    internal static void Save(INetwork net, string path, Standardizer? scaling, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ParameterFile.CheckScaling(net, scaling);
        AtomicFile.Write(path, Encode(net, scaling), wrap);
    }

    /// <summary>(name, shape, offset into Parameters, length) for each tensor, in the order of Parameters: per layer
    /// <c>{Name}.weight</c> and <c>{Name}.bias</c> as <see cref="INetwork.Layers"/> names them.</summary>
    private static List<(string Name, int[] Shape, int Offset, int Length)> Tensors(NetworkLayout layout)
    {
        var tensors = new List<(string Name, int[] Shape, int Offset, int Length)>();
        foreach (LayerDescription layer in layout.Layers!)
        {
            if (layer.WeightShape.IsEmpty) continue; // a pool: no tensor
            tensors.Add((layer.Name + TensorNames.WeightSuffix, layer.WeightShape.ToArray(), layer.WeightOffset,
                layer.WeightLength));
            tensors.Add((layer.Name + TensorNames.BiasSuffix, [layer.BiasLength], layer.BiasOffset, layer.BiasLength));
        }
        tensors.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return tensors;
    }

    internal static byte[] Encode(INetwork net, Standardizer? scaling = null)
    {
        NetworkLayout layout = NetworkLayout.Of(net, maps: true);
        var tensors = Tensors(layout);
        // The scaling (F64) comes first in the data, so that both it and the F32 layers sit at multiples of their size.
        int features = scaling?.InputSize ?? 0;
        long layersStart = 16L * features;
        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            void Tensor(string name, string dtype, ReadOnlySpan<int> shape, long begin, long end)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (int d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(begin);
                w.WriteNumberValue(end);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteStartObject();
            w.WriteStartObject("__metadata__");
            w.WriteString(ArchitectureKey, net.Architecture);
            if (scaling is not null) w.WriteString(ScalingKey, ScalingFormula);
            w.WriteEndObject();
            if (scaling is not null)
            {
                Tensor(ScalingMeanName, "F64", [features], 0, 8L * features);
                Tensor(ScalingDeviationName, "F64", [features], 8L * features, 16L * features);
            }
            foreach (var (name, shape, offset, length) in tensors)
                Tensor(name, "F32", shape, layersStart + 4L * offset, layersStart + 4L * (offset + length));
            w.WriteEndObject();
        }
        int headerLength = (int)json.Length;
        int padded = (headerLength + 7) / 8 * 8;
        ReadOnlySpan<float> parameters = net.Parameters;
        var bytes = new byte[8 + padded + layersStart + 4L * parameters.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.GetBuffer().AsSpan(0, headerLength).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + headerLength, padded - headerLength).Fill((byte)' ');
        Span<byte> data = bytes.AsSpan(8 + padded);
        if (scaling is not null)
        {
            for (int j = 0; j < features; j++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(data.Slice(8 * j), scaling.Mean[j]);
                BinaryPrimitives.WriteDoubleLittleEndian(data.Slice(8 * (features + j)), scaling.Deviation[j]);
            }
        }
        Span<byte> layerData = data.Slice((int)layersStart);
        for (int i = 0; i < parameters.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(layerData.Slice(4 * i), parameters[i]);
        return bytes;
    }

    /// <summary>Reads a safetensors file and, once every check has passed, copies its tensors into the network. A
    /// scaling in the file is checked too but not returned: see
    /// <see cref="LoadSafetensors(INetwork, string, out Standardizer?)"/>.</summary>
    /// <param name="net">The network to import into.</param>
    /// <param name="path">A safetensors file with the tensors described in the remarks of <see cref="Safetensors"/>.</param>
    /// <exception cref="InvalidDataException">The file is not safetensors, is truncated, its header is malformed, or its
    /// tensors' names, dtypes or shapes are not the network's; the message names the file, what was expected and what
    /// was found, and the parameters are unchanged.</exception>
    /// <exception cref="ArgumentException">The network's <see cref="INetwork.Layers"/> disagree with its sizes.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static void LoadSafetensors(this INetwork net, string path) => LoadSafetensors(net, path, out _);

    /// <summary>Reads a safetensors file and, once every check has passed, copies its tensors into the network and gives
    /// back the scaling saved with them.</summary>
    /// <param name="net">The network to import into.</param>
    /// <param name="path">A safetensors file with the tensors described in the remarks of <see cref="Safetensors"/>.</param>
    /// <param name="scaling">The <see cref="Standardizer"/> of the file's <c>"scaling.mean"</c> and
    /// <c>"scaling.deviation"</c>, bit for bit, or null when the file has neither. Assigned only when the load succeeds.</param>
    /// <exception cref="InvalidDataException">The file is not safetensors, is truncated, its header is malformed, its
    /// tensors' names, dtypes or shapes are not the network's, or its scaling is not F64 [n[0]] with finite values and
    /// σ &gt; 0; the message names the file, what was expected and what was found, and the parameters are unchanged.</exception>
    /// <exception cref="ArgumentException">The network's <see cref="INetwork.Layers"/> disagree with its sizes.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static void LoadSafetensors(this INetwork net, string path, out Standardizer? scaling)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentException.ThrowIfNullOrEmpty(path);
        NetworkLayout layout = NetworkLayout.Of(net, maps: true);
        (float[] parameters, Standardizer? found) = Decode(net, layout, ParameterFile.ReadFile(net, path), path);
        parameters.CopyTo(net.Parameters);
        scaling = found;
    }

    private static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";


    /// <summary>Checks a safetensors file's bytes against <paramref name="net"/> and returns its parameters and its
    /// scaling (null when it has none); the network is not touched.</summary>
    internal static (float[] Parameters, Standardizer? Scaling) Decode(INetwork net, byte[] bytes, string path)
        => Decode(net, NetworkLayout.Of(net, maps: true), bytes, path);

    private static (float[] Parameters, Standardizer? Scaling) Decode(INetwork net, NetworkLayout layout, byte[] bytes, string path)
    {
        var expected = Tensors(layout);
        int features = layout.Sizes[0];
        string file = Path.GetFileName(path);
        string expectedList = string.Join(", ", expected.Select(t => $"{t.Name} {Shape(t.Shape.Select(d => (long)d))}"))
            + $" (or the same shapes as a PyTorch nn.Sequential's 0.weight, 0.bias, 2.weight, …; F32, F16, BF16 or F64;"
            + $" and optionally {ScalingMeanName} F64 [{features}], {ScalingDeviationName} F64 [{features}])";
        InvalidDataException Invalid(string reason) => ParameterFile.Invalid(net, path, reason.TrimEnd('.') + $"; expected the tensors {expectedList}.");

        SafetensorsHeader header = SafetensorsHeader.Read(bytes, out string? headerError) ?? throw Invalid(headerError!);
        List<TensorEntry> entries = header.Entries;
        Dictionary<string, string>? metadata = header.Metadata;
        var found = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        foreach (TensorEntry e in entries) found.Add(e.Name, e);

        string foundList = found.Count == 0 ? "none" : string.Join(", ", found.Select(kv => $"{kv.Key} {kv.Value.Dtype} {Shape(kv.Value.Shape)}"));
        string? architecture = metadata is not null && metadata.TryGetValue(ArchitectureKey, out string? a) ? a : null;
        if (architecture is not null && architecture != net.Architecture)
            throw Invalid($"the file was exported from a network \"{architecture}\" with the tensors {foundList}, not from this architecture.");

        bool hasMean = found.ContainsKey(ScalingMeanName), hasDeviation = found.ContainsKey(ScalingDeviationName);
        if (hasMean != hasDeviation)
            throw Invalid($"the file holds {(hasMean ? ScalingMeanName : ScalingDeviationName)} without "
                + $"{(hasMean ? ScalingDeviationName : ScalingMeanName)}; a scaling needs both. The file holds the tensors {foundList}.");
        if (metadata is not null && metadata.TryGetValue(ScalingKey, out string? formula))
        {
            if (formula != ScalingFormula)
                throw Invalid($"the metadata's \"{ScalingKey}\" is \"{formula}\", not \"{ScalingFormula}\".");
            if (!hasMean)
                throw Invalid($"the metadata's \"{ScalingKey}\" announces a scaling, but the file holds neither "
                    + $"{ScalingMeanName} nor {ScalingDeviationName}; it holds the tensors {foundList}.");
        }

        // The layers' tensors by the naming rules (shared with the generator); any other tensor is ignored.
        var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (TensorEntry e in entries) infos[e.Name] = new TensorInfo(e.Name, e.Dtype, e.Shape);
        MatchedLayer[] matched = TensorNames.Match(layout.TensorLayers(), infos, file, out string? error)
            ?? throw Invalid($"{error}. The file holds the tensors {foundList}.");

        var parameters = new float[net.ParameterCount];
        foreach (MatchedLayer m in matched)
        {
            LayerDescription layer = layout.Layers![m.Layer.Index - 1];
            ReadTensor(found[m.Weight.Name], bytes, header.DataStart, parameters.AsSpan(layer.WeightOffset, layer.WeightLength), Invalid);
            ReadTensor(found[m.Bias.Name], bytes, header.DataStart, parameters.AsSpan(layer.BiasOffset, layer.BiasLength), Invalid);
        }

        Standardizer? scaling = null;
        if (hasMean)
        {
            double[] mean = ReadScaling(found[ScalingMeanName], features, bytes, header.DataStart, "one μ", Invalid);
            double[] deviation = ReadScaling(found[ScalingDeviationName], features, bytes, header.DataStart, "one σ", Invalid);
            scaling = ParameterFile.ScalingFrom(mean, deviation, Invalid);
        }
        return (parameters, scaling);
    }

    /// <summary>A layer's tensor into <paramref name="destination"/>: F32 as is, F16, BF16 and F64 converted to float32
    /// (a half or a bfloat16 exactly, a double rounded to the nearest float).</summary>
    private static void ReadTensor(TensorEntry t, byte[] bytes, int dataStart, Span<float> destination,
        Func<string, InvalidDataException> invalid)
    {
        int length = destination.Length; // the shape's elements: Match checked the shape
        int size = TensorNames.ElementSize(t.Dtype);
        if (TensorNames.ByteLengthProblem(t) is { } problem) throw invalid(problem + ".");
        int at = dataStart + (int)t.Begin;
        for (int i = 0; i < length; i++, at += size)
            destination[i] = TensorNames.ElementToSingle(t.Dtype, bytes, at);
    }

    /// <summary>The values of a scaling tensor, which must be F64 [<paramref name="features"/>].</summary>
    private static double[] ReadScaling(TensorEntry t, int features, byte[] bytes, int dataStart, string what, Func<string, InvalidDataException> invalid)
    {
        if (t.Dtype != "F64" || t.Shape.Length != 1 || t.Shape[0] != features)
            throw invalid($"the tensor {t.Name} is {t.Dtype} {Shape(t.Shape)}, not F64 [{features}] ({what} per input of the network).");
        if (t.End - t.Begin != 8L * features)
            throw invalid($"the tensor {t.Name} F64 [{features}] needs {8L * features} bytes, but its data_offsets are [{t.Begin}, {t.End}); the file is corrupted.");
        var values = new double[features];
        for (int j = 0; j < features; j++)
            values[j] = TensorNames.Float64(bytes, dataStart + (int)t.Begin + 8 * j);
        return values;
    }
}
