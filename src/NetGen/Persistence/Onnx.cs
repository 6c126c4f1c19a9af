using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;

namespace NetGen;

/// <summary>
/// Exports a network as an ONNX model (https://onnx.ai), so that ONNX Runtime, Triton, Netron or any other ONNX tool
/// runs or shows it: <c>net.SaveOnnx("model.onnx")</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>The model.</b> One input <c>x</c>, float32 [batch, <see cref="INetwork.InputSize"/>], and one output <c>y</c>,
/// float32 [batch, <see cref="INetwork.OutputSize"/>], where <c>batch</c> is a symbolic dimension (any number of rows;
/// rows are samples, as in <see cref="INetwork.PredictBatch"/>). <c>y</c> is what <see cref="INetwork.PredictBatch"/>
/// returns: probabilities for a sigmoid or softmax output, not logits. Opset 17 of the default domain, IR version 8
/// (the pair ONNX 1.12 introduced), producer "NetGen" with the library's version; the metadata entry
/// <c>"netgen.architecture"</c> holds the network's <see cref="INetwork.Architecture"/>.
/// </para>
/// <para>
/// <b>The graph.</b> Each dense layer l is a <c>Gemm</c> node with <c>transB = 1</c>, Z = A·Wᵀ + b, whose W (shape
/// [n[l], n[l-1]], PyTorch's <c>Linear.weight</c>) and b ([n[l]]) are initializers named like the layer's tensors in a
/// safetensors file (<c>layers.{l-1}.weight</c>, <c>layers.{l-1}.bias</c>), float32 little-endian in
/// <c>raw_data</c>; then the activation: <c>Sigmoid</c>, <c>Tanh</c>, <c>Relu</c>, <c>LeakyRelu</c> (alpha = the
/// layer's slope) or <c>Softmax</c> (axis = −1), and no node for a linear layer. Dropout is a training-time operation
/// and is not exported. Saved with a <see cref="Standardizer"/>, the graph opens with x ← (x − μ)/σ: a <c>Sub</c> and a
/// <c>Div</c> node over the initializers <c>scaling.mean</c> and <c>scaling.deviation</c> ([InputSize], as in a
/// safetensors file), so that the model takes raw samples, as a service receives them.
/// </para>
/// <para>
/// The protobuf encoding is written here by hand (the package has no dependency), and the file is written atomically
/// like <see cref="ParameterFile.SaveParameters(INetwork, string)"/>: on any failure nothing is written and an existing
/// file stays as it was. A model is one protobuf message, which protobuf limits to 2 GiB: a network whose parameters do
/// not fit is refused.
/// </para>
/// </remarks>
public static class Onnx
{
    /// <summary>The name of the model's input, float32 [batch, InputSize]: "x".</summary>
    public const string InputName = "x";

    /// <summary>The name of the model's output, float32 [batch, OutputSize]: "y".</summary>
    public const string OutputName = "y";

    /// <summary>The name of the symbolic first dimension of <see cref="InputName"/> and <see cref="OutputName"/>:
    /// "batch".</summary>
    public const string BatchDimension = "batch";

    /// <summary>The version of the default ONNX operator set the model imports: 17.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version written: 8, the one that goes with opset 17 (ONNX 1.12).</summary>
    public const int IrVersion = 8;

    /// <summary>The model's <c>producer_name</c>: "NetGen".</summary>
    public const string ProducerName = "NetGen";

    // Protobuf's limit for one message; the rest of the model (names, shapes, nodes) is far below the margin.
    private const long MaxModelBytes = int.MaxValue;
    private const long Margin = 1 << 20;

    /// <summary>Writes <paramref name="net"/> to <paramref name="path"/> as an ONNX model (the layout is in the
    /// remarks of <see cref="Onnx"/>), atomically.</summary>
    /// <param name="net">The network to export.</param>
    /// <param name="path">The file to write (by convention *.onnx).</param>
    /// <exception cref="ArgumentNullException"><paramref name="net"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or only white space, or the network's
    /// <see cref="INetwork.Layers"/> disagree with its sizes or are of a kind that cannot be saved (the message says
    /// where); nothing is written.</exception>
    /// <exception cref="NotSupportedException">A layer's activation has no ONNX operator, or the parameters do not
    /// fit in one protobuf message (2 GiB); nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written (a missing folder, a full disk); nothing is written
    /// and an existing file is left as it was.</exception>
    public static void SaveOnnx(this INetwork net, string path) => Save(net, path, wrap: null);

    /// <summary>Writes <paramref name="net"/> to <paramref name="path"/> as an ONNX model whose graph first
    /// standardises its input with <paramref name="scaling"/>, x ← (x − μ)/σ, so that it takes raw samples: the
    /// <see cref="Standardizer"/> the network was trained behind travels inside the file. ONNX computes the scaling in
    /// float32 where <see cref="Standardizer.Apply(ReadOnlySpan{float}, Span{float})"/> uses double: a standardised
    /// input differs by a rounding of |x| + |μ| at most.</summary>
    /// <param name="net">The network to export.</param>
    /// <param name="path">The file to write (by convention *.onnx).</param>
    /// <param name="scaling">The input scaling: μ and σ of <see cref="INetwork.InputSize"/> features.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="SaveOnnx(INetwork, string)"/>, or <paramref name="scaling"/>
    /// has another number of features than the network's inputs; nothing is written.</exception>
    /// <exception cref="NotSupportedException">As <see cref="SaveOnnx(INetwork, string)"/>.</exception>
    /// <exception cref="IOException">As <see cref="SaveOnnx(INetwork, string)"/>.</exception>
    public static void SaveOnnx(this INetwork net, string path, Standardizer scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        Save(net, path, wrap: null, scaling);
    }

    /// <summary>As <see cref="SaveOnnx(INetwork, string, Standardizer)"/>; <paramref name="wrap"/> wraps the temporary
    /// file's stream (tests: a failure midway).</summary>
    internal static void Save(INetwork net, string path, Func<Stream, Stream>? wrap, Standardizer? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"Expected the path of the .onnx file to write, found \"{path}\".",
                nameof(path));
        // Encoded whole before the file is touched: a network that cannot be exported leaves nothing behind.
        ReadOnlyMemory<byte> model = Encode(net, scaling);
        AtomicFile.Write(path, model.Span, wrap);
    }

    /// <summary>The ONNX model of <paramref name="net"/>, the bytes <see cref="SaveOnnx"/> writes. The parameters
    /// are copied once, straight into the one buffer of the model: the graph's small parts are encoded first, so that
    /// its length is known before it is written.</summary>
    internal static ReadOnlyMemory<byte> Encode(INetwork net, Standardizer? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (scaling is not null && scaling.InputSize != net.InputSize)
            throw new ArgumentException($"The scaling has μ and σ for {scaling.InputSize} features; " +
                $"{net.GetType().Name} takes {net.InputSize} inputs.", nameof(scaling));
        // The layers as the network describes them, checked against its sizes like every other save (ArgumentException).
        IReadOnlyList<LayerDescription> layers = NetworkLayout.Of(net).Layers!;
        CheckLayers(net, layers);
        ReadOnlySpan<float> parameters = net.Parameters;
        if (parameters.Length != net.ParameterCount)
            throw new NotSupportedException($"{net.GetType().FullName} has {parameters.Length} parameters where its " +
                $"ParameterCount says {net.ParameterCount}.");

        // GraphProto: node = 1 and name = 2 first, then initializer = 5, input = 11, output = 12.
        var head = new ProtoWriter();
        string previous = InputName;
        if (scaling is not null)
        {
            // x ← (x − μ)/σ, broadcast over the batch's rows.
            WriteNode(head, "scaling.Sub", "Sub", [InputName, MeanName], "scaling.centred", null);
            WriteNode(head, "scaling.Div", "Div", ["scaling.centred", DeviationName], "scaling.x", null);
            previous = "scaling.x";
        }
        for (int i = 0; i < layers.Count; i++)
        {
            LayerDescription layer = layers[i];
            bool last = i == layers.Count - 1;
            bool hasActivation = layer.Activation != Activation.Linear;
            string z = last && !hasActivation ? OutputName : layer.Name + ".z";
            WriteNode(head, layer.Name + ".Gemm", "Gemm", [previous, layer.Name + ".weight", layer.Name + ".bias"], z,
                attributes => WriteIntAttribute(attributes, "transB", 1));
            previous = z;
            if (hasActivation)
            {
                string a = last ? OutputName : layer.Name + ".a";
                WriteActivation(head, layer, z, a);
                previous = a;
            }
        }
        head.WriteString(2, net.GetType().Name);
        // Each initializer: its header, and its floats from the parameters (Values null) or from Values.
        var tensors = new List<(ProtoWriter Header, float[]? Values, int Offset, int Length)>();
        if (scaling is not null)
        {
            tensors.Add((TensorHeader(MeanName, [net.InputSize]), ToSingles(scaling.Mean), 0, net.InputSize));
            tensors.Add((TensorHeader(DeviationName, [net.InputSize]), ToSingles(scaling.Deviation), 0, net.InputSize));
        }
        foreach (LayerDescription layer in layers)
        {
            tensors.Add((TensorHeader(layer.Name + ".weight", layer.WeightShape), null, layer.WeightOffset,
                layer.WeightLength));
            tensors.Add((TensorHeader(layer.Name + ".bias", [layer.BiasLength]), null, layer.BiasOffset,
                layer.BiasLength));
        }
        var tail = new ProtoWriter();
        WriteValueInfo(tail, 11, InputName, net.InputSize);
        WriteValueInfo(tail, 12, OutputName, net.OutputSize);

        long graphLength = head.Written.Length + tail.Written.Length;
        foreach (var (header, _, _, length) in tensors)
        {
            long tensorLength = TensorLength(header, length);
            graphLength += ProtoWriter.MessageLength(5, tensorLength);
        }

        var model = new ProtoWriter(checked((int)Math.Min(MaxModelBytes, graphLength + 4096)));
        model.WriteInt64(1, IrVersion);                                   // ModelProto.ir_version
        model.WriteString(2, ProducerName);                               // ModelProto.producer_name
        model.WriteString(3, ProducerVersion);                            // ModelProto.producer_version
        model.WriteString(6, $"{net.GetType().Name} ({net.Architecture}), exported by NetGen"); // doc_string
        model.WriteMessageStart(7, graphLength);                          // ModelProto.graph
        long graphStart = model.Length;
        model.WriteRaw(head.Written);
        foreach (var (header, values, offset, length) in tensors)
        {
            model.WriteMessageStart(5, TensorLength(header, length));     // GraphProto.initializer
            model.WriteRaw(header.Written);
            model.WriteFloatsLittleEndian(9, values is null ? parameters.Slice(offset, length) : values); // raw_data
        }
        model.WriteRaw(tail.Written);
        // The length prefix was computed ahead: a mismatch would make a file that no reader can parse.
        if (model.Length - graphStart != graphLength)
            throw new InvalidOperationException($"ONNX export: the graph took {model.Length - graphStart} bytes, " +
                $"not the {graphLength} announced.");
        var opset = new ProtoWriter();
        opset.WriteString(1, "");                    // OperatorSetIdProto.domain: "" is the default domain
        opset.WriteInt64(2, OpsetVersion);           // OperatorSetIdProto.version
        model.WriteMessage(8, opset);                // ModelProto.opset_import
        var entry = new ProtoWriter();
        entry.WriteString(1, Safetensors.ArchitectureKey);                // StringStringEntryProto.key
        entry.WriteString(2, net.Architecture);                           // StringStringEntryProto.value
        model.WriteMessage(14, entry);                                    // ModelProto.metadata_props
        return model.WrittenMemory;

        static long TensorLength(ProtoWriter header, int floats)
            => header.Written.Length + ProtoWriter.FloatsFieldLength(9, floats);

        static float[] ToSingles(ReadOnlySpan<double> values)
        {
            var singles = new float[values.Length];
            for (int i = 0; i < values.Length; i++) singles[i] = (float)values[i];
            return singles;
        }
    }

    // The scaling's initializers, named as in a safetensors file.
    private const string MeanName = TensorNames.ScalingMean;
    private const string DeviationName = TensorNames.ScalingDeviation;

    /// <summary>What ONNX adds to the checks every save makes (<see cref="NetworkLayout.Of"/>: the layers chain, cover
    /// the parameters and agree with the sizes): an operator for each activation, and a model small enough for one
    /// protobuf message. Reads only sizes, so a network too large to export is refused before its parameters are
    /// touched.</summary>
    internal static void CheckLayers(INetwork net, IReadOnlyList<LayerDescription> layers)
    {
        string network = net.GetType().FullName ?? net.GetType().Name;
        long bytes = 0;
        foreach (LayerDescription layer in layers)
        {
            if (!Enum.IsDefined(layer.Activation))
                throw new NotSupportedException($"{layer} of {network}: unknown activation {(int)layer.Activation}.");
            bytes += ((long)layer.WeightLength + layer.BiasLength) * sizeof(float);
        }
        if (bytes > MaxModelBytes - Margin)
            throw new NotSupportedException($"{network} has {bytes} bytes of parameters; an ONNX model is one " +
                $"protobuf message, limited to {MaxModelBytes} bytes.");
    }

    // TensorProto.DataType.FLOAT, also TypeProto.Tensor.elem_type.
    private const int Float32 = 1;

    private static void WriteActivation(ProtoWriter graph, LayerDescription layer, string input, string output)
    {
        string name = layer.Name + "." + layer.Activation;
        switch (layer.Activation)
        {
            case Activation.Sigmoid: WriteNode(graph, name, "Sigmoid", [input], output, null); break;
            case Activation.Tanh: WriteNode(graph, name, "Tanh", [input], output, null); break;
            case Activation.Relu: WriteNode(graph, name, "Relu", [input], output, null); break;
            case Activation.LeakyRelu:
                WriteNode(graph, name, "LeakyRelu", [input], output,
                    a => WriteFloatAttribute(a, "alpha", layer.LeakySlope));
                break;
            case Activation.Softmax:
                // Over the units of one sample: the last axis of [batch, n].
                WriteNode(graph, name, "Softmax", [input], output, a => WriteIntAttribute(a, "axis", -1));
                break;
            default:
                throw new NotSupportedException($"{layer}: no ONNX operator for the activation {layer.Activation}.");
        }
    }

    /// <summary>A NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5 (the default domain, 7, is
    /// left out).</summary>
    private static void WriteNode(ProtoWriter graph, string name, string opType, string[] inputs, string output,
        Action<ProtoWriter>? attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs) node.WriteString(1, input);
        node.WriteString(2, output);
        node.WriteString(3, name);
        node.WriteString(4, opType);
        attributes?.Invoke(node);
        graph.WriteMessage(1, node);               // GraphProto.node
    }

    /// <summary>An AttributeProto of type INT (2): name = 1, i = 3, type = 20.</summary>
    private static void WriteIntAttribute(ProtoWriter node, string name, long value)
    {
        var attribute = new ProtoWriter();
        attribute.WriteString(1, name);
        attribute.WriteInt64(3, value);
        attribute.WriteInt64(20, 2);
        node.WriteMessage(5, attribute);
    }

    /// <summary>An AttributeProto of type FLOAT (1): name = 1, f = 2, type = 20.</summary>
    private static void WriteFloatAttribute(ProtoWriter node, string name, float value)
    {
        var attribute = new ProtoWriter();
        attribute.WriteString(1, name);
        attribute.WriteFloat(2, value);
        attribute.WriteInt64(20, 1);
        node.WriteMessage(5, attribute);
    }

    /// <summary>A TensorProto of float32 without its data: dims = 1 (one varint each, unpacked as proto2 declares
    /// them), data_type = 2, name = 8. The caller appends raw_data = 9.</summary>
    private static ProtoWriter TensorHeader(string name, ReadOnlySpan<int> shape)
    {
        var tensor = new ProtoWriter();
        foreach (int n in shape) tensor.WriteInt64(1, n);
        tensor.WriteInt64(2, Float32);
        tensor.WriteString(8, name);
        return tensor;
    }

    /// <summary>A ValueInfoProto (name = 1, type = 2) of a float32 tensor [batch, <paramref name="width"/>]: TypeProto
    /// tensor_type = 1 → elem_type = 1, shape = 2 → dim = 1 → dim_param = 2 ("batch") or dim_value = 1.</summary>
    private static void WriteValueInfo(ProtoWriter graph, int field, string name, int width)
    {
        var batch = new ProtoWriter();
        batch.WriteString(2, BatchDimension);
        var features = new ProtoWriter();
        features.WriteInt64(1, width);
        var shape = new ProtoWriter();
        shape.WriteMessage(1, batch);
        shape.WriteMessage(1, features);
        var tensor = new ProtoWriter();
        tensor.WriteInt64(1, Float32);
        tensor.WriteMessage(2, shape);
        var type = new ProtoWriter();
        type.WriteMessage(1, tensor);
        var info = new ProtoWriter();
        info.WriteString(1, name);
        info.WriteMessage(2, type);
        graph.WriteMessage(field, info);
    }

    /// <summary>The library's version, e.g. "0.1.0": the informational version without its "+commit" suffix.</summary>
    internal static string ProducerVersion
    {
        get
        {
            Assembly assembly = typeof(Onnx).Assembly;
            string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString();
            if (string.IsNullOrEmpty(version)) return "";
            int plus = version.IndexOf('+');
            return plus >= 0 ? version.Substring(0, plus) : version;
        }
    }
}
