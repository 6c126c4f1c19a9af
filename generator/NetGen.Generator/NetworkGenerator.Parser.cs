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
    internal static class Parser
    {
        private const string InputAttributeName = "NetGen.InputAttribute";
        private const string DenseAttributeName = "NetGen.DenseAttribute";
        private const string DropoutAttributeName = "NetGen.DropoutAttribute";
        private const string L1AttributeName = "NetGen.L1Attribute";
        private const string L2AttributeName = "NetGen.L2Attribute";
        private const string NetworkAttributeName = "NetGen.NetworkAttribute";

        /// <summary>The attributes that declare a network's layers, in the order NG0004 names them.</summary>
        public static readonly ImmutableArray<string> LayerAttributes = ImmutableArray.Create(
            InputAttributeName, DenseAttributeName, DropoutAttributeName, L2AttributeName, L1AttributeName);

        private static readonly ImmutableHashSet<string> LayerAttributeNames = ImmutableHashSet.CreateRange(LayerAttributes);

        /// <summary>
        /// NG0004 for a class that carries layer attributes but no [Network]: called for each layer attribute type on a
        /// declaration, it reports only from the type of the declaration's first layer attribute, so once per declaration.
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
                if (name is null || !LayerAttributeNames.Contains(name) || attribute.ApplicationSyntaxReference is not { } reference) continue;
                if (reference.SyntaxTree == declaration.SyntaxTree && declaration.Span.Contains(reference.Span))
                    here.Add((reference.Span.Start, name));
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (here.Count == 0) return EquatableArray<DiagnosticInfo>.Empty;
            here.Sort((a, b) => a.Position.CompareTo(b.Position));
            if (here[0].Name != attributeName) return EquatableArray<DiagnosticInfo>.Empty;
            string found = string.Join(", ", LayerAttributes.Where(a => here.Any(h => h.Name == a)).Select(a => "[" + ShortName(a) + "]"));
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

            // ---- the class itself ----
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkClassNotPartial, classLocation, symbol.Name));
                return Fail();
            }
            string? unsupported =
                symbol.ContainingType is not null ? "nested in '" + symbol.ContainingType.Name + "'" :
                symbol.TypeParameters.Length > 0 ? "generic" :
                symbol.IsStatic ? "static" :
                symbol.IsAbstract ? "abstract" :
                symbol.IsRecord ? "a record" :
                HasPrimaryConstructor(symbol, cancellationToken) ? "declared with a primary constructor (NetGen writes the constructors)" :
                symbol.IsFileLocal ? "file-local ('file'): the generated half, in a file of its own, would be another class" : null;
            if (unsupported is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedNetworkClass, classLocation, symbol.Name, unsupported));
                return Fail();
            }

            // ---- [Network] ----
            // A broken attribute argument is the compiler's to report; generating from a guess would only add noise.
            bool brokenArgument = networkAttribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);
            var loss = Loss.BinaryCrossEntropy;
            var defaultInit = Init.He;
            float initScale = 0.01f;
            ulong seed = 1;
            foreach (KeyValuePair<string, TypedConstant> argument in networkAttribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error || value.Value is null) continue;
                switch (argument.Key)
                {
                    case "Loss" when TryEnum(value, "Loss", networkLocation, diagnostics, out Loss parsedLoss):
                        loss = parsedLoss;
                        break;
                    case "Init" when TryEnum(value, "Init", networkLocation, diagnostics, out Init parsedInit):
                        defaultInit = parsedInit == Init.Default ? Init.He : parsedInit;
                        break;
                    case "InitScale":
                        initScale = Convert.ToSingle(value.Value, CultureInfo.InvariantCulture);
                        if (!(initScale > 0f) || float.IsInfinity(initScale))
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInitScale, networkLocation, Format(initScale)));
                        break;
                    case "Seed":
                        seed = Convert.ToUInt64(value.Value, CultureInfo.InvariantCulture);
                        break;
                }
            }

            // ---- the layer attributes, in source order, all beside [Network] ----
            var layerAttributes = new List<(AttributeData Data, SyntaxNode Syntax)>();
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name is null || !LayerAttributeNames.Contains(name) || attribute.ApplicationSyntaxReference is null) continue;
                SyntaxNode syntax = attribute.ApplicationSyntaxReference.GetSyntax(cancellationToken);
                if (syntax.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(syntax.Span))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerAttributesSplitAcrossPartials,
                        LocationInfo.From(syntax.GetLocation()), ShortName(name), symbol.Name));
                    continue;
                }
                layerAttributes.Add((attribute, syntax));
            }
            if (diagnostics.Any(d => d.Descriptor == DiagnosticDescriptors.LayerAttributesSplitAcrossPartials))
                return Fail(); // with layers missing from this declaration, any further check would report a phantom problem
            layerAttributes.Sort((a, b) => a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart));

            int[]? inputShape = null;
            LocationInfo? inputLocation = null;
            long inputSize = 0;
            var layers = new List<LayerSpec>();
            var layerLocations = new List<LocationInfo?>();
            bool shapesValid = true;
            var zerosDeclaredHere = new List<bool>(); // per layer: Init.Zeros set on its own [Dense]
            // Regularization as declared: the network's λ (null when absent), each layer's override, each layer's keep.
            float? networkL2 = null, networkL1 = null;
            var layerL2 = new List<float?>();
            var layerL1 = new List<float?>();
            var keepOf = new Dictionary<int, (float Keep, LocationInfo? Location)>();

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
                    {
                        int[] shape = ReadShape(attribute);
                        if (inputShape is not null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateInput, location, symbol.Name, string.Join(", ", inputShape)));
                            shapesValid = false;
                            continue;
                        }
                        if (layers.Count > 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputAfterLayers, location, layers.Count, symbol.Name));
                            shapesValid = false;
                        }
                        inputShape = shape;
                        inputLocation = location;
                        inputSize = 1;
                        if (shape.Length == 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "[Input()] with no dimension", 0));
                            shapesValid = false;
                        }
                        var exactSize = System.Numerics.BigInteger.One; // for the message: the product may pass any long
                        for (int d = 0; d < shape.Length; d++)
                        {
                            exactSize *= Math.Max(shape[d], 1);
                            if (shape[d] <= 0)
                            {
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location,
                                    shape.Length == 1 ? "The input" : "Dimension " + (d + 1) + " of the input (" + string.Join(" × ", shape) + ")", shape[d]));
                                shapesValid = false;
                            }
                            inputSize = Math.Min(inputSize * Math.Max(shape[d], 1), MaxParameters + 1);
                        }
                        if (inputSize > MaxParameters)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, location,
                                "The input of '" + symbol.Name + "' (" + string.Join(" × ", shape) + ") has", exactSize, "", MaxParameters));
                            shapesValid = false;
                        }
                        break;
                    }
                    case DenseAttributeName:
                    {
                        int index = layers.Count + 1;
                        if (inputShape is null)
                        {
                            // Reported below: as a missing input, or at an [Input] that comes after this layer.
                            shapesValid = false;
                        }
                        int units = ArgumentAsInt(attribute, 0);
                        int activationValue = ArgumentAsInt(attribute, 1);
                        var activation = Activation.Linear;
                        if (Enum.IsDefined(typeof(Activation), activationValue))
                            activation = (Activation)activationValue;
                        else
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, location, "Activation", activationValue, "Activation"));
                            shapesValid = false;
                        }
                        int declaredInputs = 0;
                        float leakySlope = 0.01f;
                        Init init = Init.Default;
                        float? l2Override = null, l1Override = null;
                        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                        {
                            TypedConstant value = argument.Value;
                            if (value.Kind == TypedConstantKind.Error || value.Value is null) continue;
                            switch (argument.Key)
                            {
                                case "Inputs":
                                    declaredInputs = Convert.ToInt32(value.Value, CultureInfo.InvariantCulture);
                                    break;
                                case "LeakySlope":
                                    leakySlope = Convert.ToSingle(value.Value, CultureInfo.InvariantCulture);
                                    if (float.IsNaN(leakySlope) || float.IsInfinity(leakySlope))
                                    {
                                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLeakySlope, location, index, Format(leakySlope)));
                                        shapesValid = false;
                                    }
                                    break;
                                case "Init" when TryEnum(value, "Init", location, diagnostics, out Init parsedInit):
                                    init = parsedInit;
                                    break;
                                case "Init":
                                    shapesValid = false;
                                    break;
                                case "L2":
                                case "L1":
                                    float lambda = Convert.ToSingle(value.Value, CultureInfo.InvariantCulture);
                                    if (float.IsNaN(lambda)) break; // NaN is the attribute's "inherit"
                                    if (!IsValidPenalty(lambda, argument.Key + " of layer " + index, location, diagnostics)) shapesValid = false;
                                    if (argument.Key == "L2") l2Override = lambda; else l1Override = lambda;
                                    break;
                            }
                        }

                        int below = layers.Count == 0 ? (int)Math.Min(inputSize, int.MaxValue) : layers[layers.Count - 1].Units;
                        if (units <= 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "Layer " + index + " (n[" + index + "])", units));
                            shapesValid = false;
                        }
                        if (declaredInputs < 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "Inputs of layer " + index, declaredInputs));
                            shapesValid = false;
                        }
                        else if (declaredInputs > 0 && inputShape is not null && declaredInputs != below && below > 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputsMismatch, location, index, declaredInputs, index - 1, below, Math.Max(units, 0)));
                            shapesValid = false;
                        }

                        zerosDeclaredHere.Add(init == Init.Zeros);
                        layers.Add(new LayerSpec(index, below, units, activation, leakySlope, init == Init.Default ? defaultInit : init));
                        layerLocations.Add(location);
                        layerL2.Add(l2Override);
                        layerL1.Add(l1Override);
                        break;
                    }
                    case DropoutAttributeName:
                    {
                        float keep = ArgumentAsFloat(attribute, 0);
                        if (!(keep > 0f && keep <= 1f))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKeepProbability, location, Format(keep)));
                            shapesValid = false;
                        }
                        if (layers.Count == 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedDropout, location, "comes before the first [Dense] layer, so there is no layer to drop from"));
                            shapesValid = false;
                        }
                        else if (keepOf.ContainsKey(layers.Count))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedDropout, location, "is the second one on layer " + layers.Count));
                            shapesValid = false;
                        }
                        else
                            keepOf[layers.Count] = (keep, location);
                        break;
                    }
                    case L2AttributeName:
                    case L1AttributeName:
                    {
                        bool isL2 = attribute.AttributeClass!.Name == "L2Attribute";
                        string penalty = isL2 ? "L2" : "L1";
                        float lambda = ArgumentAsFloat(attribute, 0);
                        if ((isL2 ? networkL2 : networkL1) is not null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicatePenalty, location, penalty, symbol.Name));
                            shapesValid = false;
                            break;
                        }
                        if (!IsValidPenalty(lambda, "[" + penalty + "] λ", location, diagnostics)) shapesValid = false;
                        if (isL2) networkL2 = lambda; else networkL1 = lambda;
                        break;
                    }
                }
            }

            if (brokenArgument)
                return Fail();
            if (inputShape is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, networkLocation, symbol.Name));
                shapesValid = false;
            }
            if (layers.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingLayers, networkLocation, symbol.Name));
                return Fail();
            }
            // Zero weights only hurt hidden layers: there every unit would compute the same function. (An output layer,
            // or logistic regression with no hidden layer, starts fine from zeros.)
            bool zerosInherited = false;
            for (int l = 0; l < layers.Count - 1; l++)
            {
                if (layers[l].Init != Init.Zeros) continue;
                if (zerosDeclaredHere[l])
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZerosInitialization, layerLocations[l], "hidden layer " + layers[l].Index + " (W" + layers[l].Index + ")"));
                else
                    zerosInherited = true;
            }
            if (zerosInherited)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZerosInitialization, networkLocation, "the network '" + symbol.Name + "' (its hidden layers)"));

            // ---- dropout belongs on hidden layers; penalties resolve per layer ----
            foreach (KeyValuePair<int, (float Keep, LocationInfo? Location)> dropout in keepOf)
            {
                if (dropout.Key == layers.Count)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedDropout, dropout.Value.Location,
                        "follows the output layer " + dropout.Key + " (n[" + dropout.Key + "] = " + layers[dropout.Key - 1].Units + "), whose units must never be dropped"));
                    shapesValid = false;
                }
            }
            for (int l = 0; l < layers.Count; l++)
            {
                layers[l] = layers[l] with
                {
                    L2 = layerL2[l] ?? networkL2 ?? 0f,
                    L1 = layerL1[l] ?? networkL1 ?? 0f,
                    KeepProbability = keepOf.TryGetValue(l + 1, out var dropout) ? dropout.Keep : 0f,
                };
            }

            // ---- activations against the loss ----
            for (int l = 0; l < layers.Count - 1; l++)
            {
                if (layers[l].Activation == Activation.Softmax)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotOnOutputLayer, layerLocations[l], layers[l].Index, symbol.Name, layers[l].Units));
                    shapesValid = false;
                }
            }
            LayerSpec output = layers[layers.Count - 1];
            LocationInfo? outputLocation = layerLocations[layers.Count - 1];
            if (loss == Loss.BinaryCrossEntropy && output.Activation != Activation.Sigmoid)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossDoesNotFitOutput, outputLocation, "BinaryCrossEntropy", "Sigmoid", output.Index, output.Units, output.Activation));
                shapesValid = false;
            }
            else if (loss == Loss.CrossEntropy && output.Activation != Activation.Softmax)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossDoesNotFitOutput, outputLocation, "CrossEntropy", "Softmax", output.Index, output.Units, output.Activation));
                shapesValid = false;
            }
            else if (loss == Loss.CrossEntropy && output.Units is > 0 and < 2)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNeedsTwoUnits, outputLocation, output.Index, output.Units));
                shapesValid = false;
            }

            // ---- the whole parameter block must fit one array ----
            long parameterCount = 0;
            for (int l = 0; l < layers.Count && shapesValid; l++)
            {
                LayerSpec layer = layers[l];
                parameterCount += (long)layer.Units * layer.Inputs + layer.Units;
                if (parameterCount > MaxParameters)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, layerLocations[l],
                        "The parameters of '" + symbol.Name + "' add up to", parameterCount,
                        " by layer " + layer.Index + " (W" + layer.Index + ": " + layer.Units + " × " + layer.Inputs + ", b" + layer.Index + ": " + layer.Units + ")",
                        MaxParameters));
                    shapesValid = false;
                }
            }

            if (!shapesValid || diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
                return Fail();

            string? ns = NamespaceOf(symbol);
            var spec = new NetworkSpec(ns, symbol.Name, inputShape!.ToEquatableArray(), layers.ToEquatableArray(), loss, seed, initScale);

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
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoSampleStructs,
                    inputTooLarge ? inputLocation : outputLocation,
                    inputTooLarge ? "The input of '" + symbol.Name + "'" : "The output of '" + symbol.Name + "' (layer " + output.Index + ")",
                    inputTooLarge ? spec.InputSize : spec.OutputSize, NetworkSpec.SampleStructLimit, symbol.Name));
            }
            return new NetworkModel(spec, diagnostics.ToEquatableArray());
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
