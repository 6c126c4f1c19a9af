using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// The pipeline caches: an edit that does not touch a declaration re-parses it to an equal model and emits nothing new;
/// an edit of the declaration does. Models compare by value, across compilations.
/// </summary>
public class IncrementalityTests
{
    private const string Model = NetworkGenerator.TrackingNames.Model;
    private const string Spec = NetworkGenerator.TrackingNames.Spec;
    private const string Diagnostics = NetworkGenerator.TrackingNames.Diagnostics;
    private const string File = NetworkGenerator.TrackingNames.File; // (spec, hint name): what the source output is fed
    private const string CaseCollisions = NetworkGenerator.TrackingNames.CaseCollisions;
    private const string WithoutNetwork = NetworkGenerator.TrackingNames.WithoutNetwork;

    // The unrelated method comes first, so that editing it moves the network's text: a model that held positions
    // (a Location, a span) would then change.
    private const string NetworkFile = """
        using NetGen;

        namespace Inc;

        public static class Helpers
        {
            public static int Compute(int x)
            {
                return x + 1;
            }
        }

        /// <summary>The network under test.</summary>
        [Network(Seed = 3)]
        [Input(3)]
        [Dense(4, Activation.Relu)]
        [Dense(1, Activation.Sigmoid)]
        public partial class IncNet;
        """;

    private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    [Fact]
    public void Steps_are_tracked_under_their_names()
    {
        GeneratorRun run = GeneratorHarness.Run(NetworkFile);
        Assert.Contains(Model, run.Result.TrackedSteps.Keys);
        Assert.Contains(Diagnostics, run.Result.TrackedSteps.Keys);
        Assert.Contains(Spec, run.Result.TrackedSteps.Keys);
        Assert.NotEmpty(SourceOutputSteps(run));
        Assert.All(Outputs(run, Model), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
        Assert.All(SourceOutputSteps(run).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
    }

    [Fact]
    public void Adding_an_unrelated_file_reuses_the_model_and_the_source()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(NetworkFile);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        string before = first.Source("Inc.IncNet.g.cs"), fastBefore = first.Source("Inc.IncNet.Fast.g.cs");

        CSharpCompilation edited = compilation.AddSyntaxTrees(
            GeneratorHarness.Parse("namespace Other;\n\npublic class Unrelated { public int Value => 42; }\n", "Unrelated.cs"));
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);

        AssertReused(second);
        Assert.Equal(before, second.Source("Inc.IncNet.g.cs"));
        Assert.Equal(fastBefore, second.Source("Inc.IncNet.Fast.g.cs"));
    }

    [Fact]
    public void Editing_an_unrelated_method_in_the_same_file_reuses_the_model_and_the_source()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(NetworkFile);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        string before = first.Source("Inc.IncNet.g.cs");

        CSharpCompilation edited = ReplaceInFirstTree(compilation, "return x + 1;", "int y = x * 2;\n        return y + 40;");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);

        // The network's declaration really moved, and was really parsed again (not just skipped).
        Assert.NotEqual(
            compilation.SyntaxTrees.Single().ToString().IndexOf("[Network", StringComparison.Ordinal),
            edited.SyntaxTrees.Single().ToString().IndexOf("[Network", StringComparison.Ordinal));
        AssertReused(second);
        Assert.Equal(before, second.Source("Inc.IncNet.g.cs"));
    }

    [Fact]
    public void Changing_a_layer_size_modifies_the_model_and_regenerates()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(NetworkFile);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        Assert.Contains("private const int W1Offset = 0, W1Length = 12; // W1: 4 × 3", first.Source("Inc.IncNet.g.cs"));

        GeneratorRun second = GeneratorHarness.Run(first.Driver, ReplaceInFirstTree(compilation, "[Dense(4, Activation.Relu)]", "[Dense(5, Activation.Relu)]"));

        Assert.All(Outputs(second, Model), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(Outputs(second, Spec), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        List<IncrementalGeneratorRunStep> emits = SourceOutputSteps(second, fedBy: File);
        Assert.Equal(2, emits.Count); // the main file and the fast one, both written again
        Assert.All(emits.SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.Contains("private const int W1Offset = 0, W1Length = 15; // W1: 5 × 3", second.Source("Inc.IncNet.g.cs"));
        Assert.Contains("Kernels.InRegisters.Load(p, B1Offset, 4)", first.Source("Inc.IncNet.Fast.g.cs"));
        Assert.Contains("Kernels.InRegisters.Load(p, B1Offset, 5)", second.Source("Inc.IncNet.Fast.g.cs"));
    }

    [Fact]
    public void Moving_a_warned_declaration_updates_its_diagnostic_but_reuses_its_source()
    {
        // NG0301 is a warning: the model carries it with its location, so moving the declaration modifies the model;
        // the spec holds no location, so the emitted source is still reused.
        string warned = NetworkFile.Replace("[Network(Seed = 3)]", "[Network(Seed = 3, Init = Init.Zeros)]", StringComparison.Ordinal);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(warned);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        Diagnostic before = Assert.Single(first.GeneratorDiagnostics);
        Assert.Equal("NG0301", before.Id);

        GeneratorRun second = GeneratorHarness.Run(first.Driver, ReplaceInFirstTree(compilation, "return x + 1;", "int y = x * 2;\n        return y + 40;"));

        Assert.All(Outputs(second, Model), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(Outputs(second, Spec), o => Assert.Contains(o.Reason, Reused));
        List<IncrementalGeneratorRunStep> emits = SourceOutputSteps(second, fedBy: File);
        Assert.NotEmpty(emits);
        Assert.All(emits.SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, Reused));
        Diagnostic after = Assert.Single(second.GeneratorDiagnostics);
        Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 1, after.Location.GetLineSpan().StartLinePosition.Line);
        Assert.StartsWith("Network(", second.SpanText(after), StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_second_network_emits_it_without_emitting_the_first_again()
    {
        // The hint names depend on every network's name (through the case collisions), yet a new network with another
        // name leaves the collisions equal (none), so the first network's file is reused.
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(NetworkFile);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.AddSyntaxTrees(GeneratorHarness.Parse(
            "using NetGen;\nnamespace Inc;\n[Network]\n[Input(2)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Other;\n", "Other.cs")));

        Assert.All(Outputs(second, CaseCollisions), o => Assert.Contains(o.Reason, Reused));
        List<(object Value, IncrementalStepRunReason Reason)> files = Outputs(second, File).ToList();
        Assert.Equal(2, files.Count);
        Assert.Single(files, o => o.Reason == IncrementalStepRunReason.New);
        Assert.Single(files, o => Reused.Contains(o.Reason));
        Assert.Equal(GeneratorRun.FilesOf("Inc.IncNet", "Inc.Other"), second.HintNames);
    }

    [Fact]
    public void A_class_with_layer_attributes_and_no_network_is_looked_at_only_by_its_own_steps()
    {
        // NG0004's steps run on classes that carry a layer attribute: the network's (which answer nothing, since it has
        // [Network]) and the orphan's. An unrelated edit reuses all of them and the reported warning stays.
        string source = NetworkFile + "\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Orphan;\n";
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        Assert.Equal("NG0004", Assert.Single(first.GeneratorDiagnostics).Id);

        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.AddSyntaxTrees(
            GeneratorHarness.Parse("namespace Other;\n\npublic class Unrelated { public int Value => 42; }\n", "Unrelated.cs")));
        // Every tracked step is reused; only the reporting of the warning runs again (it is paired with the compilation,
        // so that #pragma applies), as for any diagnostic.
        foreach (string name in new[] { Model, Spec, Diagnostics, File, CaseCollisions, WithoutNetwork })
            Assert.All(Outputs(second, name), o => Assert.Contains(o.Reason, Reused));
        Assert.NotEmpty(Outputs(second, WithoutNetwork));
        Assert.All(SourceOutputSteps(second, fedBy: File).SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, Reused));
        Assert.Equal("NG0004", Assert.Single(second.GeneratorDiagnostics).Id);
    }

    [Fact]
    public void Same_declaration_in_two_compilations_gives_equal_models()
    {
        object a = SingleModel(GeneratorHarness.Run(NetworkFile));
        object b = SingleModel(GeneratorHarness.Run(NetworkFile));
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Same_faulty_declaration_in_two_compilations_gives_equal_models()
    {
        // The model of a declaration with errors carries its diagnostics (descriptor, location, arguments) as data.
        string faulty = NetworkFile.Replace("[Dense(4, Activation.Relu)]", "[Dense(0, Activation.Softmax)]", StringComparison.Ordinal);
        object a = SingleModel(GeneratorHarness.Run(faulty));
        object b = SingleModel(GeneratorHarness.Run(faulty));
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, SingleModel(GeneratorHarness.Run(NetworkFile)));
    }

    [Theory]
    [InlineData("[Dense(4, Activation.Relu)]", "[Dense(5, Activation.Relu)]")]
    [InlineData("[Dense(4, Activation.Relu)]", "[Dense(4, Activation.Tanh)]")]
    [InlineData("[Dense(4, Activation.Relu)]", "[Dense(4, Activation.Relu, Init = Init.Glorot)]")]
    [InlineData("[Dense(4, Activation.Relu)]", "[Dense(4, Activation.LeakyRelu)]")]
    [InlineData("[Input(3)]", "[Input(3, 1)]")]
    [InlineData("[Network(Seed = 3)]", "[Network(Seed = 4)]")]
    [InlineData("[Network(Seed = 3)]", "[Network(Seed = 3, Loss = Loss.MeanSquaredError)]")]
    [InlineData("[Network(Seed = 3)]", "[Network(Seed = 3, Init = Init.Normal, InitScale = 0.02f)]")]
    [InlineData("namespace Inc;", "namespace Inc2;")]
    [InlineData("class IncNet", "class IncNet2")]
    public void Different_declarations_give_unequal_models(string from, string to)
    {
        string changed = NetworkFile.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(NetworkFile, changed);
        Assert.NotEqual(SingleModel(GeneratorHarness.Run(NetworkFile)), SingleModel(GeneratorHarness.Run(changed)));
    }

    [Fact]
    public void Models_hold_no_compiler_objects()
    {
        // Symbols, syntax, locations or compilations in a model would keep whole compilations alive and defeat caching.
        foreach (string source in new[] { NetworkFile, NetworkFile.Replace("[Input(3)]", "[Input(0)]", StringComparison.Ordinal) })
        {
            object model = SingleModel(GeneratorHarness.Run(source));
            var found = new List<string>();
            Walk(model, "model", found, new HashSet<object>(ReferenceEqualityComparer.Instance));
            Assert.True(found.Count == 0, "The model holds compiler objects: " + string.Join(", ", found));
        }
    }

    // ---- [Weights]: the file's steps ----

    private const string WeightsFiles = NetworkGenerator.TrackingNames.WeightsFiles;
    private const string WeightsOptions = NetworkGenerator.TrackingNames.WeightsOptions;
    private const string Weights = NetworkGenerator.TrackingNames.Weights;
    private const string WeightsFile = NetworkGenerator.TrackingNames.WeightsFile;

    private static readonly string WeightedFile =
        NetworkFile.Replace("public partial class IncNet;", "[Weights(\"models/inc.safetensors\")]\npublic partial class IncNet;",
            StringComparison.Ordinal);

    /// <summary>IncNet's parameters in NetGen's own names, W1 scaled by <paramref name="scale"/>; optionally with an
    /// unused tensor (a warning, NG0506).</summary>
    private static WeightsProject WeightsFor(float scale, bool unused = false)
    {
        var tensors = new List<SafetensorsBytes.Tensor>
        {
            SafetensorsBytes.F32("layers.0.weight", new long[] { 4, 3 }, Enumerable.Range(0, 12).Select(i => scale * (i - 6) / 8f).ToArray()),
            SafetensorsBytes.F32("layers.0.bias", new long[] { 4 }, 0.1f, 0.2f, 0.3f, 0.4f),
            SafetensorsBytes.F32("layers.1.weight", new long[] { 1, 4 }, 0.5f, -0.5f, 0.25f, -0.25f),
            SafetensorsBytes.F32("layers.1.bias", new long[] { 1 }, 0.125f),
        };
        if (unused) tensors.Add(SafetensorsBytes.F32("buffer", new long[] { 1 }, 1f));
        var project = new WeightsProject();
        project.Files["models/inc.safetensors"] = SafetensorsBytes.Write(tensors.ToArray());
        return project;
    }

    private static readonly string[] WeightsSteps = { WeightsFiles, WeightsOptions, Weights, WeightsFile };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_unrelated_edit_leaves_every_weights_step_cached(bool moveTheDeclaration)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(WeightedFile);
        GeneratorRun first = GeneratorHarness.Run(WeightsFor(1f).Driver(), compilation);
        Assert.Empty(first.GeneratorDiagnostics);
        string weights = first.Source("Inc.IncNet.Weights.g.cs");
        Assert.Contains("-0.75f, -0.625f, -0.5f,", weights, StringComparison.Ordinal);

        CSharpCompilation edited = moveTheDeclaration
            ? ReplaceInFirstTree(compilation, "return x + 1;", "int y = x * 2;\n        return y + 40;")
            : compilation.AddSyntaxTrees(GeneratorHarness.Parse("namespace Other;\n\npublic class Unrelated { }\n", "Unrelated.cs"));
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);

        AssertReused(second);
        foreach (string name in WeightsSteps)
        {
            Assert.NotEmpty(Outputs(second, name));
            Assert.All(Outputs(second, name), o => Assert.Contains(o.Reason, Reused));
        }
        Assert.Single(SourceOutputSteps(second, fedBy: WeightsFile));
        Assert.Equal(weights, second.Source("Inc.IncNet.Weights.g.cs"));
    }

    [Fact]
    public void Moving_a_declaration_with_a_weights_warning_moves_the_warning_and_reuses_the_check()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(WeightedFile);
        GeneratorRun first = GeneratorHarness.Run(WeightsFor(1f, unused: true).Driver(), compilation);
        Diagnostic before = Assert.Single(first.GeneratorDiagnostics);
        Assert.Equal("NG0506", before.Id);

        GeneratorRun second = GeneratorHarness.Run(first.Driver,
            ReplaceInFirstTree(compilation, "return x + 1;", "int y = x * 2;\n        return y + 40;"));

        Assert.All(Outputs(second, Weights), o => Assert.Contains(o.Reason, Reused));
        Diagnostic after = Assert.Single(second.GeneratorDiagnostics);
        Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 1, after.Location.GetLineSpan().StartLinePosition.Line);
        Assert.StartsWith("Weights(", second.SpanText(after), StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_the_weights_file_emits_the_weights_part_again_and_only_it()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(WeightedFile);
        WeightsProject project = WeightsFor(1f);
        AdditionalText old = project.Texts().Single();
        GeneratorRun first = GeneratorHarness.Run(project.Driver(ImmutableArray.Create(old)), compilation);
        string main = first.Source("Inc.IncNet.g.cs"), weights = first.Source("Inc.IncNet.Weights.g.cs");

        // The build re-encodes the changed file: the same additional file path, new text.
        AdditionalText changed = WeightsFor(2f).Texts().Single();
        Assert.Equal(old.Path, changed.Path);
        GeneratorRun second = GeneratorHarness.Run(first.Driver.ReplaceAdditionalText(old, changed), compilation);

        Assert.All(Outputs(second, WeightsFiles), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(Outputs(second, Weights), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(SourceOutputSteps(second, fedBy: WeightsFile).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(SourceOutputSteps(second, fedBy: File).SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, Reused));
        Assert.Equal(main, second.Source("Inc.IncNet.g.cs"));
        string rewritten = second.Source("Inc.IncNet.Weights.g.cs");
        Assert.NotEqual(weights, rewritten);
        Assert.Contains("-1.5f, -1.25f, -1f,", rewritten, StringComparison.Ordinal); // W1 doubled
    }

    // ---- helpers ----

    private static void AssertReused(GeneratorRun run)
    {
        List<(string Step, IncrementalStepRunReason Reason)> notReused = new();
        foreach (string name in new[] { Model, Spec, Diagnostics, File, CaseCollisions, WithoutNetwork })
            foreach ((object _, IncrementalStepRunReason reason) in Outputs(run, name))
                if (!Reused.Contains(reason)) notReused.Add((name, reason));
        // Every output step: the two that emit the network's files (both fed by File: the main file and the fast one,
        // written from one plan) and the one that reports the diagnostics.
        foreach (IncrementalGeneratorRunStep step in SourceOutputSteps(run))
            foreach ((object _, IncrementalStepRunReason reason) in step.Outputs)
                if (!Reused.Contains(reason)) notReused.Add(("SourceOutput of " + string.Join("+", step.Inputs.Select(i => i.Source.Name)), reason));
        Assert.NotEmpty(Outputs(run, Model));
        Assert.Equal(2, SourceOutputSteps(run, fedBy: File).Count);
        Assert.True(notReused.Count == 0, "Steps that ran again with a new result: " + string.Join(", ", notReused));
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRun run, string stepName)
    {
        Assert.True(run.Result.TrackedSteps.TryGetValue(stepName, out ImmutableArray<IncrementalGeneratorRunStep> steps),
            "No tracked step '" + stepName + "'; tracked: " + string.Join(", ", run.Result.TrackedSteps.Keys));
        return steps.SelectMany(s => s.Outputs).ToList();
    }

    /// <summary>The source-output steps, optionally only those fed (directly) by the tracked step <paramref name="fedBy"/>.</summary>
    private static List<IncrementalGeneratorRunStep> SourceOutputSteps(GeneratorRun run, string? fedBy = null)
    {
        Assert.True(run.Result.TrackedOutputSteps.TryGetValue("SourceOutput", out ImmutableArray<IncrementalGeneratorRunStep> steps),
            "No tracked output step 'SourceOutput'; tracked: " + string.Join(", ", run.Result.TrackedOutputSteps.Keys));
        return steps.Where(s => fedBy is null || s.Inputs.Any(i => i.Source.Name == fedBy)).ToList();
    }

    private static object SingleModel(GeneratorRun run)
    {
        var outputs = Outputs(run, Model).ToList();
        return Assert.Single(outputs).Value;
    }

    private static CSharpCompilation ReplaceInFirstTree(CSharpCompilation compilation, string from, string to)
    {
        SyntaxTree tree = compilation.SyntaxTrees.First();
        string text = tree.ToString();
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, "'" + from + "' is not in the source");
        SyntaxTree edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(at, from.Length), to)));
        return compilation.ReplaceSyntaxTree(tree, edited);
    }

    private static readonly Type[] CompilerTypes =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel),
        typeof(AttributeData), typeof(SyntaxReference),
    };

    private static void Walk(object? value, string path, List<string> found, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Type type = value.GetType();
        if (CompilerTypes.Any(t => t.IsInstanceOfType(value)))
        {
            found.Add(path + " (" + type.Name + ")");
            return;
        }
        if (!type.IsValueType && !seen.Add(value)) return;
        if (value is DiagnosticDescriptor) return; // static singletons: allowed
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items) Walk(item, path + "[" + i++ + "]", found, seen);
        }
        if (type.Assembly != typeof(NetworkGenerator).Assembly) return; // TextSpan, LinePositionSpan, ImmutableArray…
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Walk(field.GetValue(value), path + "." + field.Name, found, seen);
    }
}
