using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The package's public surface is the API (DESIGN §1–2, README): what generated code must reach but a user should not
/// call is hidden from IntelliSense and documented as for generated code only, and helpers nobody outside needs are
/// internal. Checked on the compiled assembly, by reflection, and on its XML documentation file.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly NetGenAssembly = typeof(INetwork).Assembly;

    /// <summary>The public types a user is meant to see: the attributes and enums, the generated networks' interface,
    /// data, training and persistence.</summary>
    private static readonly string[] Api =
    {
        "NetGen.Activation", "NetGen.Loss", "NetGen.Init", "NetGen.Padding",
        "NetGen.NetworkAttribute", "NetGen.InputAttribute", "NetGen.DenseAttribute", "NetGen.DropoutAttribute",
        "NetGen.Conv2DAttribute", "NetGen.MaxPoolAttribute", "NetGen.AveragePoolAttribute",
        "NetGen.L2Attribute", "NetGen.L1Attribute", "NetGen.WeightsAttribute",
        "NetGen.INetwork", "NetGen.LayerDescription", "NetGen.LayerKind", "NetGen.Rng",
        "NetGen.Dataset", "NetGen.CsvOptions", "NetGen.CsvHeader", "NetGen.Standardizer", "NetGen.Augmentation",
        "NetGen.Trainer", "NetGen.TrainingOptions", "NetGen.Optimizer", "NetGen.EarlyStopping", "NetGen.EpochReport", "NetGen.TrainingHistory",
        "NetGen.TrainingDivergedException", "NetGen.Metrics", "NetGen.BiasVariance", "NetGen.Verdict", "NetGen.Diagnosis",
        "NetGen.ParameterFile", "NetGen.Safetensors", "NetGen.Onnx", "NetGen.Parallelism",
    };

    /// <summary>The public types that exist only because generated code calls them.</summary>
    private static readonly string[] ForGeneratedCode =
    {
        "NetGen.Kernels", "NetGen.Guard", "NetGen.Initialization", "NetGen.IActivationFunction",
        "NetGen.ConvGeometry", "NetGen.PoolGeometry", "NetGen.ShardPool", "NetGen.IShardWork", "NetGen.ShardArgs",
    };

    /// <summary>Helpers of the library's own, internal (the tests reach them through InternalsVisibleTo).</summary>
    private static readonly string[] Internal = { "NetGen.Crc32", "NetGen.AtomicFile", "NetGen.NetworkLayout", "NetGen.ProtoWriter" };

    [Fact]
    public void Machinery_for_generated_code_is_hidden_from_IntelliSense()
    {
        foreach (string name in ForGeneratedCode)
        {
            Type type = NetGenAssembly.GetType(name, throwOnError: true)!;
            Assert.True(type.IsPublic, name + " must stay public: generated code in the user's assembly calls it");
            var browsable = type.GetCustomAttribute<EditorBrowsableAttribute>();
            Assert.True(browsable is { State: EditorBrowsableState.Never },
                $"{name}: expected [EditorBrowsable(EditorBrowsableState.Never)], found {browsable?.State.ToString() ?? "none"}");
        }
    }

    [Fact]
    public void Machinery_for_generated_code_says_so_in_its_summary()
    {
        string xml = Path.ChangeExtension(NetGenAssembly.Location, ".xml");
        Assert.True(File.Exists(xml), "the XML documentation file is missing beside the assembly: " + xml);
        var summaries = XDocument.Load(xml).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => string.Join(" ", m.Element("summary")?.Value.Split(
                (char[]?)null, StringSplitOptions.RemoveEmptyEntries) ?? Array.Empty<string>()));
        foreach (string name in ForGeneratedCode)
        {
            Assert.True(summaries.TryGetValue("T:" + name, out string? summary), name + " has no summary");
            Assert.StartsWith("For generated code only, not for direct use", summary);
        }
    }

    [Fact]
    public void Library_helpers_are_internal()
    {
        foreach (string name in Internal)
        {
            Type type = NetGenAssembly.GetType(name, throwOnError: true)!;
            Assert.False(type.IsPublic, name + " is public; it is a helper of the library's own and must be internal");
        }
    }

    [Fact]
    public void Every_visible_type_is_the_API_or_hidden()
    {
        var known = new HashSet<string>(Api.Concat(ForGeneratedCode));
        var unexpected = new List<string>();
        foreach (Type type in NetGenAssembly.GetExportedTypes())
        {
            if (type.IsNested) continue; // reached through its declaring type, hidden with it
            if (!known.Contains(type.FullName!)) unexpected.Add(type.FullName!);
        }
        Assert.True(unexpected.Count == 0, "public types that are neither listed as API nor as for generated code: "
            + string.Join(", ", unexpected) + ". Add them to the API list, or hide them and list them as for generated code.");
        foreach (string name in Api)
        {
            Type type = NetGenAssembly.GetType(name, throwOnError: true)!;
            Assert.True(type.IsPublic, name + " is API and must be public");
            Assert.Null(type.GetCustomAttribute<EditorBrowsableAttribute>());
        }
    }
}
