using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Tests;

/// <summary>The breast-cancer MLP whose scaling travels with it: 30 inputs, W1 16×30, b1 16, W2 1×16, b2 1.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 21)]
[Input(30)]
[Dense(16, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class ScaledCancerNet;

/// <summary>Issue 11, Deliver 4: the parameter file and the safetensors export carry the <see cref="Standardizer"/>, and a
/// model loaded from them alone turns raw inputs into the same predictions, bit for bit.</summary>
public sealed class ScalingPersistenceTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();
    public void Dispose() => _folder.Dispose();

    internal static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }

    internal static long[] Bits(ReadOnlySpan<double> values)
    {
        var bits = new long[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.DoubleToInt64Bits(values[i]);
        return bits;
    }

    /// <summary>A scaling for <see cref="PersistNet"/>'s 3 inputs whose values a decimal or float round trip would lose:
    /// −0, 1/3, 1e-300 as means; the smallest positive double, 1/3 and 1e300 as deviations.</summary>
    internal static Standardizer TrickyScaling()
        => new([-0.0, 1.0 / 3.0, 1e-300], [double.Epsilon, 1.0 / 3.0, 1e300]);

    /// <summary>Rewrites the CRC of a parameter file after an edit, so that the edit itself is what the load sees.</summary>
    private static void Reseal(byte[] bytes)
        => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)));

    /// <summary>The offset of the scaling's feature count S in a version 2 file of <see cref="PersistNet"/>: magic,
    /// version, architecture, 2 layer shapes, the parameter count and 21 parameters.</summary>
    private static readonly int ScalingAt = 8 + 4 + 4 + Encoding.UTF8.GetByteCount(PersistNet.Architecture) + 4 + 16 + 4 + 4 * 21;

    /// <summary>Loads <paramref name="path"/> into a fresh net whose out variable already holds a standardizer, expects an
    /// InvalidDataException naming the file, and checks that neither the parameters nor the variable changed.</summary>
    internal static string Refused(string path, bool safetensors)
    {
        var net = new PersistNet(99);
        int[] before = Bits(net.Parameters);
        Standardizer previous = new([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
        Standardizer? scaling = previous;
        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            if (safetensors) net.LoadSafetensors(path, out scaling);
            else net.LoadParameters(path, out scaling);
        });
        Assert.Equal(before, Bits(net.Parameters));
        Assert.Same(previous, scaling);
        Assert.Contains($"Cannot load '{path}'", ex.Message);
        return ex.Message;
    }

    [Fact]
    public void TheParameterFileCarriesTheScalingBitForBit()
    {
        var saved = new PersistNet(3);
        Standardizer scaling = TrickyScaling();
        string path = _folder.File("net.ngp");
        saved.SaveParameters(path, scaling);

        var loaded = new PersistNet(4);
        loaded.LoadParameters(path, out Standardizer? back);
        Assert.Equal(Bits(saved.Parameters), Bits(loaded.Parameters));
        Assert.NotNull(back);
        Assert.Equal(Bits(scaling.Mean), Bits(back.Mean));
        Assert.Equal(Bits(scaling.Deviation), Bits(back.Deviation));

        // The documented layout: version 2, the version 1 body, then S = 3, μ and σ as float64, then the CRC.
        byte[] bytes = File.ReadAllBytes(path);
        byte[] v1 = ParameterFile.Encode(saved);
        Assert.Equal(v1.Length + 4 + 16 * 3, bytes.Length);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(v1.AsSpan(12, ScalingAt - 12).ToArray(), bytes.AsSpan(12, ScalingAt - 12).ToArray());
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(ScalingAt)));
        double[] stored = Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(ScalingAt + 4 + 8 * i))).ToArray();
        Assert.Equal(Bits(scaling.Mean).Concat(Bits(scaling.Deviation)), Bits(stored));
        Assert.Equal(Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)));

        // The overload without the out value loads the same parameters from it.
        var plain = new PersistNet(5);
        plain.LoadParameters(path);
        Assert.Equal(Bits(saved.Parameters), Bits(plain.Parameters));
    }

    [Fact]
    public void WithoutAScalingTheFileIsVersion1AsBeforeAndLoadsWithNone()
    {
        var net = new PersistNet(3);
        string a = _folder.File("a.ngp"), b = _folder.File("b.ngp");
        net.SaveParameters(a);
        net.SaveParameters(b, scaling: null);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(a).AsSpan(8)));

        var loaded = new PersistNet(4);
        Standardizer? scaling = TrickyScaling();
        loaded.LoadParameters(a, out scaling);
        Assert.Null(scaling);
        Assert.Equal(Bits(net.Parameters), Bits(loaded.Parameters));
    }

    [Fact]
    public void AVersion1FileWrittenByHandStillLoads()
    {
        // The version 1 layout of the README, built here byte by byte rather than by the library's encoder.
        float[] values = Enumerable.Range(0, 21).Select(i => 0.125f * i - 1f).ToArray();
        byte[] architecture = Encoding.UTF8.GetBytes(PersistNet.Architecture);
        var file = new MemoryStream();
        var w = new BinaryWriter(file);   // little-endian
        w.Write("NGPARAMS"u8);
        w.Write(1u);
        w.Write(architecture.Length);
        w.Write(architecture);
        w.Write(2);
        w.Write(4); w.Write(3);
        w.Write(1); w.Write(4);
        w.Write(21);
        foreach (float v in values) w.Write(v);
        w.Flush();
        w.Write(Crc32.Compute(file.ToArray()));
        string path = _folder.File("v1.ngp");
        File.WriteAllBytes(path, file.ToArray());

        var net = new PersistNet(8);
        net.LoadParameters(path, out Standardizer? scaling);
        Assert.Null(scaling);
        Assert.Equal(values, net.Parameters.ToArray());
        Assert.Equal(file.ToArray(), ParameterFile.Encode(net));
    }

    [Fact]
    public void AScalingOfAnotherSizeIsNotSaved()
    {
        string path = _folder.File("net.ngp");
        var net = new PersistNet(3);
        net.SaveParameters(path);
        byte[] before = File.ReadAllBytes(path);
        var four = new Standardizer([0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]);
        var ex = Assert.Throws<ArgumentException>(() => net.SaveParameters(path, four));
        Assert.Contains("The scaling standardises 4 features, but PersistNet", ex.Message);
        Assert.Contains("has 3 inputs", ex.Message);
        Assert.Equal("scaling", ex.ParamName);
        Assert.Equal(before, File.ReadAllBytes(path));
        ex = Assert.Throws<ArgumentException>(() => net.SaveSafetensors(_folder.File("net.safetensors"), four));
        Assert.Contains("has 3 inputs", ex.Message);
        Assert.Equal(new[] { "net.ngp" }, Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void BadScalingValuesAreRefusedNamingTheFeature()
    {
        string path = _folder.File("net.ngp");
        new PersistNet(3).SaveParameters(path, new Standardizer([0.5, 1.5, 2.5], [1.0, 2.0, 3.0]));
        byte[] good = File.ReadAllBytes(path);
        string bad = _folder.File("bad.ngp");

        void Put(int index, double value)
        {
            byte[] bytes = (byte[])good.Clone();
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(ScalingAt + 4 + 8 * index), value);
            Reseal(bytes);
            File.WriteAllBytes(bad, bytes);
        }

        Put(1, double.NaN);   // μ of feature 1
        Assert.Contains("the scaling's mean of feature 1 is NaN, not a finite number", Refused(bad, safetensors: false));
        Put(0, double.NegativeInfinity);
        Assert.Contains("the scaling's mean of feature 0 is -Infinity, not a finite number", Refused(bad, safetensors: false));
        Put(3 + 2, 0.0);      // σ of feature 2
        Assert.Contains("the scaling's deviation of feature 2 is 0, not a finite positive number", Refused(bad, safetensors: false));
        Put(3 + 0, -1.0);
        Assert.Contains("the scaling's deviation of feature 0 is -1, not a finite positive number", Refused(bad, safetensors: false));
        Put(3 + 1, double.PositiveInfinity);
        Assert.Contains("the scaling's deviation of feature 1 is Infinity, not a finite positive number", Refused(bad, safetensors: false));

        // S that disagrees with the architecture (the file shortened to match, resealed): 2 features for 3 inputs.
        byte[] two = good[..(good.Length - 16 - 4)];
        BinaryPrimitives.WriteInt32LittleEndian(two.AsSpan(ScalingAt), 2);
        two = [.. two, 0, 0, 0, 0];
        Reseal(two);
        File.WriteAllBytes(bad, two);
        Assert.Contains("the file's scaling has 2 features, but its architecture \"3-4:Tanh-1:Sigmoid/BinaryCrossEntropy\" has 3 inputs",
            Refused(bad, safetensors: false));

        // S = 0 and S < 0 are refused before the length is even considered.
        foreach (int s in new[] { 0, -1 })
        {
            byte[] bytes = (byte[])good.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(ScalingAt), s);
            File.WriteAllBytes(bad, bytes);
            Assert.Contains($"the file gives a scaling of {s} features; the file is corrupted", Refused(bad, safetensors: false));
        }
    }

    [Fact]
    public void EveryBitFlipAndEveryTruncationOfAFileWithAScalingIsRefused()
    {
        string path = _folder.File("net.ngp");
        new PersistNet(3).SaveParameters(path, TrickyScaling());
        byte[] whole = File.ReadAllBytes(path);
        string bad = _folder.File("bad.ngp");
        var net = new PersistNet(99);
        for (int bit = 0; bit < 8 * whole.Length; bit++)
        {
            byte[] copy = (byte[])whole.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            // Every bit through the decoder in memory; the first bit of each byte also through a file and the public load.
            Assert.Throws<InvalidDataException>(() => ParameterFile.Decode(net, copy, bad));
            if (bit % 8 != 0) continue;
            File.WriteAllBytes(bad, copy);
            Refused(bad, safetensors: false);
        }
        for (int length = 0; length < whole.Length; length++)
        {
            File.WriteAllBytes(bad, whole[..length]);
            string message = Refused(bad, safetensors: false);
            if (length >= ScalingAt + 4)   // S is there: the exact length is named
                Assert.Contains($"and a scaling of 3 features, so the file should have {whole.Length} bytes, but it has {length}; it is truncated", message);
            else if (length >= ScalingAt - 4 * 21)   // the parameter count is there, S is not
                Assert.Contains($"so the file should have at least {ScalingAt + 24} bytes, but it has {length}; it is truncated", message);
        }
    }

    // ---- the model and its scaling, saved and loaded elsewhere ----

    private static float[] PredictRaw(INetwork net, Standardizer scaling, Dataset raw)
    {
        Dataset scaled = scaling.Apply(raw);
        var y = new float[raw.Count * net.OutputSize];
        net.PredictBatch(scaled.X, y, raw.Count);
        return y;
    }

    private static double Accuracy(float[] predictions, Dataset data)
    {
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
            if ((predictions[i] > 0.5f) == (data.Y[i] > 0.5f)) correct++;
        return (double)correct / data.Count;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AModelSavedWithItsScalingPredictsTheSameFromRawInputsAfterLoading(bool safetensors)
    {
        Dataset all = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"), new CsvOptions { Header = CsvHeader.Skip });
        var (rawTrain, _, rawTest) = all.Split(0.6, 0.2, 0.2, seed: 7, stratify: true);
        Standardizer scale = Standardizer.Fit(rawTrain);
        var net = new ScaledCancerNet();
        Trainer.Fit(net, scale.Apply(rawTrain), null, new TrainingOptions
        {
            Epochs = 20, BatchSize = 32, Optimizer = Optimizer.Adam, LearningRate = 0.01f, ShuffleSeed = 3,
        });
        float[] expected = PredictRaw(net, scale, rawTest);
        Assert.True(Accuracy(expected, rawTest) >= 0.9, $"test accuracy {Accuracy(expected, rawTest):P1} after 20 epochs");

        string path = _folder.File(safetensors ? "cancer.safetensors" : "cancer.ngp");
        if (safetensors) net.SaveSafetensors(path, scale);
        else net.SaveParameters(path, scale);

        // Elsewhere: a fresh instance, another seed, and nothing but the file.
        var loaded = new ScaledCancerNet(seed: 99);
        Assert.NotEqual(Bits(net.Parameters), Bits(loaded.Parameters));
        Standardizer? scaling;
        if (safetensors) loaded.LoadSafetensors(path, out scaling);
        else loaded.LoadParameters(path, out scaling);
        Assert.NotNull(scaling);
        Assert.Equal(Bits(scale.Mean), Bits(scaling.Mean));
        Assert.Equal(Bits(scale.Deviation), Bits(scaling.Deviation));

        float[] actual = PredictRaw(loaded, scaling, rawTest);
        Assert.Equal(Bits(expected), Bits(actual));

        // The scaling matters: the raw inputs given straight to the loaded model predict something else.
        var unscaled = new float[rawTest.Count];
        loaded.PredictBatch(rawTest.X, unscaled, rawTest.Count);
        Assert.NotEqual(Bits(expected), Bits(unscaled));
    }
}
