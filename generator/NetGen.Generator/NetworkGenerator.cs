using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

/// <summary>
/// The pipeline only: find each [Network] class, parse it once into a value-equal model, report its diagnostics on
/// one branch and emit its source on another. Parsing lives in NetworkGenerator.Parser.cs, writing in the Emitter files.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>The names of the tracked steps, for the incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string Model = nameof(Model);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Spec = nameof(Spec);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<NetworkModel> models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "NetGen.NetworkAttribute",
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (context, cancellationToken) => Parser.Parse(context, cancellationToken))
            .WithTrackingName(TrackingNames.Model);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = models
            .Select(static (model, _) => model.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        // Diagnostics are located in the compilation's own syntax trees so that #pragma and .editorconfig apply to them;
        // pairing with the compilation re-runs only this cheap reporting step, never the parse or the emit.
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (context, pair) =>
        {
            foreach (DiagnosticInfo diagnostic in pair.Left)
                context.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
        });

        IncrementalValuesProvider<NetworkSpec> specs = models
            .Where(static model => model.Spec is not null)
            .Select(static (model, _) => model.Spec!)
            .WithTrackingName(TrackingNames.Spec);
        context.RegisterSourceOutput(specs, static (context, spec) =>
            context.AddSource(Emitter.HintName(spec), Emitter.Emit(spec)));
    }
}
