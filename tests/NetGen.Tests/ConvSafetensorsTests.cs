using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Tests.Reference;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// Conv networks in weight files (issue 14 item 4): safetensors holds a conv layer's W as the 4-D (filters, c_in, kh, kw)
/// tensor of PyTorch's Conv2d and a pool as nothing; a PyTorch nn.Sequential's file loads unchanged; the parameter
/// file stores them too (its version 3).
/// </summary>
public sealed class ConvSafetensorsTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void LeNet5_round_trips_through_safetensors_with_4D_conv_tensors()
    {
        var net = new LeNet5(seed: 5);
        for (int j = 0; j < net.B3.Length; j++) net.B3[j] = 0.01f * j; // biases that are not all 0
        string path = _folder.File("lenet.safetensors");
        net.SaveSafetensors(path);

        string header = Header(path);
        Assert.Contains("\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[6,1,5,5]", header, StringComparison.Ordinal);
        Assert.Contains("\"layers.2.weight\":{\"dtype\":\"F32\",\"shape\":[16,6,5,5]", header, StringComparison.Ordinal);
        Assert.Contains("\"layers.4.weight\":{\"dtype\":\"F32\",\"shape\":[120,400]", header, StringComparison.Ordinal);
        Assert.DoesNotContain("layers.1.", header, StringComparison.Ordinal); // a pool has no tensor
        Assert.DoesNotContain("layers.3.", header, StringComparison.Ordinal);

        var other = new LeNet5(seed: 6);
        Assert.NotEqual(net.Parameters.ToArray(), other.Parameters.ToArray());
        other.LoadSafetensors(path);
        Assert.Equal(net.Parameters.ToArray(), other.Parameters.ToArray());
    }

    [Fact]
    public void A_PyTorch_Sequential_conv_flatten_dense_file_loads_and_predicts_as_float64()
    {
        // nn.Sequential(Conv2d(2, 3, (3, 2), stride=2), Tanh(), AvgPool2d(2, stride=1), Flatten(), Linear(12, 2),
        // Softmax) as PyTorch's save_file writes it: modules 0 and 4 hold the tensors, in PyTorch's own layouts.
        float[] w0 = TestData.Uniform(3 * 2 * 3 * 2, 31), b0 = TestData.Uniform(3, 32);
        float[] w4 = TestData.Uniform(2 * 12, 33), b4 = TestData.Uniform(2, 34);
        string path = Write("torch.safetensors",
            ("0.bias", new[] { 3 }, b0), ("0.weight", new[] { 3, 2, 3, 2 }, w0),
            ("4.bias", new[] { 2 }, b4), ("4.weight", new[] { 2, 12 }, w4));
        var net = new ConvStrideNet();
        net.LoadSafetensors(path);
        Assert.Equal(w0, net.W1.ToArray());
        Assert.Equal(w4, net.W3.ToArray());

        // The reference reads W and b in the same PyTorch layouts and a sample as h × w × c, independently.
        var r = new ReferenceNetwork((7, 6, 2), Loss.CrossEntropy, LayerSpec.Conv(3, 3, 2, Activation.Tanh, stride: 2),
            LayerSpec.Pool(LayerKind.AveragePool, 2, 1), new LayerSpec(2, Activation.Softmax));
        double[] theta = w0.Concat(b0).Concat(w4).Concat(b4).Select(v => (double)v).ToArray();
        const int m = 4;
        float[] X = TestData.Uniform(m * ConvStrideNet.InputSize, 35);
        double[] expected = r.Forward(theta, X.Select(v => (double)v).ToArray(), m).A[3];
        var Y = new float[m * 2];
        net.PredictBatch(X, Y, m);
        for (int t = 0; t < Y.Length; t++)
            Assert.True(Math.Abs(Y[t] - expected[t]) <= 1e-6, $"output {t}: {Y[t]:R}, float64 {expected[t]:R}");
    }

    [Fact]
    public void A_conv_tensor_of_the_wrong_shape_is_refused_and_changes_nothing()
    {
        // A dense-shaped 0.weight (3, 12) where the conv layer needs (3, 2, 3, 2): the same 36 floats, so only the
        // shape check can catch it.
        string path = Write("flat.safetensors",
            ("0.weight", new[] { 3, 12 }, TestData.Uniform(36, 41)), ("0.bias", new[] { 3 }, new float[3]),
            ("4.weight", new[] { 2, 12 }, new float[24]), ("4.bias", new[] { 2 }, new float[2]));
        var net = new ConvStrideNet();
        float[] before = net.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(path));
        Assert.Contains("0.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 12]", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void The_parameter_file_round_trips_a_conv_network()
    {
        // It refused conv networks until its version 3, whose header gives each layer's kind and 4-D W
        // (ConvParameterFileTests checks the layout and the refusals).
        var net = new LeNet5(seed: 5);
        for (int j = 0; j < net.B3.Length; j++) net.B3[j] = 0.01f * j;
        string parameters = _folder.File("lenet.ngp");
        net.SaveParameters(parameters);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(parameters).AsSpan(8)));
        var other = new LeNet5(seed: 6);
        Assert.NotEqual(net.Parameters.ToArray(), other.Parameters.ToArray());
        other.LoadParameters(parameters);
        Assert.Equal(net.Parameters.ToArray(), other.Parameters.ToArray());
    }

    private static string Header(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return Encoding.UTF8.GetString(bytes, 8, length);
    }

    /// <summary>A safetensors file of F32 tensors by hand, in the given order.</summary>
    private string Write(string name, params (string Name, int[] Shape, float[] Values)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var t in tensors)
        {
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{t.Name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", t.Shape)}],"
                + $"\"data_offsets\":[{offset},{offset + 4 * t.Values.Length}]}}");
            offset += 4 * t.Values.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        var bytes = new List<byte>(new byte[8]);
        BinaryPrimitives.WriteUInt64LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), (ulong)json.Length);
        bytes.AddRange(json);
        foreach (var t in tensors)
            foreach (float v in t.Values)
            {
                var four = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(four, v);
                bytes.AddRange(four);
            }
        string path = _folder.File(name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }
}

/// <summary>The public factories of conv and pool descriptions check what they are given.</summary>
public sealed class ConvLayerDescriptionTests
{
    [Fact]
    public void Conv2D_and_Pool_describe_their_shapes_and_parameters()
    {
        LayerDescription conv = LayerDescription.Conv2D(1, "conv1", (28, 28, 1), (28, 28, 6), 5, 5, 1, 2, 2,
            Activation.Relu, 0.01f, 1f, 0, 150);
        Assert.Equal((LayerKind.Conv2D, 784, 4704, 150, 6), (conv.Kind, conv.InputSize, conv.OutputSize, conv.WeightLength, conv.BiasLength));
        Assert.Equal(new[] { 6, 1, 5, 5 }, conv.WeightShape.ToArray());
        LayerDescription pool = LayerDescription.Pool(LayerKind.AveragePool, 2, "layers.1", (28, 28, 6), (14, 14, 6), 2, 2, 2, 1f);
        Assert.Equal((1176, 0, 0), (pool.OutputSize, pool.WeightLength, pool.BiasLength));
        Assert.True(pool.WeightShape.IsEmpty);
        LayerDescription dense = LayerDescription.Dense(3, "fc", 1176, 10, Activation.Softmax, 0.01f, 1f, 150 + 6, 150 + 6 + 11760);
        Assert.Equal(((1, 1, 1176), (1, 1, 10)), (dense.InputShape, dense.OutputShape));
    }

    [Fact]
    public void Conv2D_and_Pool_refuse_what_cannot_be_a_layer()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerDescription.Conv2D(1, "c", (28, 28, 1), (28, 28, 6), 5, 0, 1, 2, 2,
            Activation.Relu, 0.01f, 1f, 0, 150)); // kernel width 0
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerDescription.Conv2D(1, "c", (28, 28, 1), (28, 28, 6), 5, 5, 1, -1, 2,
            Activation.Relu, 0.01f, 1f, 0, 150)); // negative padding
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerDescription.Pool(LayerKind.Dense, 2, "p", (4, 4, 2), (2, 2, 2), 2, 2, 2, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerDescription.Pool(LayerKind.MaxPool, 2, "p", (4, 4, 2), (2, 2, 3), 2, 2, 2, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerDescription.Pool(LayerKind.MaxPool, 2, "p", (4, 4, 2), (2, 2, 2), 2, 2, 2, 0f));
        Assert.Throws<ArgumentNullException>(() => LayerDescription.Pool(LayerKind.MaxPool, 2, null!, (4, 4, 2), (2, 2, 2), 2, 2, 2, 1f));
    }
}
