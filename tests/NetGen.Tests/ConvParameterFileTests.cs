using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Tests;

/// <summary>LeNet-5 with a 3 × 3 first kernel: only W1's shape differs (6×1×3×3 for 6×1×5×5).</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He)]
[Input(28, 28, 1)]
[Conv2D(6, 3, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 5, Activation.Relu)]
[MaxPool(2)]
[Dense(120, Activation.Relu)]
[Dense(84, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5Kernel3;

/// <summary>LeNet-5 with 8 first filters: W1 8×1×5×5 and W3 16×8×5×5.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He)]
[Input(28, 28, 1)]
[Conv2D(8, 5, Activation.Relu, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 5, Activation.Relu)]
[MaxPool(2)]
[Dense(120, Activation.Relu)]
[Dense(84, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5Filters8;

/// <summary><see cref="ConvStrideNet"/> with a max pool where it has an average pool: the same shapes and parameter
/// count, another kind at layer 2.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.Glorot, Seed = 21)]
[Input(7, 6, 2)]
[Conv2D(3, 3, Activation.Tanh, Stride = 2, KernelWidth = 2)]
[MaxPool(2, Stride = 1)]
[Dense(2, Activation.Softmax)]
public partial class ConvStrideMaxTwin;

/// <summary>A dense network of three layers on <see cref="ConvStrideNet"/>'s 7 × 6 × 2 input.</summary>
[Network(Loss = Loss.CrossEntropy, Seed = 27)]
[Input(7, 6, 2)]
[Dense(3, Activation.Tanh)]
[Dense(12, Activation.Tanh)]
[Dense(2, Activation.Softmax)]
public partial class ConvStrideDenseTwin;

/// <summary>
/// The parameter file for conv networks (issue 14 item 4): a network with a conv or pool layer is saved as version 3,
/// whose layer list gives each layer's kind and the full shape of W[l]; a dense network's file stays version 1 or 2
/// byte for byte.
/// </summary>
public sealed class ConvParameterFileTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();
    public void Dispose() => _folder.Dispose();

    // LeNet-5's parameters, counted by hand: conv 6·1·5·5 + 6, conv 16·6·5·5 + 16, 120·400 + 120, 84·120 + 84, 10·84 + 10.
    private const int LeNetParameters = 156 + 2416 + 48120 + 10164 + 850;
    private const string LeNetShapes = "W1 6×1×5×5, b1 6, W3 16×6×5×5, b3 16, W5 120×400, b5 120, W6 84×120, b6 84, "
        + "W7 10×84, b7 10 (61706 parameters)";

    // The header's layer list for LeNet-5 as the format documents it: kind, rank, dims, length of b.
    private static readonly int[] LeNetLayerList =
    [
        1, 4, 6, 1, 5, 5, 6,      // Conv2D, W (6, 1, 5, 5), b 6
        2, 0, 0,                  // MaxPool: no W, no b
        1, 4, 16, 6, 5, 5, 16,    // Conv2D, W (16, 6, 5, 5), b 16
        2, 0, 0,                  // MaxPool
        0, 2, 120, 400, 120,      // Dense, W (120, 400), b 120
        0, 2, 84, 120, 84,
        0, 2, 10, 84, 10,
    ];

    // PersistNet with parameters 0.25·i − 2, saved by the parameter file as it was before version 3 existed (main at
    // c290a7c): without a scaling (version 1) and with μ (0.5, −1.5, 2.25), σ (1, 0.125, 3) (version 2).
    private const string GoldenV1 = "4E47504152414D530100000025000000332D343A54616E682D313A5369676D6F69642F42696E61727943"
        + "726F7373456E74726F7079020000000400000003000000010000000400000015000000000000C00000E0BF0000C0BF0000A0BF000080BF"
        + "000040BF000000BF000080BE000000000000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020"
        + "40000030400000404062480EA2";
    private const string GoldenV2 = "4E47504152414D530200000025000000332D343A54616E682D313A5369676D6F69642F42696E61727943"
        + "726F7373456E74726F7079020000000400000003000000010000000400000015000000000000C00000E0BF0000C0BF0000A0BF000080BF"
        + "000040BF000000BF000080BE000000000000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020"
        + "40000030400000404003000000000000000000E03F000000000000F8BF0000000000000240000000000000F03F000000000000C03F0000"
        + "000000000840A8F4EDE3";

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }

    private static long[] Bits(ReadOnlySpan<double> values)
    {
        var bits = new long[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.DoubleToInt64Bits(values[i]);
        return bits;
    }

    /// <summary>A LeNet-5 whose parameters include values a decimal round trip would lose and biases that are not 0.</summary>
    private static LeNet5 Tricky()
    {
        var net = new LeNet5(seed: 5);
        Span<float> p = net.Parameters;
        p[0] = -0f;
        p[1] = float.Epsilon;
        p[2] = BitConverter.Int32BitsToSingle(0x7FC0_1234);
        p[3] = float.PositiveInfinity;
        p[^1] = 1f / 3f;
        for (int j = 0; j < net.B3.Length; j++) net.B3[j] = 0.01f * j - 0.05f;
        return net;
    }

    /// <summary>μ and σ for every input of <paramref name="n"/>, none of them round in binary.</summary>
    private static Standardizer Scaling(int n)
    {
        var mean = new double[n];
        var deviation = new double[n];
        for (int j = 0; j < n; j++)
        {
            mean[j] = 0.1 * j - 7.3;
            deviation[j] = 1.0 / (j + 3);
        }
        return new Standardizer(mean, deviation);
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="net"/>, expects an InvalidDataException, checks that
    /// neither the parameters nor the out scaling changed, and returns the message.</summary>
    private static string Refused(INetwork net, string path)
    {
        int[] before = Bits(net.Parameters);
        Standardizer sentinel = new([1.0], [1.0]);
        Standardizer? scaling = sentinel;
        InvalidDataException? error = null;
        try { net.LoadParameters(path, out scaling); }
        catch (InvalidDataException e) { error = e; }
        Assert.NotNull(error);
        Assert.Equal(before, Bits(net.Parameters));
        Assert.Same(sentinel, scaling);
        Assert.StartsWith($"Cannot load '{path}' into {net.GetType().Name} (\"{net.Architecture}\": ", error.Message,
            StringComparison.Ordinal);
        return error.Message;
    }

    private static byte[] WithCrc(byte[] bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LeNet5_round_trips_bit_for_bit_as_version_3(bool withScaling)
    {
        LeNet5 saved = Tricky();
        Standardizer? scaling = withScaling ? Scaling(LeNet5.InputSize) : null;
        string path = _folder.File("lenet.ngp");
        saved.SaveParameters(path, scaling);

        var loaded = new LeNet5(seed: 6);
        Assert.NotEqual(Bits(saved.Parameters), Bits(loaded.Parameters));
        loaded.LoadParameters(path, out Standardizer? back);
        Assert.Equal(Bits(saved.Parameters), Bits(loaded.Parameters));
        if (scaling is null) Assert.Null(back);
        else
        {
            Assert.NotNull(back);
            Assert.Equal(Bits(scaling.Mean), Bits(back.Mean));
            Assert.Equal(Bits(scaling.Deviation), Bits(back.Deviation));
        }

        // The file is exactly the documented layout.
        byte[] bytes = File.ReadAllBytes(path);
        byte[] arch = Encoding.UTF8.GetBytes(LeNet5.Architecture);
        int at = 0;
        int Next() { int v = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)); at += 4; return v; }
        Assert.Equal("NGPARAMS"u8.ToArray(), bytes[..8]); at += 8;
        Assert.Equal(3, Next());                      // the version
        Assert.Equal(withScaling ? 1 : 0, Next());    // the flags: bit 0, a scaling
        Assert.Equal(arch.Length, Next());
        Assert.Equal(arch, bytes[at..(at + arch.Length)]); at += arch.Length;
        Assert.Equal(7, Next());
        Assert.Equal(LeNetLayerList, Enumerable.Range(0, LeNetLayerList.Length).Select(_ => Next()).ToArray());
        Assert.Equal(LeNetParameters, Next());
        Assert.Equal(LeNetParameters, saved.Parameters.Length);
        for (int i = 0; i < LeNetParameters; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(saved.Parameters[i]), Next());
        if (scaling is not null)
        {
            Assert.Equal(784, Next());
            for (int j = 0; j < 784; j++, at += 8)
                Assert.Equal(BitConverter.DoubleToInt64Bits(scaling.Mean[j]), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at)));
            for (int j = 0; j < 784; j++, at += 8)
                Assert.Equal(BitConverter.DoubleToInt64Bits(scaling.Deviation[j]), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at)));
        }
        Assert.Equal(Crc32.Compute(bytes.AsSpan(0, at)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)));
        Assert.Equal(bytes.Length, at + 4);
        Assert.Equal(new[] { "lenet.ngp" }, Directory.GetFiles(_folder.Path).Select(Path.GetFileName));

        // The loaded network computes what the saved one does (on finite parameters). Within 1e-6, not bit for bit:
        // LeNet-5's Predict was seen to differ in the last few ulps between two calls (the kernel path, not the file).
        var clean = new LeNet5(seed: 7);
        clean.SaveParameters(path, scaling);
        var copy = new LeNet5(seed: 8);
        copy.LoadParameters(path);
        float[] x = TestData.Uniform(LeNet5.InputSize, 9);
        float[] y1 = new float[10], y2 = new float[10];
        clean.Predict(x, y1);
        copy.Predict(x, y2);
        for (int k = 0; k < 10; k++) Assert.True(Math.Abs(y1[k] - y2[k]) <= 1e-6f, $"output {k}: {y1[k]:R} and {y2[k]:R}");
    }

    [Fact]
    public void Every_conv_network_round_trips()
    {
        // Same padding with an even kernel, a conv as the output, dropout, a pool as the output: each layer kind in
        // every position the tests declare.
        RoundTrip(new ConvStrideNet(), new ConvStrideNet(1));
        RoundTrip(new ConvSameNet(), new ConvSameNet(1));
        RoundTrip(new ConvOneByOneNet(), new ConvOneByOneNet(1));
        RoundTrip(new ConvOutputNet(), new ConvOutputNet(1));
        RoundTrip(new ConvDropoutNet(), new ConvDropoutNet(1));
        RoundTrip(new ConvPoolOutputNet(), new ConvPoolOutputNet(1));

        void RoundTrip(INetwork saved, INetwork loaded)
        {
            string path = _folder.File(saved.GetType().Name + ".ngp");
            saved.SaveParameters(path);
            Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(path).AsSpan(8)));
            Assert.NotEqual(Bits(saved.Parameters), Bits(loaded.Parameters));
            loaded.LoadParameters(path);
            Assert.Equal(Bits(saved.Parameters), Bits(loaded.Parameters));
        }
    }

    [Fact]
    public void A_conv_file_is_refused_by_a_network_with_another_kernel_size_filter_count_or_pool_naming_the_layer()
    {
        string path = _folder.File("lenet.ngp");
        Tricky().SaveParameters(path);

        string message = Refused(new LeNet5Kernel3(), path);
        Assert.Contains("W1 6×1×3×3, b1 6, W3 16×6×5×5", message);   // this network's shapes, in the preamble
        Assert.Contains("layer 1 (layers.0) is a Conv2D layer with W1 6×1×3×3 and b1 6, but the file's layer 1 is a "
            + "Conv2D layer with W1 6×1×5×5 and b1 6; the file holds a network \"" + LeNet5.Architecture + "\" with "
            + LeNetShapes + ".", message);

        message = Refused(new LeNet5Filters8(), path);
        Assert.Contains("layer 1 (layers.0) is a Conv2D layer with W1 8×1×5×5 and b1 8, but the file's layer 1 is a "
            + "Conv2D layer with W1 6×1×5×5 and b1 6", message);

        // Same shapes and parameter count, another pool at layer 2: the kind alone tells them apart.
        string stride = _folder.File("stride.ngp");
        new ConvStrideNet().SaveParameters(stride);
        message = Refused(new ConvStrideMaxTwin(), stride);
        Assert.Contains("layer 2 (layers.1) is a MaxPool layer (no parameters), but the file's layer 2 is an AveragePool "
            + "layer (no parameters)", message);

        // A dense network of as many layers: the kind of layer 1.
        message = Refused(new ConvStrideDenseTwin(), stride);
        Assert.Contains("layer 1 (layers.0) is a Dense layer with W1 3×84 and b1 3, but the file's layer 1 is a Conv2D "
            + "layer with W1 3×2×3×2 and b1 3", message);

        // A dense network of another depth: the layer counts.
        message = Refused(new PersistNet(), path);
        Assert.Contains($"the file holds a network \"{LeNet5.Architecture}\" of 7 layers ({LeNetShapes}), but this "
            + "network has 2 layers.", message);

        // And the other way: a dense network's version 1 file into LeNet-5 is refused on its architecture.
        string dense = _folder.File("dense.ngp");
        new PersistNet().SaveParameters(dense);
        message = Refused(new LeNet5(), dense);
        Assert.Contains($"into LeNet5 (\"{LeNet5.Architecture}\": {LeNetShapes})", message);
        Assert.Contains($"the file holds a network \"{PersistNet.Architecture}\" with W1 4×3, b1 4, W2 1×4, b2 1 (21 "
            + "parameters), which is not this network's architecture.", message);
    }

    [Fact]
    public void The_same_shapes_with_another_activation_are_refused_on_the_architecture()
    {
        // ConvStrideNet's layers with the fingerprint of a network whose conv layer is ReLU: every shape agrees, so
        // only the architecture can refuse it.
        byte[] bytes = ParameterFile.Encode(new ConvStrideNet());
        string text = Encoding.UTF8.GetString(bytes);
        int tanh = text.IndexOf(":Tanh", StringComparison.Ordinal);
        Assert.True(tanh > 0);
        Encoding.UTF8.GetBytes(":Relu").CopyTo(bytes, tanh);
        string path = _folder.File("relu.ngp");
        File.WriteAllBytes(path, WithCrc(bytes));
        string message = Refused(new ConvStrideNet(), path);
        Assert.Contains("the file holds a network \"7x6x2-c3k3x2s2:Relu-avg2s1-2:Softmax/CrossEntropy\" with W1 3×2×3×2, "
            + "b1 3, W3 2×12, b3 2 (65 parameters), which is not this network's architecture.", message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_truncation_and_every_flipped_byte_of_a_version_3_file_is_refused(bool withScaling)
    {
        string path = _folder.File("stride.ngp");
        new ConvStrideNet().SaveParameters(path, withScaling ? Scaling(ConvStrideNet.InputSize) : null);
        byte[] whole = File.ReadAllBytes(path);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(whole.AsSpan(8)));
        var net = new ConvStrideNet(99);
        string bad = _folder.File("bad.ngp");

        int header = 8 + 4 + 4 + 4 + Encoding.UTF8.GetByteCount(ConvStrideNet.Architecture) + 4
            + (4 + 4 + 16 + 4) + (4 + 4 + 4) + (4 + 4 + 8 + 4) + 4;
        for (int length = 0; length < whole.Length; length++)
        {
            File.WriteAllBytes(bad, whole[..length]);
            string message = Refused(net, bad);
            if (length >= header + 4 * 65 + (withScaling ? 4 : 0))
                Assert.Contains($"should have {whole.Length} bytes, but it has {length}; it is truncated", message);
            else if (length >= 8)
                Assert.Contains("truncated", message);
        }
        File.WriteAllBytes(bad, [.. whole, 0]);
        Assert.Contains("1 bytes too many", Refused(net, bad));

        for (int i = 0; i < whole.Length; i++)
        {
            byte[] copy = (byte[])whole.Clone();
            copy[i] ^= 0x10;
            File.WriteAllBytes(bad, copy);
            Refused(net, bad);
        }

        // A flip in the parameters is caught by the checksum, named with both values.
        byte[] flipped = (byte[])whole.Clone();
        flipped[header + 10] ^= 0x01;
        File.WriteAllBytes(bad, flipped);
        string crc = Refused(net, bad);
        Assert.Contains("the CRC-32 stored in the file is 0x", crc);
        Assert.Contains("but its contents give 0x", crc);
    }

    [Fact]
    public void A_damaged_LeNet5_file_is_refused_by_its_checksum_and_its_length()
    {
        string path = _folder.File("lenet.ngp");
        Tricky().SaveParameters(path);
        byte[] whole = File.ReadAllBytes(path);
        var net = new LeNet5(99);
        string bad = _folder.File("bad.ngp");

        byte[] flipped = (byte[])whole.Clone();
        flipped[whole.Length / 2] ^= 0x80;   // a sign bit of a parameter in W5
        File.WriteAllBytes(bad, flipped);
        Assert.Contains("the CRC-32 stored in the file is 0x", Refused(net, bad));

        File.WriteAllBytes(bad, whole[..(whole.Length - 1)]);
        Assert.Contains($"should have {whole.Length} bytes, but it has {whole.Length - 1}; it is truncated", Refused(net, bad));
    }

    [Fact]
    public void Unknown_flags_and_inconsistent_layer_lists_are_refused_even_with_a_good_checksum()
    {
        byte[] good = ParameterFile.Encode(new ConvStrideNet());
        var net = new ConvStrideNet(99);
        string bad = _folder.File("bad.ngp");
        int layers = 8 + 4 + 4 + 4 + Encoding.UTF8.GetByteCount(ConvStrideNet.Architecture) + 4;

        byte[] flags = (byte[])good.Clone();
        flags[12] = 2;
        File.WriteAllBytes(bad, WithCrc(flags));
        Assert.Contains("the file's flags are 0x00000002, but only bit 0 (a scaling follows the parameters) is defined",
            Refused(net, bad));

        byte[] kind = (byte[])good.Clone();
        kind[layers] = 7;
        File.WriteAllBytes(bad, WithCrc(kind));
        Assert.Contains("the file's layer 1 is a layer of the unknown kind 7 with W1 3×2×3×2 and b1 3, which is not a kind "
            + "NetGen knows", Refused(net, bad));

        byte[] bias = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bias.AsSpan(layers + 4 + 4 + 16), 4);   // b1 4 beside W1 (3, …)
        File.WriteAllBytes(bad, WithCrc(bias));
        Assert.Contains("the file's layer 1 is a Conv2D layer with W1 3×2×3×2 and b1 4, which should have a b of 3",
            Refused(net, bad));

        byte[] dim = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(dim.AsSpan(layers + 4 + 4 + 12), 3);   // W1 (3, 2, 3, 3): 18 floats more
        File.WriteAllBytes(bad, WithCrc(dim));
        Assert.Contains("the file's shapes (W1 3×2×3×3, b1 3, W3 2×12, b3 2 (65 parameters)) add up to 83 parameters, "
            + "but it holds 65; the file is inconsistent.", Refused(net, bad));

        byte[] rank = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(rank.AsSpan(layers + 4), 1000);
        File.WriteAllBytes(bad, WithCrc(rank));
        Assert.Contains("the file gives W1 a rank of 1000; the file is corrupted.", Refused(net, bad));

        byte[] newer = (byte[])good.Clone();
        newer[8] = 4;
        File.WriteAllBytes(bad, WithCrc(newer));
        Assert.Contains("expected format version 1, 2 or 3, but the file has version 4; a newer NetGen wrote it", Refused(net, bad));
    }

    [Fact]
    public void A_dense_network_is_still_saved_as_version_1_or_2_byte_for_byte()
    {
        var net = new PersistNet();
        for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] = 0.25f * i - 2f;
        var scaling = new Standardizer([0.5, -1.5, 2.25], [1.0, 0.125, 3.0]);

        string v1 = _folder.File("v1.ngp"), v2 = _folder.File("v2.ngp");
        net.SaveParameters(v1);
        net.SaveParameters(v2, scaling);
        Assert.Equal(GoldenV1, Convert.ToHexString(File.ReadAllBytes(v1)));
        Assert.Equal(GoldenV2, Convert.ToHexString(File.ReadAllBytes(v2)));

        // And the bytes written before version 3 existed still load.
        var loaded = new PersistNet(3);
        File.WriteAllBytes(v2, Convert.FromHexString(GoldenV2));
        loaded.LoadParameters(v2, out Standardizer? back);
        Assert.Equal(Bits(net.Parameters), Bits(loaded.Parameters));
        Assert.NotNull(back);
        Assert.Equal(Bits(scaling.Deviation), Bits(back.Deviation));
    }
}
