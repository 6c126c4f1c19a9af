using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Tests;

public sealed class ParameterFileTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();
    public void Dispose() => _folder.Dispose();

    private const string Shapes = "W1 4×3, b1 4, W2 1×4, b2 1 (21 parameters)";

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }

    /// <summary>A net whose parameters include values a decimal round trip would lose: −0, a subnormal, a NaN payload, ±∞.</summary>
    private static PersistNet Tricky()
    {
        var net = new PersistNet();
        Span<float> p = net.Parameters;
        p[0] = -0f;
        p[1] = float.Epsilon;
        p[2] = BitConverter.Int32BitsToSingle(0x7FC0_1234);
        p[3] = float.PositiveInfinity;
        p[4] = float.NegativeInfinity;
        p[5] = 1f / 3f;
        return net;
    }

    /// <summary>Loads <paramref name="path"/> into a fresh net, expects an InvalidDataException naming this net's shapes, and
    /// checks that the parameters did not change; returns the message.</summary>
    private static string Refused(string path, Action<INetwork, string>? load = null)
    {
        var net = new PersistNet(99);
        int[] before = Bits(net.Parameters);
        var ex = Assert.Throws<InvalidDataException>(() => (load ?? ((n, p) => n.LoadParameters(p)))(net, path));
        Assert.Equal(before, Bits(net.Parameters));
        Assert.Contains(PersistNet.Architecture, ex.Message);
        Assert.Contains(Shapes, ex.Message);
        return ex.Message;
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
        => Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Theory]
    [InlineData("3-4:Tanh-1:Sigmoid/BinaryCrossEntropy", new[] { 3, 4, 1 })]
    [InlineData("2-20:Relu-3:Relu-1:Sigmoid/BinaryCrossEntropy", new[] { 2, 20, 3, 1 })]
    [InlineData("64-16:LeakyRelu(0.2)-8:LeakyRelu(-0.01)-1:Sigmoid/BinaryCrossEntropy", new[] { 64, 16, 8, 1 })]
    [InlineData("4-8:Relu-3:Softmax/CrossEntropy", new[] { 4, 8, 3 })]
    public void LayerSizesComeFromTheFingerprint(string architecture, int[] sizes)
        => Assert.Equal(sizes, NetworkLayout.ParseSizes(architecture));

    [Theory]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("3-4:Tanh")]
    [InlineData("3-4-1/Loss")]
    [InlineData("3-0:Tanh/Loss")]
    [InlineData("x-4:Tanh/Loss")]
    public void OddFingerprintsHaveNoLayout(string architecture) => Assert.Null(NetworkLayout.ParseSizes(architecture));

    [Fact]
    public void SaveThenLoadReproducesTheParametersBitForBit()
    {
        PersistNet saved = Tricky();
        string path = _folder.File("net.ngp");
        saved.SaveParameters(path);

        var loaded = new PersistNet(12345);
        Assert.NotEqual(Bits(saved.Parameters), Bits(loaded.Parameters));
        loaded.LoadParameters(path);
        Assert.Equal(Bits(saved.Parameters), Bits(loaded.Parameters));

        // The file is exactly the documented layout.
        byte[] bytes = File.ReadAllBytes(path);
        byte[] arch = Encoding.UTF8.GetBytes(PersistNet.Architecture);
        int at = 0;
        Assert.Equal("NGPARAMS"u8.ToArray(), bytes[..8]); at += 8;
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at))); at += 4;
        Assert.Equal(arch.Length, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at))); at += 4;
        Assert.Equal(arch, bytes[at..(at + arch.Length)]); at += arch.Length;
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at))); at += 4;
        int[] shapes = Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4 * i))).ToArray(); at += 16;
        Assert.Equal(new[] { 4, 3, 1, 4 }, shapes);
        Assert.Equal(21, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at))); at += 4;
        for (int i = 0; i < 21; i++, at += 4)
            Assert.Equal(BitConverter.SingleToInt32Bits(saved.Parameters[i]), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)));
        Assert.Equal(Crc32.Compute(bytes.AsSpan(0, at)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)));
        Assert.Equal(bytes.Length, at + 4);

        // The loaded network computes what the saved one does.
        var y1 = new float[1]; var y2 = new float[1];
        var clean = new PersistNet(3);
        clean.SaveParameters(path);
        var copy = new PersistNet(4);
        copy.LoadParameters(path);
        clean.Predict([0.5f, -1f, 2f], y1);
        copy.Predict([0.5f, -1f, 2f], y2);
        Assert.Equal(y1[0], y2[0]);
    }

    [Fact]
    public void SavingReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        string path = _folder.File("net.ngp");
        new PersistNet(1).SaveParameters(path);
        var second = new PersistNet(2);
        second.SaveParameters(path);
        var loaded = new PersistNet(3);
        loaded.LoadParameters(path);
        Assert.Equal(Bits(second.Parameters), Bits(loaded.Parameters));
        Assert.Equal(new[] { "net.ngp" }, Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ATruncatedFileIsRefused()
    {
        string path = _folder.File("net.ngp");
        new PersistNet().SaveParameters(path);
        byte[] whole = File.ReadAllBytes(path);
        string cut = _folder.File("cut.ngp");
        for (int length = 0; length < whole.Length; length++)
        {
            File.WriteAllBytes(cut, whole[..length]);
            string message = Refused(cut);
            int headerLength = 8 + 4 + 4 + Encoding.UTF8.GetByteCount(PersistNet.Architecture) + 4 + 2 * 8 + 4;
            if (length >= headerLength)   // the whole header is there: the lengths are named
                Assert.Contains($"should have {whole.Length} bytes, but it has {length}; it is truncated", message);
        }
    }

    [Fact]
    public void ExtraBytesAreRefused()
    {
        string path = _folder.File("net.ngp");
        new PersistNet().SaveParameters(path);
        File.AppendAllText(path, "x");
        Assert.Contains("1 bytes too many", Refused(path));
    }

    [Fact]
    public void EveryFlippedByteIsRefused()
    {
        string path = _folder.File("net.ngp");
        new PersistNet().SaveParameters(path);
        byte[] whole = File.ReadAllBytes(path);
        string bad = _folder.File("bad.ngp");
        for (int i = 0; i < whole.Length; i++)
        {
            byte[] copy = (byte[])whole.Clone();
            copy[i] ^= 0x10;
            File.WriteAllBytes(bad, copy);
            Refused(bad);
        }
        // A flip in the parameters is caught by the checksum, which is named with both values.
        byte[] flipped = (byte[])whole.Clone();
        flipped[whole.Length - 10] ^= 0x01;
        File.WriteAllBytes(bad, flipped);
        string message = Refused(bad);
        Assert.Contains("CRC-32 stored in the file is 0x", message);
        Assert.Contains("but its contents give 0x", message);
    }

    [Fact]
    public void AFileOfAnotherArchitectureIsRefusedNamingBothShapes()
    {
        string path = _folder.File("other.ngp");
        new PersistOtherNet().SaveParameters(path);
        string message = Refused(path);
        Assert.Contains(PersistOtherNet.Architecture, message);
        Assert.Contains("W1 5×3, b1 5, W2 1×5, b2 1 (26 parameters)", message);

        // Same shapes, another activation: refused on the fingerprint.
        string twin = _folder.File("twin.ngp");
        new PersistTwinNet().SaveParameters(twin);
        message = Refused(twin);
        Assert.Contains("3-4:LeakyRelu(0.1)-1:Sigmoid/BinaryCrossEntropy", message);
    }

    [Fact]
    public void FilesThatAreNotParameterFilesAreRefused()
    {
        string text = _folder.File("text.ngp");
        File.WriteAllText(text, "hello, world: not parameters at all\n");
        string message = Refused(text);
        Assert.Contains("expected the magic \"NGPARAMS\"", message);
        Assert.Contains("\"hello, w\"", message);

        string empty = _folder.File("empty.ngp");
        File.WriteAllBytes(empty, []);
        Assert.Contains("an empty file", Refused(empty));

        string safetensors = _folder.File("net.safetensors");
        new PersistNet().SaveSafetensors(safetensors);
        Refused(safetensors);

        string wrongVersion = _folder.File("v4.ngp");
        new PersistNet().SaveParameters(wrongVersion);
        byte[] bytes = File.ReadAllBytes(wrongVersion);
        bytes[8] = 4;
        File.WriteAllBytes(wrongVersion, bytes);
        Assert.Contains("expected format version 1, 2 or 3, but the file has version 4; a newer NetGen wrote it", Refused(wrongVersion));
        bytes[8] = 0;
        File.WriteAllBytes(wrongVersion, bytes);
        Assert.Contains("expected format version 1, 2 or 3, but the file has version 0", Refused(wrongVersion));
        // A version 1 file relabelled 3 reads its architecture's length as flags, which are refused.
        bytes[8] = 3;
        File.WriteAllBytes(wrongVersion, bytes);
        Assert.Contains("the file's flags are 0x00000025", Refused(wrongVersion));
        // A version 1 file relabelled 2 reads its CRC as the scaling's feature count, which the length or sign refutes.
        bytes[8] = 2;
        File.WriteAllBytes(wrongVersion, bytes);
        Assert.Contains("a scaling of ", Refused(wrongVersion));

        var net = new PersistNet(99);
        int[] before = Bits(net.Parameters);
        Assert.Throws<FileNotFoundException>(() => net.LoadParameters(_folder.File("missing.ngp")));
        Assert.Equal(before, Bits(net.Parameters));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(60)]
    [InlineData(100)]
    [InlineData(150)]
    public void ASaveInterruptedMidwayLeavesThePreviousFileIntact(int bytesWritten)
    {
        string path = _folder.File("net.ngp");
        var net = new PersistNet();
        int[] first = Bits(net.Parameters);
        net.SaveParameters(path);
        byte[] previous = File.ReadAllBytes(path);

        net.Parameters[0] += 1f;
        Assert.True(bytesWritten < ParameterFile.Encode(net).Length);
        var ex = Assert.Throws<IOException>(() => ParameterFile.SaveParameters(net, path, s => new PersistFailingStream(s, bytesWritten)));
        Assert.Contains("simulated failure", ex.Message);

        Assert.Equal(previous, File.ReadAllBytes(path));
        var loaded = new PersistNet(42);
        loaded.LoadParameters(path);
        Assert.Equal(first, Bits(loaded.Parameters));
        Assert.Equal(new[] { "net.ngp" }, Directory.GetFiles(_folder.Path).Select(Path.GetFileName));

        // The same for safetensors.
        string st = _folder.File("net.safetensors");
        new PersistNet().SaveSafetensors(st);
        byte[] previousSt = File.ReadAllBytes(st);
        Assert.Throws<IOException>(() => Safetensors.SaveSafetensors(net, st, s => new PersistFailingStream(s, bytesWritten)));
        Assert.Equal(previousSt, File.ReadAllBytes(st));
    }

    // ---- safetensors ----

    private const string Header =
        "{\"__metadata__\":{\"netgen.architecture\":\"3-4:Tanh-1:Sigmoid/BinaryCrossEntropy\"}," +
        "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}," +
        "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[48,64]}," +
        "\"layers.1.weight\":{\"dtype\":\"F32\",\"shape\":[1,4],\"data_offsets\":[64,80]}," +
        "\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[80,84]}}";

    [Fact]
    public void SafetensorsRoundTripIsBitForBit()
    {
        PersistNet saved = Tricky();
        string path = _folder.File("net.safetensors");
        saved.SaveSafetensors(path);
        var loaded = new PersistNet(777);
        loaded.LoadSafetensors(path);
        Assert.Equal(Bits(saved.Parameters), Bits(loaded.Parameters));
    }

    [Fact]
    public void SafetensorsHeaderHoldsExactlyTheDocumentedNamesAndShapes()
    {
        var net = new PersistNet();
        string path = _folder.File("net.safetensors");
        net.SaveSafetensors(path);
        byte[] bytes = File.ReadAllBytes(path);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal(Header, header.TrimEnd(' '));
        Assert.Equal(8 + (long)n + 4 * PersistNet.ParameterCount, bytes.Length);
        Assert.Equal(Bits(net.Parameters), Enumerable.Range(0, PersistNet.ParameterCount)
            .Select(i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8 + (int)n + 4 * i))).ToArray());
        Assert.Equal("layers.0.weight", Safetensors.WeightName(1));
        Assert.Equal("layers.1.bias", Safetensors.BiasName(2));
    }

    /// <summary>Writes a safetensors file by hand: a header (no metadata, as from PyTorch) and the data.</summary>
    private static void WriteSafetensors(string path, string header, byte[] data)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void SafetensorsFromPyTorchImportInAnyKeyOrder()
    {
        // As safetensors.torch.save_file would write it: no metadata, keys in another order, data in another order.
        var values = Enumerable.Range(0, 21).Select(i => 0.25f * i - 2f).ToArray();   // W1 (12), b1 (4), W2 (4), b2 (1)
        byte[] data = new byte[84];
        void Put(int dataIndex, int paramIndex, int count)
        {
            for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * (dataIndex + i)), values[paramIndex + i]);
        }
        Put(0, 12, 4);   // layers.0.bias at [0, 16)
        Put(4, 20, 1);   // layers.1.bias at [16, 20)
        Put(5, 0, 12);   // layers.0.weight at [20, 68)
        Put(17, 16, 4);  // layers.1.weight at [68, 84)
        string header = "{\"layers.1.weight\":{\"dtype\":\"F32\",\"shape\":[1,4],\"data_offsets\":[68,84]}," +
                        "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}," +
                        "\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}," +
                        "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[20,68]}}";
        string path = _folder.File("torch.safetensors");
        WriteSafetensors(path, header, data);
        var net = new PersistNet();
        net.LoadSafetensors(path);
        Assert.Equal(values, net.Parameters.ToArray());
    }

    [Fact]
    public void SafetensorsOfAnotherShapeAreRefused()
    {
        Action<INetwork, string> load = (n, p) => n.LoadSafetensors(p);
        string other = _folder.File("other.safetensors");
        new PersistOtherNet().SaveSafetensors(other);
        string message = Refused(other, load);
        Assert.Contains("layers.0.weight F32 [5, 3]", message);        // found
        Assert.Contains("expected the tensors layers.0.weight [4, 3]", message); // expected

        // Without the metadata, the shapes alone refuse it.
        byte[] bytes = File.ReadAllBytes(other);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, n).TrimEnd(' ');
        header = "{" + header[(header.IndexOf("},", StringComparison.Ordinal) + 2)..];
        string bare = _folder.File("bare.safetensors");
        WriteSafetensors(bare, header, bytes[(8 + n)..]);
        message = Refused(bare, load);
        Assert.Contains("layers.0.weight is [5, 3] in bare.safetensors, but layer 1 needs W1: 4 × 3", message);

        // Same shapes, another activation: refused on the recorded architecture.
        string twin = _folder.File("twin.safetensors");
        new PersistTwinNet().SaveSafetensors(twin);
        Assert.Contains("3-4:LeakyRelu(0.1)-1:Sigmoid/BinaryCrossEntropy", Refused(twin, load));

        // A dtype that no layer can be read from, a dtype whose bytes do not fit the range, a missing tensor.
        var data = new byte[84];
        WriteSafetensors(bare, Header.Replace("\"F32\",\"shape\":[4]", "\"I32\",\"shape\":[4]"), data);
        Assert.Contains("layers.0.bias is I32 [4] in bare.safetensors, but layer 1 needs b1: 4 as F32, F16, BF16 or F64",
            Refused(bare, load));
        WriteSafetensors(bare, Header.Replace("\"F32\",\"shape\":[4]", "\"F64\",\"shape\":[4]"), data);
        Assert.Contains("the tensor layers.0.bias F64 [4] needs 32 bytes, but its data_offsets are [48, 64)", Refused(bare, load));
        WriteSafetensors(bare, Header.Replace(",\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[80,84]}", ""), data[..80]);
        Assert.Contains("layer 2 needs b2: 1 as layers.1.bias (by NetGen's names), which bare.safetensors does not hold",
            Refused(bare, load));

        // A tensor that no layer uses (here an empty one after the layers) is ignored.
        WriteSafetensors(bare, Header.TrimEnd('}') + "},\"layers.2.weight\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[84,84]}}", data);
        var net = new PersistNet(3);
        net.LoadSafetensors(bare);
        Assert.Equal(new float[21], net.Parameters.ToArray());
    }

    [Fact]
    public void DamagedSafetensorsAreRefused()
    {
        Action<INetwork, string> load = (n, p) => n.LoadSafetensors(p);
        string path = _folder.File("net.safetensors");
        new PersistNet().SaveSafetensors(path);
        byte[] whole = File.ReadAllBytes(path);
        string cut = _folder.File("cut.safetensors");
        foreach (int length in new[] { 0, 4, 8, 20, whole.Length / 2, whole.Length - 84, whole.Length - 1 })
        {
            File.WriteAllBytes(cut, whole[..length]);
            Refused(cut, load);
        }
        File.WriteAllText(cut, "not a safetensors file, just some text");
        Refused(cut, load);
        string ngp = _folder.File("net.ngp");
        new PersistNet().SaveParameters(ngp);
        Refused(ngp, load);
        byte[] broken = (byte[])whole.Clone();
        broken[8] = (byte)'[';   // the header is no longer JSON of the right form
        File.WriteAllBytes(cut, broken);
        Refused(cut, load);
    }
}
