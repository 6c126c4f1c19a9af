using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// The declarations of issue 11's adversarial probe that broke the build: each once gave a compiler error inside the
/// generated code (CS0542, CS7036, CS0111/CS0102/CS0229), a silent second class (file-local), or a generator crash
/// (CS8785) that took every network's code with it. Each now gets a located NG diagnostic and no error from generated
/// code — or compiles. Their neighbours that are legal C# still compile with no diagnostic.
/// </summary>
public class HardeningTests
{
    private const string Layers = "[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]";

    private static string Net(string declaration, string attributes = "[Network]\n" + Layers) =>
        "using System;\nusing NetGen;\n\nnamespace Tests;\n\n" + attributes + "\n" + declaration + "\n";

    // ---- a network without [Network] ----

    [Fact]
    public void Layer_attributes_without_Network_are_explained_at_the_class_not_only_at_the_call()
    {
        // Before: nothing from NetGen, and the first error was CS1061 at the call, far from the cause.
        string source = "using NetGen;\n\n[Input(2)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Forgot;\n\n" +
                        "public static class App\n{\n    public static void Run() => new Forgot().Predict(new float[2], new float[1]);\n}\n";
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertGeneratorDidNotFail();
        Diagnostic warning = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0004", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal(DiagnosticTests.LineOf(source, "class Forgot"), warning.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal("Forgot", run.SpanText(warning));
        Assert.Equal("'Forgot' has [Input], [Dense] but no [Network], so NetGen generates no code for it; add [Network(...)] to make it a network",
            warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        // The call still fails, as it must without a network; the warning comes first in the file and says why.
        Diagnostic call = Assert.Single(run.OutputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS1061", call.Id);
        Assert.True(call.Location.GetLineSpan().StartLinePosition.Line > warning.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void A_class_with_several_layer_attribute_kinds_gets_one_warning_per_declaration()
    {
        // One attribute-driven step per attribute type sees the class; only the first attribute's step reports.
        string source = "using NetGen;\n[L1(0.1f)]\n[Input(2)]\n[Dense(3, Activation.Relu)]\n[Dropout(0.5f)]\n[Dense(1, Activation.Sigmoid)]\n[L2(0.1f)]\n" +
                        "public partial class Forgot;\n[Dense(2, Activation.Relu)]\npublic partial class Forgot { }\n";
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Equal(2, run.GeneratorDiagnostics.Length);
        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("NG0004", d.Id));
        Assert.Contains(run.GeneratorDiagnostics, d => d.GetMessage().Contains("[Input], [Dense], [Dropout], [L2], [L1]", StringComparison.Ordinal));
    }

    // ---- hint names ----

    [Theory]
    [InlineData("namespace App.Models { [Network] " + Layers + " public partial class Net; }\nnamespace App.models { [Network] " + Layers + " public partial class Net; }",
        "App.Models.Net.g.cs", "namespace App.Models;", "App.models.Net-2.g.cs", "namespace App.models;")]
    [InlineData("[Network] " + Layers + " public partial class Net;\n[Network] " + Layers + " public partial class NET;",
        "NET.g.cs", "partial class NET :", "Net-2.g.cs", "partial class Net :")]
    public void Networks_whose_names_differ_only_in_case_both_get_their_code(
        string declarations, string firstHint, string firstMark, string secondHint, string secondMark)
    {
        // Before: CS8785 "hintName 'App.models.Net.g.cs' … must be unique", and no network of the project got code.
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n" + declarations);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        // Each network's fast file ranks as its main file does: "Net.Fast.g.cs", "Net.Fast-2.g.cs".
        static string Fast(string hint) => hint.EndsWith("-2.g.cs", StringComparison.Ordinal)
            ? hint.Replace("-2.g.cs", ".Fast-2.g.cs", StringComparison.Ordinal) : hint.Replace(".g.cs", ".Fast.g.cs", StringComparison.Ordinal);
        Assert.Equal(new[] { firstHint, secondHint, Fast(firstHint), Fast(secondHint) }.OrderBy(h => h, StringComparer.Ordinal),
            run.HintNames);
        Assert.Contains(firstMark, run.Source(firstHint), StringComparison.Ordinal);
        Assert.Contains(secondMark, run.Source(secondHint), StringComparison.Ordinal);
        Assert.True(run.OutputProblems().Count == 0, GeneratorRun.Describe(run.OutputProblems()));
    }

    [Theory]
    // A class named Fast in a namespace that is another network's full name but for case: its main file would meet the
    // other's fast file, "A.B.Fast.g.cs" against "a.b.Fast.g.cs" (hint names compare ignoring case).
    [InlineData("namespace A { [Network] " + Layers + " public partial class B; }\nnamespace a.b { [Network] " + Layers + " public partial class Fast; }",
        "A.B.Fast.g.cs,A.B.g.cs,a.b.Fast-2.g.cs,a.b.Fast.Fast.g.cs", "a.b.Fast-2.g.cs", true)]
    // The same with equal case: C# refuses the namespace A.B beside the class A.B (CS0101), yet the generator must not
    // throw on the duplicate hint name "A.B.Fast.g.cs" (before: CS8785, and no code for either network).
    [InlineData("namespace A { [Network] " + Layers + " public partial class B; }\nnamespace A.B { [Network] " + Layers + " public partial class Fast; }",
        "A.B.Fast-2.g.cs,A.B.Fast.Fast.g.cs,A.B.Fast.g.cs,A.B.g.cs", "A.B.Fast.g.cs", false)]
    public void A_fast_file_and_a_main_file_of_the_same_name_both_get_their_code(string declarations, string hints, string classFastFile, bool compiles)
    {
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n" + declarations);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(hints.Split(','), run.HintNames);
        if (compiles)
            Assert.True(run.OutputProblems().Count == 0, GeneratorRun.Describe(run.OutputProblems()));
        // The main file named like the other network's fast file is the class Fast's own.
        Assert.Contains("partial class Fast : global::NetGen.INetwork", run.Source(classFastFile), StringComparison.Ordinal);
        Assert.Contains("partial class B : global::NetGen.INetwork", run.Source(hints.Split(',').Single(h => h.EndsWith("B.g.cs", StringComparison.OrdinalIgnoreCase))), StringComparison.Ordinal);
    }

    [Fact]
    public void Hint_names_are_the_same_whatever_the_order_of_the_declarations()
    {
        string a = "namespace A { [Network] " + Layers + " public partial class Net; }\n";
        string b = "namespace a { [Network] " + Layers + " public partial class Net; }\n";
        string[] Hints(params string[] sources) => GeneratorHarness.Run(sources).GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray();
        Assert.Equal(Hints("using NetGen;\n" + a, "using NetGen;\n" + b), Hints("using NetGen;\n" + b, "using NetGen;\n" + a));
        Assert.Equal(new[] { "A.Net.Fast.g.cs", "A.Net.g.cs", "a.Net-2.g.cs", "a.Net.Fast-2.g.cs" }, Hints("using NetGen;\n" + a + b));
    }

    // ---- generated code that did not compile ----

    /// <summary>The probe's declarations: each is valid C# on its own, and the generated half used not to compile beside it.</summary>
    public static readonly IReadOnlyDictionary<string, (string Source, string Id, string Marker, string Span, string FormerError)> Broke =
        new Dictionary<string, (string, string, string, string, string)>
        {
            ["class PredictInRegisters"] = (Net("public partial class PredictInRegisters;", "[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]"), "NG0002", " PredictInRegisters;", "PredictInRegisters", "CS0542"),
            ["class _parameters"] = (Net("public partial class _parameters;"), "NG0002", " _parameters;", "_parameters", "CS0542"),
            ["class s_inputShape"] = (Net("public partial class s_inputShape;"), "NG0002", " s_inputShape;", "s_inputShape", "CS0542"),
            ["class Layer1Backward"] = (Net("public partial class Layer1Backward;"), "NG0002", " Layer1Backward;", "Layer1Backward", "CS0542"),
            // (The user's own class, once nothing is generated, gets the compiler's implicit Net() and its CS7036 too: a class
            // that cannot be constructed. What is gone is the CS7036 in the generated constructors.)
            ["base without a parameterless constructor"] = (Net("public partial class Net : Base;\npublic class Base { public Base(int size) { } }"), "NG0006", ": Base;", "Base", "CS7036"),
            ["user Predict"] = (Net("public partial class Net { public void Predict(ReadOnlySpan<float> x, Span<float> y) { } }"), "NG0005", "void Predict", "Predict", "CS0111"),
            ["user W1"] = (Net("public partial class Net { public Span<float> W1 => default; }"), "NG0005", "W1 =>", "W1", "CS0102"),
            ["user InputSize"] = (Net("public partial class Net { public const int InputSize = 3; }"), "NG0005", "InputSize = 3", "InputSize", "CS0102"),
            ["user Architecture"] = (Net("public partial class Net { public string Architecture => \"\"; }"), "NG0005", "Architecture =>", "Architecture", "CS0102"),
            ["user Net()"] = (Net("public partial class Net { public Net() { } }"), "NG0005", "public Net()", "Net", "CS0111"),
            ["user Net(ulong)"] = (Net("public partial class Net { public Net(ulong seed) { } }"), "NG0005", "public Net(ulong", "Net", "CS0111"),
            ["user nested Input"] = (Net("public partial class Net { public struct Input { } }"), "NG0005", "struct Input", "Input", "CS0102"),
            ["inherited InputSize"] = (Net("public partial class Net : Base;\npublic class Base { public int InputSize => 0; }"), "NG0005", ": Base;", "Base", "CS0108 (a warning, an error with TreatWarningsAsErrors)"),
            ["inherited virtual Predict"] = (Net("public partial class Net : Base;\npublic abstract class Base { public virtual void Predict(ReadOnlySpan<float> x, Span<float> y) { } }"), "NG0005", ": Base;", "Base", "CS0114"),
            ["file class"] = (Net("file partial class Net;"), "NG0002", " Net;", "Net", "(none: a second, non-file-local Net)"),
        };

    public static IEnumerable<object[]> BrokeNames => Broke.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(BrokeNames))]
    public void Declaration_whose_generated_code_did_not_compile_gets_a_located_error_instead(string name)
    {
        (string source, string id, string marker, string span, string formerError) = Broke[name];
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertGeneratorDidNotFail();

        // The user's code alone is valid C# (but for the base class case, see above): the error is NetGen's, at the
        // user's declaration.
        if (id != "NG0006")
            Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(GeneratorHarness.PathOf(0), diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(DiagnosticTests.LineOf(source, marker), diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal(span, run.SpanText(diagnostic));

        // No half-built class: nothing generated, so no error (formerly formerError) from generated code.
        Assert.Empty(run.GeneratedSources);
        List<Diagnostic> errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .Where(d => id != "NG0006" || d.Id != "CS7036" || d.Location.GetLineSpan().StartLinePosition.Line + 1 != DiagnosticTests.LineOf(source, marker))
            .ToList();
        Assert.True(errors.Count == 0, "formerly " + formerError + "; now:" + Environment.NewLine + GeneratorRun.Describe(errors));
    }

    [Fact]
    public void An_explicit_implementation_of_a_generated_one_is_reported()
    {
        // Formerly CS0102 in the generated file; the name of the user's member depends on how INetwork is spelled.
        string source = Net("public partial class Net : INetwork\n{\n    int INetwork.InputSize => 3;\n}");
        GeneratorRun run = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0005", diagnostic.Id);
        Assert.Equal(DiagnosticTests.LineOf(source, "INetwork.InputSize"), diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains("INetwork.InputSize", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_clashing_member_is_reported_each_at_its_own_line()
    {
        string source = Net("public partial class Net\n{\n    public int W1;\n    public int B2;\n    public void TrainStep() { }\n    public Net(ulong seed) { }\n}");
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("NG0005", d.Id));
        Assert.Equal(new[] { "B2", "Net", "W1" }, run.GeneratorDiagnostics.Select(run.SpanText).OrderBy(t => t, StringComparer.Ordinal));
        // TrainStep() has other parameters than the generated TrainStep: a legal overload, not reported.
        Assert.Equal(new[] { "int B2", "int W1", "Net(ulong" }.Select(m => DiagnosticTests.LineOf(source, m)).OrderBy(l => l),
            run.GeneratorDiagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line + 1).OrderBy(l => l));
    }

    /// <summary>Legal neighbours of the cases above: overloads, other constructors, usable base classes, a class name
    /// that is a member only of larger networks. They generate and compile with no diagnostic.</summary>
    [Theory]
    [InlineData("public partial class Net { public int Predict(float[] x) => x.Length; public Net(int units) : this() { } static Net() { } }")]
    [InlineData("public partial class Net { public void TrainStep(float[] X) { } public T Cost<T>(ReadOnlySpan<float> X, ReadOnlySpan<float> Y, int m) => default!; }")]
    [InlineData("public partial class Net : Base;\npublic abstract class Base { protected Base() { } protected Base(int size) { } }")]
    [InlineData("public partial class Net : Base;\npublic class Base { public Base(int size = 3, params int[] more) { } }")]
    [InlineData("public partial class Net : Base;\npublic class Base { public void Predict(float[] x) { } private int W1; protected int Extra; }")]
    [InlineData("public partial class Layer3Forward;")]
    [InlineData("public partial class Net { public int Extra => InputSize + W1.Length; }")]
    [InlineData("public partial class Net : IDisposable { void IDisposable.Dispose() { } }")]
    public void Legal_neighbours_generate_and_compile(string declaration)
    {
        GeneratorRun run = GeneratorHarness.Run(Net(declaration));
        run.AssertGeneratorDidNotFail();
        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorRun.Describe(run.GeneratorDiagnostics));
        Assert.Equal(2, run.GeneratedSources.Length); // the network's two files
        List<Diagnostic> errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, GeneratorRun.Describe(errors));
        Assert.True(run.ProblemsInGeneratedCode().Count == 0, GeneratorRun.Describe(run.ProblemsInGeneratedCode()));
    }

    // ---- huge inputs ----

    [Theory]
    [InlineData(16384, 1, false)]
    [InlineData(16385, 1, true)]
    [InlineData(33_554_432, 1, true)] // the probe's: Predict(in Input) threw TypeLoadException, an Input local overflowed the stack
    [InlineData(3, 16384, false)]
    [InlineData(3, 16385, true)]
    public void Inline_array_samples_stop_at_16384_floats(int inputs, int outputs, bool tooLarge)
    {
        string source = Net("public partial class Net;",
            "[Network(Loss = Loss.MeanSquaredError)]\n[Input(" + inputs + ")]\n[Dense(" + outputs + ", Activation.Linear)]");
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertGeneratorDidNotFail();
        string text = run.Source("Tests.Net.g.cs");
        Assert.True(run.OutputProblems().Count == 0, GeneratorRun.Describe(run.OutputProblems()));
        Assert.Contains("public void Predict(ReadOnlySpan x, Span y)", text, StringComparison.Ordinal);
        Assert.Equal(!tooLarge, text.Contains("public struct Input", StringComparison.Ordinal));
        Assert.Equal(!tooLarge, text.Contains("public struct Output", StringComparison.Ordinal));
        Assert.Equal(!tooLarge, text.Contains("public Output Predict(in Input x)", StringComparison.Ordinal));
        if (!tooLarge)
        {
            Assert.Empty(run.GeneratorDiagnostics);
            return;
        }
        Diagnostic info = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0108", info.Id);
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
        Assert.StartsWith(inputs > 16384 ? "Input(" : "Dense(", run.SpanText(info), StringComparison.Ordinal);
        Assert.Contains((inputs > 16384 ? inputs : outputs) + " floats", info.GetMessage(), StringComparison.Ordinal);
    }

    // ---- the list of generated members cannot drift from the emitter ----

    public static IEnumerable<object[]> Networks => new[]
    {
        new object[] { "[Network]\n" + Layers },                                                                                    // in registers
        new object[] { "[Network(Loss = Loss.CrossEntropy)]\n[Input(8, 8, 3)]\n[Dense(40, Activation.Relu)]\n[Dropout(0.5f)]\n[Dense(3, Activation.Softmax)]\n[L2(0.1f)]" },
        new object[] { "[Network(Loss = Loss.MeanSquaredError)]\n[Input(4, 5)]\n[Dense(2, Activation.Linear)]" },                   // regression, image
        new object[] { "[Network(Loss = Loss.MeanSquaredError)]\n[Input(20000)]\n[Dense(3, Activation.Tanh)]\n[Dense(1, Activation.Linear)]" }, // no sample structs
        new object[] { "[Network]\n" + Layers + "\n[Weights(\"models/net.safetensors\")]" },                           // [Weights]: a third part
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Generated_members_are_exactly_the_list_the_parser_checks(string attributes)
    {
        GeneratorRun run = GeneratorHarness.Run(Net("public partial class Net;", attributes));
        run.AssertGeneratorDidNotFail();
        INamedTypeSymbol type = run.Output.GetTypeByMetadataName("Tests.Net")!;
        var generatedTrees = new HashSet<SyntaxTree>(run.GeneratedSources.Select(s => s.SyntaxTree));
        List<string> emitted = type.GetMembers()
            .Where(m => !m.IsImplicitlyDeclared && m is not IMethodSymbol { AssociatedSymbol: not null } && m.DeclaringSyntaxReferences.Any(r => generatedTrees.Contains(r.SyntaxTree)))
            .Select(m => m.Name.Replace("global::", "")).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();

        // The parser's list, through the spec the pipeline tracked.
        object spec = Assert.Single(run.Result.TrackedSteps[NetworkGenerator.TrackingNames.Spec].SelectMany(s => s.Outputs)).Value;
        Type members = typeof(NetworkGenerator).Assembly.GetType("NetGen.Generator.Model.GeneratedMembers")!;
        var list = (IEnumerable)members.GetMethod("Of", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new[] { spec })!;
        List<string> planned = list.Cast<object>().Select(m => (string)m.GetType().GetProperty("Name")!.GetValue(m)!)
            .Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(emitted, planned);

        // And each of them, declared by the user, is refused where it is declared.
        List<string> identifiers = emitted.Where(n => n.IndexOf('.') < 0).ToList();
        // (An attribute of a class binds inside it: a field named Loss would capture "Loss.CrossEntropy".)
        string source = Net("public partial class Net\n{\n" + string.Join("\n", identifiers.Select(n => "    private int " + n + ";")) + "\n}",
            attributes.Replace("Loss = Loss.", "Loss = global::NetGen.Loss.", StringComparison.Ordinal));
        GeneratorRun clashing = GeneratorHarness.Run(source);
        Assert.Equal(identifiers.Count, clashing.GeneratorDiagnostics.Count(d => d.Id == "NG0005"));
        Assert.Equal(identifiers.OrderBy(n => n, StringComparer.Ordinal), clashing.GeneratorDiagnostics.Select(clashing.SpanText).OrderBy(n => n, StringComparer.Ordinal));
    }
}
