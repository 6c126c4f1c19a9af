using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>Turns one [Network] class into a <see cref="NetworkModel"/>: symbols in, plain data out.</summary>
    internal static partial class Parser
    {
        private const string InputAttributeName = "NetGen.InputAttribute";
        private const string DenseAttributeName = "NetGen.DenseAttribute";
        private const string Conv2DAttributeName = "NetGen.Conv2DAttribute";
        private const string MaxPoolAttributeName = "NetGen.MaxPoolAttribute";
        private const string AveragePoolAttributeName = "NetGen.AveragePoolAttribute";
        private const string DropoutAttributeName = "NetGen.DropoutAttribute";
        private const string L1AttributeName = "NetGen.L1Attribute";
        private const string L2AttributeName = "NetGen.L2Attribute";
        private const string NetworkAttributeName = "NetGen.NetworkAttribute";

        /// <summary>The attributes that declare a network's layers, in the order NG0004 names them.</summary>
        public static readonly ImmutableArray<string> LayerAttributes = ImmutableArray.Create(
            InputAttributeName, DenseAttributeName, DropoutAttributeName, L2AttributeName, L1AttributeName,
            Conv2DAttributeName, MaxPoolAttributeName, AveragePoolAttributeName);

        private static readonly ImmutableHashSet<string> LayerAttributeNames = ImmutableHashSet.CreateRange(LayerAttributes);

        /// <summary>The attributes that mean nothing without [Network], so that NG0004 reports them: the layer attributes,
        /// then [Weights].</summary>
        public static readonly ImmutableArray<string> NetworkOnlyAttributes =
            LayerAttributes.Add("NetGen.WeightsAttribute");

        private static readonly ImmutableHashSet<string> NetworkOnlyAttributeNames =
            ImmutableHashSet.CreateRange(NetworkOnlyAttributes);

        /// <summary>
        /// NG0004 for a class that carries layer attributes or [Weights] but no [Network]: called for each such attribute
        /// type on a declaration, it reports only from the type of the declaration's first one, so once per declaration.
        /// </summary>
        public static EquatableArray<DiagnosticInfo> ParseWithoutNetwork(GeneratorAttributeSyntaxContext context, string attributeName,
            CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            var here = new List<(int Position, string Name)>();
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name == NetworkAttributeName) return EquatableArray<DiagnosticInfo>.Empty; // a network: the parser's
                if (name is null || !NetworkOnlyAttributeNames.Contains(name) ||
                    attribute.ApplicationSyntaxReference is not { } reference) continue;
                if (reference.SyntaxTree == declaration.SyntaxTree && declaration.Span.Contains(reference.Span))
                    here.Add((reference.Span.Start, name));
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (here.Count == 0) return EquatableArray<DiagnosticInfo>.Empty;
            here.Sort((a, b) => a.Position.CompareTo(b.Position));
            if (here[0].Name != attributeName) return EquatableArray<DiagnosticInfo>.Empty;
            string found = string.Join(", ", NetworkOnlyAttributes.Where(a => here.Any(h => h.Name == a)).Select(a => "[" + ShortName(a) + "]"));
            return ImmutableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.LayerAttributesWithoutNetwork,
                LocationInfo.From(declaration.Identifier.GetLocation()), symbol.Name, found)).ToEquatableArray();
        }

        public static NetworkModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            try
            {
                return ParseCore(context, symbol, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                // The generator never throws: an unexpected failure becomes a located diagnostic.
                var location = LocationInfo.From(((TypeDeclarationSyntax)context.TargetNode).Identifier.GetLocation());
                return new NetworkModel(null, ImmutableArray.Create(DiagnosticInfo.Create(
                    DiagnosticDescriptors.GeneratorFailure, location, symbol.Name, exception.GetType().Name + ": " + exception.Message.TrimEnd('.'))).ToEquatableArray());
            }
        }

        private static NetworkModel ParseCore(GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol, CancellationToken cancellationToken)
        {
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            var diagnostics = new List<DiagnosticInfo>();
            LocationInfo? classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
            AttributeData networkAttribute = context.Attributes[0];
            LocationInfo? networkLocation = LocationInfo.From(networkAttribute.ApplicationSyntaxReference, cancellationToken) ?? classLocation;

            NetworkModel Fail() => new(null, diagnostics.ToEquatableArray());

            if (!CheckClass(declaration, symbol, classLocation, diagnostics, cancellationToken))
                return Fail();

            // A broken attribute argument is the compiler's to report; generating from a guess would only add noise.
            bool brokenArgument = networkAttribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);
            NetworkArguments network = ParseNetwork(networkAttribute, networkLocation, diagnostics);

            List<(AttributeData Data, SyntaxNode Syntax)>? layerAttributes = LayerAttributesOf(symbol, declaration, diagnostics, cancellationToken);
            if (layerAttributes is null)
                return Fail(); // with layers missing from this declaration, any further check would report a phantom problem

            var declared = new Declared();
            foreach ((AttributeData attribute, SyntaxNode syntax) in layerAttributes)
            {
                LocationInfo? location = LocationInfo.From(syntax.GetLocation());
                if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
                    || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
                {
                    brokenArgument = true;
                    continue;
                }
                switch (attribute.AttributeClass!.ToDisplayString())
                {
                    case InputAttributeName:
                        AddInput(declared, attribute, symbol.Name, location, diagnostics);
                        break;
                    case DenseAttributeName:
                        AddDense(declared, ParseDense(attribute, declared.Layers.Count + 1, location, diagnostics), network, diagnostics);
                        break;
                    case Conv2DAttributeName:
                        AddConv2D(declared, ParseConv2D(attribute, declared.Layers.Count + 1, location, diagnostics), network,
                            symbol.Name, diagnostics);
                        break;
                    case MaxPoolAttributeName:
                    case AveragePoolAttributeName:
                        LayerKind kind = attribute.AttributeClass!.Name == "MaxPoolAttribute" ? LayerKind.MaxPool : LayerKind.AveragePool;
                        AddPool(declared, ParsePool(attribute, kind, declared.Layers.Count + 1, location, diagnostics),
                            symbol.Name, diagnostics);
                        break;
                    case DropoutAttributeName:
                        AddDropout(declared, ParseDropout(attribute, location, diagnostics), diagnostics);
                        break;
                    case L2AttributeName:
                    case L1AttributeName:
                        string penalty = attribute.AttributeClass!.Name == "L2Attribute" ? "L2" : "L1";
                        if ((penalty == "L2" ? declared.L2 : declared.L1) is not null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicatePenalty, location, penalty, symbol.Name));
                            declared.Valid = false;
                            break;
                        }
                        PenaltyArguments parsed = ParsePenalty(attribute, penalty, location, diagnostics);
                        declared.Valid &= parsed.Valid;
                        if (penalty == "L2") declared.L2 = parsed; else declared.L1 = parsed;
                        break;
                }
            }

            WeightsArguments? weights = ParseWeights(symbol, diagnostics, cancellationToken, ref brokenArgument);
            if (brokenArgument)
                return Fail();
            if (!Validate(declared, network, symbol.Name, networkLocation, diagnostics)
                || diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
                return Fail();

            string? ns = NamespaceOf(symbol);
            var spec = new NetworkSpec(ns, symbol.Name, declared.Input!.Shape.ToEquatableArray(), declared.Layers.ToEquatableArray(),
                network.Loss, network.Seed, network.InitScale, !AliasesClash(symbol, context.SemanticModel, declaration),
                weights?.Path);

            // ---- what the generated half would clash with: the class name, the user's members, the base class ----
            List<GeneratedMember> generated = GeneratedMembers.Of(spec);
            if (generated.Any(m => m.Name == symbol.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedNetworkClass, classLocation, symbol.Name,
                    "named like a member NetGen generates in it (a member cannot have its class's name); reserved: " + ReservedNames(generated)));
                return Fail();
            }
            CheckMembers(symbol, context.SemanticModel.Compilation, generated, classLocation, diagnostics, cancellationToken);
            CheckBaseConstructor(symbol, context.SemanticModel.Compilation, classLocation, diagnostics, cancellationToken);
            if (diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
                return Fail();

            if (!spec.HasSampleStructs)
            {
                bool inputTooLarge = spec.InputSize > NetworkSpec.SampleStructLimit;
                LayerSpec output = spec.Layers[spec.Layers.Count - 1];
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoSampleStructs,
                    inputTooLarge ? declared.Input!.Location : declared.Declarations[declared.Declarations.Count - 1].Location,
                    inputTooLarge ? "The input of '" + symbol.Name + "'" : "The output of '" + symbol.Name + "' (layer " + output.Index + ")",
                    inputTooLarge ? spec.InputSize : spec.OutputSize, NetworkSpec.SampleStructLimit, symbol.Name));
            }
            return new NetworkModel(spec, diagnostics.ToEquatableArray());
        }

        /// <summary>
        /// Whether a name of the generated file's aliases (Span, Kernels…) is taken where it would win over the alias:
        /// by a member of the class or of a base class (any kind: a field named Guard hides Guard.Length), by a type or
        /// namespace in the class's own namespace (where an alias of that name is an error, CS0576), or, for a class in
        /// the global namespace, by a global using alias.
        /// </summary>
        private static bool AliasesClash(INamedTypeSymbol symbol, SemanticModel model, TypeDeclarationSyntax declaration)
        {
            foreach ((string name, _) in Emitter.Aliases)
            {
                for (INamedTypeSymbol? type = symbol; type is not null; type = type.BaseType)
                    if (!type.GetMembers(name).IsEmpty) return true;
                if (symbol.ContainingNamespace.GetMembers(name).Any()) return true;
                // In the global namespace the file's aliases sit at its top level, beside the project's global using
                // aliases: one of the same name would be an error there.
                if (symbol.ContainingNamespace.IsGlobalNamespace)
                {
                    foreach (ISymbol found in model.LookupNamespacesAndTypes(declaration.SpanStart, name: name))
                        if (found is IAliasSymbol alias && alias.DeclaringSyntaxReferences.Any(r =>
                                r.GetSyntax() is UsingDirectiveSyntax { GlobalKeyword.RawKind: not 0 }))
                            return true;
                }
            }
            return false;
        }

        /// <summary>The layer attributes as the loop assembles them, in source order.</summary>
        private sealed class Declared
        {
            public InputArguments? Input;
            /// <summary>Per layer, from its [Dense], [Conv2D] or pool: sizes and activation resolved, penalties and dropout
            /// not yet.</summary>
            public readonly List<LayerSpec> Layers = new();
            /// <summary>Per layer, what Validate needs of its attribute as written.</summary>
            public readonly List<LayerDeclaration> Declarations = new();
            /// <summary>The shapes so far, for the shape messages: "Input 28 × 28 × 1", "Conv2D(6, 5) → 24 × 24 × 6", ….</summary>
            public readonly List<string> Chain = new();
            /// <summary>The map the next layer reads (height, width, channels), or null when the layer below is flat (a
            /// [Dense], or an input of rank 1) or unknown after an error.</summary>
            public (int Height, int Width, int Channels)? Map;
            /// <summary>By layer index l: the [Dropout] that follows layer l's [Dense].</summary>
            public readonly Dictionary<int, DropoutArguments> Dropouts = new();
            public PenaltyArguments? L2, L1;
            /// <summary>False once something was reported that leaves the shapes unknown or wrong.</summary>
            public bool Valid = true;
        }

        /// <summary>NG0001/NG0003: a class NetGen cannot complete. False when reported.</summary>
        private static bool CheckClass(TypeDeclarationSyntax declaration, INamedTypeSymbol symbol, LocationInfo? classLocation,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkClassNotPartial, classLocation, symbol.Name));
                return false;
            }
            string? unsupported =
                symbol.ContainingType is not null ? "nested in '" + symbol.ContainingType.Name + "'" :
                symbol.TypeParameters.Length > 0 ? "generic" :
                symbol.IsStatic ? "static" :
                symbol.IsAbstract ? "abstract" :
                symbol.IsRecord ? "a record" :
                HasPrimaryConstructor(symbol, cancellationToken) ? "declared with a primary constructor (NetGen writes the constructors)" :
                symbol.IsFileLocal ? "file-local ('file'): the generated half, in a file of its own, would be another class" : null;
            if (unsupported is null) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedNetworkClass, classLocation, symbol.Name, unsupported));
            return false;
        }

        /// <summary>The layer attributes in source order, all beside [Network]; null when some are on another partial
        /// declaration (reported).</summary>
        private static List<(AttributeData Data, SyntaxNode Syntax)>? LayerAttributesOf(INamedTypeSymbol symbol,
            TypeDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var layerAttributes = new List<(AttributeData Data, SyntaxNode Syntax)>();
            bool split = false;
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name is null || !LayerAttributeNames.Contains(name) || attribute.ApplicationSyntaxReference is null) continue;
                SyntaxNode syntax = attribute.ApplicationSyntaxReference.GetSyntax(cancellationToken);
                if (syntax.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(syntax.Span))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerAttributesSplitAcrossPartials,
                        LocationInfo.From(syntax.GetLocation()), ShortName(name), symbol.Name));
                    split = true;
                    continue;
                }
                layerAttributes.Add((attribute, syntax));
            }
            if (split) return null;
            layerAttributes.Sort((a, b) => a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart));
            return layerAttributes;
        }

        /// <summary>[Input]: once, before every [Dense].</summary>
        private static void AddInput(Declared declared, AttributeData attribute, string className, LocationInfo? location,
            List<DiagnosticInfo> diagnostics)
        {
            if (declared.Input is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateInput, location, className, string.Join(", ", declared.Input.Shape)));
                declared.Valid = false;
                return;
            }
            if (declared.Layers.Count > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputAfterLayers, location, declared.Layers.Count, className));
                declared.Valid = false;
            }
            declared.Input = ParseInput(attribute, className, location, diagnostics);
            declared.Valid &= declared.Input.Valid;
        }

        /// <summary>[Dense]: layer l reads the layer below it (or the input) flattened, and a declared Inputs must say so.</summary>
        private static void AddDense(Declared declared, DenseArguments dense, NetworkArguments network, List<DiagnosticInfo> diagnostics)
        {
            int index = declared.Layers.Count + 1;
            // Without an input, reported in Validate: as a missing input, or at an [Input] that comes after this layer.
            declared.Valid &= dense.Valid && declared.Input is not null;
            int below = declared.Layers.Count == 0 ? (int)Math.Min(declared.Input?.Size ?? 0, int.MaxValue) : declared.Layers[declared.Layers.Count - 1].Units;
            bool afterMap = declared.Layers.Count > 0 && declared.Layers[declared.Layers.Count - 1].IsMap;
            if (afterMap && declared.Map is { } map && dense.DeclaredInputs > 0 && dense.DeclaredInputs != below)
            {
                // The map below is flattened in (c, h, w) order: say which map, and how it came about.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FlattenedInputsMismatch, dense.Location, index,
                    "Dense(" + dense.Units + ", Inputs = " + dense.DeclaredInputs + ")", dense.DeclaredInputs,
                    map.Height + " × " + map.Width + " × " + map.Channels, below, string.Join(" → ", declared.Chain)));
                declared.Valid = false;
            }
            else if (!afterMap && dense.DeclaredInputs > 0 && declared.Input is not null && dense.DeclaredInputs != below && below > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputsMismatch, dense.Location, index, dense.DeclaredInputs,
                    index - 1, below, Math.Max(dense.Units, 0)));
                declared.Valid = false;
            }
            declared.Layers.Add(new LayerSpec(index, below, dense.Units, dense.Activation, dense.LeakySlope,
                dense.Init == Init.Default ? network.DefaultInit : dense.Init, Name: dense.Name));
            declared.Declarations.Add(new LayerDeclaration(dense.Location, dense.Init, dense.L2, dense.L1));
            declared.Chain.Add("Dense(" + dense.Units + ") → " + dense.Units);
            declared.Map = null;
        }

        /// <summary>What Validate needs of a layer's attribute as written: where it is, its own Init (Default when it
        /// inherits) and penalties (null when inherited).</summary>
        internal sealed record LayerDeclaration(LocationInfo? Location, Init Init, float? L2, float? L1);

        /// <summary>The map a conv or pool layer l reads: the input's (h, w, c) for the first layer, the map below after a
        /// conv or pool layer; null, reported (NG0117, NG0114), where there is none.</summary>
        private static (int Height, int Width, int Channels)? MapBelow(Declared declared, int index, string layer,
            string className, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            if (declared.Layers.Count == 0)
            {
                if (declared.Input is null) return null; // reported in Validate
                int[] shape = declared.Input.Shape;
                if (shape.Length is 2 or 3)
                {
                    var map = (shape[0], shape[1], shape.Length == 3 ? shape[2] : 1);
                    if (declared.Chain.Count == 0)
                        declared.Chain.Add("Input " + map.Item1 + " × " + map.Item2 + " × " + map.Item3);
                    return map;
                }
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MapLayerNeedsImageInput, location, index, layer,
                    className, string.Join(", ", shape)));
                return null;
            }
            LayerSpec below = declared.Layers[declared.Layers.Count - 1];
            if (!below.IsMap)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MapLayerAfterDense, location, index, layer,
                    below.Index, below.Units));
                return null;
            }
            return declared.Map; // null after an error below: reported there
        }

        /// <summary>[Conv2D]: the output map from the map below, the kernel, the stride and the padding.</summary>
        private static void AddConv2D(Declared declared, Conv2DArguments conv, NetworkArguments network, string className,
            List<DiagnosticInfo> diagnostics)
        {
            int index = declared.Layers.Count + 1;
            string layer = conv.Describe();
            declared.Declarations.Add(new LayerDeclaration(conv.Location, conv.Init, conv.L2, conv.L1));
            (int Height, int Width, int Channels)? below = MapBelow(declared, index, layer, className, conv.Location, diagnostics);
            declared.Valid &= conv.Valid && declared.Input is not null;
            if (!conv.Valid || below is not { } map)
            {
                Unknown(declared, index, conv.Location);
                return;
            }
            int kh = conv.KernelHeight, kw = conv.KernelWidth;
            // Same (stride 1): k − 1 zeros in all along each side, the extra one below and right when k is even.
            int padTop = conv.Padding == Padding.Same ? (kh - 1) / 2 : 0, padLeft = conv.Padding == Padding.Same ? (kw - 1) / 2 : 0;
            int paddedHeight = map.Height + (conv.Padding == Padding.Same ? kh - 1 : 0);
            int paddedWidth = map.Width + (conv.Padding == Padding.Same ? kw - 1 : 0);
            if (kh > paddedHeight || kw > paddedWidth)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KernelLargerThanInput, conv.Location, index, layer,
                    kh + " × " + kw, map.Height + " × " + map.Width + " × " + map.Channels, string.Join(" → ", declared.Chain)));
                Unknown(declared, index, conv.Location);
                return;
            }
            int outHeight = (paddedHeight - kh) / conv.Stride + 1, outWidth = (paddedWidth - kw) / conv.Stride + 1;
            long units = (long)conv.Filters * outHeight * outWidth, inputs = (long)map.Height * map.Width * map.Channels;
            if (units > MaxParameters || (long)conv.Filters * map.Channels * kh * kw > MaxParameters)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, conv.Location,
                    "Layer " + index + ", " + layer + ", needs", Math.Max(units, (long)conv.Filters * map.Channels * kh * kw),
                    " (its output map or W)", MaxParameters));
                Unknown(declared, index, conv.Location);
                return;
            }
            var shape = new MapShape(map.Height, map.Width, map.Channels, outHeight, outWidth, conv.Filters, kh, kw,
                conv.Stride, padTop, padLeft);
            declared.Layers.Add(new LayerSpec(index, (int)inputs, (int)units, conv.Activation, conv.LeakySlope,
                conv.Init == Init.Default ? network.DefaultInit : conv.Init, Name: conv.Name, Kind: LayerKind.Conv2D,
                Map: shape));
            declared.Map = (outHeight, outWidth, conv.Filters);
            declared.Chain.Add(layer + " → " + shape.Output);
        }

        /// <summary>[MaxPool] or [AveragePool]: the output map from the map below, the window and the stride.</summary>
        private static void AddPool(Declared declared, PoolArguments pool, string className, List<DiagnosticInfo> diagnostics)
        {
            int index = declared.Layers.Count + 1;
            string layer = pool.Describe();
            declared.Declarations.Add(new LayerDeclaration(pool.Location, Init.Default, 0f, 0f));
            (int Height, int Width, int Channels)? below = MapBelow(declared, index, layer, className, pool.Location, diagnostics);
            declared.Valid &= pool.Valid && declared.Input is not null;
            if (!pool.Valid || below is not { } map)
            {
                Unknown(declared, index, pool.Location);
                return;
            }
            if (pool.Size > map.Height || pool.Size > map.Width)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PoolWindowLargerThanMap, pool.Location, index, layer,
                    pool.Size + " × " + pool.Size, map.Height + " × " + map.Width + " × " + map.Channels,
                    string.Join(" → ", declared.Chain)));
                Unknown(declared, index, pool.Location);
                return;
            }
            int outHeight = (map.Height - pool.Size) / pool.Stride + 1, outWidth = (map.Width - pool.Size) / pool.Stride + 1;
            var shape = new MapShape(map.Height, map.Width, map.Channels, outHeight, outWidth, map.Channels, pool.Size,
                pool.Size, pool.Stride);
            declared.Layers.Add(new LayerSpec(index, map.Height * map.Width * map.Channels,
                outHeight * outWidth * map.Channels, Activation.Linear, 0.01f, Init.He, Kind: pool.Kind, Map: shape));
            declared.Map = (outHeight, outWidth, map.Channels);
            declared.Chain.Add(layer + " → " + shape.Output);
        }

        /// <summary>A map layer whose shape is unknown after an error: the declaration is invalid, and the layers above
        /// are not checked against it (each error once, where it is).</summary>
        private static void Unknown(Declared declared, int index, LocationInfo? location)
        {
            declared.Valid = false;
            declared.Layers.Add(new LayerSpec(index, 0, 0, Activation.Linear, 0.01f, Init.He, Kind: LayerKind.MaxPool,
                Map: new MapShape(0, 0, 0, 0, 0, 0, 1, 1, 1)));
            declared.Map = null;
            declared.Chain.Add("?");
        }

        /// <summary>[Dropout]: after a [Dense], at most one per layer.</summary>
        private static void AddDropout(Declared declared, DropoutArguments dropout, List<DiagnosticInfo> diagnostics)
        {
            declared.Valid &= dropout.Valid;
            int layer = declared.Layers.Count;
            string? misplaced = layer == 0 ? "comes before the first layer, so there is no layer to drop from" :
                declared.Dropouts.ContainsKey(layer) ? "is the second one on layer " + layer : null;
            if (misplaced is null)
            {
                declared.Dropouts[layer] = dropout;
                return;
            }
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedDropout, dropout.Location, misplaced));
            declared.Valid = false;
        }

        /// <summary>
        /// The checks that need the whole declaration: an input and a layer at least, zero weights on hidden layers,
        /// dropout on hidden layers only, softmax on the output only, the loss against the output, and a parameter
        /// block that fits one array. Resolves each layer's penalties and dropout. False when the shapes are invalid.
        /// </summary>
        private static bool Validate(Declared declared, NetworkArguments network, string className, LocationInfo? networkLocation,
            List<DiagnosticInfo> diagnostics)
        {
            List<LayerSpec> layers = declared.Layers;
            bool valid = declared.Valid;
            if (declared.Input is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, networkLocation, className));
                valid = false;
            }
            if (layers.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingLayers, networkLocation, className));
                return false;
            }
            // Zero weights only hurt hidden layers: there every unit would compute the same function. (An output layer,
            // or logistic regression with no hidden layer, starts fine from zeros.)
            bool zerosInherited = false;
            for (int l = 0; l < layers.Count - 1; l++)
            {
                if (layers[l].Init != Init.Zeros || !layers[l].HasParameters) continue;
                if (declared.Declarations[l].Init == Init.Zeros)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZerosInitialization, declared.Declarations[l].Location,
                        "hidden layer " + layers[l].Index + " (W" + layers[l].Index + ")"));
                else
                    zerosInherited = true;
            }
            if (zerosInherited)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZerosInitialization, networkLocation,
                    "the network '" + className + "' (its hidden layers)"));

            // ---- dropout belongs on hidden layers; penalties resolve per layer ----
            if (declared.Dropouts.TryGetValue(layers.Count, out DropoutArguments? onOutput))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedDropout, onOutput.Location,
                    "follows the output layer " + layers.Count + " (n[" + layers.Count + "] = " + layers[layers.Count - 1].Units +
                    "), whose units must never be dropped"));
                valid = false;
            }
            for (int l = 0; l < layers.Count; l++)
            {
                layers[l] = layers[l] with
                {
                    // A pool has no weights to penalise.
                    L2 = !layers[l].HasParameters ? 0f : declared.Declarations[l].L2 ?? declared.L2?.Lambda ?? 0f,
                    L1 = !layers[l].HasParameters ? 0f : declared.Declarations[l].L1 ?? declared.L1?.Lambda ?? 0f,
                    KeepProbability = declared.Dropouts.TryGetValue(l + 1, out DropoutArguments? dropout) ? dropout.Keep : 0f,
                };
            }

            valid &= CheckLayerNames(declared, diagnostics);

            // ---- activations against the loss ----
            for (int l = 0; l < layers.Count - 1; l++)
            {
                if (layers[l].Activation == Activation.Softmax)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotOnOutputLayer, declared.Declarations[l].Location,
                        layers[l].Index, className, layers[l].Units));
                    valid = false;
                }
            }
            LayerSpec output = layers[layers.Count - 1];
            LocationInfo? outputLocation = declared.Declarations[layers.Count - 1].Location;
            if (network.Loss == Loss.BinaryCrossEntropy && output.Activation != Activation.Sigmoid)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossDoesNotFitOutput, outputLocation, "BinaryCrossEntropy", "Sigmoid",
                    output.Index, output.Units, output.Activation));
                valid = false;
            }
            else if (network.Loss == Loss.CrossEntropy && output.Activation != Activation.Softmax)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossDoesNotFitOutput, outputLocation, "CrossEntropy", "Softmax",
                    output.Index, output.Units, output.Activation));
                valid = false;
            }
            else if (network.Loss == Loss.CrossEntropy && output.Units is > 0 and < 2)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNeedsTwoUnits, outputLocation, output.Index, output.Units));
                valid = false;
            }

            // ---- the whole parameter block must fit one array ----
            long parameterCount = 0;
            for (int l = 0; l < layers.Count && valid; l++)
            {
                LayerSpec layer = layers[l];
                parameterCount += layer.Kind == LayerKind.Dense ? (long)layer.Units * layer.Inputs + layer.Units
                    : layer.WeightCount + layer.BiasCount; // conv and pool sizes were checked as they were read
                if (parameterCount > MaxParameters)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, declared.Declarations[l].Location,
                        "The parameters of '" + className + "' add up to", parameterCount,
                        " by layer " + layer.Index + " (W" + layer.Index + ": " + layer.Units + " × " + layer.Inputs + ", b" + layer.Index + ": " + layer.Units + ")",
                        MaxParameters));
                    valid = false;
                }
            }
            return valid;
        }

        /// <summary>
        /// NG0110/NG0111: each layer's tensors need names of their own in a weight file: no two layers may declare the
        /// same Name, and no layer may take NetGen's default name <c>layers.{j-1}</c> of another layer j. False when
        /// reported.
        /// </summary>
        private static bool CheckLayerNames(Declared declared, List<DiagnosticInfo> diagnostics)
        {
            bool valid = true;
            var first = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int l = 0; l < declared.Layers.Count; l++)
            {
                string? name = declared.Layers[l].Name;
                if (name is null || NetGen.TensorNames.CheckPrefix(name) is not null) continue; // NG0109 said it
                int index = declared.Layers[l].Index;
                if (first.TryGetValue(name, out int other))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateLayerName, declared.Declarations[l].Location,
                        index, Quote(name), other));
                    valid = false;
                    continue;
                }
                first[name] = index;
                for (int j = 0; j < declared.Layers.Count; j++)
                {
                    int owner = declared.Layers[j].Index;
                    if (owner == index || NetGen.TensorNames.DefaultName(owner) != name) continue;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNameIsAnotherLayersDefault,
                        declared.Declarations[l].Location, index, Quote(name), owner));
                    valid = false;
                }
            }
            return valid;
        }

        /// <summary>A name as a C# literal would show it, with what cannot be seen escaped: "fc 1", "a\tb".</summary>
        internal static string Quote(string text)
        {
            var quoted = new System.Text.StringBuilder("\"");
            foreach (char c in text)
            {
                if (c == '"' || c == '\\') quoted.Append('\\').Append(c);
                else if (char.IsControl(c) || (char.IsWhiteSpace(c) && c != ' '))
                    quoted.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                else quoted.Append(c);
            }
            return quoted.Append('"').ToString();
        }

        private static bool TryEnum<TEnum>(TypedConstant value, string enumName, LocationInfo? location, List<DiagnosticInfo> diagnostics, out TEnum result)
            where TEnum : struct, Enum
        {
            int raw = Convert.ToInt32(value.Value, CultureInfo.InvariantCulture);
            if (Enum.IsDefined(typeof(TEnum), raw))
            {
                result = (TEnum)Enum.ToObject(typeof(TEnum), raw);
                return true;
            }
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, location, enumName, raw, enumName));
            result = default;
            return false;
        }

        /// <summary>The namespace as plain names ("event.class", never "@event.@class"); the emitter escapes keywords.</summary>
        private static string? NamespaceOf(INamedTypeSymbol symbol)
        {
            var parts = new List<string>();
            for (INamespaceSymbol ns = symbol.ContainingNamespace; !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
                parts.Insert(0, ns.Name);
            return parts.Count == 0 ? null : string.Join(".", parts);
        }

        private static int[] ReadShape(AttributeData attribute)
        {
            if (attribute.ConstructorArguments.Length == 0) return Array.Empty<int>();
            TypedConstant argument = attribute.ConstructorArguments[0];
            if (argument.IsNull) return Array.Empty<int>();
            if (argument.Kind != TypedConstantKind.Array)
                return argument.Value is null ? Array.Empty<int>() : new[] { Convert.ToInt32(argument.Value, CultureInfo.InvariantCulture) };
            return argument.Values.Select(v => v.Value is null ? 0 : Convert.ToInt32(v.Value, CultureInfo.InvariantCulture)).ToArray();
        }

        /// <summary>The most floats the parameter block may hold: the largest float[] the runtime allows.</summary>
        private const long MaxParameters = 0x7FFFFFC7;

        private static bool HasPrimaryConstructor(INamedTypeSymbol symbol, CancellationToken cancellationToken)
        {
            foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { ParameterList: not null })
                    return true;
            return false;
        }

        /// <summary>Namespaces and containing types, keywords for the special types: "System.Span&lt;float&gt;", "int".</summary>
        private static readonly SymbolDisplayFormat TypeKeyFormat = new(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        /// <summary>The names a network class may not take, for NG0002's message.</summary>
        private static string ReservedNames(List<GeneratedMember> generated)
            => string.Join(", ", generated.Select(m => m.Name).Where(n => n.IndexOf('.') < 0).Distinct());

        /// <summary>
        /// NG0005 on each member the user declared that the generated half would declare again: any member with the
        /// name of a generated one, except a method (or constructor) whose parameters differ from every generated
        /// overload of that name, which is a legal overload. Also on each accessible member inherited from a base class
        /// that a generated one would hide (CS0108/CS0114, warnings that fail a build treating warnings as errors),
        /// located at the base class in the declaration.
        /// </summary>
        private static void CheckMembers(INamedTypeSymbol symbol, Compilation compilation, List<GeneratedMember> generated,
            LocationInfo? classLocation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var byName = new Dictionary<string, List<GeneratedMember>>(StringComparer.Ordinal);
            foreach (GeneratedMember member in generated)
            {
                if (!byName.TryGetValue(member.Name, out List<GeneratedMember>? list)) byName[member.Name] = list = new List<GeneratedMember>();
                list.Add(member);
            }
            foreach (ISymbol member in symbol.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member.IsImplicitlyDeclared || FindClash(member, symbol, byName) is not { } clash) continue;
                Location? location = member.Locations.FirstOrDefault(l => l.IsInSource);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClashesWithGenerated, LocationInfo.From(location),
                    Describe(member), symbol.Name, clash.Description));
            }
            for (INamedTypeSymbol? type = symbol.BaseType; type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
            {
                foreach (ISymbol member in type.GetMembers())
                {
                    if (member.IsImplicitlyDeclared || member is IMethodSymbol { MethodKind: MethodKind.Constructor }
                        || member.DeclaredAccessibility == Accessibility.Private || !compilation.IsSymbolAccessibleWithin(member, symbol)
                        || FindClash(member, symbol, byName) is not { } clash)
                        continue;
                    string inherited = Describe(member) + " inherited from '" + type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClashesWithGenerated,
                        BaseTypeLocation(symbol, cancellationToken) ?? classLocation, inherited, symbol.Name, clash.Description));
                }
            }
        }

        /// <summary>The generated member that <paramref name="member"/> would meet, if any.</summary>
        private static GeneratedMember? FindClash(ISymbol member, INamedTypeSymbol network, Dictionary<string, List<GeneratedMember>> byName)
        {
            // An explicit implementation is named as its interface was spelled ("global::NetGen.INetwork.X" or
            // "INetwork.X"): compare the member it implements instead.
            IPropertySymbol? implemented = member is IPropertySymbol { ExplicitInterfaceImplementations.Length: 1 } property
                ? property.ExplicitInterfaceImplementations[0] : null;
            string name = implemented is null ? member.Name : implemented.ContainingType.ToDisplayString() + "." + implemented.Name;
            if (!byName.TryGetValue(name, out List<GeneratedMember>? sameName)) return null;
            if (member is IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove })
                return null;
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.Constructor } method && sameName.All(g => g.Signature is not null))
            {
                if (method.Arity > 0) return null; // a generic method is another overload
                string[] signature = method.Parameters.Select(p => GeneratedMembers.TypeKey(p.RefKind != RefKind.None, TypeKey(p.Type, network))).ToArray();
                return sameName.FirstOrDefault(g => g.Signature!.SequenceEqual(signature));
            }
            return sameName[0];
        }

        /// <summary>A parameter type as <see cref="GeneratedMembers.TypeKey"/> compares it. A name that does not bind yet
        /// (the user's <c>in Input x</c>, before NetGen has generated Input) is taken as the generated nested type.</summary>
        private static string TypeKey(ITypeSymbol type, INamedTypeSymbol network)
            => type.TypeKind == TypeKind.Error ? network.ToDisplayString(TypeKeyFormat) + "." + type.Name : type.ToDisplayString(TypeKeyFormat);

        /// <summary>"method 'Predict(ReadOnlySpan&lt;float&gt;, Span&lt;float&gt;)'", "field 'W1'", "constructor 'Net(ulong)'".</summary>
        private static string Describe(ISymbol member)
        {
            string Parameters(IMethodSymbol m) => "(" + string.Join(", ", m.Parameters.Select(p =>
                (p.RefKind == RefKind.None ? "" : p.RefKind.ToString().ToLowerInvariant() + " ") + p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat))) + ")";
            return member switch
            {
                IMethodSymbol { MethodKind: MethodKind.Constructor } c => "constructor '" + c.ContainingType.Name + Parameters(c) + "'",
                IMethodSymbol m => "method '" + m.Name + Parameters(m) + "'",
                IFieldSymbol { IsConst: true } => "constant '" + member.Name + "'",
                IFieldSymbol => "field '" + member.Name + "'",
                IPropertySymbol => "property '" + member.Name + "'",
                IEventSymbol => "event '" + member.Name + "'",
                INamedTypeSymbol => "nested type '" + member.Name + "'",
                _ => "member '" + member.Name + "'",
            };
        }

        /// <summary>NG0006 when the base class has no constructor that the generated constructors' implicit base() can call.</summary>
        private static void CheckBaseConstructor(INamedTypeSymbol symbol, Compilation compilation, LocationInfo? classLocation,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            INamedTypeSymbol? baseType = symbol.BaseType;
            if (baseType is null || baseType.SpecialType == SpecialType.System_Object || baseType.TypeKind == TypeKind.Error) return;
            foreach (IMethodSymbol constructor in baseType.InstanceConstructors)
                if (constructor.Parameters.All(p => p.IsOptional || p.IsParams) && compilation.IsSymbolAccessibleWithin(constructor, symbol))
                    return;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseWithoutParameterlessConstructor,
                BaseTypeLocation(symbol, cancellationToken) ?? classLocation,
                symbol.Name, baseType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        }

        /// <summary>The base class in the base list that names it (a base class comes first in its list), or null.</summary>
        private static LocationInfo? BaseTypeLocation(INamedTypeSymbol symbol, CancellationToken cancellationToken)
        {
            foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { BaseList: { Types.Count: > 0 } baseList }
                    && symbol.BaseType is { } baseType && baseList.Types[0].Type.ToString().Split('<')[0].EndsWith(baseType.Name, StringComparison.Ordinal))
                    return LocationInfo.From(baseList.Types[0].GetLocation());
            }
            return null;
        }

        private static bool IsValidPenalty(float lambda, string what, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            if (lambda >= 0f && !float.IsInfinity(lambda)) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidPenalty, location, what, Format(lambda)));
            return false;
        }

        private static float ArgumentAsFloat(AttributeData attribute, int position)
        {
            if (attribute.ConstructorArguments.Length <= position) return float.NaN;
            TypedConstant argument = attribute.ConstructorArguments[position];
            return argument.Value is null ? float.NaN : Convert.ToSingle(argument.Value, CultureInfo.InvariantCulture);
        }

        private static int ArgumentAsInt(AttributeData attribute, int position)
        {
            if (attribute.ConstructorArguments.Length <= position) return 0;
            TypedConstant argument = attribute.ConstructorArguments[position];
            return argument.Kind == TypedConstantKind.Error || argument.Value is null ? 0 : Convert.ToInt32(argument.Value, CultureInfo.InvariantCulture);
        }

        private static string ShortName(string fullName)
        {
            string name = fullName.Substring(fullName.LastIndexOf('.') + 1);
            return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
        }

        internal static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
