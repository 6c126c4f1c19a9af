using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>The harness sees what a real build sees: compiler warnings (doc comments included) and the generator's diagnostics.</summary>
public class HarnessTests
{
    [Fact]
    public void Output_problems_include_documentation_and_nullable_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;

            [Network]
            [Input(3)]
            [Dense(1, Activation.Sigmoid)]
            public partial class Undocumented
            {
                /// <summary>Has a <see cref="DoesNotExist"/>.</summary>
                public string Name = null;
                public int NoDocs;
            }
            """);
        var ids = run.OutputProblems().Select(d => d.Id).ToList();
        Assert.Contains("CS1591", ids); // undocumented public member: DocumentationMode.Diagnose is on
        Assert.Contains("CS1574", ids); // unresolved cref: the generated crefs are checked too
        Assert.Contains("CS8625", ids); // nullable is enabled
        Assert.Empty(run.ProblemsInGeneratedCode());
        Assert.Equal(GeneratorRun.FilesOf("Undocumented"), run.HintNames);
    }

    [Fact]
    public void Output_compilation_includes_the_generated_code()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;

            /// <summary>A net.</summary>
            [Network]
            [Input(3)]
            [Dense(1, Activation.Sigmoid)]
            public partial class Used
            {
                /// <summary>Uses generated members.</summary>
                public static int Sizes() => InputSize + OutputSize + new Used().Parameters.Length;
            }
            """);
        Assert.Empty(run.OutputProblems());
        Assert.Equal(run.Input.SyntaxTrees.Count() + 2, run.Output.SyntaxTrees.Count()); // the main file and the fast one
        // Without the generator the same code does not compile: the members come from the generated file.
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.GetMessage().Contains("InputSize"));
    }
}
