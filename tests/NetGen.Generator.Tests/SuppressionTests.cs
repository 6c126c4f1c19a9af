using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// NG diagnostics are located in the user's syntax trees, so that #pragma and the compilation's severity options
/// (.editorconfig, &lt;NoWarn&gt;, &lt;WarningsAsErrors&gt;) apply to them like to any compiler warning.
/// </summary>
public class SuppressionTests
{
    private const string ZerosNet = """
        using NetGen;

        /// <summary>A warned-about net.</summary>
        [Network(Init = Init.Zeros)]
        [Input(3)]
        [Dense(4, Activation.Relu)]
        [Dense(1, Activation.Sigmoid)]
        public partial class ZeroNet;
        """;

    [Fact]
    public void Generator_diagnostics_are_located_in_the_users_tree()
    {
        GeneratorRun run = GeneratorHarness.Run(ZerosNet);
        Diagnostic warning = Assert.Single(run.GeneratorDiagnostics);
        Assert.True(warning.Location.IsInSource, "NG0301 is not located in a syntax tree: " + warning.Location);
        Assert.Same(run.Input.SyntaxTrees.Single(), warning.Location.SourceTree);
    }

    [Fact]
    public void Pragma_disables_a_generator_warning()
    {
        GeneratorRun plain = GeneratorHarness.Run(ZerosNet);
        Assert.Contains(plain.DriverDiagnostics, d => d.Id == "NG0301");

        GeneratorRun disabled = GeneratorHarness.Run("#pragma warning disable NG0301\n" + ZerosNet);
        Assert.DoesNotContain(disabled.DriverDiagnostics, d => d.Id == "NG0301" && !d.IsSuppressed);
        Assert.Equal(2, disabled.GeneratedSources.Length); // the network's two files
    }

    [Fact]
    public void Compilation_options_change_a_generator_warnings_severity()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ZerosNet);

        var asError = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            new Dictionary<string, ReportDiagnostic> { ["NG0301"] = ReportDiagnostic.Error }));
        Diagnostic error = Assert.Single(GeneratorHarness.Run(asError).DriverDiagnostics, d => d.Id == "NG0301");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);

        var suppressed = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            new Dictionary<string, ReportDiagnostic> { ["NG0301"] = ReportDiagnostic.Suppress }));
        Assert.DoesNotContain(GeneratorHarness.Run(suppressed).DriverDiagnostics, d => d.Id == "NG0301");
    }
}
