#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen;

// This file compiles for netstandard2.0 as well as net10.0 (no spans, no .NET-10-only API): the generator links it as
// source to check the same names at build time (NetGen.Generator.csproj), as it links Enums.cs.

/// <summary>One layer as a weight file must hold it: its weight tensor (any rank) and its bias vector.</summary>
/// <param name="Index">l, counted from 1.</param>
/// <param name="Name">The prefix of its tensor names: the declared name or <c>layers.{l-1}</c>.</param>
/// <param name="WeightShape">The shape of W[l], outermost first.</param>
/// <param name="BiasLength">The length of b[l].</param>
internal sealed record TensorLayer(int Index, string Name, int[] WeightShape, int BiasLength);

/// <summary>A tensor as a safetensors header describes it: its dtype and shape.</summary>
internal sealed record TensorInfo(string Name, string Dtype, long[] Shape);

/// <summary>The two tensors that hold a layer's parameters in a file, found by <see cref="TensorNames.Match"/>.</summary>
internal sealed record MatchedLayer(TensorLayer Layer, TensorInfo Weight, TensorInfo Bias);

/// <summary>
/// The naming rules of weight files, the same at run time (<c>Safetensors.LoadSafetensors</c>) and at build time: a
/// layer's tensors are <c>{Name}.weight</c> and <c>{Name}.bias</c>, where Name is the declared <c>[Dense(Name = …)]</c>
/// or NetGen's <c>layers.{l-1}</c>; a PyTorch <c>nn.Sequential</c> state dict (<c>0.weight</c>, <c>2.weight</c>, …) is
/// matched module by module, in increasing index order; tensors that no layer uses are ignored.
/// </summary>
internal static class TensorNames
{
    /// <summary>The suffix of a layer's weight tensor.</summary>
    public const string WeightSuffix = ".weight";

    /// <summary>The suffix of a layer's bias tensor.</summary>
    public const string BiasSuffix = ".bias";

    /// <summary>The input scaling's μ, F64 [n[0]], saved with a Standardizer: not a layer's tensor.</summary>
    public const string ScalingMean = "scaling.mean";

    /// <summary>The input scaling's σ, F64 [n[0]], saved with a Standardizer: not a layer's tensor.</summary>
    public const string ScalingDeviation = "scaling.deviation";

    /// <summary>NetGen's own name of layer l: <c>layers.{l-1}</c>.</summary>
    public static string DefaultName(int index) => "layers." + (index - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Why <paramref name="name"/> cannot prefix tensor names, or null when it can: it must be non-empty and
    /// hold no whitespace, quote, backslash or control character (it becomes a JSON key and a C# string).</summary>
    public static string? CheckPrefix(string? name)
    {
        if (name is null || name.Length == 0) return "is empty";
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            string? what = char.IsWhiteSpace(c) ? "whitespace" : char.IsControl(c) ? "a control character"
                : c is '"' or '\'' or '`' ? "a quote" : c == '\\' ? "a backslash" : null;
            if (what is not null)
                return "holds " + what + " (U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + ") at position " +
                    (i + 1).ToString(CultureInfo.InvariantCulture);
        }
        if (name[0] == '.' || name[name.Length - 1] == '.') return "starts or ends with '.'";
        return null;
    }

    /// <summary>The bytes of one element of <paramref name="dtype"/> when a layer can be read from it (F32 as is; F16,
    /// BF16 and F64 converted to float32), else 0.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        "F64" => 8,
        _ => 0,
    };

    /// <summary>The element of a layer's tensor of <paramref name="dtype"/> (F32, F16, BF16 or F64, little-endian) that
    /// starts at <paramref name="bytes"/>[<paramref name="at"/>], as float32: a half or a bfloat16 exactly, a double
    /// rounded to the nearest float. The one decoder of both loaders, the run-time one and the generator's.</summary>
    public static float ElementToSingle(string dtype, byte[] bytes, int at) => dtype switch
    {
        "F32" => FromBits(UInt32(bytes, at)),
        "F16" => HalfToSingle((ushort)(bytes[at] | bytes[at + 1] << 8)),
        "BF16" => BFloat16ToSingle((ushort)(bytes[at] | bytes[at + 1] << 8)),
        _ => (float)Float64(bytes, at), // F64, the only other dtype Match accepts
    };

    /// <summary>Null when the byte range of a layer's tensor <paramref name="t"/> holds exactly its elements, else why not
    /// (the header reader checks only that the ranges tile the data): the same words at run time and at build time.
    /// </summary>
    public static string? ByteLengthProblem(TensorEntry t)
    {
        long needed = ElementSize(t.Dtype);
        foreach (long d in t.Shape) needed *= d;
        return t.End - t.Begin == needed ? null
            : "the tensor " + t.Name + " " + t.Dtype + " " + Shape(t.Shape) + " needs " + needed +
              " bytes, but its data_offsets are [" + t.Begin + ", " + t.End + "); the file is corrupted";
    }

    /// <summary>The little-endian float64 at <paramref name="bytes"/>[<paramref name="at"/>].</summary>
    public static double Float64(byte[] bytes, int at)
        => BitConverter.Int64BitsToDouble(unchecked((long)((ulong)UInt32(bytes, at + 4) << 32 | UInt32(bytes, at))));

    private static uint UInt32(byte[] bytes, int at)
        => (uint)(bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24);

    /// <summary>An IEEE half (F16) given by its bits, as float32: exact, as every half is a float.</summary>
    public static float HalfToSingle(ushort bits)
    {
        uint sign = (uint)(bits >> 15) << 31;
        int exponent = (bits >> 10) & 0x1F;
        uint mantissa = bits & 0x3FFu;
        if (exponent == 0)
        {
            // Zero or subnormal: mantissa · 2^-24, exact in float32.
            float value = mantissa * 5.9604645E-08f;
            return sign != 0 ? -value : value;
        }
        uint result = exponent == 0x1F
            ? sign | 0x7F800000u | (mantissa << 13)                       // infinity or NaN (payload kept)
            : sign | ((uint)(exponent + 112) << 23) | (mantissa << 13);   // rebias 15 → 127
        return FromBits(result);
    }

    /// <summary>A bfloat16 (BF16) given by its bits, as float32: the upper half of a float32's bits.</summary>
    public static float BFloat16ToSingle(ushort bits) => FromBits((uint)bits << 16);

    /// <summary>The float32 with the given bits (BitConverter.Int32BitsToSingle is not in netstandard2.0).</summary>
    private static float FromBits(uint bits) => new FloatBits { Bits = bits }.Value;

    [StructLayout(LayoutKind.Explicit)]
    private struct FloatBits
    {
        [FieldOffset(0)] public uint Bits;
        [FieldOffset(0)] public float Value;
    }

    /// <summary>"W2: 3 × 16" or "b2: 3": what layer l needs, in the notes' names.</summary>
    public static string Needs(TensorLayer layer, bool weight)
    {
        string l = layer.Index.ToString(CultureInfo.InvariantCulture);
        if (!weight) return "b" + l + ": " + layer.BiasLength.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder("W").Append(l).Append(": ");
        for (int d = 0; d < layer.WeightShape.Length; d++)
            text.Append(d == 0 ? "" : " × ").Append(layer.WeightShape[d].ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    /// <summary>"[8, 4]".</summary>
    public static string Shape(long[] shape)
    {
        var text = new StringBuilder("[");
        for (int d = 0; d < shape.Length; d++)
            text.Append(d == 0 ? "" : ", ").Append(shape[d].ToString(CultureInfo.InvariantCulture));
        return text.Append(']').ToString();
    }

    /// <summary>
    /// Finds the tensors of every layer in a file's tensors and checks their dtype and shape. The scheme is the first of
    /// these that names any weight or bias in the file: the layers' names (<c>{Name}.weight</c>; NetGen's
    /// <c>layers.{l-1}</c> unless declared otherwise), then NetGen's <c>layers.{l-1}</c> for layers that declare a name,
    /// then a PyTorch <c>nn.Sequential</c> (<c>{i}.weight</c>, <c>{i}.bias</c>: the modules with a weight, in increasing
    /// index i, one per layer). Null with <paramref name="error"/> when something does not fit, e.g.
    /// "0.weight is [8, 4] in iris.safetensors, but layer 1 needs W1: 16 × 4".
    /// </summary>
    /// <param name="layers">The network's layers, in order.</param>
    /// <param name="tensors">The file's tensors by name (others than the layers' are ignored).</param>
    /// <param name="file">The file's name, for the messages.</param>
    /// <param name="error">Why the file does not fit, naming the file, the tensor, the shape found and the one needed.</param>
    public static MatchedLayer[]? Match(IReadOnlyList<TensorLayer> layers, IReadOnlyDictionary<string, TensorInfo> tensors,
        string file, out string? error)
    {
        error = null;
        var declared = new string[layers.Count];
        var defaults = new string[layers.Count];
        bool anyDeclared = false, anyDefault = false, anyOwnNamed = false;
        for (int l = 0; l < layers.Count; l++)
        {
            declared[l] = layers[l].Name;
            defaults[l] = DefaultName(layers[l].Index);
            anyOwnNamed |= declared[l] != defaults[l];
            anyDeclared |= Holds(tensors, declared[l]);
            anyDefault |= Holds(tensors, defaults[l]);
        }

        string[]? prefixes = anyDeclared ? declared : anyDefault ? defaults : null;
        string scheme = anyDeclared ? (anyOwnNamed ? "the layers' names" : "NetGen's names") : "NetGen's names";
        if (prefixes is null)
        {
            prefixes = SequentialPrefixes(layers, tensors, file, out error);
            if (prefixes is null) return null;
            scheme = "a PyTorch nn.Sequential's numbering";
        }

        var matched = new MatchedLayer[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            TensorLayer layer = layers[l];
            TensorInfo? weight = Find(tensors, prefixes[l] + WeightSuffix, layer, true, file, scheme, ref error);
            if (weight is null) return null;
            TensorInfo? bias = Find(tensors, prefixes[l] + BiasSuffix, layer, false, file, scheme, ref error);
            if (bias is null) return null;
            matched[l] = new MatchedLayer(layer, weight, bias);
        }
        return matched;
    }

    private static bool Holds(IReadOnlyDictionary<string, TensorInfo> tensors, string prefix)
        => tensors.ContainsKey(prefix + WeightSuffix) || tensors.ContainsKey(prefix + BiasSuffix);

    /// <summary>The tensor <paramref name="name"/>, checked against what the layer needs; null with an error.</summary>
    private static TensorInfo? Find(IReadOnlyDictionary<string, TensorInfo> tensors, string name, TensorLayer layer,
        bool weight, string file, string scheme, ref string? error)
    {
        string needs = Needs(layer, weight);
        string l = layer.Index.ToString(CultureInfo.InvariantCulture);
        if (!tensors.TryGetValue(name, out TensorInfo? tensor))
        {
            error = "layer " + l + " needs " + needs + " as " + name + " (by " + scheme + "), which " + file +
                " does not hold";
            return null;
        }
        long[] expected = weight ? ToLong(layer.WeightShape) : new long[] { layer.BiasLength };
        if (!SameShape(tensor.Shape, expected))
        {
            error = name + " is " + Shape(tensor.Shape) + " in " + file + ", but layer " + l + " needs " + needs;
            return null;
        }
        if (ElementSize(tensor.Dtype) == 0)
        {
            error = name + " is " + tensor.Dtype + " " + Shape(tensor.Shape) + " in " + file + ", but layer " + l +
                " needs " + needs + " as F32, F16, BF16 or F64";
            return null;
        }
        return tensor;
    }

    /// <summary>The prefixes "0", "2", "4", … of a PyTorch nn.Sequential: the modules with a weight, by index.</summary>
    private static string[]? SequentialPrefixes(IReadOnlyList<TensorLayer> layers,
        IReadOnlyDictionary<string, TensorInfo> tensors, string file, out string? error)
    {
        error = null;
        var modules = new List<long>();
        foreach (string name in tensors.Keys)
        {
            if (!name.EndsWith(WeightSuffix, StringComparison.Ordinal)) continue;
            string index = name.Substring(0, name.Length - WeightSuffix.Length);
            if (IsIndex(index, out long module)) modules.Add(module);
        }
        modules.Sort();
        if (modules.Count == 0)
        {
            var looked = new StringBuilder();
            for (int l = 0; l < layers.Count && l < 3; l++)
                looked.Append(l == 0 ? "" : ", ").Append(layers[l].Name).Append(WeightSuffix);
            error = file + " holds none of the layers' tensors: looked for " + looked + (layers.Count > 3 ? ", …" : "") +
                (layers[0].Name != DefaultName(1) ? " (or " + DefaultName(1) + WeightSuffix + ", …)" : "") +
                " and for a PyTorch nn.Sequential's 0.weight, 2.weight, …";
            return null;
        }
        if (modules.Count != layers.Count)
        {
            var found = new StringBuilder();
            for (int i = 0; i < modules.Count; i++)
                found.Append(i == 0 ? "" : ", ").Append(modules[i].ToString(CultureInfo.InvariantCulture)).Append(WeightSuffix);
            error = file + " holds " + modules.Count.ToString(CultureInfo.InvariantCulture) +
                " PyTorch nn.Sequential module" + (modules.Count == 1 ? "" : "s") + " with a weight (" + found +
                "), but the network has " + layers.Count.ToString(CultureInfo.InvariantCulture) + " layer" +
                (layers.Count == 1 ? "" : "s") + " with parameters; each must match one, in order";
            return null;
        }
        var prefixes = new string[modules.Count];
        for (int i = 0; i < prefixes.Length; i++) prefixes[i] = modules[i].ToString(CultureInfo.InvariantCulture);
        return prefixes;
    }

    /// <summary>A module index as PyTorch writes it: decimal digits, no sign, no leading zero.</summary>
    private static bool IsIndex(string text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 18 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (char c in text)
        {
            if (c < '0' || c > '9') return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    private static long[] ToLong(int[] shape)
    {
        var result = new long[shape.Length];
        for (int d = 0; d < shape.Length; d++) result[d] = shape[d];
        return result;
    }

    private static bool SameShape(long[] a, long[] b)
    {
        if (a.Length != b.Length) return false;
        for (int d = 0; d < a.Length; d++) if (a[d] != b[d]) return false;
        return true;
    }
}
