using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// Runs <see cref="NetworkGenerator"/> the way the compiler does, over source text compiled against the .NET 10
/// reference assemblies and the NetGen runtime, with step tracking on (for the incrementality tests).
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Preview language (the generated code uses InlineArray and collection features) and full doc-comment
    /// diagnostics, so that malformed XML docs or bad crefs in the generated code show up as warnings.</summary>
    public static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Preview, DocumentationMode.Diagnose);

    public static readonly CSharpCompilationOptions CompilationOptions =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true,
                warningLevel: 9999)
            .WithDeterministic(true);

    private static readonly ImmutableArray<MetadataReference> References =
        Basic.Reference.Assemblies.Net100.References.All
            .Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(NetGen.NetworkAttribute).Assembly.Location))
            .ToImmutableArray();

    /// <summary>The file name given to the i-th source passed to <see cref="CreateCompilation"/>.</summary>
    public static string PathOf(int index) => "Source" + index + ".cs";

    public static SyntaxTree Parse(string source, string path) =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    /// <summary>A compilation of the given sources, named Source0.cs, Source1.cs, …</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create("NetGenTestAssembly",
            sources.Select((source, i) => Parse(source, PathOf(i))),
            References,
            CompilationOptions);

    /// <summary>A fresh driver with step tracking, so that <c>TrackedSteps["Model"]</c> and <c>TrackedOutputSteps</c> are filled.</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    public static GeneratorRun Run(CSharpCompilation compilation) => Run(CreateDriver(), compilation);

    /// <summary>Runs (or reruns, when <paramref name="driver"/> has run before) the generator over <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        return new GeneratorRun(compilation, driver, output, driverDiagnostics);
    }
}

/// <summary>One run of the generator: what it produced and how the result compiles.</summary>
internal sealed class GeneratorRun
{
    public GeneratorRun(CSharpCompilation input, GeneratorDriver driver, Compilation output, ImmutableArray<Diagnostic> driverDiagnostics)
    {
        Input = input;
        Driver = driver;
        Output = output;
        DriverDiagnostics = driverDiagnostics;
        RunResult = driver.GetRunResult();
        Result = Assert.Single(RunResult.Results);
    }

    public CSharpCompilation Input { get; }

    /// <summary>The driver after this run: pass it to <see cref="GeneratorHarness.Run(GeneratorDriver, CSharpCompilation)"/> to rerun incrementally.</summary>
    public GeneratorDriver Driver { get; }

    public Compilation Output { get; }

    /// <summary>What RunGeneratorsAndUpdateCompilation reported: the generator's diagnostics plus CS8784/CS8785 when a generator throws.</summary>
    public ImmutableArray<Diagnostic> DriverDiagnostics { get; }

    public GeneratorDriverRunResult RunResult { get; }

    /// <summary>The result of the one generator.</summary>
    public GeneratorRunResult Result { get; }

    public ImmutableArray<GeneratedSourceResult> GeneratedSources => Result.GeneratedSources;

    /// <summary>The diagnostics the generator reported (the NG#### ones).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics;

    /// <summary>The diagnostics of the compilation with the generated sources added.</summary>
    public ImmutableArray<Diagnostic> OutputDiagnostics => Output.GetDiagnostics();

    /// <summary>The hint names of the generated sources, in ordinal order.</summary>
    public string[] HintNames => GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray();

    /// <summary>The two files of each network named (full names): "N.g.cs" and "N.Fast.g.cs", in ordinal order.</summary>
    public static string[] FilesOf(params string[] fullNames)
        => fullNames.SelectMany(n => new[] { n + ".g.cs", n + ".Fast.g.cs" }).OrderBy(h => h, StringComparer.Ordinal).ToArray();

    /// <summary>The generated source with the given hint name.</summary>
    public string Source(string hintName)
    {
        GeneratedSourceResult? found = GeneratedSources.Cast<GeneratedSourceResult?>().FirstOrDefault(s => s!.Value.HintName == hintName);
        Assert.True(found is not null,
            "No generated source named '" + hintName + "'; generated: [" + string.Join(", ", GeneratedSources.Select(s => s.HintName)) + "]" +
            Environment.NewLine + Describe(GeneratorDiagnostics));
        return found!.Value.SourceText.ToString();
    }

    /// <summary>Warnings and errors of the output compilation (hidden and info diagnostics are left out).</summary>
    public IReadOnlyList<Diagnostic> OutputProblems() =>
        OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Warnings and errors of the output compilation that lie in generated files.</summary>
    public IReadOnlyList<Diagnostic> ProblemsInGeneratedCode()
    {
        var generatedPaths = new HashSet<string>(Output.SyntaxTrees.Except(Input.SyntaxTrees).Select(t => t.FilePath));
        return OutputProblems().Where(d => d.Location.SourceTree is { } tree && generatedPaths.Contains(tree.FilePath)).ToList();
    }

    /// <summary>Fails unless the generator neither threw nor reported NG9999.</summary>
    public void AssertGeneratorDidNotFail()
    {
        Assert.True(Result.Exception is null, "The generator threw: " + Result.Exception);
        List<Diagnostic> failures = DriverDiagnostics.Concat(GeneratorDiagnostics).Distinct()
            .Where(d => d.Id is "CS8784" or "CS8785" or "NG9999" ||
                        d.GetMessage().Contains("failed to generate source", StringComparison.Ordinal) ||
                        d.GetMessage().Contains("failed to initialize", StringComparison.Ordinal))
            .ToList();
        Assert.True(failures.Count == 0, "The generator failed:" + Environment.NewLine + Describe(failures));
    }

    /// <summary>The text that a diagnostic's span covers, found through its file path (generator diagnostics carry
    /// external-file locations: a path and a span, not a tree).</summary>
    public string SpanText(Diagnostic diagnostic)
    {
        FileLinePositionSpan lineSpan = diagnostic.Location.GetLineSpan();
        SyntaxTree? tree = diagnostic.Location.SourceTree ?? Input.SyntaxTrees.FirstOrDefault(t => t.FilePath == lineSpan.Path);
        Assert.True(tree is not null, "The diagnostic " + diagnostic.Id + " points at '" + lineSpan.Path + "', which is no file of the compilation.");
        return tree!.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    public static string Describe(IEnumerable<Diagnostic> diagnostics)
    {
        string text = string.Join(Environment.NewLine, diagnostics.Select(d => "  " + d));
        return text.Length == 0 ? "  (no diagnostics)" : text;
    }
}
