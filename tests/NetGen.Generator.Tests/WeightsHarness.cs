using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Tests;

/// <summary>A safetensors file written byte by byte (8-byte little-endian header length, JSON header, data), as the
/// format's specification lays it out: the tests build their weight files with it.</summary>
internal static class SafetensorsBytes
{
    public sealed record Tensor(string Name, string Dtype, long[] Shape, byte[] Data);

    public static Tensor F32(string name, long[] shape, params float[] values)
        => new(name, "F32", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    public static Tensor F16(string name, long[] shape, params float[] values)
        => new(name, "F16", shape, values.SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v))).ToArray());

    public static Tensor F64(string name, long[] shape, params double[] values)
        => new(name, "F64", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    public static byte[] Write(params Tensor[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (Tensor t in tensors)
        {
            if (header.Length > 1) header.Append(',');
            header.Append('"').Append(t.Name).Append("\":{\"dtype\":\"").Append(t.Dtype).Append("\",\"shape\":[")
                .Append(string.Join(",", t.Shape)).Append("],\"data_offsets\":[").Append(offset).Append(',')
                .Append(offset + t.Data.Length).Append("]}");
            offset += t.Data.Length;
        }
        header.Append('}');
        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        return BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(tensors.SelectMany(t => t.Data)).ToArray();
    }

    /// <summary>The text NetGen.targets' NetGenEncodeWeights writes for <paramref name="bytes"/>.</summary>
    public static string Encode(byte[] bytes)
        => "netgen-weights 1 " + bytes.Length.ToString(CultureInfo.InvariantCulture) + "\n" + Convert.ToBase64String(bytes) + "\n";
}

/// <summary>An additional file in memory.</summary>
internal sealed class MemoryText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text, Encoding.UTF8);
}

/// <summary>Analyzer options as the build's editorconfig gives them: global ones and per additional file.</summary>
internal sealed class MemoryOptionsProvider(Dictionary<string, string> global, Dictionary<string, Dictionary<string, string>> perFile)
    : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new Dictionary<string, string>());

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
        => new Options(perFile.TryGetValue(textFile.Path, out Dictionary<string, string>? o) ? o : new Dictionary<string, string>());

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}

/// <summary>A project as the build shows it to the generator: its directory, its NetGenWeights files (path as the
/// project lists it → bytes; null bytes for a listed file that does not exist).</summary>
internal sealed class WeightsProject
{
    public const string Directory = "/src/app";

    public readonly Dictionary<string, byte[]?> Files = new(StringComparer.Ordinal);

    public static string FullPath(string declared) => Directory + "/" + declared;

    public static string TextPath(string declared) => Directory + "/obj/netgen-weights/" + declared.Replace('/', '_') + ".b64";

    public ImmutableArray<AdditionalText> Texts()
        => Files.Where(f => f.Value is not null)
            .Select(f => (AdditionalText)new MemoryText(TextPath(f.Key), SafetensorsBytes.Encode(f.Value!))).ToImmutableArray();

    public MemoryOptionsProvider Options()
    {
        var global = new Dictionary<string, string>
        {
            ["build_property.MSBuildProjectDirectory"] = Directory,
            ["build_property.NetGenWeightsListed"] = string.Join(";", Files.Keys.Select(FullPath)),
        };
        var perFile = Files.Where(f => f.Value is not null).ToDictionary(f => TextPath(f.Key), f => new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.NetGenWeights"] = FullPath(f.Key),
            ["build_metadata.AdditionalFiles.NetGenWeightsDeclared"] = f.Key,
        });
        return new MemoryOptionsProvider(global, perFile);
    }

    public GeneratorDriver Driver() => Driver(Texts());

    /// <summary>A driver over these very texts (ReplaceAdditionalText needs the instance the driver holds).</summary>
    public GeneratorDriver Driver(ImmutableArray<AdditionalText> texts) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() }, texts, GeneratorHarness.ParseOptions, Options(),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public GeneratorRun Run(params string[] sources) => GeneratorHarness.Run(Driver(), GeneratorHarness.CreateCompilation(sources));
}
