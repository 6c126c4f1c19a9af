using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Tests;

/// <summary>A network written by hand, not generated: its <see cref="INetwork.Architecture"/> is free text, its
/// parameters are laid out W1, W2, then b1, b2 (not the generated W1, b1, W2, b2), and it describes itself through
/// <see cref="INetwork.Layers"/> alone. 3 → 2 → 1: W1 2×3 at 0, W2 1×2 at 6, b1 2 at 8, b2 1 at 10.</summary>
internal sealed class HandWrittenNetwork : INetwork
{
    private readonly float[] _parameters;

    public HandWrittenNetwork(IReadOnlyList<LayerDescription>? layers = null, int parameterCount = 11, int layerCount = 2)
    {
        Layers = layers ??
        [
            LayerDescription.Dense(1, "hidden", 3, 2, Activation.Relu, 0.01f, 1f, weightOffset: 0, biasOffset: 8),
            LayerDescription.Dense(2, "head", 2, 1, Activation.Linear, 0.01f, 1f, weightOffset: 6, biasOffset: 10),
        ];
        ParameterCount = parameterCount;
        LayerCount = layerCount;
        _parameters = new float[parameterCount];
    }

    public int InputSize => 3;
    public int OutputSize => 1;
    public int LayerCount { get; }
    public int ParameterCount { get; }
    public string Architecture => "my net";
    public Loss Loss => Loss.MeanSquaredError;
    public IReadOnlyList<LayerDescription> Layers { get; }
    public Span<float> Parameters => _parameters;
    public void Predict(ReadOnlySpan<float> x, Span<float> y) => throw new NotSupportedException();
    public void PredictBatch(ReadOnlySpan<float> X, Span<float> Y, int m) => throw new NotSupportedException();
    public float Cost(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m) => throw new NotSupportedException();
    public float ComputeGradients(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, Span<float> gradients)
        => throw new NotSupportedException();
    public float TrainStep(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m, float learningRate)
        => throw new NotSupportedException();
}

/// <summary>Issue 12 item 5 and issue 13 item 3: persistence reads <see cref="INetwork.Layers"/>, not the Architecture
/// string, and <see cref="Safetensors.LoadSafetensors(INetwork, string)"/> finds a layer's tensors by NetGen's names,
/// by declared names, or in a PyTorch nn.Sequential state dict, converting F16, BF16 and F64.</summary>
public sealed class SafetensorsNamesTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();
    public void Dispose() => _folder.Dispose();

    private static int[] Bits(ReadOnlySpan<float> values) => ScalingPersistenceTests.Bits(values);

    /// <summary>A safetensors file by hand, tensors in the given order, each right after the one before.</summary>
    private string Write(string name, params (string Name, string Dtype, int[] Shape, byte[] Data)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var t in tensors)
        {
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{t.Name}\":{{\"dtype\":\"{t.Dtype}\",\"shape\":[{string.Join(",", t.Shape)}],"
                + $"\"data_offsets\":[{offset},{offset + t.Data.Length}]}}");
            offset += t.Data.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        var bytes = new List<byte>(new byte[8]);
        BinaryPrimitives.WriteUInt64LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), (ulong)json.Length);
        bytes.AddRange(json);
        foreach (var t in tensors) bytes.AddRange(t.Data);
        string path = _folder.File(name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    private static byte[] F32(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] U16(params ushort[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        return bytes;
    }

    private static byte[] F64(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    /// <summary>start, start + 1, … as floats.</summary>
    private static float[] Count(int start, int length) => Enumerable.Range(start, length).Select(i => (float)i).ToArray();

    /// <summary>The load is refused with an <see cref="InvalidDataException"/> and the parameters stay as they were.</summary>
    private static string Refused(INetwork net, string path)
    {
        int[] before = Bits(net.Parameters);
        var ex = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(path));
        Assert.Equal(before, Bits(net.Parameters));
        Assert.Contains($"Cannot load '{path}'", ex.Message);
        return ex.Message;
    }

    // ---- any INetwork that describes itself ----

    [Fact]
    public void A_hand_written_network_round_trips_bit_for_bit_through_its_Layers()
    {
        var net = new HandWrittenNetwork();
        float[] tricky = [1.5f, -0f, float.Epsilon, -float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC00123),
            float.PositiveInfinity, 3.25f, -7f, 0.1f, 1e-30f, 42f];
        tricky.CopyTo(net.Parameters);
        string path = _folder.File("my.safetensors");
        net.SaveSafetensors(path);

        // The header names each layer's tensors after its Name, with its shape and its own bytes.
        byte[] bytes = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, n);
        Assert.Contains("\"netgen.architecture\":\"my net\"", header);
        Assert.Contains("\"hidden.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", header);
        Assert.Contains("\"head.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[24,32]}", header);
        Assert.Contains("\"hidden.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}", header);
        Assert.Contains("\"head.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[40,44]}", header);
        Assert.Equal(Bits(tricky), Bits(MemoryMarshalCast(bytes.AsSpan(8 + n))));

        var back = new HandWrittenNetwork();
        back.LoadSafetensors(path);
        Assert.Equal(Bits(tricky), Bits(back.Parameters));

        // The .ngp format too: the free-text architecture is its identity, the shapes come from Layers.
        string ngp = _folder.File("my.ngp");
        net.SaveParameters(ngp);
        var fromNgp = new HandWrittenNetwork();
        fromNgp.LoadParameters(ngp);
        Assert.Equal(Bits(tricky), Bits(fromNgp.Parameters));
        Assert.Throws<InvalidDataException>(() => new PersistNet().LoadParameters(ngp));
    }

    private static float[] MemoryMarshalCast(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i));
        return values;
    }

    public static TheoryData<string, string> Inconsistent => new()
    {
        { "count", "it has 2 Layers but a LayerCount of 3" },
        { "chain", "Layers[1] (layer 2 (head): dense 3 → 1, Linear) reads 3 inputs, but the layer below writes 2" },
        { "overlap", "W2 [6, 8) overlaps the parameters before it, which end at 8" },
        { "parameters", "its layers' parameters add up to 11 floats, but its ParameterCount is 12" },
        { "names", "two layers are named \"same\"" },
        { "bad name", "the name \"a b\" of Layers[0] (layer 1 (a b): dense 3 → 2, Relu) holds whitespace" },
        { "empty", "its Layers are empty" },
    };

    [Theory]
    [MemberData(nameof(Inconsistent))]
    public void A_network_whose_Layers_disagree_with_its_sizes_gets_a_clear_exception_and_nothing_is_written(string fault, string message)
    {
        LayerDescription Hidden(string name = "hidden", int biasOffset = 8)
            => LayerDescription.Dense(1, name, 3, 2, Activation.Relu, 0.01f, 1f, 0, biasOffset);
        LayerDescription Head(string name = "head", int inputs = 2)
            => LayerDescription.Dense(2, name, inputs, 1, Activation.Linear, 0.01f, 1f, 6, 10);
        HandWrittenNetwork net = fault switch
        {
            "count" => new HandWrittenNetwork(layerCount: 3),
            "chain" => new HandWrittenNetwork([Hidden(), Head(inputs: 3)]),
            "overlap" => new HandWrittenNetwork([Hidden(biasOffset: 6), Head()]),
            "parameters" => new HandWrittenNetwork(parameterCount: 12),
            "names" => new HandWrittenNetwork([Hidden("same"), Head("same")]),
            "bad name" => new HandWrittenNetwork([Hidden("a b"), Head()]),
            _ => new HandWrittenNetwork([]),
        };
        string st = _folder.File("x.safetensors"), ngp = _folder.File("x.ngp");
        var e = Assert.Throws<ArgumentException>(() => net.SaveSafetensors(st));
        Assert.Equal("net", e.ParamName);
        Assert.Contains("HandWrittenNetwork describes its layers inconsistently: " + message, e.Message);
        Assert.Throws<ArgumentException>(() => net.SaveParameters(ngp));
        Assert.False(File.Exists(st));
        Assert.False(File.Exists(ngp));
        Assert.Empty(Directory.GetFiles(_folder.Path)); // no temporary file left either
        Assert.Throws<ArgumentException>(() => net.LoadSafetensors(st));
    }

    // ---- names: NetGen's, declared, PyTorch's nn.Sequential ----

    [Fact]
    public void Declared_names_are_saved_and_NetGen_names_or_a_Sequential_load_into_them()
    {
        var net = new NamedIrisNet(3);
        string path = _folder.File("named.safetensors");
        net.SaveSafetensors(path);
        byte[] bytes = File.ReadAllBytes(path);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Contains("\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[16,4],\"data_offsets\":[0,256]}", header);
        Assert.Contains("\"fc1.bias\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[256,320]}", header);
        Assert.Contains("\"out.weight\":{\"dtype\":\"F32\",\"shape\":[3,16],\"data_offsets\":[320,512]}", header);
        Assert.Contains("\"out.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[512,524]}", header);
        Assert.DoesNotContain("layers.", header);
        var back = new NamedIrisNet(4);
        back.LoadSafetensors(path);
        Assert.Equal(Bits(net.Parameters), Bits(back.Parameters));

        // The same parameters under NetGen's names (an IrisShapeNet's file) load into the named layers…
        var plain = new IrisShapeNet(5);
        string plainPath = _folder.File("plain.safetensors");
        plain.SaveSafetensors(plainPath);
        var named = new NamedIrisNet(6);
        named.LoadSafetensors(plainPath);
        Assert.Equal(Bits(plain.Parameters), Bits(named.Parameters));
        // …and the named file into the unnamed network? No: its names are neither layers.{i} nor a Sequential's.
        Assert.Contains("named.safetensors holds none of the layers' tensors: looked for layers.0.weight, layers.1.weight "
            + "and for a PyTorch nn.Sequential's 0.weight, 2.weight, …", Refused(new IrisShapeNet(7), path));
    }

    [Fact]
    public void A_PyTorch_Sequential_state_dict_loads_module_by_module_whatever_the_gaps_and_ignores_the_rest()
    {
        // nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(), nn.Linear(16, 3)): the Linear modules are 0 and 3.
        // Beside them a buffer and a scalar counter of a norm layer's kind, and optimizer state: none is a layer.
        float[] w1 = Count(1, 64), b1 = Count(100, 16), w2 = Count(200, 48), b2 = Count(300, 3);
        string path = Write("torch.safetensors",
            ("3.bias", "F32", [3], F32(b2)),
            ("1.running_mean", "F32", [16], F32(new float[16])),
            ("1.num_batches_tracked", "I64", [], new byte[8]),
            ("0.weight", "F32", [16, 4], F32(w1)),
            ("optimizer.state.0.exp_avg", "F32", [16, 4], F32(new float[64])),
            ("0.bias", "F32", [16], F32(b1)),
            ("3.weight", "F32", [3, 16], F32(w2)));
        var net = new IrisShapeNet(1);
        net.LoadSafetensors(path);
        Assert.Equal(w1.Concat(b1).Concat(w2).Concat(b2), net.Parameters.ToArray());

        // Module indices sort as numbers, not as text: 10 comes after 9.
        string far = Write("far.safetensors",
            ("10.weight", "F32", [3, 16], F32(w2)), ("10.bias", "F32", [3], F32(b2)),
            ("9.weight", "F32", [16, 4], F32(w1)), ("9.bias", "F32", [16], F32(b1)));
        var second = new IrisShapeNet(2);
        second.LoadSafetensors(far);
        Assert.Equal(w1.Concat(b1).Concat(w2).Concat(b2), second.Parameters.ToArray());
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named_with_the_file_the_shape_found_and_the_shape_needed()
    {
        // The issue's own example: a Linear(4, 8) where the network has 16 units.
        string path = Write("iris.safetensors",
            ("0.weight", "F32", [8, 4], F32(new float[32])), ("0.bias", "F32", [8], F32(new float[8])),
            ("2.weight", "F32", [3, 8], F32(new float[24])), ("2.bias", "F32", [3], F32(new float[3])));
        string message = Refused(new IrisShapeNet(1), path);
        Assert.Contains("0.weight is [8, 4] in iris.safetensors, but layer 1 needs W1: 16 × 4", message);

        string bias = Write("iris.safetensors",
            ("0.weight", "F32", [16, 4], F32(new float[64])), ("0.bias", "F32", [15], F32(new float[15])),
            ("2.weight", "F32", [3, 16], F32(new float[48])), ("2.bias", "F32", [3], F32(new float[3])));
        Assert.Contains("0.bias is [15] in iris.safetensors, but layer 1 needs b1: 16", Refused(new IrisShapeNet(1), bias));

        // A missing tensor names what was looked for.
        string missing = Write("iris.safetensors",
            ("0.weight", "F32", [16, 4], F32(new float[64])), ("0.bias", "F32", [16], F32(new float[16])),
            ("2.weight", "F32", [3, 16], F32(new float[48])));
        Assert.Contains("layer 2 needs b2: 3 as 2.bias (by a PyTorch nn.Sequential's numbering), which iris.safetensors "
            + "does not hold", Refused(new IrisShapeNet(1), missing));
        string named = Write("named.safetensors",
            ("fc1.weight", "F32", [16, 4], F32(new float[64])), ("fc1.bias", "F32", [16], F32(new float[16])));
        Assert.Contains("layer 2 needs W2: 3 × 16 as out.weight (by the layers' names), which named.safetensors does not hold",
            Refused(new NamedIrisNet(1), named));

        // One module with a weight too many (a norm layer's weight between the Linear ones).
        string extra = Write("iris.safetensors",
            ("0.weight", "F32", [16, 4], F32(new float[64])), ("0.bias", "F32", [16], F32(new float[16])),
            ("1.weight", "F32", [16], F32(new float[16])),
            ("2.weight", "F32", [3, 16], F32(new float[48])), ("2.bias", "F32", [3], F32(new float[3])));
        Assert.Contains("iris.safetensors holds 3 PyTorch nn.Sequential modules with a weight (0.weight, 1.weight, 2.weight), "
            + "but the network has 2 layers with parameters", Refused(new IrisShapeNet(1), extra));
    }

    [Fact]
    public void Half_bfloat16_and_double_tensors_are_converted_to_float32()
    {
        // By hand: F16 1.5 = 0x3E00, −2 = 0xC000, 1/3 ≈ 0x3555 = 0.333251953125, the smallest subnormal 0x0001 = 2⁻²⁴,
        // +∞ = 0x7C00, −0 = 0x8000, 65504 = 0x7BFF (the largest half); BF16 1.5 = 0x3FC0, −3.140625 = 0xC049.
        ushort[] half = [0x3E00, 0xC000, 0x3555, 0x0001, 0x7C00, 0x8000, 0x7BFF, 0x3E00, 0xC000, 0x3555, 0x0001, 0x7C00];
        float[] halfValues = [1.5f, -2f, 0.333251953125f, MathF.Pow(2, -24), float.PositiveInfinity, -0f, 65504f,
            1.5f, -2f, 0.333251953125f, MathF.Pow(2, -24), float.PositiveInfinity];
        string path = Write("half.safetensors",
            ("layers.0.weight", "F16", [4, 3], U16(half)),
            ("layers.0.bias", "BF16", [4], U16(0x3FC0, 0xC049, 0x0000, 0x8000)),
            ("layers.1.weight", "F64", [1, 4], F64(1.5, 0.1, 1e300, -1e-50)),
            ("layers.1.bias", "F64", [1], F64(-2.5)));
        var net = new PersistNet(1);
        net.LoadSafetensors(path);
        float[] expected = [.. halfValues, 1.5f, -3.140625f, 0f, -0f, 1.5f, 0.1f, float.PositiveInfinity, -0f, -2.5f];
        Assert.Equal(Bits(expected), Bits(net.Parameters));

        // A NaN half keeps its payload in the float's upper mantissa bits.
        Assert.Equal(0x7FC02000, BitConverter.SingleToInt32Bits(TensorNames.HalfToSingle(0x7E01)));
        // Every finite half agrees with .NET's own conversion.
        for (int bits = 0; bits < 0x10000; bits++)
        {
            float mine = TensorNames.HalfToSingle((ushort)bits), reference = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            Assert.True(BitConverter.SingleToInt32Bits(mine) == BitConverter.SingleToInt32Bits(reference) || float.IsNaN(reference),
                $"0x{bits:X4}: {mine} vs {reference}");
        }
    }
}
