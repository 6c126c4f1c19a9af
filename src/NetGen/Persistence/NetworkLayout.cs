using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen;

/// <summary>
/// The layer sizes n[0], n[1], …, n[L] of a network, read from its <see cref="INetwork.Architecture"/> fingerprint
/// (e.g. "2-20:Relu-3:Relu-1:Sigmoid/BinaryCrossEntropy": the input size, then units:activation per dense layer,
/// then /loss; a leaky ReLU reads "LeakyRelu(0.01)"). Parameters are laid out W1 (n1 × n0, row-major), b1 (n1), W2, b2, ….
/// </summary>
internal sealed class NetworkLayout
{
    private NetworkLayout(int[] sizes) => Sizes = sizes;

    /// <summary>n[0] … n[L].</summary>
    public int[] Sizes { get; }

    /// <summary>L.</summary>
    public int LayerCount => Sizes.Length - 1;

    /// <summary>Σ_l n[l]·n[l-1] + n[l].</summary>
    public long ParameterCount
    {
        get
        {
            long count = 0;
            for (int l = 1; l < Sizes.Length; l++) count += (long)Sizes[l] * Sizes[l - 1] + Sizes[l];
            return count;
        }
    }

    /// <summary>Builds a layout from the sizes of a file; null when a size is not positive.</summary>
    public static NetworkLayout? FromSizes(int[] sizes)
    {
        if (sizes.Length < 2) return null;
        foreach (int n in sizes) if (n <= 0) return null;
        return new NetworkLayout(sizes);
    }

    /// <summary>The layout of <paramref name="net"/>, checked against its sizes; null when its fingerprint is not in the
    /// generated form or does not agree with <see cref="INetwork.ParameterCount"/> and the other sizes.</summary>
    public static NetworkLayout? Of(INetwork net)
    {
        int[]? sizes = ParseSizes(net.Architecture);
        if (sizes is null) return null;
        var layout = new NetworkLayout(sizes);
        if (layout.LayerCount != net.LayerCount || sizes[0] != net.InputSize || sizes[^1] != net.OutputSize
            || layout.ParameterCount != net.ParameterCount)
            return null;
        return layout;
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

    /// <summary>"W1 4×3, b1 4, W2 1×4, b2 1 (21 parameters)".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int l = 1; l < Sizes.Length; l++)
        {
            if (l > 1) sb.Append(", ");
            sb.Append(CultureInfo.InvariantCulture, $"W{l} {Sizes[l]}×{Sizes[l - 1]}, b{l} {Sizes[l]}");
        }
        sb.Append(CultureInfo.InvariantCulture, $" ({ParameterCount} parameters)");
        return sb.ToString();
    }

    /// <summary>True when both have the same sizes.</summary>
    public bool SameShapes(NetworkLayout other) => Sizes.AsSpan().SequenceEqual(other.Sizes);
}
