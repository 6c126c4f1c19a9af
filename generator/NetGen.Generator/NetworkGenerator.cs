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
        public const string WeightsFiles = nameof(WeightsFiles);
        public const string WeightsOptions = nameof(WeightsOptions);
        public const string Weights = nameof(Weights);
        public const string WeightsFile = nameof(WeightsFile);
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

        // Layer attributes or [Weights] on a class without [Network]: one attribute-driven step per such attribute, so that only
        // classes carrying one are looked at.
        foreach (string attribute in Parser.NetworkOnlyAttributes)
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
            .Select(static (spec, _) => (spec.FullName, spec.WeightsPath is not null))
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

        // [Weights]: the NetGenWeights files the build carried as text (NetGen.targets), the project's options, and per
        // network with [Weights] one check that yields its diagnostics or its parameters, then its third file.
        IncrementalValuesProvider<WeightsText> weightsTexts = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => WeightsStep.ReadText(pair.Left, pair.Right, cancellationToken))
            .Where(static text => text is not null)
            .Select(static (text, _) => text!)
            .WithTrackingName(TrackingNames.WeightsFiles);
        IncrementalValueProvider<WeightsOptions> weightsOptions = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => WeightsStep.ReadOptions(provider))
            .WithTrackingName(TrackingNames.WeightsOptions);
        IncrementalValuesProvider<WeightsResult> weights = specs
            .Where(static spec => spec.WeightsPath is not null)
            .Combine(weightsTexts.Collect())
            .Combine(weightsOptions)
            .Select(static (pair, _) => WeightsStep.Check(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(TrackingNames.Weights);
        // Reported on the [Weights] attribute, found in the compilation: the check itself holds no location, so that
        // moving the declaration leaves it cached.
        context.RegisterSourceOutput(weights.Where(static result => result.Findings.Count > 0)
            .Combine(context.CompilationProvider), static (context, pair) =>
            WeightsStep.Report(context, pair.Left, pair.Right));
        IncrementalValuesProvider<WeightsFileOutput> weightsFiles = weights
            .Combine(collisions)
            .Select(static (pair, _) =>
                new WeightsFileOutput(pair.Left, Emitter.WeightsHintName(pair.Left.Spec, pair.Right)))
            .WithTrackingName(TrackingNames.WeightsFile);
        context.RegisterSourceOutput(weightsFiles, static (context, file) =>
            context.AddSource(file.HintName, Emitter.EmitWeights(file.Result)));
    }

    /// <summary>The third file of a network with [Weights]: its check and the file's name.</summary>
    private sealed record WeightsFileOutput(WeightsResult Result, string HintName);

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
