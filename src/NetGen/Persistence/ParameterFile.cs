using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NetGen;

/// <summary>
/// Saves and loads a network's <see cref="INetwork.Parameters"/>, and optionally the <see cref="Standardizer"/> its
/// inputs were scaled with, in NetGen's own small binary format.
/// </summary>
/// <remarks>
/// <para>The format of a dense network's file (versions 1 and 2); every number is little-endian:</para>
/// <list type="table">
/// <listheader><term>bytes</term><description>content</description></listheader>
/// <item><term>8</term><description>the magic "NGPARAMS" (ASCII)</description></item>
/// <item><term>4</term><description>the format version, uint32: 1 without a scaling, 2 with one</description></item>
/// <item><term>4 + A</term><description>the architecture fingerprint (<see cref="INetwork.Architecture"/>): its byte length A as int32, then its UTF-8 bytes</description></item>
/// <item><term>4 + 8·L</term><description>the layer count L as int32, then for each layer l = 1…L the shape of W[l]: n[l] and n[l-1] as int32
/// (b[l] has n[l] entries), from <see cref="INetwork.Layers"/>; files of earlier versions have L = 0 for a network
/// whose fingerprint was not in the generated form</description></item>
/// <item><term>4 + 4·P</term><description>the parameter count P as int32, then the P parameters as float32 in the order of
/// <see cref="INetwork.Parameters"/>: W1 (row-major), b1, W2, b2, …</description></item>
/// <item><term>4 + 16·S</term><description>version 2 only: the scaling's feature count S as int32 (S = n[0], the
/// network's <see cref="INetwork.InputSize"/>), then the S means μ and the S deviations σ of the
/// <see cref="Standardizer"/> as float64</description></item>
/// <item><term>4</term><description>the CRC-32 (IEEE, as in zip and PNG) of every byte before it, uint32</description></item>
/// </list>
/// <para>
/// A file saved without a scaling is written as version 1, byte for byte the format of earlier NetGen versions, so they
/// still read it; this version reads both.
/// </para>
/// <para>A network with a conv or pool layer (<see cref="LayerKind"/>) is written as version 3, whose layer list gives
/// each layer's kind and the full shape of its W[l], and whose flags say whether a scaling is present:</para>
/// <list type="table">
/// <listheader><term>bytes</term><description>content</description></listheader>
/// <item><term>8</term><description>the magic "NGPARAMS" (ASCII)</description></item>
/// <item><term>4</term><description>the format version, uint32: 3</description></item>
/// <item><term>4</term><description>the flags, uint32: bit 0 set when a scaling follows the parameters; the other bits
/// are 0 (a file with another bit set is refused)</description></item>
/// <item><term>4 + A</term><description>the architecture fingerprint, as in versions 1 and 2</description></item>
/// <item><term>4 + Σ(12 + 4·R[l])</term><description>the layer count L as int32, then for each layer l = 1…L, from
/// <see cref="INetwork.Layers"/>: its kind as int32 (<see cref="LayerKind"/>: Dense 0, Conv2D 1, MaxPool 2,
/// AveragePool 3), the rank R[l] of W[l] as int32 and its R[l] dims as int32, outermost first (a dense layer's
/// (n[l], n[l-1]), a conv layer's (filters, c_in, kh, kw); R[l] = 0 for a pool), then the length of b[l] as int32
/// (0 for a pool)</description></item>
/// <item><term>4 + 4·P</term><description>the parameter count P as int32, then the P parameters as float32 in the order
/// of <see cref="INetwork.Parameters"/></description></item>
/// <item><term>4 + 16·S</term><description>only when flag bit 0 is set: the scaling, as in version 2</description></item>
/// <item><term>4</term><description>the CRC-32 of every byte before it, uint32</description></item>
/// </list>
/// <para>Loading a version 3 file checks every layer's kind and shapes against <see cref="INetwork.Layers"/>, naming
/// the first layer that differs, before it writes a single parameter.</para>
/// <para>
/// Saving is atomic: the file is written to a temporary file in the same folder, flushed to disk, and renamed over the
/// target, so an interrupted save leaves the previous file as it was. Loading reads and checks the whole file — magic,
/// version, length, checksum, then the architecture and shapes against the network, and the scaling's length (S =
/// <see cref="INetwork.InputSize"/>) and values (finite, σ &gt; 0) — before it writes a single parameter; any mismatch
/// throws an <see cref="InvalidDataException"/> naming what was expected and what was found, and the network's
/// parameters stay unchanged.
/// </para>
/// </remarks>
public static class ParameterFile
{
    /// <summary>The first 8 bytes of every parameter file: "NGPARAMS".</summary>
    public static ReadOnlySpan<byte> Magic => "NGPARAMS"u8;

    /// <summary>The newest format version this library writes and reads: 3, a network with a conv or pool layer. A dense
    /// network's file is written as version 1 (without a scaling) or 2 (with one), byte for byte as earlier NetGen
    /// versions wrote them; every version from 1 up to this one is read.</summary>
    public const uint FormatVersion = 3;

    /// <summary>Writes the network's parameters, architecture and shapes to <paramref name="path"/>, atomically
    /// (temporary file, flush to disk, rename); an existing file is replaced only once the new one is complete.</summary>
    /// <param name="net">The network whose parameters to save.</param>
    /// <param name="path">The file to write.</param>
    /// <exception cref="ArgumentException">The network's <see cref="INetwork.Layers"/> disagree with its sizes; nothing is
    /// written.</exception>
    /// <exception cref="IOException">The file could not be written; any previous file at <paramref name="path"/> is left as it was.</exception>
    public static void SaveParameters(this INetwork net, string path) => Save(net, path, scaling: null, wrap: null);

    /// <summary>Writes the network's parameters, architecture and shapes to <paramref name="path"/> together with the
    /// <see cref="Standardizer"/> its inputs are scaled with, so that the file alone turns raw inputs into predictions;
    /// atomically, as <see cref="SaveParameters(INetwork, string)"/>.</summary>
    /// <param name="net">The network whose parameters to save.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="scaling">The μ and σ the network's inputs are standardised with (<see cref="Standardizer.Fit(Dataset)"/> on
    /// its training set), saved as float64 bit for bit; null saves none (a version 1 file, as the overload without it).</param>
    /// <exception cref="ArgumentException"><paramref name="scaling"/> has another number of features than the network
    /// has inputs; nothing is written.</exception>
    /// <exception cref="ArgumentException">The network's <see cref="INetwork.Layers"/> disagree with its sizes; nothing is
    /// written.</exception>
    /// <exception cref="IOException">The file could not be written; any previous file at <paramref name="path"/> is left as it was.</exception>
    public static void SaveParameters(this INetwork net, string path, Standardizer? scaling)
        => Save(net, path, scaling, wrap: null);

    /// <summary>As <see cref="SaveParameters(INetwork, string)"/>; <paramref name="wrap"/> wraps the temporary file's stream (tests: a failure midway).</summary>
    internal static void SaveParameters(INetwork net, string path, Func<Stream, Stream>? wrap) => Save(net, path, null, wrap);

    /// <summary>The one save path: checks, encodes, then writes atomically.</summary>
    internal static void Save(INetwork net, string path, Standardizer? scaling, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckScaling(net, scaling);
        AtomicFile.Write(path, Encode(net, scaling), wrap);
    }

    /// <summary>Refuses a scaling whose feature count is not the network's input size, naming both.</summary>
    internal static void CheckScaling(INetwork net, Standardizer? scaling)
    {
        if (scaling is not null && scaling.InputSize != net.InputSize)
            throw new ArgumentException($"The scaling standardises {scaling.InputSize} features, but {Describe(net)} has "
                + $"{net.InputSize} inputs; save the Standardizer fitted on this network's training set.", nameof(scaling));
    }

    /// <summary>The bytes of a parameter file for <paramref name="net"/>: version 1, or 2 with a scaling, for a dense
    /// network; version 3 for one with a conv or pool layer.</summary>
    internal static byte[] Encode(INetwork net, Standardizer? scaling = null)
    {
        NetworkLayout layout = NetworkLayout.Of(net, maps: true);
        if (layout.HasMaps) return EncodeMaps(net, layout, scaling);
        byte[] architecture = Encoding.UTF8.GetBytes(net.Architecture);
        ReadOnlySpan<float> parameters = net.Parameters;
        int layers = layout.LayerCount;
        int features = scaling?.InputSize ?? 0;
        long length = 8 + 4 + 4 + architecture.Length + 4 + 8L * layers + 4 + 4L * parameters.Length
            + (scaling is null ? 0 : 4 + 16L * features) + 4;
        if (length > Array.MaxLength)
            throw new NotSupportedException($"{parameters.Length} parameters do not fit in one parameter file.");

        var bytes = new byte[length];
        var w = new Writer(bytes);
        w.Bytes(Magic);
        w.UInt32(scaling is null ? 1u : 2u);
        w.Int32(architecture.Length);
        w.Bytes(architecture);
        w.Int32(layers);
        for (int l = 1; l <= layers; l++)
        {
            w.Int32(layout.Sizes[l]);
            w.Int32(layout.Sizes[l - 1]);
        }
        w.Int32(parameters.Length);
        foreach (float p in parameters) w.Single(p);
        if (scaling is not null)
        {
            w.Int32(features);
            foreach (double mu in scaling.Mean) w.Double(mu);
            foreach (double sigma in scaling.Deviation) w.Double(sigma);
        }
        w.UInt32(Crc32.Compute(bytes.AsSpan(0, w.Position)));
        return bytes;
    }

    /// <summary>Version 3: each layer as its kind, the rank and dims of W[l] and the length of b[l]; a flags word says
    /// whether a scaling follows the parameters.</summary>
    private static byte[] EncodeMaps(INetwork net, NetworkLayout layout, Standardizer? scaling)
    {
        IReadOnlyList<LayerDescription> layers = layout.Layers!;
        byte[] architecture = Encoding.UTF8.GetBytes(net.Architecture);
        ReadOnlySpan<float> parameters = net.Parameters;
        int features = scaling?.InputSize ?? 0;
        long header = 0;
        foreach (LayerDescription layer in layers) header += 4 + 4 + 4L * layer.WeightShape.Length + 4;
        long length = 8 + 4 + 4 + 4 + architecture.Length + 4 + header + 4 + 4L * parameters.Length
            + (scaling is null ? 0 : 4 + 16L * features) + 4;
        if (length > Array.MaxLength)
            throw new NotSupportedException($"{parameters.Length} parameters do not fit in one parameter file.");

        var bytes = new byte[length];
        var w = new Writer(bytes);
        w.Bytes(Magic);
        w.UInt32(3u);
        w.UInt32(scaling is null ? 0u : FlagScaling);
        w.Int32(architecture.Length);
        w.Bytes(architecture);
        w.Int32(layers.Count);
        foreach (LayerDescription layer in layers)
        {
            w.Int32((int)layer.Kind);
            w.Int32(layer.WeightShape.Length);
            foreach (int d in layer.WeightShape) w.Int32(d);
            w.Int32(layer.BiasLength);
        }
        w.Int32(parameters.Length);
        foreach (float p in parameters) w.Single(p);
        if (scaling is not null)
        {
            w.Int32(features);
            foreach (double mu in scaling.Mean) w.Double(mu);
            foreach (double sigma in scaling.Deviation) w.Double(sigma);
        }
        w.UInt32(Crc32.Compute(bytes.AsSpan(0, w.Position)));
        return bytes;
    }

    /// <summary>Bit 0 of a version 3 file's flags: a scaling follows the parameters. The other bits are 0.</summary>
    internal const uint FlagScaling = 1u;

    /// <summary>Reads <paramref name="path"/> and, once every check has passed, copies its parameters into the network.
    /// A scaling in the file (version 2) is checked too but not returned: see
    /// <see cref="LoadParameters(INetwork, string, out Standardizer?)"/>.</summary>
    /// <param name="net">The network to load into; it must have the architecture the file was saved from.</param>
    /// <param name="path">A file written by <see cref="SaveParameters(INetwork, string)"/>.</param>
    /// <exception cref="InvalidDataException">The file is not a parameter file, has another format version, is truncated or
    /// corrupted (checksum), or holds another architecture; the message names what was expected and what was found, and
    /// <see cref="INetwork.Parameters"/> is unchanged.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException">The file is a version 3 file (a conv network's) and the network's
    /// <see cref="INetwork.Layers"/> disagree with its sizes, so its layers cannot be checked; nothing is loaded.</exception>
    public static void LoadParameters(this INetwork net, string path) => LoadParameters(net, path, out _);

    /// <summary>Reads <paramref name="path"/> and, once every check has passed, copies its parameters into the network
    /// and gives back the scaling saved with them.</summary>
    /// <param name="net">The network to load into; it must have the architecture the file was saved from.</param>
    /// <param name="path">A file written by <see cref="SaveParameters(INetwork, string, Standardizer?)"/> or
    /// <see cref="SaveParameters(INetwork, string)"/>.</param>
    /// <param name="scaling">The <see cref="Standardizer"/> saved with the parameters, bit for bit — apply it to raw inputs
    /// before <c>Predict</c> — or null when the file carries none (version 1). Assigned only when the load succeeds.</param>
    /// <exception cref="InvalidDataException">The file is not a parameter file, has another format version, is truncated or
    /// corrupted (checksum), holds another architecture, or a scaling whose length is not the network's input size or
    /// whose values are not finite with σ &gt; 0; the message names what was expected and what was found, and
    /// <see cref="INetwork.Parameters"/> is unchanged.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException">The file is a version 3 file (a conv network's) and the network's
    /// <see cref="INetwork.Layers"/> disagree with its sizes, so its layers cannot be checked; nothing is loaded.</exception>
    public static void LoadParameters(this INetwork net, string path, out Standardizer? scaling)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentException.ThrowIfNullOrEmpty(path);
        (float[] parameters, Standardizer? found) = Decode(net, ReadFile(net, path), path);
        parameters.CopyTo(net.Parameters);
        scaling = found;
    }

    /// <summary>Reads a whole file, refusing one too large to be held in memory.</summary>
    internal static byte[] ReadFile(INetwork net, string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (file.Length > Array.MaxLength)
            throw Invalid(net, path, $"the file has {file.Length} bytes, more than any parameter file can have.");
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Checks a parameter file's bytes against <paramref name="net"/> and returns its parameters and its scaling
    /// (null in a version 1 file).</summary>
    internal static (float[] Parameters, Standardizer? Scaling) Decode(INetwork net, ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < Magic.Length || !bytes.StartsWith(Magic))
        {
            ReadOnlySpan<byte> head = bytes.Slice(0, Math.Min(bytes.Length, Magic.Length));
            throw Invalid(net, path, $"expected the magic \"NGPARAMS\" ({Convert.ToHexString(Magic)}) in the first 8 bytes, but found "
                + (head.Length == 0 ? "an empty file" : $"{Convert.ToHexString(head)} (\"{Printable(head)}\") in a file of {bytes.Length} bytes")
                + "; this is not a NetGen parameter file.");
        }

        var r = new Reader(bytes);
        r.Skip(Magic.Length);
        uint version = r.UInt32(net, path, "the format version");
        if (version is < 1 or > FormatVersion)
            throw Invalid(net, path, $"expected format version 1, 2 or {FormatVersion}, but the file has version {version}; "
                + "a newer NetGen wrote it, or it is corrupted.");

        if (version == 3) return DecodeMaps(net, bytes, path, ref r);

        ReadOnlySpan<byte> architectureBytes = ReadArchitecture(ref r, net, path);
        int layers = r.Int32(net, path, "the layer count");
        if (layers < 0 || layers > 1 << 16)
            throw Invalid(net, path, $"the file gives a layer count of {layers}; the file is corrupted.");
        var rows = new int[layers];
        var columns = new int[layers];
        for (int l = 0; l < layers; l++)
        {
            rows[l] = r.Int32(net, path, $"the shape of W{l + 1}");
            columns[l] = r.Int32(net, path, $"the shape of W{l + 1}");
        }
        int count = r.Int32(net, path, "the parameter count");
        if (count < 0)
            throw Invalid(net, path, $"the file gives a parameter count of {count}; the file is corrupted.");

        // Version 2 puts the scaling's feature count S right after the parameters; the length follows from it.
        long parametersEnd = (long)r.Position + 4L * count;
        (int features, string architecture) = CheckLengthAndChecksum(net, bytes, path, parametersEnd, count, version == 2,
            architectureBytes);

        // The file's own shapes: from its layer list, which must agree with its fingerprint and its parameter count.
        string fileShapes = $"{count} parameters";
        if (layers > 0)
        {
            var sizes = new int[layers + 1];
            sizes[0] = columns[0];
            bool chained = true;
            for (int l = 0; l < layers; l++)
            {
                sizes[l + 1] = rows[l];
                if (columns[l] != sizes[l]) chained = false;
            }
            NetworkLayout? fileLayout = chained ? NetworkLayout.FromSizes(sizes) : null;
            // A fingerprint in the generated form must give the same sizes; another text (a network written by hand) is
            // an identity only.
            int[]? declared = NetworkLayout.ParseSizes(architecture);
            if (fileLayout is null || fileLayout.ParameterCount != count || (declared is not null && !declared.AsSpan().SequenceEqual(sizes)))
                throw Invalid(net, path, $"the file's shapes ({ShapeList(rows, columns)}) do not agree with its architecture \"{architecture}\" and its {count} parameters; the file is inconsistent.");
            if (version == 2 && features != sizes[0])
                throw Invalid(net, path, $"the file's scaling has {features} features, but its architecture \"{architecture}\" "
                    + $"has {sizes[0]} inputs; the file is inconsistent.");
            fileShapes = fileLayout.ToString();
        }

        if (!string.Equals(architecture, net.Architecture, StringComparison.Ordinal) || count != net.ParameterCount)
            throw Invalid(net, path, $"the file holds a network \"{architecture}\" with {fileShapes}, which is not this network's architecture.");
        if (layers > 0 && NetworkLayout.TryOf(net) is { } own && !own.Sizes.AsSpan().SequenceEqual(ChainedSizes(rows, columns)))
            throw Invalid(net, path, $"the file holds a network \"{architecture}\" with {fileShapes}, but this network's "
                + $"layers are {own}.");

        Standardizer? scaling = version == 2 ? ReadScaling(net, bytes, path, (int)parametersEnd, features) : null;
        return (ReadParameters(bytes, r.Position, count), scaling);
    }

    /// <summary>The fingerprint's bytes, after their length (at most 1 MiB), in every version.</summary>
    private static ReadOnlySpan<byte> ReadArchitecture(ref Reader r, INetwork net, string path)
    {
        int architectureLength = r.Int32(net, path, "the length of the architecture");
        if (architectureLength < 0 || architectureLength > 1 << 20)
            throw Invalid(net, path, $"the file's architecture is said to be {architectureLength} bytes long; the file is corrupted.");
        return r.Bytes(architectureLength, net, path, "the architecture");
    }

    /// <summary>What every version checks after its header, before it trusts a byte of it: with a scaling, its feature
    /// count S right after the <paramref name="count"/> parameters; then the file's exact length and its CRC-32; then the
    /// fingerprint as UTF-8. Returns S (0 without a scaling) and the fingerprint.</summary>
    private static (int Features, string Architecture) CheckLengthAndChecksum(INetwork net, ReadOnlySpan<byte> bytes,
        string path, long parametersEnd, int count, bool hasScaling, ReadOnlySpan<byte> architectureBytes)
    {
        int features = 0;
        long expectedLength = parametersEnd + 4;
        if (hasScaling)
        {
            if (bytes.Length < parametersEnd + 4)
                throw Invalid(net, path, $"the file's header announces {count} parameters and a scaling after them, so the "
                    + $"file should have at least {parametersEnd + 24} bytes, but it has {bytes.Length}; it is truncated.");
            features = BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice((int)parametersEnd));
            if (features <= 0)
                throw Invalid(net, path, $"the file gives a scaling of {features} features; the file is corrupted.");
            expectedLength = parametersEnd + 4 + 16L * features + 4;
        }
        if (bytes.Length != expectedLength)
            throw Invalid(net, path, $"the file's header announces {count} parameters"
                + (hasScaling ? $" and a scaling of {features} features" : "")
                + $", so the file should have {expectedLength} bytes, but it has {bytes.Length}"
                + (bytes.Length < expectedLength ? "; it is truncated." : $" ({bytes.Length - expectedLength} bytes too many)."));

        int body = bytes.Length - 4;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(body));
        uint actual = Crc32.Compute(bytes.Slice(0, body));
        if (stored != actual)
            throw Invalid(net, path, $"the CRC-32 stored in the file is 0x{stored:X8}, but its contents give 0x{actual:X8}; the file is corrupted.");

        string architecture;
        try { architecture = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(architectureBytes); }
        catch (DecoderFallbackException) { throw Invalid(net, path, "the file's architecture is not valid UTF-8; the file is corrupted."); }
        return (features, architecture);
    }

    /// <summary>The scaling of <paramref name="features"/> features whose count sits at <paramref name="at"/>, checked
    /// against the network's input size and for finite values with σ &gt; 0.</summary>
    private static Standardizer ReadScaling(INetwork net, ReadOnlySpan<byte> bytes, string path, int at, int features)
    {
        if (features != net.InputSize)
            throw Invalid(net, path, $"the file's scaling has {features} features, but the network has {net.InputSize} inputs.");
        var mean = new double[features];
        var deviation = new double[features];
        ReadOnlySpan<byte> values = bytes.Slice(at + 4, 16 * features);
        for (int j = 0; j < features; j++)
        {
            mean[j] = BinaryPrimitives.ReadDoubleLittleEndian(values.Slice(8 * j));
            deviation[j] = BinaryPrimitives.ReadDoubleLittleEndian(values.Slice(8 * (features + j)));
        }
        return ScalingFrom(mean, deviation, reason => Invalid(net, path, reason));
    }

    private static float[] ReadParameters(ReadOnlySpan<byte> bytes, int at, int count)
    {
        var parameters = new float[count];
        ReadOnlySpan<byte> data = bytes.Slice(at, 4 * count);
        for (int i = 0; i < count; i++)
            parameters[i] = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(4 * i));
        return parameters;
    }

    /// <summary>The largest rank of W[l] a version 3 file may give (a conv layer's is 4); more is corruption.</summary>
    private const int MaxRank = 8;

    /// <summary>A version 3 file, read from just after its version: flags, architecture, the layers' kinds and shapes,
    /// parameters, scaling (when flagged), CRC. Every check passes before anything is returned.</summary>
    private static (float[] Parameters, Standardizer? Scaling) DecodeMaps(INetwork net, ReadOnlySpan<byte> bytes,
        string path, ref Reader r)
    {
        uint flags = r.UInt32(net, path, "the flags");
        if ((flags & ~FlagScaling) != 0)
            throw Invalid(net, path, $"the file's flags are 0x{flags:X8}, but only bit 0 (a scaling follows the "
                + "parameters) is defined; a newer NetGen wrote it, or it is corrupted.");
        bool hasScaling = (flags & FlagScaling) != 0;

        ReadOnlySpan<byte> architectureBytes = ReadArchitecture(ref r, net, path);
        int layerCount = r.Int32(net, path, "the layer count");
        if (layerCount <= 0 || layerCount > 1 << 16)
            throw Invalid(net, path, $"the file gives a layer count of {layerCount}; the file is corrupted.");
        var found = new FileLayer[layerCount];
        for (int l = 0; l < layerCount; l++)
        {
            string what = $"layer {l + 1}";
            int kind = r.Int32(net, path, $"the kind of {what}");
            int rank = r.Int32(net, path, $"the rank of W{l + 1}");
            if (rank < 0 || rank > MaxRank)
                throw Invalid(net, path, $"the file gives W{l + 1} a rank of {rank}; the file is corrupted.");
            var shape = new int[rank];
            for (int d = 0; d < rank; d++) shape[d] = r.Int32(net, path, $"the shape of W{l + 1}");
            int bias = r.Int32(net, path, $"the length of b{l + 1}");
            found[l] = new FileLayer((LayerKind)kind, shape, bias);
        }
        int count = r.Int32(net, path, "the parameter count");
        if (count < 0)
            throw Invalid(net, path, $"the file gives a parameter count of {count}; the file is corrupted.");

        // As version 2: the scaling's feature count S right after the parameters gives the length.
        long parametersEnd = (long)r.Position + 4L * count;
        (int features, string architecture) = CheckLengthAndChecksum(net, bytes, path, parametersEnd, count, hasScaling,
            architectureBytes);

        // The file's own layers must make sense and add up to its parameter count.
        long total = 0;
        for (int l = 0; l < layerCount; l++)
        {
            if (found[l].Problem() is { } problem)
                throw Invalid(net, path, $"the file's layer {l + 1} is {found[l].Text(l + 1)}, which {problem}; the file is inconsistent.");
            total += found[l].Length;
        }
        string fileShapes = ShapesOf(found, count);
        if (total != count)
            throw Invalid(net, path, $"the file's shapes ({fileShapes}) add up to {total} parameters, but it holds {count}; "
                + "the file is inconsistent.");

        // Then every layer against the network's own, before anything is written.
        IReadOnlyList<LayerDescription> own = NetworkLayout.Of(net, maps: true).Layers!;
        if (layerCount != own.Count)
            throw Invalid(net, path, $"the file holds a network \"{architecture}\" of {layerCount} layers ({fileShapes}), "
                + $"but this network has {own.Count} layers.");
        for (int l = 0; l < layerCount; l++)
        {
            LayerDescription layer = own[l];
            var expected = new FileLayer(layer.Kind, layer.WeightShape.ToArray(), layer.BiasLength);
            if (!expected.Equals(found[l]))
                throw Invalid(net, path, $"layer {l + 1} ({layer.Name}) is {expected.Text(l + 1)}, but the file's layer "
                    + $"{l + 1} is {found[l].Text(l + 1)}; the file holds a network \"{architecture}\" with {fileShapes}.");
        }
        if (!string.Equals(architecture, net.Architecture, StringComparison.Ordinal) || count != net.ParameterCount)
            throw Invalid(net, path, $"the file holds a network \"{architecture}\" with {fileShapes}, which is not this network's architecture.");

        Standardizer? scaling = hasScaling ? ReadScaling(net, bytes, path, (int)parametersEnd, features) : null;
        return (ReadParameters(bytes, r.Position, count), scaling);
    }

    /// <summary>One layer of a version 3 file: its kind, the shape of W[l] and the length of b[l].</summary>
    private readonly record struct FileLayer(LayerKind Kind, int[] Shape, int Bias)
    {
        public long Length
        {
            get
            {
                long n = Shape.Length == 0 ? 0 : 1;
                foreach (int d in Shape)
                {
                    n *= d; // d > 0 and n ≤ 2³¹ here: no overflow
                    if (n > int.MaxValue) return (long)int.MaxValue + 1 + Bias; // more than any file holds
                }
                return n + Bias;
            }
        }

        /// <summary>Why the entry cannot describe a NetGen layer, or null.</summary>
        public string? Problem()
        {
            int rank = Kind switch { LayerKind.Dense => 2, LayerKind.Conv2D => 4, LayerKind.MaxPool or LayerKind.AveragePool => 0, _ => -1 };
            if (rank < 0) return $"is not a kind NetGen knows (Dense 0, Conv2D 1, MaxPool 2, AveragePool 3)";
            if (Shape.Length != rank) return $"should have a W of rank {rank}";
            foreach (int d in Shape) if (d <= 0) return "has a size that is not positive";
            if (Bias != (rank == 0 ? 0 : Shape[0]))
                return rank == 0 ? "should have no b" : $"should have a b of {Shape[0]} (W's first size)";
            return null;
        }

        /// <summary>"a Conv2D layer with W1 6×1×5×5 and b1 6", "a MaxPool layer (no parameters)".</summary>
        public string Text(int index)
        {
            string kind = Kind switch
            {
                LayerKind.AveragePool => "an AveragePool layer",
                LayerKind.Dense or LayerKind.Conv2D or LayerKind.MaxPool => $"a {Kind} layer",
                _ => $"a layer of the unknown kind {(int)Kind}",
            };
            if (Shape.Length == 0 && Bias == 0) return kind + " (no parameters)";
            return $"{kind} with W{index} {(Shape.Length == 0 ? "of rank 0" : string.Join("×", Shape))} and b{index} {Bias}";
        }

        public bool Equals(FileLayer other)
            => Kind == other.Kind && Bias == other.Bias && Shape.AsSpan().SequenceEqual(other.Shape);

        public override int GetHashCode() => HashCode.Combine(Kind, Bias, Shape.Length);
    }

    /// <summary>"W1 6×1×5×5, b1 6, W3 16×6×5×5, b3 16, … (61706 parameters)" for a file's layers.</summary>
    private static string ShapesOf(FileLayer[] layers, int count)
    {
        var sb = new StringBuilder();
        for (int l = 0; l < layers.Length; l++) NetworkLayout.AppendShapes(sb, l + 1, layers[l].Shape, layers[l].Bias);
        return sb.Append(CultureInfo.InvariantCulture, $" ({count} parameters)").ToString();
    }

    /// <summary>A <see cref="Standardizer"/> from a file's μ and σ, after the checks its constructor makes, so that a bad
    /// value is an <see cref="InvalidDataException"/> (through <paramref name="invalid"/>) rather than an argument error.</summary>
    internal static Standardizer ScalingFrom(double[] mean, double[] deviation, Func<string, InvalidDataException> invalid)
    {
        for (int j = 0; j < mean.Length; j++)
        {
            if (!double.IsFinite(mean[j]))
                throw invalid($"the scaling's mean of feature {j} is {mean[j].ToString("R", CultureInfo.InvariantCulture)}, "
                    + "not a finite number; the file is corrupted.");
            if (!double.IsFinite(deviation[j]) || deviation[j] <= 0)
                throw invalid($"the scaling's deviation of feature {j} is {deviation[j].ToString("R", CultureInfo.InvariantCulture)}, "
                    + "not a finite positive number; the file is corrupted.");
        }
        return new Standardizer(mean, deviation);
    }

    private static int[] ChainedSizes(int[] rows, int[] columns)
    {
        var sizes = new int[rows.Length + 1];
        sizes[0] = columns[0];
        rows.CopyTo(sizes, 1);
        return sizes;
    }

    private static string ShapeList(int[] rows, int[] columns)
    {
        var sb = new StringBuilder();
        for (int l = 0; l < rows.Length; l++)
            sb.Append(l == 0 ? "" : ", ").Append($"W{l + 1} {rows[l]}×{columns[l]}");
        return sb.ToString();
    }

    /// <summary>"ShallowNet (3-4:Tanh-1:Sigmoid/BinaryCrossEntropy: W1 4×3, b1 4, W2 1×4, b2 1 (21 parameters))".</summary>
    internal static string Describe(INetwork net)
    {
        NetworkLayout? layout = NetworkLayout.TryOf(net, maps: true);
        return $"{net.GetType().Name} (\"{net.Architecture}\": {(layout is null ? $"{net.ParameterCount} parameters" : layout.ToString())})";
    }

    internal static InvalidDataException Invalid(INetwork net, string path, string reason)
        => new($"Cannot load '{path}' into {Describe(net)}: {reason}");

    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (byte b in bytes) sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        return sb.ToString();
    }

    private ref struct Writer(Span<byte> bytes)
    {
        private readonly Span<byte> _bytes = bytes;
        public int Position;
        public void Bytes(ReadOnlySpan<byte> b) { b.CopyTo(_bytes.Slice(Position)); Position += b.Length; }
        public void UInt32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(_bytes.Slice(Position), v); Position += 4; }
        public void Int32(int v) { BinaryPrimitives.WriteInt32LittleEndian(_bytes.Slice(Position), v); Position += 4; }
        public void Single(float v) { BinaryPrimitives.WriteSingleLittleEndian(_bytes.Slice(Position), v); Position += 4; }
        public void Double(double v) { BinaryPrimitives.WriteDoubleLittleEndian(_bytes.Slice(Position), v); Position += 8; }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        public int Position;
        public void Skip(int n) => Position += n;

        public ReadOnlySpan<byte> Bytes(int n, INetwork net, string path, string what)
        {
            if ((long)Position + n > _bytes.Length)
                throw Invalid(net, path, $"the file ends at byte {_bytes.Length}, inside its header ({what} needs bytes {Position} to {(long)Position + n}); it is truncated.");
            ReadOnlySpan<byte> b = _bytes.Slice(Position, n);
            Position += n;
            return b;
        }

        public uint UInt32(INetwork net, string path, string what) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, net, path, what));
        public int Int32(INetwork net, string path, string what) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, net, path, what));
    }
}
