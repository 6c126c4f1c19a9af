using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace NetGen.Tests;

// The networks of the ONNX export tests: together every activation in a hidden or output layer (a non-default
// LeakyRelu slope among them), every loss, one layer alone, and a layer wide enough for the packed batch kernels.

/// <summary>Linear hidden and output layers under mean squared error (no activation node at all).</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 41)]
[Input(3)]
[Dense(5, Activation.Linear)]
[Dense(2, Activation.Linear)]
public partial class OnnxLinearNet;

/// <summary>Sigmoid hidden and output layers under binary cross-entropy.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 42)]
[Input(4)]
[Dense(6, Activation.Sigmoid)]
[Dense(1, Activation.Sigmoid)]
public partial class OnnxSigmoidNet;

/// <summary>Tanh hidden and output layers under mean squared error.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 43)]
[Input(3)]
[Dense(7, Activation.Tanh)]
[Dense(3, Activation.Tanh)]
public partial class OnnxTanhNet;

/// <summary>ReLU into softmax under cross-entropy.</summary>
[Network(Loss = Loss.CrossEntropy, Seed = 44)]
[Input(5)]
[Dense(8, Activation.Relu)]
[Dense(4, Activation.Softmax)]
public partial class OnnxReluSoftmaxNet;

/// <summary>Two leaky ReLUs (slope 0.3, then the default 0.01) into a softmax under mean squared error.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 45)]
[Input(4)]
[Dense(6, Activation.LeakyRelu, LeakySlope = 0.3f)]
[Dense(5, Activation.LeakyRelu)]
[Dense(3, Activation.Softmax)]
public partial class OnnxLeakyNet;

/// <summary>Logistic regression: one layer, so the Gemm reads x and the sigmoid writes y.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 46)]
[Input(5)]
[Dense(1, Activation.Sigmoid)]
public partial class OnnxLogisticNet;

/// <summary>64-96-10: wide enough that PredictBatch takes the packed batch kernels.</summary>
[Network(Loss = Loss.CrossEntropy, Seed = 47)]
[Input(64)]
[Dense(96, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class OnnxWideNet;

/// <summary>Breast cancer, 30-8-1, exported with its scaling.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 49)]
[Input(30)]
[Dense(8, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class OnnxCancerNet;

/// <summary>The iris classifier the trained-network test fits (4-8-3).</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 48)]
[Input(4)]
[Dense(8, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class OnnxIrisNet;

/// <summary>Three channels in (C = 3), Same padding with non-square kernels, odd (5 × 3: pads 2, 1 above and left and
/// as many below and right) then even (4 × 2: pads 1, 0 above and left, 2, 1 below and right), a max pool, then a
/// stride-2 conv: 8 × 7 × 3 → 8 × 7 × 4 → 8 × 7 × 3 → 4 × 3 × 3 → 1 × 1 × 2 → 5.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 50)]
[Input(8, 7, 3)]
[Conv2D(4, 5, Activation.Relu, Padding = Padding.Same, KernelWidth = 3)]
[Conv2D(3, 4, Activation.Tanh, Padding = Padding.Same, KernelWidth = 2)]
[MaxPool(2)]
[Conv2D(2, 3, Activation.LeakyRelu, Stride = 2, LeakySlope = 0.2f)]
[Dense(5, Activation.Softmax)]
public partial class OnnxConvRgbNet;

/// <summary>
/// <c>SaveOnnx</c> against ONNX Runtime: the saved model is loaded by ORT and run on batches, and its outputs must
/// agree with <see cref="INetwork.PredictBatch"/> for every activation and loss; the file's header fields are read back
/// with a protobuf decoder of the test's own; bad paths and unexportable networks throw and leave no file.
/// </summary>
/// <remarks>Left out of the restricted-intrinsics projects (tests/NetGen.Tests.Restricted.props): they do not
/// reference ONNX Runtime, and the export itself has no vector code.</remarks>
public sealed class OnnxExportTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Each test network, made with its parameters (biases included, which a fresh network has at 0) drawn
    /// uniform in [−0.5, 0.5) from a fixed seed.</summary>
    private static readonly Dictionary<string, Func<INetwork>> Networks = new()
    {
        ["Linear"] = () => Seeded(new OnnxLinearNet(), 101),
        ["Sigmoid"] = () => Seeded(new OnnxSigmoidNet(), 102),
        ["Tanh"] = () => Seeded(new OnnxTanhNet(), 103),
        ["ReluSoftmax"] = () => Seeded(new OnnxReluSoftmaxNet(), 104),
        ["Leaky"] = () => Seeded(new OnnxLeakyNet(), 105),
        ["Logistic"] = () => Seeded(new OnnxLogisticNet(), 106),
        ["Wide"] = () => Seeded(new OnnxWideNet(), 107),
    };

    /// <summary>The conv networks (tests/NetGen.Tests/ConvNetworks.cs and OnnxConvRgbNet): between them Valid and Same
    /// padding with odd and even kernels, strides 1, 2 and 3, non-square kernels, max and average pools (overlapping
    /// windows too), C = 1, 2 and 3, every activation on a conv layer, a map as the output, and LeNet-5. Their
    /// parameters are drawn uniform in ±scale with a scale near 1/√fan-in, so that the sums of up to 400 products
    /// stay of order 1: ORT and NetGen sum in other orders, and a rounding of ε·Σ|w·a| on logits of order 100 would
    /// show through a softmax far above the file's tolerance without saying anything about the layout.</summary>
    private static readonly Dictionary<string, Func<INetwork>> ConvNetworks = new()
    {
        ["ConvStride"] = () => Seeded(new ConvStrideNet(), 111, 0.4),
        ["ConvSame"] = () => Seeded(new ConvSameNet(), 112, 0.5),
        ["ConvOneByOne"] = () => Seeded(new ConvOneByOneNet(), 113, 0.5),
        ["ConvOutput"] = () => Seeded(new ConvOutputNet(), 114, 0.5),
        ["ConvDropout"] = () => Seeded(new ConvDropoutNet(), 115, 0.3),
        ["ConvPoolOutput"] = () => Seeded(new ConvPoolOutputNet(), 116, 0.5),
        ["ConvRgb"] = () => Seeded(new OnnxConvRgbNet(), 117, 0.25),
        ["LeNet5"] = () => Seeded(new LeNet5(), 118, 0.1),
    };

    private static INetwork Seeded(INetwork net, ulong seed, double scale = 0.5)
    {
        TestData.Uniform(net.ParameterCount, seed, scale).CopyTo(net.Parameters);
        return net;
    }

    public static TheoryData<string, int> ConvNetworksAndBatches()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in ConvNetworks.Keys)
        {
            data.Add(name, 1);
            data.Add(name, 37);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ConvNetworksAndBatches))]
    public void OnnxRuntime_agrees_with_PredictBatch_on_conv_networks(string name, int batch)
    {
        INetwork net = ConvNetworks[name]();
        string path = _folder.File(name + ".onnx");
        net.SaveOnnx(path);
        float[] x = TestData.Uniform(batch * net.InputSize, seed: 300 + (ulong)batch, scale: 1);
        AssertAgrees(net, path, x, batch);
    }

    [Fact]
    public void The_conv_test_networks_cover_every_activation_padding_pool_and_channel_count()
    {
        var activations = new HashSet<Activation>();
        var kinds = new HashSet<LayerKind>();
        bool sameEven = false, sameOdd = false, valid = false, stride2 = false, nonSquare = false, overlapMax = false,
            overlapAverage = false;
        var channels = new HashSet<int>();
        foreach (Func<INetwork> make in ConvNetworks.Values)
        {
            INetwork net = make();
            channels.Add(net.Layers[0].InputShape.Channels);
            foreach (LayerDescription layer in net.Layers)
            {
                kinds.Add(layer.Kind);
                if (layer.Kind == LayerKind.Conv2D)
                {
                    activations.Add(layer.Activation);
                    bool same = layer.OutputShape.Height == layer.InputShape.Height && layer.KernelHeight > 1;
                    sameEven |= same && layer.KernelHeight % 2 == 0;
                    sameOdd |= same && layer.KernelHeight % 2 == 1;
                    valid |= layer.PadTop == 0 && layer.PadLeft == 0 && !same;
                    stride2 |= layer.Stride == 2;
                    nonSquare |= layer.KernelHeight != layer.KernelWidth;
                }
                overlapMax |= layer.Kind == LayerKind.MaxPool && layer.Stride < layer.KernelHeight;
                overlapAverage |= layer.Kind == LayerKind.AveragePool && layer.Stride < layer.KernelHeight;
            }
        }
        Assert.Equal(Enum.GetValues<Activation>().Order(), activations.Order());
        Assert.Equal(Enum.GetValues<LayerKind>().Order(), kinds.Order());
        Assert.True(sameEven && sameOdd && valid && stride2 && nonSquare && overlapMax && overlapAverage);
        Assert.Contains(1, channels);
        Assert.Contains(3, channels);
        Assert.Equal((28, 28, 1), ConvNetworks["LeNet5"]().Layers[0].InputShape);
    }

    /// <summary>The conv graph node by node, read back from the file: the input's reshape to [−1, h, w, c] and
    /// transpose to NCHW, each Conv's kernel_shape, strides and pads (Same with a 4 × 2 kernel pads 1 row above and 2
    /// below, 0 columns left and 1 right: PyTorch's 'same'), the pool, the Flatten before the dense layer, and 4-D
    /// weights named like the safetensors tensors, in PyTorch's (filters, c_in, kh, kw) order.</summary>
    [Fact]
    public void The_conv_graph_holds_the_reshape_the_pads_the_pools_and_the_flatten()
    {
        INetwork net = ConvNetworks["ConvRgb"]();
        string path = _folder.File("rgb.onnx");
        net.SaveOnnx(path);
        var graph = Decode(Single(Decode(File.ReadAllBytes(path)), 7).Bytes!);
        var nodes = graph.Where(f => f.Field == 1).Select(f => Decode(f.Bytes!)).ToList();
        Assert.Equal(["Reshape", "Transpose", "Conv", "Relu", "Conv", "Tanh", "MaxPool", "Conv", "LeakyRelu",
            "Flatten", "Gemm", "Softmax"], nodes.Select(n => Single(n, 4).Text));
        Assert.Equal(["x", "x.shape"], nodes[0].Where(f => f.Field == 1).Select(f => f.Text));
        Assert.Equal([0L, 3, 1, 2], Ints(nodes[1], "perm"));
        Assert.Equal([5L, 3], Ints(nodes[2], "kernel_shape"));
        Assert.Equal([1L, 1], Ints(nodes[2], "strides"));
        Assert.Equal([2L, 1, 2, 1], Ints(nodes[2], "pads"));
        Assert.Equal([4L, 2], Ints(nodes[4], "kernel_shape"));
        Assert.Equal([1L, 0, 2, 1], Ints(nodes[4], "pads"));
        Assert.Equal([2L, 2], Ints(nodes[6], "kernel_shape"));
        Assert.Equal([2L, 2], Ints(nodes[6], "strides"));
        Assert.Equal([2L, 2], Ints(nodes[7], "strides"));
        Assert.Equal([0L, 0, 0, 0], Ints(nodes[7], "pads"));
        Assert.Equal([1L], Ints(nodes[9], "axis", single: true));
        Assert.Equal(["layers.0.a", "layers.1.weight", "layers.1.bias"],
            nodes[4].Where(f => f.Field == 1).Select(f => f.Text));
        Assert.Equal("y", Single(nodes[^1], 2).Text);

        var initializers = graph.Where(f => f.Field == 5).Select(f => Decode(f.Bytes!)).ToList();
        var shape = initializers[0];
        Assert.Equal("x.shape", Single(shape, 8).Text);
        Assert.Equal(7UL, Single(shape, 2).Number);                                       // INT64
        byte[] raw = Single(shape, 9).Bytes!;
        Assert.Equal([-1L, 8, 7, 3], Enumerable.Range(0, 4)
            .Select(i => BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(i * 8))));
        Assert.Equal(["x.shape", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
            "layers.3.weight", "layers.3.bias", "layers.4.weight", "layers.4.bias"],
            initializers.Select(t => Single(t, 8).Text));
        Assert.Equal([4UL, 3, 5, 3], initializers[1].Where(f => f.Field == 1).Select(f => f.Number));
        Assert.Equal([5UL, 2], initializers[7].Where(f => f.Field == 1).Select(f => f.Number));
    }

    /// <summary>The values of an INTS (7) attribute, or of an INT (2) one with <paramref name="single"/>.</summary>
    private static long[] Ints(List<ProtoField> node, string name, bool single = false)
    {
        var attribute = node.Where(f => f.Field == 5).Select(f => Decode(f.Bytes!))
            .Single(a => Single(a, 1).Text == name);
        Assert.Equal(single ? 2UL : 7UL, Single(attribute, 20).Number);
        return attribute.Where(f => f.Field == (single ? 3 : 8)).Select(f => (long)f.Number).ToArray();
    }

    [Fact]
    public void A_conv_network_saved_with_its_scaling_scales_the_flat_samples_before_the_reshape()
    {
        // μ and σ per input value (h, w, c order, as a sample is): a scaling applied after the transpose, or to the
        // wrong axis, would standardise each value with another value's μ and σ.
        INetwork net = ConvNetworks["ConvRgb"]();
        const int m = 5;
        float[] raw = TestData.Uniform(m * net.InputSize, seed: 400, scale: 30);
        var mean = new double[net.InputSize];
        var deviation = new double[net.InputSize];
        for (int i = 0; i < net.InputSize; i++)
        {
            mean[i] = 10.0 * Math.Sin(i);
            deviation[i] = 5.0 + i % 7;
        }
        var scaling = new Standardizer(mean, deviation);
        float[] scaled = new float[raw.Length];
        for (int r = 0; r < m; r++) scaling.Apply(raw.AsSpan(r * net.InputSize, net.InputSize),
            scaled.AsSpan(r * net.InputSize, net.InputSize));
        string path = _folder.File("rgb-scaled.onnx");
        net.SaveOnnx(path, scaling);
        // |x| + |μ| ≤ 40 over σ ≥ 5: a float32 rounding of 8·6e-8 = 5e-7 per standardised input at most.
        AssertAgrees(net, path, raw, m, scaled);
    }

    [Fact]
    public void A_conv_layer_whose_shapes_disagree_with_its_window_is_refused_and_nothing_is_written()
    {
        // Conv 2 of 3 × 3 over 5 × 5 × 1 writes 3 × 3 × 2 (valid), not the 4 × 4 × 2 this layer claims.
        var conv = LayerDescription.Conv2D(1, "layers.0", (5, 5, 1), (4, 4, 2), 3, 3, 1, 0, 0, Activation.Relu, 0.01f,
            1f, 0, 18);
        var dense = LayerDescription.Dense(2, "layers.1", 32, 1, Activation.Sigmoid, 0.01f, 1f, 20, 52);
        var net = new ForeignNetwork(inputs: 25, outputs: 1, parameters: 53, conv, dense);
        string path = _folder.File("bad.onnx");
        var error = Assert.Throws<ArgumentException>(() => net.SaveOnnx(path));
        Assert.Contains(
            "writes 4 × 4 × 2, which a 3 × 3 kernel every 1 over 5 × 5 × 1 gives only padded (0, 0, 1, 1)",
            error.Message);
        Assert.False(File.Exists(path));
        // The same layer with its true output exports.
        var right = LayerDescription.Conv2D(1, "layers.0", (5, 5, 1), (3, 3, 2), 3, 3, 1, 0, 0, Activation.Relu,
            0.01f, 1f, 0, 18);
        var rightDense = LayerDescription.Dense(2, "layers.1", 18, 1, Activation.Sigmoid, 0.01f, 1f, 20, 38);
        Assert.Null(Record.Exception(() => Onnx.Encode(new ForeignNetwork(25, 1, 39, right, rightDense))));
    }

    public static TheoryData<string, int> NetworksAndBatches()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Networks.Keys)
        {
            data.Add(name, 1);
            data.Add(name, 37);
        }
        return data;
    }

    [Fact]
    public void The_test_networks_cover_every_activation_and_every_loss()
    {
        var activations = new HashSet<Activation>();
        var losses = new HashSet<Loss>();
        foreach (Func<INetwork> make in Networks.Values)
        {
            INetwork net = make();
            losses.Add(net.Loss);
            foreach (LayerDescription layer in net.Layers) activations.Add(layer.Activation);
        }
        Assert.Equal(Enum.GetValues<Activation>().Order(), activations.Order());
        Assert.Equal(Enum.GetValues<Loss>().Order(), losses.Order());
        Assert.Contains(Networks["Leaky"]().Layers,
            l => l.Activation == Activation.LeakyRelu && l.LeakySlope == 0.3f);
    }

    [Theory]
    [MemberData(nameof(NetworksAndBatches))]
    public void OnnxRuntime_agrees_with_PredictBatch(string name, int batch)
    {
        INetwork net = Networks[name]();
        string path = _folder.File(name + ".onnx");
        net.SaveOnnx(path);
        float[] x = TestData.Uniform(batch * net.InputSize, seed: 200 + (ulong)batch, scale: 2);
        AssertAgrees(net, path, x, batch);
    }

    [Fact]
    public void A_trained_network_agrees_too()
    {
        Dataset raw = Dataset.FromCsv(TestData.PathOf("sklearn/iris.csv"), new CsvOptions { OneHot = true });
        Dataset data = Standardizer.Fit(raw).Apply(raw);
        var net = new OnnxIrisNet();
        float before = net.Cost(data.X, data.Y, data.Count);
        for (int step = 0; step < 400; step++) net.TrainStep(data.X, data.Y, data.Count, learningRate: 0.1f);
        float after = net.Cost(data.X, data.Y, data.Count);
        // Training really moved the parameters: the cost fell well below its start (ln 3 ≈ 1.1 for a guess).
        Assert.True(after < 0.5f * before && after < 0.3f, $"cost {before} → {after}: the net did not train");

        string path = _folder.File("iris.onnx");
        net.SaveOnnx(path);
        float[] probabilities = AssertAgrees(net, path, data.X.ToArray(), data.Count);
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = probabilities.AsSpan(i * 3, 3);
            if (row.IndexOf(MaxOf(row)) == data.ClassOf(i)) correct++;
        }
        // ORT classifies iris as well as the trained net does (about 97 % of the training set).
        Assert.True(correct >= 140, $"ONNX Runtime classified {correct} of 150 iris samples correctly");
    }

    [Fact]
    public void Saved_with_its_scaling_the_model_takes_raw_samples()
    {
        // Breast cancer's raw features span 0.001 to 4 254, so a model that skipped or misordered the scaling
        // (σ before μ, one feature's μ on another) would saturate or flip: the trained net's answers on raw data
        // must agree with PredictBatch on the standardised data.
        Dataset raw = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"));
        Standardizer scaling = Standardizer.Fit(raw);
        Dataset data = scaling.Apply(raw);
        var net = new OnnxCancerNet();
        for (int step = 0; step < 200; step++) net.TrainStep(data.X, data.Y, data.Count, learningRate: 0.1f);
        string path = _folder.File("cancer.onnx");
        net.SaveOnnx(path, scaling);
        // ONNX scales in float32, NetGen in double: a standardised input differs by about ε·(|x| + |μ|)/σ with
        // ε = 6e-8, and the largest (|x| + |μ|)/σ of this data is 22.7 (computed from the CSV): 1.4e-6 at most,
        // which the weights of this small net carry to the output's 1e-5 relative tolerance with room to spare, far
        // below what a missing or misordered scaling makes (outputs that differ in the first digit).
        AssertAgrees(net, path, raw.X.ToArray(), raw.Count, data.X.ToArray());
    }

    [Fact]
    public void A_scaling_of_another_width_is_refused_and_nothing_is_written()
    {
        string path = _folder.File("wrong.onnx");
        var scaling = new Standardizer([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]);
        var error = Assert.Throws<ArgumentException>(() => new OnnxCancerNet().SaveOnnx(path, scaling));
        Assert.Contains("3 features", error.Message);
        Assert.Contains("30 inputs", error.Message);
        Assert.False(File.Exists(path));
        Assert.Throws<ArgumentNullException>(() => new OnnxCancerNet().SaveOnnx(path, null!));
    }

    [Fact]
    public void OnnxRuntime_reports_the_input_and_output_names_shapes_and_metadata()
    {
        INetwork net = Networks["Leaky"]();
        string path = _folder.File("leaky.onnx");
        net.SaveOnnx(path);
        using var session = NewSession(path);
        NodeMetadata input = Assert.Single(session.InputMetadata, kv => kv.Key == "x").Value;
        Assert.Single(session.InputMetadata);
        NodeMetadata output = Assert.Single(session.OutputMetadata, kv => kv.Key == "y").Value;
        Assert.Single(session.OutputMetadata);
        Assert.Equal(TensorElementType.Float, input.ElementDataType);
        Assert.Equal(TensorElementType.Float, output.ElementDataType);
        Assert.Equal([-1, 4], input.Dimensions);          // ORT reports a symbolic dimension as −1
        Assert.Equal([-1, 3], output.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        Assert.Equal("batch", output.SymbolicDimensions[0]);
        ModelMetadata metadata = session.ModelMetadata;
        Assert.Equal("NetGen", metadata.ProducerName);
        Assert.Equal(nameof(OnnxLeakyNet), metadata.GraphName);
        Assert.Equal(OnnxLeakyNet.Architecture, metadata.CustomMetadataMap["netgen.architecture"]);
        Assert.Equal("4-6:LeakyRelu(0.3)-5:LeakyRelu(0.01)-3:Softmax/MeanSquaredError", OnnxLeakyNet.Architecture);
    }

    /// <summary>The fields ORT does not report, read back from the file by a protobuf decoder written here from
    /// onnx.proto's field numbers: IR version 8, opset 17 of the default domain, the producer's version, the nodes in
    /// order with their attributes, and the initializers' names, types, shapes and bytes.</summary>
    [Fact]
    public void The_file_holds_the_version_fields_the_nodes_and_the_parameters()
    {
        INetwork net = Networks["Leaky"]();
        string path = _folder.File("leaky.onnx");
        net.SaveOnnx(path);
        var model = Decode(File.ReadAllBytes(path));

        Assert.Equal(8UL, Single(model, 1).Number);                                     // ir_version
        Assert.Equal("NetGen", Single(model, 2).Text);                                   // producer_name
        Version assembly = typeof(INetwork).Assembly.GetName().Version!;
        Assert.Equal($"{assembly.Major}.{assembly.Minor}.{assembly.Build}", Single(model, 3).Text); // producer_version
        var opset = Decode(Single(model, 8).Bytes!);                                     // opset_import
        Assert.Equal("", Single(opset, 1).Text);
        Assert.Equal(17UL, Single(opset, 2).Number);
        var graph = Decode(Single(model, 7).Bytes!);

        var nodes = graph.Where(f => f.Field == 1).Select(f => Decode(f.Bytes!)).ToList();
        Assert.Equal(["Gemm", "LeakyRelu", "Gemm", "LeakyRelu", "Gemm", "Softmax"],
            nodes.Select(n => Single(n, 4).Text));
        Assert.Equal(["x", "layers.0.weight", "layers.0.bias"], nodes[0].Where(f => f.Field == 1).Select(f => f.Text));
        Assert.Equal("y", Single(nodes[5], 2).Text);
        var transB = Decode(Single(nodes[0], 5).Bytes!);
        Assert.Equal(("transB", 1UL, 2UL),
            (Single(transB, 1).Text, Single(transB, 3).Number, Single(transB, 20).Number)); // INT attribute = 2
        var alpha = Decode(Single(nodes[1], 5).Bytes!);
        Assert.Equal("alpha", Single(alpha, 1).Text);
        Assert.Equal((ulong)BitConverter.SingleToUInt32Bits(0.3f), Single(alpha, 2).Number); // fixed32, bit for bit
        Assert.Equal(1UL, Single(alpha, 20).Number);
        var defaultAlpha = Decode(Single(nodes[3], 5).Bytes!);
        Assert.Equal((ulong)BitConverter.SingleToUInt32Bits(0.01f), Single(defaultAlpha, 2).Number);
        var axis = Decode(Single(nodes[5], 5).Bytes!);
        Assert.Equal("axis", Single(axis, 1).Text);
        Assert.Equal(-1L, (long)Single(axis, 3).Number);                                // ten-byte varint

        var initializers = graph.Where(f => f.Field == 5).Select(f => Decode(f.Bytes!)).ToList();
        Assert.Equal(6, initializers.Count);
        int offset = 0;
        int[][] shapes = [[6, 4], [6], [5, 6], [5], [3, 5], [3]];
        string[] names = ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight",
            "layers.2.bias"];
        for (int t = 0; t < 6; t++)
        {
            var tensor = initializers[t];
            Assert.Equal(names[t], Single(tensor, 8).Text);
            Assert.Equal(1UL, Single(tensor, 2).Number);                                 // FLOAT
            Assert.Equal(shapes[t].Select(d => (ulong)d), tensor.Where(f => f.Field == 1).Select(f => f.Number));
            int length = shapes[t].Aggregate(1, (a, b) => a * b);
            byte[] raw = Single(tensor, 9).Bytes!;
            Assert.Equal(length * 4, raw.Length);
            for (int i = 0; i < length; i++)
                Assert.Equal(net.Parameters[offset + i], BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4)));
            offset += length;
        }
        Assert.Equal(net.ParameterCount, offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_path_is_refused(string? path)
    {
        INetwork net = Networks["Linear"]();
        var error = Assert.ThrowsAny<ArgumentException>(() => net.SaveOnnx(path!));
        Assert.Equal("path", error.ParamName);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void A_path_in_a_missing_folder_throws_and_leaves_no_file()
    {
        INetwork net = Networks["Linear"]();
        string folder = Path.Combine(_folder.Path, "missing");
        Assert.Throws<DirectoryNotFoundException>(() => net.SaveOnnx(Path.Combine(folder, "model.onnx")));
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void A_path_that_is_a_folder_throws_and_leaves_it_as_it_was()
    {
        INetwork net = Networks["Linear"]();
        string folder = Directory.CreateDirectory(Path.Combine(_folder.Path, "model.onnx")).FullName;
        Assert.ThrowsAny<IOException>(() => net.SaveOnnx(folder));
        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal([folder], Directory.EnumerateFileSystemEntries(_folder.Path));    // no temporary file left
    }

    [Fact]
    public void A_failure_midway_leaves_the_old_file_whole_and_no_temporary_file()
    {
        string path = _folder.File("model.onnx");
        byte[] old = [1, 2, 3, 4];
        File.WriteAllBytes(path, old);
        INetwork net = Networks["Wide"]();
        var error = Assert.Throws<IOException>(
            () => Onnx.Save(net, path, stream => new PersistFailingStream(stream, limit: 1000)));
        Assert.Contains("simulated failure", error.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void A_network_whose_layers_disagree_with_it_is_refused_by_name_and_nothing_is_written()
    {
        string path = _folder.File("model.onnx");
        byte[] old = [9, 9];
        File.WriteAllBytes(path, old);
        // Layer 2 claims 5 inputs where layer 1 writes 4.
        var net = new ForeignNetwork(inputs: 3, outputs: 1, parameters: 21, First,
            LayerDescription.Dense(2, "layers.1", 5, 1, Activation.Sigmoid, 0.01f, 1f, 16, 21));
        var error = Assert.Throws<ArgumentException>(() => net.SaveOnnx(path));
        Assert.Contains(nameof(ForeignNetwork), error.Message);
        Assert.Contains("reads 5 inputs, but the layer below writes 4", error.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    /// <summary>Layer lists that do not describe the network (what a hand-written <c>INetwork.Layers</c> could return)
    /// are refused with the fault named, before a byte is encoded: the checks every save makes.</summary>
    [Theory]
    [InlineData("inputs", "reads 2 inputs, but the network's InputSize is 3")]
    [InlineData("outputs", "its last layer writes 2 outputs, but its OutputSize is 1")]
    [InlineData("weights", "the parameters [16, 18) before W2 belong to no layer")]
    [InlineData("bias", "the parameters [20, 21) before b2 belong to no layer")]
    [InlineData("none", "its Layers are empty")]
    public void Layers_that_do_not_describe_the_network_are_refused(string fault, string expected)
    {
        // The 3-4-1 net: W1 4×3 at 0, b1 at 12, W2 1×4 at 16, b2 at 20 (21 parameters).
        LayerDescription[] layers = fault switch
        {
            "inputs" => [LayerDescription.Dense(1, "layers.0", 2, 4, Activation.Tanh, 0.01f, 1f, 0, 8), Second],
            "outputs" => [First, LayerDescription.Dense(2, "layers.1", 4, 2, Activation.Sigmoid, 0.01f, 1f, 16, 24)],
            "weights" => [First, LayerDescription.Dense(2, "layers.1", 4, 1, Activation.Sigmoid, 0.01f, 1f, 18, 22)],
            "bias" => [First, LayerDescription.Dense(2, "layers.1", 4, 1, Activation.Sigmoid, 0.01f, 1f, 16, 21)],
            _ => [],
        };
        var net = new ForeignNetwork(inputs: 3, outputs: 1, parameters: 21, layers);
        var error = Assert.Throws<ArgumentException>(() => Onnx.Encode(net));
        Assert.Contains(expected, error.Message);
        Assert.Contains(nameof(ForeignNetwork), error.Message);
        Assert.Null(Record.Exception(() => Onnx.Encode(new ForeignNetwork(inputs: 3, outputs: 1, parameters: 21,
            First, Second))));
    }

    [Fact]
    public void A_parameter_block_of_another_length_than_ParameterCount_is_refused()
    {
        var net = new ForeignNetwork(inputs: 3, outputs: 1, parameters: 21, First, Second) { ParameterBlock = 20 };
        var error = Assert.Throws<NotSupportedException>(() => Onnx.Encode(net));
        Assert.Contains("has 20 parameters where its ParameterCount says 21", error.Message);
    }

    [Fact]
    public void Parameters_past_the_protobuf_limit_are_refused_before_anything_is_read()
    {
        // 40000 × 15000 weights = 2.4 GB of float32: more than one protobuf message may hold. Parameters is empty, so
        // reaching the encoder would fail another way.
        var net = new ForeignNetwork(inputs: 40000, outputs: 15000, parameters: 40000 * 15000 + 15000,
            LayerDescription.Dense(1, "layers.0", 40000, 15000, Activation.Linear, 0.01f, 1f, 0, 40000 * 15000))
        {
            ParameterBlock = 0,
        };
        var error = Assert.Throws<NotSupportedException>(() => Onnx.Encode(net));
        Assert.Contains("protobuf", error.Message);
        Assert.Contains("2400060000 bytes", error.Message);
    }

    private static readonly LayerDescription First =
        LayerDescription.Dense(1, "layers.0", 3, 4, Activation.Tanh, 0.01f, 1f, 0, 12);

    private static readonly LayerDescription Second =
        LayerDescription.Dense(2, "layers.1", 4, 1, Activation.Sigmoid, 0.01f, 1f, 16, 20);

    // ---- helpers ----

    private static InferenceSession NewSession(string path)
    {
        // One thread: the machine's cores are shared with other test runs.
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(path, options);
    }

    /// <summary>Runs the model at <paramref name="path"/> in ORT on <paramref name="x"/> (m rows) and checks each
    /// output against PredictBatch (and, for m = 1, Predict): |ort − netgen| ≤ 1e-5·|netgen| + 1e-6. The absolute
    /// floor is for outputs near 0: ORT's Gemm sums a row's products in another order than NetGen's kernels, so each
    /// carries a rounding of about ε·Σ|w·a| (ε = 1.2e-7, the terms here of order 1), which is not small relative
    /// to a sum that cancels to nearly 0. Seen here: a tanh output of −0.0049750 on which the two differ by 1.3e-7,
    /// 2.7e-5 relative. 1e-6 stays far below the error of a wrong slope, softmax axis or activation, each of which
    /// these tests were seen to catch. Returns ORT's outputs.</summary>
    private static float[] AssertAgrees(INetwork net, string path, float[] x, int m, float[]? scaled = null)
    {
        // With a scaling in the model, ORT reads the raw x and the network the standardised one.
        float[] netInput = scaled ?? x;
        var expected = new float[m * net.OutputSize];
        net.PredictBatch(netInput, expected, m);
        using var session = NewSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(x, [m, net.InputSize]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { "x" }, new[] { input }, new[] { "y" });
        OrtValue y = outputs.Single();
        Assert.Equal(new long[] { m, net.OutputSize }, y.GetTensorTypeAndShape().Shape);
        float[] actual = y.GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * Math.Abs(expected[i]) + 1e-6;
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"{net.GetType().Name}, batch {m}, sample {i / net.OutputSize}, output {i % net.OutputSize}: " +
                $"ONNX Runtime {actual[i]:R}, PredictBatch {expected[i]:R}");
        }
        if (m == 1)
        {
            var one = new float[net.OutputSize];
            net.Predict(netInput, one);
            for (int j = 0; j < one.Length; j++)
                Assert.True(Math.Abs(actual[j] - one[j]) <= 1e-5 * Math.Abs(one[j]) + 1e-6,
                    $"{net.GetType().Name}, output {j}: ONNX Runtime {actual[j]:R}, Predict {one[j]:R}");
        }
        // Outputs that were all the same (a saturated or dead net) would make the comparison say little.
        if (expected.Length > 1) Assert.True(expected.Distinct().Count() > 1, "every output is " + expected[0]);
        return actual;
    }

    private static float MaxOf(ReadOnlySpan<float> row)
    {
        float max = row[0];
        foreach (float v in row) max = Math.Max(max, v);
        return max;
    }

    /// <summary>One protobuf field: its number, a varint or fixed32 value, or a length-delimited payload.</summary>
    private sealed record ProtoField(int Field, ulong Number, byte[]? Bytes)
    {
        public string Text => Encoding.UTF8.GetString(
            Bytes ?? throw new InvalidDataException($"field {Field} is not length-delimited"));
    }

    /// <summary>Splits a protobuf message into its fields (wire types 0, 2 and 5, all that ONNX export
    /// writes).</summary>
    private static List<ProtoField> Decode(byte[] message)
    {
        var fields = new List<ProtoField>();
        int i = 0;
        while (i < message.Length)
        {
            ulong tag = ReadVarint(message, ref i);
            int field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    fields.Add(new ProtoField(field, ReadVarint(message, ref i), null));
                    break;
                case 2:
                    int length = checked((int)ReadVarint(message, ref i));
                    fields.Add(new ProtoField(field, 0, message.AsSpan(i, length).ToArray()));
                    i += length;
                    break;
                case 5:
                    uint bits = BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(i, 4));
                    fields.Add(new ProtoField(field, bits, null));
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {tag & 7} of field {field} at byte {i}");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] bytes, ref int i)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    private static ProtoField Single(List<ProtoField> fields, int number)
        => Assert.Single(fields, f => f.Field == number);

    /// <summary>A network written by hand, described by the layers it is given (right or wrong).</summary>
    private sealed class ForeignNetwork(int inputs, int outputs, int parameters, params LayerDescription[] layers)
        : INetwork
    {
        private float[]? _parameters;
        public int ParameterBlock { get; init; } = parameters;
        public int InputSize => inputs;
        public int OutputSize => outputs;
        public int LayerCount => layers.Length;
        public int ParameterCount { get; } = parameters;
        public string Architecture => "written by hand";
        public Loss Loss => Loss.BinaryCrossEntropy;
        public IReadOnlyList<LayerDescription> Layers => layers;
        public Span<float> Parameters => _parameters ??= new float[ParameterBlock];
        public void Predict(ReadOnlySpan<float> x, Span<float> y) => throw new NotSupportedException();
        public void PredictBatch(ReadOnlySpan<float> X, Span<float> Y, int m) => throw new NotSupportedException();
        public float Cost(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m) => throw new NotSupportedException();
        public float ComputeGradients(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, Span<float> gradients)
            => throw new NotSupportedException();
        public float TrainStep(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, float learningRate)
            => throw new NotSupportedException();
    }
}
