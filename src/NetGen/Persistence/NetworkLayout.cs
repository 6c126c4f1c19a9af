using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen;

/// <summary>
/// The layers of a network as persistence sees them: from its <see cref="INetwork.Layers"/> (checked against its
/// sizes), or the sizes n[0], n[1], …, n[L] of a parameter file's layer list. Parameters are laid out W1 (n1 × n0,
/// row-major), b1 (n1), W2, b2, … in a generated network; <see cref="LayerDescription"/> gives the offsets.
/// </summary>
internal sealed class NetworkLayout
{
    private NetworkLayout(int[] sizes, IReadOnlyList<LayerDescription>? layers)
    {
        Sizes = sizes;
        Layers = layers;
    }

    /// <summary>n[0] … n[L].</summary>
    public int[] Sizes { get; }

    /// <summary>The network's own descriptions; null for a layout read from a file.</summary>
    public IReadOnlyList<LayerDescription>? Layers { get; }

    /// <summary>L.</summary>
    public int LayerCount => Sizes.Length - 1;

    /// <summary>Σ_l |W[l]| + |b[l]|: from the network's own layers, or Σ_l n[l]·n[l-1] + n[l] for a file's sizes.</summary>
    public long ParameterCount
    {
        get
        {
            long count = 0;
            if (Layers is not null)
            {
                foreach (LayerDescription layer in Layers) count += (long)layer.WeightLength + layer.BiasLength;
                return count;
            }
            for (int l = 1; l < Sizes.Length; l++) count += (long)Sizes[l] * Sizes[l - 1] + Sizes[l];
            return count;
        }
    }

    /// <summary>Whether a layer is a conv or pool layer (the parameter file stores such a network as version 3).</summary>
    public bool HasMaps
    {
        get
        {
            if (Layers is null) return false;
            foreach (LayerDescription layer in Layers) if (layer.Kind != LayerKind.Dense) return true;
            return false;
        }
    }

    /// <summary>Builds a layout from the sizes of a file; null when a size is not positive.</summary>
    public static NetworkLayout? FromSizes(int[] sizes)
    {
        if (sizes.Length < 2) return null;
        foreach (int n in sizes) if (n <= 0) return null;
        return new NetworkLayout(sizes, null);
    }

    /// <summary>The layout of <paramref name="net"/> from its <see cref="INetwork.Layers"/>, checked against its
    /// <see cref="INetwork.LayerCount"/>, <see cref="INetwork.InputSize"/>, <see cref="INetwork.OutputSize"/> and
    /// <see cref="INetwork.ParameterCount"/>: the layers must chain from the input to the output, their parameters
    /// must lie in <see cref="INetwork.Parameters"/> without overlap and cover it, and their names must be valid and
    /// distinct.</summary>
    /// <param name="net">The network.</param>
    /// <param name="maps">Whether conv and pool layers are accepted (safetensors stores a conv layer's 4-D W, ONNX its
    /// Conv node; a pool has no parameters); the parameter file refuses them.</param>
    /// <exception cref="ArgumentException">The layers disagree with the network; the message says where.</exception>
    public static NetworkLayout Of(INetwork net, bool maps = false)
    {
        ArgumentNullException.ThrowIfNull(net);
        IReadOnlyList<LayerDescription>? layers = net.Layers;
        string who = net.GetType().Name;
        ArgumentException Wrong(string reason) => new(
            $"{who} describes its layers inconsistently: {reason}. Persistence reads the layers' shapes and offsets from "
            + "INetwork.Layers, so they must agree with InputSize, OutputSize, LayerCount and ParameterCount.", nameof(net));

        if (layers is null || layers.Count == 0)
            throw Wrong("its Layers are " + (layers is null ? "null" : "empty"));
        if (layers.Count != net.LayerCount)
            throw Wrong($"it has {layers.Count} Layers but a LayerCount of {net.LayerCount}");
        var sizes = new int[layers.Count + 1];
        sizes[0] = net.InputSize;
        var ranges = new List<(long Begin, long End, string What)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int l = 0; l < layers.Count; l++)
        {
            LayerDescription? layer = layers[l];
            if (layer is null) throw Wrong($"Layers[{l}] is null");
            string at = $"Layers[{l}] ({layer})";
            if (layer.Index != l + 1) throw Wrong($"{at} has the index {layer.Index}, not {l + 1}");
            if (layer.Kind != LayerKind.Dense && !maps)
                throw new ArgumentException($"{who}'s {at} is a {layer.Kind} layer, which this format cannot store yet; " +
                    "SaveSafetensors and LoadSafetensors can.", nameof(net));
            if (layer.InputSize != sizes[l])
                throw Wrong($"{at} reads {layer.InputSize} inputs, but " + (l == 0
                    ? $"the network's InputSize is {net.InputSize}" : $"the layer below writes {sizes[l]}"));
            sizes[l + 1] = layer.OutputSize;
            if (TensorNames.CheckPrefix(layer.Name) is { } bad) throw Wrong($"the name \"{layer.Name}\" of {at} {bad}");
            if (!names.Add(layer.Name)) throw Wrong($"two layers are named \"{layer.Name}\"");
            if (layer.WeightShape.IsEmpty) continue; // a pool: no parameters
            ranges.Add((layer.WeightOffset, (long)layer.WeightOffset + layer.WeightLength, $"W{l + 1}"));
            ranges.Add((layer.BiasOffset, (long)layer.BiasOffset + layer.BiasLength, $"b{l + 1}"));
        }
        if (sizes[^1] != net.OutputSize)
            throw Wrong($"its last layer writes {sizes[^1]} outputs, but its OutputSize is {net.OutputSize}");
        // By offset, ties in the order W1, b1, W2, b2, … so that a message names the same range every time.
        var order = new int[ranges.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (x, y) => ranges[x].Begin != ranges[y].Begin ? ranges[x].Begin.CompareTo(ranges[y].Begin) : x.CompareTo(y));
        long covered = 0;
        foreach (int index in order)
        {
            var (begin, end, what) = ranges[index];
            if (begin != covered)
                throw Wrong(begin < covered
                    ? $"{what} [{begin}, {end}) overlaps the parameters before it, which end at {covered}"
                    : $"the parameters [{covered}, {begin}) before {what} belong to no layer");
            covered = end;
        }
        if (covered != net.ParameterCount)
            throw Wrong($"its layers' parameters add up to {covered} floats, but its ParameterCount is {net.ParameterCount}");
        return new NetworkLayout(sizes, layers);
    }

    /// <summary>As <see cref="Of"/>, or null when the network's layers disagree with it (for messages).</summary>
    public static NetworkLayout? TryOf(INetwork net, bool maps = false)
    {
        try { return Of(net, maps); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>The layers with parameters as weight files name them (a pool has none).</summary>
    public List<TensorLayer> TensorLayers()
    {
        var result = new List<TensorLayer>(Layers!.Count);
        foreach (LayerDescription layer in Layers)
            if (!layer.WeightShape.IsEmpty)
                result.Add(new TensorLayer(layer.Index, layer.Name, layer.WeightShape.ToArray(), layer.BiasLength));
        return result;
    }

    /// <summary>n[0] … n[L] from a fingerprint, or null when it is not in the generated form.</summary>
    public static int[]? ParseSizes(string? architecture)
    {
        if (string.IsNullOrEmpty(architecture)) return null;
        int slash = architecture.LastIndexOf('/');
        if (slash <= 0 || slash == architecture.Length - 1) return null;
        string body = architecture.Substring(0, slash);
        var sizes = new List<int>();
        int i = 0;
        if (!ReadInt(body, ref i, out int n0)) return null;
        sizes.Add(n0);
        while (i < body.Length)
        {
            if (body[i++] != '-') return null;
            if (!ReadInt(body, ref i, out int units)) return null;
            if (i >= body.Length || body[i++] != ':') return null;
            int nameStart = i;
            while (i < body.Length && char.IsAsciiLetter(body[i])) i++;
            if (i == nameStart) return null;
            if (i < body.Length && body[i] == '(')
            {
                int close = body.IndexOf(')', i);
                if (close < 0) return null;
                i = close + 1;
            }
            sizes.Add(units);
        }
        return sizes.Count >= 2 ? sizes.ToArray() : null;
    }

    private static bool ReadInt(string s, ref int i, out int value)
    {
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        return int.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
    }

    /// <summary>"W1 4×3, b1 4, W2 1×4, b2 1 (21 parameters)"; a conv layer's W is 4-D ("W1 6×1×5×5, b1 6"), a pool
    /// has none.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Layers is not null)
        {
            foreach (LayerDescription layer in Layers)
                AppendShapes(sb, layer.Index, layer.WeightShape, layer.BiasLength);
            sb.Append(CultureInfo.InvariantCulture, $" ({ParameterCount} parameters)");
            return sb.ToString();
        }
        for (int l = 1; l < Sizes.Length; l++)
        {
            if (l > 1) sb.Append(", ");
            sb.Append(CultureInfo.InvariantCulture, $"W{l} {Sizes[l]}×{Sizes[l - 1]}, b{l} {Sizes[l]}");
        }
        sb.Append(CultureInfo.InvariantCulture, $" ({ParameterCount} parameters)");
        return sb.ToString();
    }

    /// <summary>Appends ", W{l} d0×d1×…, b{l} n" (without the comma first); nothing for a layer without parameters.</summary>
    internal static void AppendShapes(StringBuilder sb, int index, ReadOnlySpan<int> weightShape, int biasLength)
    {
        if (weightShape.IsEmpty && biasLength == 0) return; // a pool
        if (sb.Length > 0) sb.Append(", ");
        sb.Append(CultureInfo.InvariantCulture, $"W{index} ");
        for (int d = 0; d < weightShape.Length; d++)
            sb.Append(d == 0 ? "" : "×").Append(weightShape[d].ToString(CultureInfo.InvariantCulture));
        sb.Append(CultureInfo.InvariantCulture, $", b{index} {biasLength}");
    }

    /// <summary>True when both have the same sizes.</summary>
    public bool SameShapes(NetworkLayout other) => Sizes.AsSpan().SequenceEqual(other.Sizes);
}
