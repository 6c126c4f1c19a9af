using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Tests;

/// <summary>Issue 11: the safetensors export carries the scaling (Deliver 4), and every malformed header is an
/// <see cref="InvalidDataException"/> with the parameters unchanged (Deliver 9: 242 single-bit flips used to give an
/// <see cref="InvalidOperationException"/>, and overlapping ranges and a second <c>__metadata__</c> were accepted).</summary>
public sealed class SafetensorsTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();
    public void Dispose() => _folder.Dispose();

    private static int[] Bits(ReadOnlySpan<float> values) => ScalingPersistenceTests.Bits(values);
    private static long[] Bits(ReadOnlySpan<double> values) => ScalingPersistenceTests.Bits(values);
    private static string Refused(string path) => ScalingPersistenceTests.Refused(path, safetensors: true);

    /// <summary>The header of <see cref="PersistNet"/> saved with a scaling, as the remarks of <see cref="Safetensors"/> give it.</summary>
    private const string ScaledHeader =
        "{\"__metadata__\":{\"netgen.architecture\":\"3-4:Tanh-1:Sigmoid/BinaryCrossEntropy\"," +
        "\"netgen.scaling\":\"(x - scaling.mean) / scaling.deviation\"}," +
        "\"scaling.mean\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}," +
        "\"scaling.deviation\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[24,48]}," +
        "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[48,96]}," +
        "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[96,112]}," +
        "\"layers.1.weight\":{\"dtype\":\"F32\",\"shape\":[1,4],\"data_offsets\":[112,128]}," +
        "\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[128,132]}}";

    /// <summary>The four layer tensors of <see cref="PersistNet"/> without metadata, as PyTorch's save_file writes them
    /// (84 bytes of data).</summary>
    private const string Layers =
        "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}," +
        "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[48,64]}," +
        "\"layers.1.weight\":{\"dtype\":\"F32\",\"shape\":[1,4],\"data_offsets\":[64,80]}," +
        "\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[80,84]}";

    private const string Architecture = "\"netgen.architecture\":\"3-4:Tanh-1:Sigmoid/BinaryCrossEntropy\"";

    /// <summary>Writes a safetensors file by hand: the header's length, its bytes, then the data.</summary>
    private string Write(string name, byte[] header, byte[] data)
    {
        string path = _folder.File(name);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, string header, byte[] data) => Write(name, Encoding.UTF8.GetBytes(header), data);

    /// <summary>84 bytes of layer data: the 21 floats 0.25·i − 2.</summary>
    private static byte[] LayerData()
    {
        var data = new byte[84];
        for (int i = 0; i < 21; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), 0.25f * i - 2f);
        return data;
    }

    /// <summary>μ = (1, 2, 3) and σ = (4, 5, 6) as F64, then <see cref="LayerData"/>: 132 bytes.</summary>
    private static byte[] ScaledData(double sigma2 = 6.0)
    {
        double[] values = [1, 2, 3, 4, 5, sigma2];
        var data = new byte[48 + 84];
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);
        LayerData().CopyTo(data, 48);
        return data;
    }

    private const string ScalingTensors =
        "\"scaling.mean\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}," +
        "\"scaling.deviation\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[24,48]},";

    private static string ShiftedLayers()
        => "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[48,96]}," +
           "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[96,112]}," +
           "\"layers.1.weight\":{\"dtype\":\"F32\",\"shape\":[1,4],\"data_offsets\":[112,128]}," +
           "\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[128,132]}";

    // ---- the scaling ----

    [Fact]
    public void TheExportCarriesTheScalingAsF64TensorsBitForBit()
    {
        var saved = new PersistNet(3);
        Standardizer scaling = ScalingPersistenceTests.TrickyScaling();
        string path = _folder.File("net.safetensors");
        saved.SaveSafetensors(path, scaling);

        var loaded = new PersistNet(4);
        loaded.LoadSafetensors(path, out Standardizer? back);
        Assert.Equal(Bits(saved.Parameters), Bits(loaded.Parameters));
        Assert.NotNull(back);
        Assert.Equal(Bits(scaling.Mean), Bits(back.Mean));
        Assert.Equal(Bits(scaling.Deviation), Bits(back.Deviation));

        // The header is exactly the documented one; μ then σ open the data section, the layers' block closes it.
        byte[] bytes = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        Assert.Equal(ScaledHeader, Encoding.UTF8.GetString(bytes, 8, n).TrimEnd(' '));
        Assert.Equal(8 + n + 48 + 84, bytes.Length);
        double[] stored = Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 + n + 8 * i))).ToArray();
        Assert.Equal(Bits(scaling.Mean).Concat(Bits(scaling.Deviation)), Bits(stored));
        string plain = _folder.File("plain.safetensors");
        saved.SaveSafetensors(plain);
        byte[] plainBytes = File.ReadAllBytes(plain);
        Assert.Equal(plainBytes[^84..], bytes[^84..]);

        // The scaling tensors are not layers: the overload without the out value loads the same parameters.
        var plainLoad = new PersistNet(5);
        plainLoad.LoadSafetensors(path);
        Assert.Equal(Bits(saved.Parameters), Bits(plainLoad.Parameters));

        // A file without a scaling gives none; null saves none.
        saved.SaveSafetensors(path, scaling: null);
        Assert.Equal(plainBytes, File.ReadAllBytes(path));
        Standardizer? none = scaling;
        plainLoad.LoadSafetensors(path, out none);
        Assert.Null(none);
    }

    [Fact]
    public void AScalingWrittenByPyTorchWithoutMetadataIsRead()
    {
        // save_file({"scaling.mean": …, "scaling.deviation": …, **net.state_dict()}): no metadata at all.
        string path = Write("torch.safetensors", "{" + ScalingTensors + ShiftedLayers() + "}", ScaledData());
        var net = new PersistNet(3);
        net.LoadSafetensors(path, out Standardizer? scaling);
        Assert.NotNull(scaling);
        Assert.Equal([1.0, 2.0, 3.0], scaling.Mean.ToArray());
        Assert.Equal([4.0, 5.0, 6.0], scaling.Deviation.ToArray());
        Assert.Equal(Enumerable.Range(0, 21).Select(i => 0.25f * i - 2f), net.Parameters.ToArray());
    }

    [Fact]
    public void AMalformedScalingIsRefused()
    {
        byte[] data = ScaledData();
        string meta = "{\"__metadata__\":{" + Architecture + ",\"netgen.scaling\":\"(x - scaling.mean) / scaling.deviation\"},";

        // Only one of the two tensors (the other's bytes given to a tensor of another name would be refused as unknown).
        string header = "{\"scaling.mean\":{\"dtype\":\"F64\",\"shape\":[6],\"data_offsets\":[0,48]}," + ShiftedLayers() + "}";
        Assert.Contains("the file holds scaling.mean without scaling.deviation; a scaling needs both", Refused(Write("a.safetensors", header, data)));

        // F32 instead of F64, another length.
        header = "{" + ScalingTensors.Replace("\"F64\",\"shape\":[3],\"data_offsets\":[0,24]", "\"F32\",\"shape\":[6],\"data_offsets\":[0,24]") + ShiftedLayers() + "}";
        Assert.Contains("the tensor scaling.mean is F32 [6], not F64 [3] (one μ per input of the network)", Refused(Write("b.safetensors", header, data)));
        header = "{" + ScalingTensors.Replace("\"shape\":[3],\"data_offsets\":[24,48]", "\"shape\":[2],\"data_offsets\":[24,48]") + ShiftedLayers() + "}";
        Assert.Contains("the tensor scaling.deviation is F64 [2], not F64 [3] (one σ per input of the network)", Refused(Write("c.safetensors", header, data)));
        // σ's shape says 3, but its range holds 2 (16 bytes); the layers follow at 40.
        header = "{" + ScalingTensors.Replace("[24,48]", "[24,40]") + ShiftedLayers().Replace("[48,96]", "[40,88]")
            .Replace("[96,112]", "[88,104]").Replace("[112,128]", "[104,120]").Replace("[128,132]", "[120,124]") + "}";
        Assert.Contains("the tensor scaling.deviation F64 [3] needs 24 bytes, but its data_offsets are [24, 40)",
            Refused(Write("c2.safetensors", header, data[..124])));

        // Values: σ = 0, σ < 0, σ = NaN.
        header = "{" + ScalingTensors + ShiftedLayers() + "}";
        Assert.Contains("the scaling's deviation of feature 2 is 0, not a finite positive number", Refused(Write("d.safetensors", header, ScaledData(0.0))));
        Assert.Contains("the scaling's deviation of feature 2 is -6, not a finite positive number", Refused(Write("e.safetensors", header, ScaledData(-6.0))));
        Assert.Contains("the scaling's deviation of feature 2 is NaN", Refused(Write("f.safetensors", header, ScaledData(double.NaN))));

        // The metadata announces a scaling the file does not hold, or gives another formula.
        Assert.Contains("the metadata's \"netgen.scaling\" announces a scaling, but the file holds neither scaling.mean nor scaling.deviation",
            Refused(Write("g.safetensors", meta + Layers + "}", LayerData())));
        string other = meta.Replace("(x - scaling.mean) / scaling.deviation", "x * scaling.deviation + scaling.mean");
        Assert.Contains("the metadata's \"netgen.scaling\" is \"x * scaling.deviation + scaling.mean\", not \"(x - scaling.mean) / scaling.deviation\"",
            Refused(Write("h.safetensors", other + ScalingTensors + ShiftedLayers() + "}", data)));

        // A file with a scaling does not go into a network of another architecture.
        string five = _folder.File("five.safetensors");
        new PersistNet(3).SaveSafetensors(five, ScalingPersistenceTests.TrickyScaling());
        var otherNet = new PersistOtherNet(1);
        Assert.Throws<InvalidDataException>(() => otherNet.LoadSafetensors(five, out _));
    }

    // ---- malformed headers: each case once ----

    [Fact]
    public void ANonNumericShapeOrOffsetIsInvalidData()
    {
        // Used to throw InvalidOperationException from JsonElement.TryGetInt64 on a string element.
        byte[] data = LayerData();
        Assert.Contains("the tensor \"layers.0.weight\" has the shape [\"4\",3], not an array of non-negative integers",
            Refused(Write("a.safetensors", "{" + Layers.Replace("[4,3]", "[\"4\",3]") + "}", data)));
        Assert.Contains("the tensor \"layers.0.weight\" has the shape [4,null]",
            Refused(Write("b.safetensors", "{" + Layers.Replace("[4,3]", "[4,null]") + "}", data)));
        Assert.Contains("the tensor \"layers.0.weight\" has the shape [4,3.5]",
            Refused(Write("c.safetensors", "{" + Layers.Replace("[4,3]", "[4,3.5]") + "}", data)));
        Assert.Contains("the tensor \"layers.0.bias\" has the shape 4, not an array",
            Refused(Write("d.safetensors", "{" + Layers.Replace("\"shape\":[4],", "\"shape\":4,") + "}", data)));
        Assert.Contains("the tensor \"layers.0.bias\" has the data_offsets [\"48\",64], not [begin, end] with non-negative integers",
            Refused(Write("e.safetensors", "{" + Layers.Replace("[48,64]", "[\"48\",64]") + "}", data)));
        Assert.Contains("the tensor \"layers.0.bias\" has the data_offsets [48,{}]",
            Refused(Write("f.safetensors", "{" + Layers.Replace("[48,64]", "[48,{}]") + "}", data)));
        Assert.Contains("the tensor \"layers.0.bias\" has the data_offsets [48,64,80], not [begin, end]",
            Refused(Write("g.safetensors", "{" + Layers.Replace("[48,64]", "[48,64,80]") + "}", data)));
        Assert.Contains("the tensor \"layers.0.bias\" has the data_offsets [-16,64]",
            Refused(Write("h.safetensors", "{" + Layers.Replace("[48,64]", "[-16,64]") + "}", data)));
        Assert.Contains("the tensor \"layers.0.bias\" has the dtype 32, not a string",
            Refused(Write("i.safetensors", "{" + Layers.Replace("\"F32\",\"shape\":[4],", "32,\"shape\":[4],") + "}", data)));
        Assert.Contains("the header's entry \"layers.0.bias\" has no data_offsets",
            Refused(Write("j.safetensors", "{" + Layers.Replace(",\"data_offsets\":[48,64]", "") + "}", data)));
        Assert.Contains("the tensor \"layers.0.bias\" gives its dtype twice",
            Refused(Write("k.safetensors", "{" + Layers.Replace("\"dtype\":\"F32\",\"shape\":[4]", "\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[4]") + "}", data)));
        Assert.Contains("the header's entry \"layers.0.bias\" is JSON Array, not a tensor",
            Refused(Write("l.safetensors", "{" + Layers.Replace("\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[48,64]}", "\"layers.0.bias\":[48,64]") + "}", data)));
        Assert.Contains("the header is JSON Array, not an object", Refused(Write("m.safetensors", "[1,2]", data)));
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsInvalidData()
    {
        // Used to throw InvalidOperationException when the name or value was decoded.
        byte[] header = Encoding.UTF8.GetBytes("{\"__metadata__\":{" + Architecture + "}," + Layers + "}");
        int at = Encoding.UTF8.GetBytes("{\"__metadata__\":{" + Architecture + "},\"layers.0.").Length;   // the 'w' of weight
        byte[] name = (byte[])header.Clone();
        name[at] = 0xF7;
        Assert.Contains($"the header is not valid UTF-8 (byte {8 + at} of the file is 0xF7)", Refused(Write("a.safetensors", name, LayerData())));
        byte[] value = (byte[])header.Clone();
        int inValue = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"netgen.architecture\":\"3-4:T").Length;
        value[inValue] = 0xC0;   // a lead byte with no continuation
        Assert.Contains($"the header is not valid UTF-8 (byte {8 + inValue} of the file is 0xC0)", Refused(Write("b.safetensors", value, LayerData())));

        // Valid UTF-8, valid JSON, but an escaped lone surrogate: no text either.
        string surrogate = "{" + Layers.Replace("layers.0.bias", "layers.0.bi\\ud800as") + "}";
        Refused(Write("c.safetensors", surrogate, LayerData()));
        string inMetadata = "{\"__metadata__\":{\"x\":\"\\udc00\"}," + Layers + "}";
        Refused(Write("d.safetensors", inMetadata, LayerData()));
    }

    [Fact]
    public void ADuplicatedMetadataOrTensorNameIsRefused()
    {
        byte[] data = LayerData();
        // Used to be accepted, the second __metadata__ silently replacing the first.
        string twice = "{\"__metadata__\":{\"format\":\"pt\"},\"__metadata__\":{" + Architecture + "}," + Layers + "}";
        Assert.Contains("the header has \"__metadata__\" twice", Refused(Write("a.safetensors", twice, data)));
        string sameKey = "{\"__metadata__\":{" + Architecture + "," + Architecture.Replace("3-4:Tanh", "3-4:Relu") + "}," + Layers + "}";
        Assert.Contains("the metadata names \"netgen.architecture\" twice", Refused(Write("b.safetensors", sameKey, data)));
        string sameTensor = "{" + Layers + ",\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[84,100]}}";
        Assert.Contains("the header names the tensor \"layers.0.bias\" twice", Refused(Write("c.safetensors", sameTensor, [.. data, .. new byte[16]])));
        Assert.Contains("the header's \"__metadata__\" is JSON String, not an object of strings",
            Refused(Write("d.safetensors", "{\"__metadata__\":\"pt\"," + Layers + "}", data)));
        Assert.Contains("the metadata entry \"netgen.architecture\" is JSON Number, not a string",
            Refused(Write("e.safetensors", "{\"__metadata__\":{\"netgen.architecture\":3}," + Layers + "}", data)));
    }

    [Fact]
    public void OverlappingOrOutOfRangeOrUncoveredBytesAreRefused()
    {
        byte[] data = LayerData();
        // Used to be accepted: W2 read the bytes of b1.
        string overlap = "{" + Layers.Replace("[64,80]", "[48,64]") + "}";
        Assert.Contains("the tensors \"layers.0.bias\" [48, 64) and \"layers.1.weight\" [48, 64) overlap in the data section",
            Refused(Write("a.safetensors", overlap, data)));
        string partly = "{" + Layers.Replace("[48,64]", "[40,56]") + "}";
        Assert.Contains("the tensors \"layers.0.weight\" [0, 48) and \"layers.0.bias\" [40, 56) overlap",
            Refused(Write("b.safetensors", partly, data)));

        string outside = "{" + Layers.Replace("[80,84]", "[84,88]") + "}";
        Assert.Contains("the tensor \"layers.1.bias\" has the data_offsets [84, 88), outside the data section [0, 84)",
            Refused(Write("c.safetensors", outside, data)));
        string backwards = "{" + Layers.Replace("[48,64]", "[64,48]") + "}";
        Assert.Contains("the tensor \"layers.0.bias\" has the data_offsets [64, 48), which end before they begin",
            Refused(Write("d.safetensors", backwards, data)));
        string foreign = "{" + Layers + ",\"extra\":{\"dtype\":\"F32\",\"shape\":[1000000],\"data_offsets\":[84,4000084]}}";
        Assert.Contains("the tensor \"extra\" has the data_offsets [84, 4000084), outside", Refused(Write("e.safetensors", foreign, data)));

        // Bytes that belong to no tensor: trailing, or a gap (the safetensors library refuses both).
        Assert.Contains("the data section has 88 bytes, but its tensors end at byte 84; 4 bytes belong to no tensor",
            Refused(Write("f.safetensors", "{" + Layers + "}", [.. data, 1, 2, 3, 4])));
        string gap = "{" + Layers.Replace("[80,84]", "[84,88]") + "}";
        Assert.Contains("the data section's bytes [80, 84) belong to no tensor", Refused(Write("g.safetensors", gap, [.. data, 1, 2, 3, 4])));
    }

    // ---- every bit of the header ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryBitFlipInTheHeaderIsRefusedOrHarmless(bool withScaling)
    {
        var saved = new PersistNet(3);
        Standardizer? scaling = withScaling ? ScalingPersistenceTests.TrickyScaling() : null;
        string path = _folder.File("net.safetensors");
        saved.SaveSafetensors(path, scaling);
        byte[] whole = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(whole);
        string header = Encoding.UTF8.GetString(whole, 8, n);

        // A flip inside a metadata key leaves valid JSON with an unknown, ignored key and the same tensors: the file then
        // honestly says what was saved (minus a check of the fingerprint), and loads exactly that. Nowhere else.
        var harmless = new List<(int Begin, int End)>();
        foreach (string key in new[] { Safetensors.ArchitectureKey, Safetensors.ScalingKey })
        {
            int at = header.IndexOf("\"" + key + "\"", StringComparison.Ordinal);
            if (at >= 0) harmless.Add((8 + at + 1, 8 + at + 1 + key.Length));
        }
        Assert.Equal(withScaling ? 2 : 1, harmless.Count);

        string bad = _folder.File("bad.safetensors");
        Standardizer sentinel = new([9.0, 9.0, 9.0], [9.0, 9.0, 9.0]);
        var net = new PersistNet(99);
        int[] before = Bits(net.Parameters);
        int refused = 0, loaded = 0;
        for (int bit = 0; bit < 8 * (8 + n); bit++)
        {
            byte[] copy = (byte[])whole.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            // The decoder in memory for every bit; the whole load from a file for the first bit of each byte and for
            // every flip that loads, to see the parameters and the out value untouched by a refusal.
            bool throughFile = bit % 8 == 0;
            float[]? parameters = null;
            Standardizer? back = sentinel;
            try
            {
                (parameters, back) = Safetensors.Decode(net, copy, bad);
            }
            catch (InvalidDataException ex)
            {
                Assert.Contains($"Cannot load '{bad}'", ex.Message);
                if (throughFile)
                {
                    File.WriteAllBytes(bad, copy);
                    Refused(bad);
                }
                refused++;
                continue;
            }
            catch (Exception ex)
            {
                Assert.Fail($"flipping bit {bit % 8} of byte {bit / 8} gave {ex.GetType().Name}: {ex.Message}");
            }
            int b = bit / 8;
            Assert.True(harmless.Any(r => b >= r.Begin && b < r.End),
                $"flipping bit {bit % 8} of byte {b} ('{(char)whole[b]}') was accepted");
            File.WriteAllBytes(bad, copy);
            net.LoadSafetensors(bad, out back);
            Assert.Equal(Bits(saved.Parameters), Bits(net.Parameters));
            Assert.Equal(Bits(saved.Parameters), Bits(parameters));
            if (scaling is null) Assert.Null(back);
            else
            {
                Assert.NotNull(back);
                Assert.Equal(Bits(scaling.Mean), Bits(back.Mean));
                Assert.Equal(Bits(scaling.Deviation), Bits(back.Deviation));
            }
            net.Parameters.Clear();
            loaded++;
        }
        Assert.Equal(8 * (8 + n), refused + loaded);
        // By hand: of the 8 flips of each key character, bit 7 makes invalid UTF-8 and, for the one '.' (0x2E) of each
        // key, bit 5 makes the control character 0x0E; the other 6 or 7 give printable ASCII other than '"' and '\\'
        // (the keys hold no 'b', ']', '#' … from which one flip reaches those). "netgen.architecture": 7·19 − 1 = 132;
        // "netgen.scaling": 7·14 − 1 = 97.
        Assert.Equal(withScaling ? 132 + 97 : 132, loaded);
    }
}
