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
/// and is not exported.
/// </para>
/// <para>
/// <b>Conv networks.</b> A network whose first layer reads a map takes its samples flat as everywhere else (h × w × c,
/// row-major) and opens with a <c>Reshape</c> to [batch, h, w, c] (the int64 initializer <c>x.shape</c>, [−1, h, w,
/// c]) and a <c>Transpose</c> (perm [0, 3, 1, 2]) to NCHW. A conv layer is a <c>Conv</c> node (kernel_shape [kh, kw],
/// strides, pads [top, left, bottom, right]: Padding.Same with an even kernel pads the extra row and column at the
/// bottom and right, as PyTorch's 'same'), whose W is (filters, c_in, kh, kw), PyTorch's <c>Conv2d.weight</c>, then
/// its activation; a pool layer is a <c>MaxPool</c> or <c>AveragePool</c> node (kernel_shape, strides, no padding)
/// and has no initializers. A <c>Flatten</c> (axis = 1) reads the map in (c, h, w) order, PyTorch's
/// <c>nn.Flatten</c>, before the first dense layer after it, before a softmax over a map (it runs over the sample's
/// whole output, as in NetGen), and at the end of a network whose output is a map: <c>y</c> is always
/// [batch, OutputSize], in the order <see cref="INetwork.PredictBatch"/> writes.
/// </para>
/// <para>
/// Saved with a <see cref="Standardizer"/>, the graph opens with x ← (x − μ)/σ: a <c>Sub</c> and a <c>Div</c> node
/// over the initializers <c>scaling.mean</c> and <c>scaling.deviation</c> ([InputSize], as in a safetensors file), on
/// the flat samples before any reshape, so that the model takes raw samples, as a service receives them.
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

    /// <summary>The ONNX model of <paramref name="net"/>, the bytes <see cref="SaveOnnx(INetwork, string)"/> writes.
    /// The parameters are copied once, straight into the one buffer of the model: the graph's small parts are encoded first, so that
    /// its length is known before it is written.</summary>
    internal static ReadOnlyMemory<byte> Encode(INetwork net, Standardizer? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (scaling is not null && scaling.InputSize != net.InputSize)
            throw new ArgumentException($"The scaling has μ and σ for {scaling.InputSize} features; " +
                $"{net.GetType().Name} takes {net.InputSize} inputs.", nameof(scaling));
        // The layers as the network describes them, checked against its sizes like every other save (ArgumentException).
        IReadOnlyList<LayerDescription> layers = NetworkLayout.Of(net, maps: true).Layers!;
        CheckLayers(net, layers);
        ReadOnlySpan<float> parameters = net.Parameters;
        if (parameters.Length != net.ParameterCount)
            throw new NotSupportedException($"{net.GetType().FullName} has {parameters.Length} parameters where its " +
                $"ParameterCount says {net.ParameterCount}.");

        // GraphProto: node = 1 and name = 2 first, then initializer = 5, input = 11, output = 12.
        var nodes = new List<Node>();
        string previous = InputName;
        if (scaling is not null)
        {
            // x ← (x − μ)/σ, broadcast over the batch's rows, on the flat samples (before a reshape to maps).
            nodes.Add(new Node("scaling.Sub", "Sub", [InputName, MeanName], "scaling.centred", null));
            nodes.Add(new Node("scaling.Div", "Div", ["scaling.centred", DeviationName], "scaling.x", null));
            previous = "scaling.x";
        }
        bool map = layers[0].Kind != LayerKind.Dense;
        if (map)
        {
            // A sample is h × w × c (row-major): [batch, h·w·c] → [batch, h, w, c] → NCHW, ONNX's Conv layout.
            nodes.Add(new Node("x.Reshape", "Reshape", [previous, InputShapeName], "x.hwc", null));
            nodes.Add(new Node("x.Transpose", "Transpose", ["x.hwc"], "x.nchw",
                a => WriteIntsAttribute(a, "perm", [0, 3, 1, 2])));
            previous = "x.nchw";
        }
        foreach (LayerDescription layer in layers)
        {
            switch (layer.Kind)
            {
                case LayerKind.Conv2D:
                {
                    var (top, left, bottom, right) = Pads(layer);
                    nodes.Add(new Node(layer.Name + ".Conv", "Conv",
                        [previous, layer.Name + ".weight", layer.Name + ".bias"], layer.Name + ".z", a =>
                        {
                            WriteIntsAttribute(a, "kernel_shape", [layer.KernelHeight, layer.KernelWidth]);
                            WriteIntsAttribute(a, "strides", [layer.Stride, layer.Stride]);
                            WriteIntsAttribute(a, "pads", [top, left, bottom, right]);
                        }));
                    break;
                }
                case LayerKind.MaxPool:
                case LayerKind.AveragePool:
                    nodes.Add(new Node(layer.Name + "." + layer.Kind, layer.Kind.ToString(), [previous],
                        layer.Name + ".z", a =>
                        {
                            WriteIntsAttribute(a, "kernel_shape", [layer.KernelHeight, layer.KernelWidth]);
                            WriteIntsAttribute(a, "strides", [layer.Stride, layer.Stride]);
                        }));
                    break;
                default:
                    if (map)
                    {
                        // NCHW flattened per sample in (c, h, w) order: PyTorch's nn.Flatten, NetGen's dense input.
                        nodes.Add(new Node(layer.Name + ".Flatten", "Flatten", [previous], layer.Name + ".flat",
                            a => WriteIntAttribute(a, "axis", 1)));
                        previous = layer.Name + ".flat";
                        map = false;
                    }
                    nodes.Add(new Node(layer.Name + ".Gemm", "Gemm",
                        [previous, layer.Name + ".weight", layer.Name + ".bias"], layer.Name + ".z",
                        a => WriteIntAttribute(a, "transB", 1)));
                    break;
            }
            previous = layer.Name + ".z";
            if (layer.Activation == Activation.Softmax && map)
            {
                // NetGen's softmax runs over a sample's whole output (the generator allows it on the last layer
                // only): flatten the map first, in (c, h, w) order, the order of the network's outputs.
                nodes.Add(new Node(layer.Name + ".Flatten", "Flatten", [previous], layer.Name + ".flat",
                    a => WriteIntAttribute(a, "axis", 1)));
                previous = layer.Name + ".flat";
                map = false;
            }
            if (layer.Activation != Activation.Linear)
            {
                nodes.Add(ActivationNode(layer, previous, layer.Name + ".a"));
                previous = layer.Name + ".a";
            }
        }
        // A network whose output is a map gives it flattened in (c, h, w) order, as PredictBatch does.
        if (map)
            nodes.Add(new Node("y.Flatten", "Flatten", [previous], "y.flat", a => WriteIntAttribute(a, "axis", 1)));
        // The last node writes y.
        nodes[^1] = nodes[^1] with { Output = OutputName };
        var head = new ProtoWriter();
        foreach (Node node in nodes) WriteNode(head, node.Name, node.OpType, node.Inputs, node.Output, node.Attributes);
        head.WriteString(2, net.GetType().Name);
        // The int64 shape of the input's reshape, [−1, h, w, c] (−1: the batch), for a network that reads maps.
        ProtoWriter? inputShape = null;
        if (layers[0].Kind != LayerKind.Dense)
        {
            var (h, w, c) = layers[0].InputShape;
            inputShape = new ProtoWriter();
            inputShape.WriteInt64(1, 4);                                  // dims
            inputShape.WriteInt64(2, Int64);                              // data_type
            inputShape.WriteString(8, InputShapeName);                    // name
            var raw = new byte[4 * sizeof(long)];
            long[] dims = [-1, h, w, c];
            for (int i = 0; i < dims.Length; i++)
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), dims[i]);
            inputShape.WriteBytes(9, raw);                                // raw_data
        }
        // Each initializer: its header, and its floats from the parameters (Values null) or from Values.
        var tensors = new List<(ProtoWriter Header, float[]? Values, int Offset, int Length)>();
        if (scaling is not null)
        {
            tensors.Add((TensorHeader(MeanName, [net.InputSize]), ToSingles(scaling.Mean), 0, net.InputSize));
            tensors.Add((TensorHeader(DeviationName, [net.InputSize]), ToSingles(scaling.Deviation), 0, net.InputSize));
        }
        foreach (LayerDescription layer in layers)
        {
            if (layer.Kind is LayerKind.MaxPool or LayerKind.AveragePool) continue;    // no parameters
            tensors.Add((TensorHeader(layer.Name + ".weight", layer.WeightShape), null, layer.WeightOffset,
                layer.WeightLength));
            tensors.Add((TensorHeader(layer.Name + ".bias", [layer.BiasLength]), null, layer.BiasOffset,
                layer.BiasLength));
        }
        var tail = new ProtoWriter();
        WriteValueInfo(tail, 11, InputName, net.InputSize);
        WriteValueInfo(tail, 12, OutputName, net.OutputSize);

        long graphLength = head.Written.Length + tail.Written.Length;
        if (inputShape is not null) graphLength += ProtoWriter.MessageLength(5, inputShape.Length);
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
        if (inputShape is not null) model.WriteMessage(5, inputShape);   // GraphProto.initializer
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
        for (int l = 0; l < layers.Count; l++)
        {
            LayerDescription layer = layers[l];
            if (!Enum.IsDefined(layer.Activation))
                throw new NotSupportedException($"{layer} of {network}: unknown activation {(int)layer.Activation}.");
            if (layer.Kind != LayerKind.Dense) CheckMapLayer(network, layers, l);
            bytes += ((long)layer.WeightLength + layer.BiasLength) * sizeof(float);
        }
        if (bytes > MaxModelBytes - Margin)
            throw new NotSupportedException($"{network} has {bytes} bytes of parameters; an ONNX model is one " +
                $"protobuf message, limited to {MaxModelBytes} bytes.");
    }

    /// <summary>A conv or pool layer as the graph needs it: over a map (not after a dense layer), on the map the layer
    /// below writes, with a window and stride that give its output shape in ONNX's arithmetic, and a softmax only on
    /// the last layer.</summary>
    private static void CheckMapLayer(string network, IReadOnlyList<LayerDescription> layers, int l)
    {
        LayerDescription layer = layers[l];
        ArgumentException Wrong(string reason) => new($"{network} cannot be exported to ONNX: Layers[{l}] ({layer}) " +
            reason + ".", "net");
        if (!Enum.IsDefined(layer.Kind)) throw Wrong($"is of an unknown kind {(int)layer.Kind}");
        if (l > 0 && layers[l - 1].Kind == LayerKind.Dense)
            throw Wrong("reads the output of a dense layer, which is not a map");
        if (l > 0 && layers[l - 1].OutputShape != layer.InputShape)
            throw Wrong($"reads a map of {Shape(layer.InputShape)}, but the layer below writes " +
                Shape(layers[l - 1].OutputShape));
        if (layer.Activation == Activation.Softmax && l != layers.Count - 1)
            throw Wrong("is a hidden layer with a softmax");
        var (top, left, bottom, right) = layer.Kind == LayerKind.Conv2D ? Pads(layer) : (0, 0, 0, 0);
        // NetGen pads k − 1 in all (Same: the rest of it below and right) or nothing (Valid); an output that needs
        // another padding is not a layer NetGen computes.
        if ((bottom > 0 && top + bottom != layer.KernelHeight - 1)
            || (right > 0 && left + right != layer.KernelWidth - 1)
            || (top > 0 && bottom == 0) || (left > 0 && right == 0))
            throw Wrong($"writes {Shape(layer.OutputShape)}, which a {layer.KernelHeight} × {layer.KernelWidth} " +
                $"kernel every {layer.Stride} over {Shape(layer.InputShape)} gives only padded ({top}, {left}, " +
                $"{bottom}, {right}) above, left, below and right; NetGen pads k − 1 in all (Same) or nothing " +
                "(Valid)");
        int height = OnnxOutputSize(layer.InputShape.Height, top + bottom, layer.KernelHeight, layer.Stride);
        int width = OnnxOutputSize(layer.InputShape.Width, left + right, layer.KernelWidth, layer.Stride);
        if ((height, width) != (layer.OutputShape.Height, layer.OutputShape.Width)
            || (layer.Kind != LayerKind.Conv2D && layer.InputShape.Channels != layer.OutputShape.Channels))
            throw Wrong($"writes {Shape(layer.OutputShape)}, but a {layer.KernelHeight} × {layer.KernelWidth} " +
                $"window every {layer.Stride} over {Shape(layer.InputShape)} padded ({top}, {left}, {bottom}, " +
                $"{right}) gives " +
                $"{height} × {width}");

        static string Shape((int Height, int Width, int Channels) s) => $"{s.Height} × {s.Width} × {s.Channels}";
    }

    // TensorProto.DataType.FLOAT, also TypeProto.Tensor.elem_type; INT64 for the reshape's shape.
    private const int Float32 = 1;
    private const int Int64 = 7;

    // The int64 initializer [−1, h, w, c] that reshapes the input of a network that reads maps.
    private const string InputShapeName = "x.shape";

    /// <summary>The activation node of <paramref name="layer"/>: <c>Sigmoid</c>, <c>Tanh</c>, <c>Relu</c>,
    /// <c>LeakyRelu</c> (alpha = the slope) or <c>Softmax</c> over the last axis.</summary>
    private static Node ActivationNode(LayerDescription layer, string input, string output)
    {
        string name = layer.Name + "." + layer.Activation;
        return layer.Activation switch
        {
            Activation.Sigmoid => new Node(name, "Sigmoid", [input], output, null),
            Activation.Tanh => new Node(name, "Tanh", [input], output, null),
            Activation.Relu => new Node(name, "Relu", [input], output, null),
            Activation.LeakyRelu => new Node(name, "LeakyRelu", [input], output,
                a => WriteFloatAttribute(a, "alpha", layer.LeakySlope)),
            // Over the units of one sample: the last axis of [batch, n].
            Activation.Softmax => new Node(name, "Softmax", [input], output, a => WriteIntAttribute(a, "axis", -1)),
            _ => throw new NotSupportedException($"{layer}: no ONNX operator for the activation {layer.Activation}."),
        };
    }

    /// <summary>One node of the graph before it is encoded; the last one's output is renamed y.</summary>
    private sealed record Node(string Name, string OpType, string[] Inputs, string Output,
        Action<ProtoWriter>? Attributes);

    /// <summary>A conv layer's ONNX <c>pads</c>, [top, left, bottom, right]: the declared top and left, and below and
    /// to the right what the windows reach past the map, (out − 1)·stride + k − (in + begin), at least 0 (a stride
    /// that skips the last rows needs none). Padding.Same with an even k thus pads the extra row and column at the
    /// bottom and right, as PyTorch's 'same' and NetGen do.</summary>
    private static (int Top, int Left, int Bottom, int Right) Pads(LayerDescription layer)
    {
        int bottom = (layer.OutputShape.Height - 1) * layer.Stride + layer.KernelHeight
            - (layer.InputShape.Height + layer.PadTop);
        int right = (layer.OutputShape.Width - 1) * layer.Stride + layer.KernelWidth
            - (layer.InputShape.Width + layer.PadLeft);
        return (layer.PadTop, layer.PadLeft, Math.Max(0, bottom), Math.Max(0, right));
    }

    /// <summary>The output size ONNX computes for a window of <paramref name="kernel"/> over <paramref name="size"/>
    /// plus <paramref name="pads"/>, floor((size + pads − k)/stride) + 1 (Conv, and pools with ceil_mode = 0); 0 when
    /// the window does not fit.</summary>
    private static int OnnxOutputSize(int size, int pads, int kernel, int stride)
        => size + pads < kernel ? 0 : (size + pads - kernel) / stride + 1;

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

    /// <summary>An AttributeProto of type INTS (7): name = 1, ints = 8 (one varint each, unpacked as proto2 declares
    /// them), type = 20.</summary>
    private static void WriteIntsAttribute(ProtoWriter node, string name, int[] values)
    {
        var attribute = new ProtoWriter();
        attribute.WriteString(1, name);
        foreach (int value in values) attribute.WriteInt64(8, value);
        attribute.WriteInt64(20, 7);
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
