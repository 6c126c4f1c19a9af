using System;
using System.Linq;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generated file names Span, ReadOnlySpan, Kernels and Guard through using aliases of its own. Where the user's
/// class, a base class or the class's namespace already has a member of such a name, an alias would lose to it (or be
/// an error, CS0576): the file then spells the full global:: names, and still compiles without a warning.
/// </summary>
public class AliasTests
{
    private const string Layers = "[Network] [Input(3)] [Dense(4, Activation.Relu)] [Dense(1, Activation.Sigmoid)]";

    private static string Generate(string source, string hintName)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics);
        // The user's code here lacks XML docs (CS1591); the generated code must add no warning, and nothing may fail.
        var problems = run.ProblemsInGeneratedCode().Concat(run.OutputDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error))
            .Distinct().ToList();
        Assert.True(problems.Count == 0, "The output compilation has problems:" + Environment.NewLine + GeneratorRun.Describe(problems));
        return run.Source(hintName);
    }

    private static void AssertAliases(string text)
    {
        Assert.Contains("using Kernels = global::NetGen.Kernels;", text, StringComparison.Ordinal);
        Assert.Contains("using Span = global::System.Span<float>;", text, StringComparison.Ordinal);
        Assert.Contains(" Kernels.", text, StringComparison.Ordinal);
        // Outside the alias lines, no global:: name of an aliased type is left.
        string body = string.Join("\n", text.Split('\n').Where(l => !l.StartsWith("using ", StringComparison.Ordinal)));
        Assert.DoesNotContain("global::NetGen.Kernels", body, StringComparison.Ordinal);
        Assert.DoesNotContain("global::NetGen.Guard", body, StringComparison.Ordinal);
        Assert.DoesNotContain("global::System.Span<float>", body, StringComparison.Ordinal);
    }

    private static void AssertFullNames(string text)
    {
        Assert.DoesNotContain("using Kernels =", text, StringComparison.Ordinal);
        Assert.Contains("global::NetGen.Kernels.", text, StringComparison.Ordinal);
        Assert.Contains("global::NetGen.Guard.", text, StringComparison.Ordinal);
        Assert.Contains("global::System.Span<float>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("⟦", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_network_uses_the_aliases()
        => AssertAliases(Generate("using NetGen;\nnamespace App;\n" + Layers + "\npublic partial class Net;", "App.Net.g.cs"));

    [Fact]
    public void A_type_named_Kernels_in_the_namespace_keeps_the_full_names()
        => AssertFullNames(Generate("using NetGen;\nnamespace App;\npublic static class Kernels { }\n" + Layers + "\npublic partial class Net;",
            "App.Net.g.cs"));

    [Fact]
    public void A_field_named_Guard_in_the_class_keeps_the_full_names()
        => AssertFullNames(Generate("using NetGen;\nnamespace App;\n" + Layers + "\npublic partial class Net { public int Guard; }",
            "App.Net.g.cs"));

    [Fact]
    public void A_nested_type_named_Span_keeps_the_full_names()
        => AssertFullNames(Generate("using NetGen;\nnamespace App;\n" + Layers + "\npublic partial class Net { public class Span { } }",
            "App.Net.g.cs"));

    [Fact]
    public void A_base_class_member_named_Kernels_keeps_the_full_names()
        => AssertFullNames(Generate("using NetGen;\nnamespace App;\npublic class Base { protected static int Kernels => 0; }\n" + Layers +
            "\npublic partial class Net : Base;", "App.Net.g.cs"));

    [Fact]
    public void A_global_network_beside_a_global_type_named_Guard_keeps_the_full_names()
        => AssertFullNames(Generate("using NetGen;\npublic static class Guard { }\n" + Layers + "\npublic partial class Net;", "Net.g.cs"));

    /// <summary>The aliases sit inside the network's namespace, where they come before an enclosing namespace's types.</summary>
    [Fact]
    public void A_type_named_Kernels_in_an_enclosing_namespace_does_not_matter()
        => AssertAliases(Generate("using NetGen;\nnamespace Outer { public static class Kernels { } }\nnamespace Outer.Inner\n{\n" + Layers +
            "\npublic partial class Net;\n}", "Outer.Inner.Net.g.cs"));

    /// <summary>A project-wide alias of the same name (global using) would collide with the file's own at the top
    /// level of a network in the global namespace.</summary>
    [Fact]
    public void A_global_using_alias_named_Kernels_beside_a_global_network()
        => AssertFullNames(Generate("global using Kernels = System.Math;\nusing NetGen;\n" + Layers + "\npublic partial class Net;", "Net.g.cs"));

    /// <summary>Inside a namespace the file's own aliases come first: a global using alias of the same name is fine.</summary>
    [Fact]
    public void A_global_using_alias_named_Kernels_does_not_matter_to_a_network_in_a_namespace()
        => AssertAliases(Generate("global using Kernels = System.Math;\nusing NetGen;\nnamespace App;\n" + Layers + "\npublic partial class Net;",
            "App.Net.g.cs"));
}
