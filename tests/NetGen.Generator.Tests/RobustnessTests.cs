using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generator never throws: broken and unusual declarations give compiler errors or NG diagnostics, never a
/// CS8784/CS8785 "Generator 'NetworkGenerator' failed" warning or an NG9999. The valid unusual ones also compile.
/// </summary>
public class RobustnessTests
{
    private const string Layers = "[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]";

    /// <summary>Declarations that are wrong for the C# compiler itself, or odd for the generator.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> BrokenOrOdd = new Dictionary<string, string[]>
    {
        ["undefined variable as units"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense(undefinedVar, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["undefined variable as a named argument"] = new[] { "using NetGen;\n[Network(Seed = undefinedSeed)]\n[Input(3)]\n[Dense(4, Activation.Relu, Inputs = undefinedInputs, LeakySlope = undefinedSlope, Init = undefinedInit)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["undefined activation member"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense(4, Activation.Swish)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Input(new int[0])"] = new[] { "using NetGen;\n[Network]\n[Input(new int[0])]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Input with a string"] = new[] { "using NetGen;\n[Network]\n[Input(\"3\")]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Dense with a missing argument"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense(4)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Dense with no argument"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense]\npublic partial class Net;" },
        ["Dense with a float size"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense(4.5, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Dense of int.MaxValue units"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense(int.MaxValue, Activation.Relu)]\n[Dense(int.MaxValue, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Input of int.MaxValue squared"] = new[] { "using NetGen;\n[Network]\n[Input(int.MaxValue, int.MaxValue, int.MaxValue)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Input(int.MinValue)"] = new[] { "using NetGen;\n[Network]\n[Input(int.MinValue)]\n[Dense(int.MinValue, Activation.Sigmoid, Inputs = int.MinValue)]\npublic partial class Net;" },
        ["missing using"] = new[] { "[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["record class"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial record Net(int X);" },
        ["record struct"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial record struct Net;" },
        ["struct"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial struct Net;" },
        ["interface"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial interface INet;" },
        ["Network on a method"] = new[] { "using NetGen;\npublic partial class Host { [Network] public void M() { } }" },
        ["Network twice"] = new[] { "using NetGen;\n[Network]\n[Network]\n" + Layers + "\npublic partial class Net;" },
        ["Network only"] = new[] { "using NetGen;\n[Network]\npublic partial class Net;" },
        ["empty class body"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial class Net { }" },
        ["unclosed class body"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial class Net {\n    public void M() {" },
        ["unclosed attribute list"] = new[] { "using NetGen;\n[Network]\n[Input(3)\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["file-scoped namespace"] = new[] { "using NetGen;\nnamespace A.B;\n[Network]\n" + Layers + "\npublic partial class Net;" },
        ["block namespace"] = new[] { "using NetGen;\nnamespace A.B\n{\n[Network]\n" + Layers + "\npublic partial class Net;\n}" },
        ["nested block namespaces"] = new[] { "using NetGen;\nnamespace A { namespace B {\n[Network]\n" + Layers + "\npublic partial class Net;\n} }" },
        ["global namespace"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial class Net;" },
        ["two networks in one file"] = new[] { "using NetGen;\nnamespace A;\n[Network]\n" + Layers + "\npublic partial class One;\n[Network(Loss = Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Activation.Linear)]\npublic partial class Two;" },
        ["same class name in two namespaces"] = new[] { "using NetGen;\nnamespace A { [Network] " + Layers + " public partial class Net; }\nnamespace B { [Network] " + Layers + " public partial class Net; }" },
        ["partial class in two files"] = new[] { "using NetGen;\nnamespace A;\n[Network]\n" + Layers + "\npublic partial class Net;", "namespace A;\npublic partial class Net\n{\n    public int Extra() => InputSize;\n}" },
        ["Network in one file, layers in another"] = new[] { "using NetGen;\n[Network]\npublic partial class Net;", "using NetGen;\n" + Layers + "\npublic partial class Net { }" },
        ["fully qualified attributes without using"] = new[] { "[NetGen.Network(Loss = NetGen.Loss.BinaryCrossEntropy)]\n[NetGen.Input(3)]\n[NetGen.Dense(1, NetGen.Activation.Sigmoid)]\npublic partial class Net;" },
        ["aliased attributes"] = new[] { "using N = NetGen;\n[N.Network]\n[N.Input(3)]\n[N.DenseAttribute(1, N.Activation.Sigmoid)]\npublic partial class Net;" },
        ["constant expressions as sizes"] = new[] { "using NetGen;\n[Network(Seed = Sizes.Seed)]\n[Input(Sizes.Side, Sizes.Side)]\n[Dense(Sizes.Side * 2, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;\nstatic class Sizes { public const int Side = 4; public const ulong Seed = ulong.MaxValue; }" },
        ["another NetworkAttribute type"] = new[] { "namespace Other { public sealed class NetworkAttribute : System.Attribute { } }\nnamespace User { using Other; [Network] public partial class NotANet; }" },
        ["regularisation and dropout attributes"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dropout(0.8f)]\n[Dense(1, Activation.Sigmoid)]\n[L2(0.1f)]\n[L1(0.01f)]\npublic partial class Net;" },
        ["class with a base class and interfaces"] = new[] { "using NetGen;\npublic abstract class Base { }\n[Network]\n" + Layers + "\npublic sealed partial class Net : Base, System.IDisposable { public void Dispose() { } }" },
        ["conditional compilation"] = new[] { "using NetGen;\n#if NEVER\n[Network]\n#endif\n" + Layers + "\npublic partial class Net;" },
        ["attributes in several lists"] = new[] { "using NetGen;\n[Network, Input(3)]\n[Dense(4, Activation.Relu), Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["attribute with target specifier"] = new[] { "using NetGen;\n[type: Network]\n[type: Input(3)]\n[type: Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["empty file"] = new[] { "" },
        ["network with a hidden layer after dropout and penalties"] = new[] { "using NetGen;\n[Network(Loss = Loss.CrossEntropy)]\n[Input(4)]\n[Dense(8, Activation.Relu, L2 = 0f)]\n[Dropout(0.5f)]\n[Dense(8, Activation.Tanh, L1 = 0.1f)]\n[Dropout(1f)]\n[Dense(3, Activation.Softmax)]\n[L2(0.01f)]\npublic partial class Net;" },
        ["MeanSquaredError with every output activation"] = new[] { "using NetGen;\nnamespace M;\n[Network(Loss = Loss.MeanSquaredError)] [Input(2)] [Dense(3, Activation.Softmax)] public partial class A;\n[Network(Loss = Loss.MeanSquaredError)] [Input(2)] [Dense(3, Activation.Sigmoid)] public partial class B;\n[Network(Loss = Loss.MeanSquaredError)] [Input(2)] [Dense(3, Activation.Relu)] public partial class C;\n[Network(Loss = Loss.MeanSquaredError)] [Input(2)] [Dense(3, Activation.LeakyRelu, LeakySlope = -0.5f)] public partial class D;\n[Network(Loss = Loss.MeanSquaredError)] [Input(2)] [Dense(3, Activation.Tanh)] public partial class E;" },
        ["wide hidden layers (rented, not stackalloc)"] = new[] { "using NetGen;\n[Network]\n[Input(3)]\n[Dense(20000, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["nullable disabled in the user's file"] = new[] { "#nullable disable\nusing NetGen;\n[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["internal class in a namespace named System"] = new[] { "using NetGen;\nnamespace MyApp.System;\n[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]\ninternal partial class Net;\npublic class Span<T> { }\npublic class Array { }" },
    };

    /// <summary>Declarations on which the generator once misbehaved (a crash, broken code, or silence); each has a
    /// regression test below that checks what it does now.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> FormerBugs = new Dictionary<string, string[]>
    {
        ["Input(null)"] = new[] { "using NetGen;\n[Network]\n[Input(null)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Input(null) cast to int[]"] = new[] { "using NetGen;\n[Network]\n[Input((int[])null)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["keyword identifiers"] = new[] { "using NetGen;\nnamespace @event.@class;\n[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class @float;" },
        ["Dense before Input"] = new[] { "using NetGen;\n[Network]\n[Dense(4, Activation.Relu)]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net;" },
        ["Dense and Network in one list, Input last"] = new[] { "using NetGen;\n[Network, Dense(1, Activation.Sigmoid)]\n[Input(3)]\npublic partial class Net;" },
        ["class named Input"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial class Input;" },
        ["class named Buffers"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial class Buffers;" },
        ["class with a primary constructor"] = new[] { "using NetGen;\n[Network]\n" + Layers + "\npublic partial class Net(int x) { public int X => x; }" },
    };

    /// <summary>The ones above that are valid C#: they must generate a network and compile with nothing wrong in the generated code.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ValidOddDeclarations = new Dictionary<string, string[]>
    {
        ["empty class body"] = new[] { "Net.g.cs" },
        ["file-scoped namespace"] = new[] { "A.B.Net.g.cs" },
        ["block namespace"] = new[] { "A.B.Net.g.cs" },
        ["nested block namespaces"] = new[] { "A.B.Net.g.cs" },
        ["global namespace"] = new[] { "Net.g.cs" },
        ["two networks in one file"] = new[] { "A.One.g.cs", "A.Two.g.cs" },
        ["same class name in two namespaces"] = new[] { "A.Net.g.cs", "B.Net.g.cs" },
        ["partial class in two files"] = new[] { "A.Net.g.cs" },
        ["fully qualified attributes without using"] = new[] { "Net.g.cs" },
        ["aliased attributes"] = new[] { "Net.g.cs" },
        ["constant expressions as sizes"] = new[] { "Net.g.cs" },
        ["class with a base class and interfaces"] = new[] { "Net.g.cs" },
        ["attributes in several lists"] = new[] { "Net.g.cs" },
        ["attribute with target specifier"] = new[] { "Net.g.cs" },
        ["regularisation and dropout attributes"] = new[] { "Net.g.cs" },
        ["network with a hidden layer after dropout and penalties"] = new[] { "Net.g.cs" },
        ["MeanSquaredError with every output activation"] = new[] { "M.A.g.cs", "M.B.g.cs", "M.C.g.cs", "M.D.g.cs", "M.E.g.cs" },
        ["wide hidden layers (rented, not stackalloc)"] = new[] { "Net.g.cs" },
        ["nullable disabled in the user's file"] = new[] { "Net.g.cs" },
        ["internal class in a namespace named System"] = new[] { "MyApp.System.Net.g.cs" },
    };

    public static IEnumerable<object[]> BrokenOrOddNames => BrokenOrOdd.Keys.Select(name => new object[] { name });

    public static IEnumerable<object[]> ValidOddNames => ValidOddDeclarations.Keys.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(BrokenOrOddNames))]
    public void Generator_never_throws(string name) => AssertNeverThrows(BrokenOrOdd[name]);

    [Theory]
    [MemberData(nameof(BrokenOrOddNames))]
    public void Declaration_gets_compiling_code_or_an_error(string name) => AssertCodeOrError(BrokenOrOdd[name]);

    [Theory]
    [MemberData(nameof(ValidOddNames))]
    public void Valid_odd_declaration_generates_and_compiles(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(BrokenOrOdd[name]);
        run.AssertGeneratorDidNotFail();
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "Unexpected generator diagnostics:" + Environment.NewLine + GeneratorRun.Describe(run.GeneratorDiagnostics));
        // Each network's two files: "N.g.cs" and "N.Fast.g.cs".
        Assert.Equal(GeneratorRun.FilesOf(ValidOddDeclarations[name].Select(h => h.Substring(0, h.Length - ".g.cs".Length)).ToArray()),
            run.HintNames);

        var errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The output compilation has errors:" + Environment.NewLine + GeneratorRun.Describe(errors));
        var inGenerated = run.ProblemsInGeneratedCode();
        Assert.True(inGenerated.Count == 0, "The generated code has warnings:" + Environment.NewLine + GeneratorRun.Describe(inGenerated));
    }

    [Fact]
    public void Broken_declarations_that_the_compiler_rejects_generate_nothing()
    {
        // A declaration whose constructor arguments do not bind must not be generated from a guess.
        foreach (string name in new[] { "undefined variable as units", "Input with a string", "Dense with a missing argument", "Dense with a float size", "undefined activation member" })
        {
            GeneratorRun run = GeneratorHarness.Run(BrokenOrOdd[name]);
            Assert.True(run.Input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error), name + ": expected a compiler error in the input");
            Assert.True(run.GeneratedSources.IsEmpty, name + ": generated " + string.Join(", ", run.GeneratedSources.Select(s => s.HintName)));
        }
    }

    [Fact]
    public void Every_valid_odd_case_is_in_the_robustness_list()
    {
        Assert.All(ValidOddDeclarations.Keys, name => Assert.True(BrokenOrOdd.ContainsKey(name), name));
        Assert.All(FormerBugs.Keys, name => Assert.False(BrokenOrOdd.ContainsKey(name), name));
    }

    // ---- regressions: each of these once broke the generator (a crash, broken code, or silence) ----

    [Fact]
    public void Input_null_is_a_diagnostic_not_a_crash()
    {
        AssertNeverThrows(FormerBugs["Input(null)"]);
        AssertNeverThrows(FormerBugs["Input(null) cast to int[]"]);
    }

    [Fact]
    public void Keyword_identifiers_are_escaped()
    {
        AssertNeverThrows(FormerBugs["keyword identifiers"]);
        AssertCodeOrError(FormerBugs["keyword identifiers"]);
    }

    [Fact]
    public void Dense_before_Input_gets_a_diagnostic()
    {
        AssertDiagnostic(FormerBugs["Dense before Input"], "NG0107", "[Input] comes after 1 [Dense] layer(s) of 'Net'");
        AssertDiagnostic(FormerBugs["Dense and Network in one list, Input last"], "NG0107",
            "[Input] comes after 1 [Dense] layer(s) of 'Net'");
    }

    [Fact]
    public void Class_named_like_a_generated_member_gets_a_diagnostic()
    {
        AssertDiagnostic(FormerBugs["class named Input"], "NG0002", "'Input' is named like a member NetGen generates");
        AssertDiagnostic(FormerBugs["class named Buffers"], "NG0002", "'Buffers' is named like a member NetGen generates");
    }

    [Fact]
    public void Class_with_a_primary_constructor_gets_a_diagnostic()
        => AssertDiagnostic(FormerBugs["class with a primary constructor"], "NG0002", "primary constructor");

    // ---- the checks ----

    /// <summary>
    /// The generator reports <paramref name="id"/> as an error, on the user's source, with a message that contains
    /// <paramref name="messagePart"/>; and (as for every declaration) it neither fails nor leaves broken code unreported.
    /// </summary>
    private static void AssertDiagnostic(string[] sources, string id, string messagePart)
    {
        AssertCodeOrError(sources);
        GeneratorRun run = GeneratorHarness.Run(sources);
        Diagnostic? found = run.GeneratorDiagnostics.FirstOrDefault(d => d.Id == id);
        Assert.True(found is not null, "expected " + id + "; the generator reported:" + Environment.NewLine
            + GeneratorRun.Describe(run.GeneratorDiagnostics));
        Assert.Equal(DiagnosticSeverity.Error, found.Severity);
        Assert.True(found.Location.IsInSource, id + " has no location in the user's source: " + found);
        Assert.Contains(messagePart, found.GetMessage());
    }

    private static void AssertNeverThrows(string[] sources)
    {
        GeneratorRun run = GeneratorHarness.Run(sources);
        run.AssertGeneratorDidNotFail();

        // Whatever it generated must at least be parseable C# (no half-written text).
        foreach (GeneratedSourceResult generated in run.GeneratedSources)
        {
            var errors = generated.SyntaxTree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, generated.HintName + " does not parse:" + Environment.NewLine + GeneratorRun.Describe(errors));
        }
    }

    /// <summary>
    /// When neither the compiler (on the user's code) nor the generator reports an error, every [Network] class is
    /// generated and the generated code compiles; a declaration is never dropped silently.
    /// </summary>
    private static void AssertCodeOrError(string[] sources)
    {
        GeneratorRun run = GeneratorHarness.Run(sources);
        run.AssertGeneratorDidNotFail();
        bool inputHasErrors = run.Input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        bool generatorHasErrors = run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        if (inputHasErrors || generatorHasErrors) return;

        INamedTypeSymbol? attribute = run.Input.GetTypeByMetadataName("NetGen.NetworkAttribute");
        Assert.NotNull(attribute);
        var generatedHints = run.GeneratedSources.Select(s => s.HintName).ToHashSet();
        foreach (INamedTypeSymbol network in AllTypes(run.Input.Assembly.GlobalNamespace)
                     .Where(t => t.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute))))
        {
            string hint = network.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "").Replace("@", "") + ".g.cs";
            Assert.True(generatedHints.Contains(hint),
                "'" + network.Name + "' has [Network], no error from the compiler or the generator, and yet no source (" + hint + "). Generated: [" +
                string.Join(", ", generatedHints) + "]; generator diagnostics:" + Environment.NewLine + GeneratorRun.Describe(run.GeneratorDiagnostics));
        }
        var errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The generated code does not compile and the generator reported no error:" + Environment.NewLine + GeneratorRun.Describe(errors));
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
    {
        foreach (INamedTypeSymbol type in ns.GetTypeMembers())
        {
            yield return type;
            foreach (INamedTypeSymbol nested in type.GetTypeMembers()) yield return nested;
        }
        foreach (INamespaceSymbol child in ns.GetNamespaceMembers())
            foreach (INamedTypeSymbol type in AllTypes(child))
                yield return type;
    }
}
