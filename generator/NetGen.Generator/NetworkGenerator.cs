using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

/// <summary>
/// The pipeline only: find each [Network] class, parse it once into a value-equal model, report its diagnostics on
/// one branch and, on another, plan it once and emit its two files from the plan. Parsing lives in
/// NetworkGenerator.Parser.cs, planning in Model/NetworkPlan.cs, writing in the Emitter files.
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
        public const string CaseCollisions = nameof(CaseCollisions);
        public const string File = nameof(File);
        public const string WithoutNetwork = nameof(WithoutNetwork);
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
        Report(context, diagnostics);

        // Layer attributes on a class without [Network]: one attribute-driven step per layer attribute, so that only
        // classes carrying one are looked at.
        foreach (string attribute in Parser.LayerAttributes)
        {
            Report(context, context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    transform: (context, cancellationToken) => Parser.ParseWithoutNetwork(context, attribute, cancellationToken))
                .WithTrackingName(TrackingNames.WithoutNetwork));
        }

        IncrementalValuesProvider<NetworkSpec> specs = models
            .Where(static model => model.Spec is not null)
            .Select(static (model, _) => model.Spec!)
            .WithTrackingName(TrackingNames.Spec);
        // Hint names must differ in more than letter case: the full names whose main or fast file would collide so are
        // gathered once (an empty list almost always, equal from one edit to the next, so that no file is emitted again
        // for it).
        IncrementalValueProvider<EquatableArray<string>> collisions = specs
            .Select(static (spec, _) => spec.FullName)
            .Collect()
            .Select(static (names, _) => Emitter.CaseCollisions(names))
            .WithTrackingName(TrackingNames.CaseCollisions);
        // One plan per network, and both of its files written from it: the notes' passes and the public API in
        // "Namespace.Class.g.cs", the code that exists only for speed in "Namespace.Class.Fast.g.cs".
        IncrementalValuesProvider<NetworkFiles> files = specs
            .Combine(collisions)
            .Select(static (pair, _) => new NetworkFiles(NetworkPlan.Of(pair.Left),
                Emitter.HintName(pair.Left, pair.Right), Emitter.FastHintName(pair.Left, pair.Right)))
            .WithTrackingName(TrackingNames.File);
        context.RegisterSourceOutput(files, static (context, file) =>
            context.AddSource(file.HintName, Emitter.Emit(file.Plan)));
        context.RegisterSourceOutput(files, static (context, file) =>
            context.AddSource(file.FastHintName, Emitter.EmitFast(file.Plan)));
    }

    /// <summary>The two files of one network, from one plan: value-equal, so that an edit elsewhere emits neither
    /// again.</summary>
    private sealed record NetworkFiles(NetworkPlan Plan, string HintName, string FastHintName);

    /// <summary>Reports the diagnostics located in the compilation's own syntax trees, so that #pragma and .editorconfig
    /// apply to them; pairing with the compilation re-runs only this cheap reporting step, never a parse or an emit.</summary>
    private static void Report(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics)
    {
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (context, pair) =>
        {
            foreach (DiagnosticInfo diagnostic in pair.Left)
                context.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
        });
    }
}
