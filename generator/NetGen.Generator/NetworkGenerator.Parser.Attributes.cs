using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    // One parser per attribute: each reads its attribute's arguments into a record and reports what is wrong with
    // the attribute on its own. What depends on the other attributes (order, duplicates, the sizes of the layer below,
    // the loss against the output) is checked where the declaration is assembled and in Parser.Validate.
    internal static partial class Parser
    {
        /// <summary>[Network]'s arguments, with the defaults of an argument left out.</summary>
        /// <param name="DefaultInit">The layers' initialisation when their [Dense] names none (never Default).</param>
        internal sealed record NetworkArguments(Loss Loss, Init DefaultInit, float InitScale, ulong Seed);

        /// <summary>[Input(shape)]: the shape, and n[0] (its product, capped above <see cref="MaxParameters"/>).</summary>
        internal sealed record InputArguments(int[] Shape, long Size, bool Valid, LocationInfo? Location);

        /// <summary>[Dense(units, activation, …)] as declared: <paramref name="Init"/> may be Default (inherit) and the
        /// penalties are null when the layer inherits the network's.</summary>
        /// <param name="Name">The declared tensor-name prefix, or null for NetGen's <c>layers.{l-1}</c>.</param>
        internal sealed record DenseArguments(int Units, Activation Activation, int DeclaredInputs, float LeakySlope, Init Init,
            float? L2, float? L1, bool Valid, LocationInfo? Location, string? Name = null);

        /// <summary>[Conv2D(filters, kernelSize, activation, …)] as declared, with the kernel's sides resolved (KernelHeight
        /// and KernelWidth, else kernelSize). Init may be Default (inherit); penalties are null when inherited.</summary>
        internal sealed record Conv2DArguments(int Filters, int KernelSize, int KernelHeight, int KernelWidth, int Stride,
            Padding Padding, Activation Activation, float LeakySlope, Init Init, float? L2, float? L1, string? Name,
            bool Valid, LocationInfo? Location)
        {
            /// <summary>"Conv2D(6, 5, Padding = Same)", as the shape messages name the layer.</summary>
            public string Describe()
                => "Conv2D(" + Filters + ", " + (KernelHeight == KernelWidth ? KernelHeight.ToString(CultureInfo.InvariantCulture)
                    : KernelHeight + " × " + KernelWidth) + (Stride != 1 ? ", Stride = " + Stride : "")
                   + (Padding == Padding.Same ? ", Padding = Same" : "") + ")";
        }

        /// <summary>[MaxPool(size)] or [AveragePool(size)] with its stride (the size unless set).</summary>
        internal sealed record PoolArguments(LayerKind Kind, int Size, int Stride, bool Valid, LocationInfo? Location)
        {
            /// <summary>"MaxPool(2)", "AveragePool(3, Stride = 2)".</summary>
            public string Describe()
                => (Kind == LayerKind.MaxPool ? "MaxPool(" : "AveragePool(") + Size
                   + (Stride != Size ? ", Stride = " + Stride : "") + ")";
        }

        /// <summary>[Dropout(keep)] on the layer above it.</summary>
        internal sealed record DropoutArguments(float Keep, bool Valid, LocationInfo? Location);

        /// <summary>[L2(λ)] or [L1(λ)] for the whole network.</summary>
        /// <param name="Name">"L2" or "L1".</param>
        internal sealed record PenaltyArguments(string Name, float Lambda, bool Valid, LocationInfo? Location);

        private static NetworkArguments ParseNetwork(AttributeData attribute, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            var loss = Loss.BinaryCrossEntropy;
            var defaultInit = Init.He;
            float initScale = 0.01f;
            ulong seed = 1;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error || value.Value is null) continue;
                switch (argument.Key)
                {
                    case "Loss" when TryEnum(value, "Loss", location, diagnostics, out Loss parsedLoss):
                        loss = parsedLoss;
                        break;
                    case "Init" when TryEnum(value, "Init", location, diagnostics, out Init parsedInit):
                        defaultInit = parsedInit == Init.Default ? Init.He : parsedInit;
                        break;
                    case "InitScale":
                        initScale = Convert.ToSingle(value.Value, CultureInfo.InvariantCulture);
                        if (!(initScale > 0f) || float.IsInfinity(initScale))
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInitScale, location, Format(initScale)));
                        break;
                    case "Seed":
                        seed = Convert.ToUInt64(value.Value, CultureInfo.InvariantCulture);
                        break;
                }
            }
            return new NetworkArguments(loss, defaultInit, initScale, seed);
        }

        private static InputArguments ParseInput(AttributeData attribute, string className, LocationInfo? location,
            List<DiagnosticInfo> diagnostics)
        {
            int[] shape = ReadShape(attribute);
            bool valid = true;
            long size = 1;
            if (shape.Length == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "[Input()] with no dimension", 0));
                valid = false;
            }
            var exactSize = System.Numerics.BigInteger.One; // for the message: the product may pass any long
            for (int d = 0; d < shape.Length; d++)
            {
                exactSize *= Math.Max(shape[d], 1);
                if (shape[d] <= 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location,
                        shape.Length == 1 ? "The input" : "Dimension " + (d + 1) + " of the input (" + string.Join(" × ", shape) + ")", shape[d]));
                    valid = false;
                }
                size = Math.Min(size * Math.Max(shape[d], 1), MaxParameters + 1);
            }
            if (size > MaxParameters)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, location,
                    "The input of '" + className + "' (" + string.Join(" × ", shape) + ") has", exactSize, "", MaxParameters));
                valid = false;
            }
            return new InputArguments(shape, size, valid, location);
        }

        /// <summary>g of a [Dense] or [Conv2D], or NG0204 for a value the enum does not define.</summary>
        private static Activation ParseActivation(int value, LocationInfo? location, List<DiagnosticInfo> diagnostics,
            ref bool valid)
        {
            if (Enum.IsDefined(typeof(Activation), value)) return (Activation)value;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, location, "Activation", value,
                "Activation"));
            valid = false;
            return Activation.Linear;
        }

        /// <summary>The named arguments every layer with parameters takes ([Dense] and [Conv2D]), read one at a time and
        /// each checked where it is read.</summary>
        private sealed class LayerOptions
        {
            public float LeakySlope = 0.01f;
            public Init Init = Init.Default;
            public float? L2, L1;
            public string? Name;

            /// <summary>Reads <paramref name="key"/> if it is one of these options (other keys are the caller's and pass);
            /// false when its value is refused, with the diagnostic added.</summary>
            public bool Parse(string key, TypedConstant value, int index, LocationInfo? location,
                List<DiagnosticInfo> diagnostics)
            {
                switch (key)
                {
                    case "LeakySlope":
                        LeakySlope = Convert.ToSingle(value.Value, CultureInfo.InvariantCulture);
                        if (!float.IsNaN(LeakySlope) && !float.IsInfinity(LeakySlope)) return true;
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLeakySlope, location, index,
                            Format(LeakySlope)));
                        return false;
                    case "Init":
                        if (!TryEnum(value, "Init", location, diagnostics, out Init parsed)) return false;
                        Init = parsed;
                        return true;
                    case "Name":
                        Name = value.Value as string;
                        if (NetGen.TensorNames.CheckPrefix(Name) is not { } why) return true;
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, location, index,
                            Quote(Name ?? ""), why));
                        return false;
                    case "L2":
                    case "L1":
                        float lambda = Convert.ToSingle(value.Value, CultureInfo.InvariantCulture);
                        if (float.IsNaN(lambda)) return true; // NaN is the attribute's "inherit"
                        if (key == "L2") L2 = lambda; else L1 = lambda;
                        return IsValidPenalty(lambda, key + " of layer " + index, location, diagnostics);
                    default:
                        return true;
                }
            }
        }

        /// <param name="index">l, the layer this [Dense] declares, for the messages.</param>
        private static DenseArguments ParseDense(AttributeData attribute, int index, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            bool valid = true;
            int units = ArgumentAsInt(attribute, 0);
            int activationValue = ArgumentAsInt(attribute, 1);
            Activation activation = ParseActivation(activationValue, location, diagnostics, ref valid);
            int declaredInputs = 0;
            var options = new LayerOptions();
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error || value.Value is null) continue;
                switch (argument.Key)
                {
                    case "Inputs":
                        declaredInputs = Convert.ToInt32(value.Value, CultureInfo.InvariantCulture);
                        break;
                    default:
                        if (!options.Parse(argument.Key, value, index, location, diagnostics)) valid = false;
                        break;
                }
            }
            if (units <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "Layer " + index + " (n[" + index + "])", units));
                valid = false;
            }
            if (declaredInputs < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "Inputs of layer " + index, declaredInputs));
                valid = false;
            }
            return new DenseArguments(units, activation, declaredInputs, options.LeakySlope, options.Init, options.L2,
                options.L1, valid, location, options.Name);
        }

        /// <param name="index">l, the layer this [Conv2D] declares, for the messages.</param>
        private static Conv2DArguments ParseConv2D(AttributeData attribute, int index, LocationInfo? location,
            List<DiagnosticInfo> diagnostics)
        {
            bool valid = true;
            int filters = ArgumentAsInt(attribute, 0), kernelSize = ArgumentAsInt(attribute, 1);
            int activationValue = ArgumentAsInt(attribute, 2);
            Activation activation = ParseActivation(activationValue, location, diagnostics, ref valid);
            int kernelHeight = kernelSize, kernelWidth = kernelSize, stride = 1;
            var padding = Padding.Valid;
            var options = new LayerOptions();
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error || value.Value is null) continue;
                switch (argument.Key)
                {
                    case "KernelHeight":
                        kernelHeight = Convert.ToInt32(value.Value, CultureInfo.InvariantCulture);
                        break;
                    case "KernelWidth":
                        kernelWidth = Convert.ToInt32(value.Value, CultureInfo.InvariantCulture);
                        break;
                    case "Stride":
                        stride = Convert.ToInt32(value.Value, CultureInfo.InvariantCulture);
                        break;
                    case "Padding" when TryEnum(value, "Padding", location, diagnostics, out Padding parsedPadding):
                        padding = parsedPadding;
                        break;
                    case "Padding":
                        valid = false;
                        break;
                    default:
                        if (!options.Parse(argument.Key, value, index, location, diagnostics)) valid = false;
                        break;
                }
            }
            foreach ((string what, int size) in new[]
            {
                ("The filters of layer " + index, filters), ("The kernel height of layer " + index, kernelHeight),
                ("The kernel width of layer " + index, kernelWidth), ("The stride of layer " + index, stride),
            })
            {
                if (size > 0) continue;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, size));
                valid = false;
            }
            var parsed = new Conv2DArguments(filters, kernelSize, kernelHeight, kernelWidth, stride, padding, activation,
                options.LeakySlope, options.Init, options.L2, options.L1, options.Name, valid, location);
            if (padding == Padding.Same && stride > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SamePaddingWithStride, location, index, parsed.Describe(), stride));
                parsed = parsed with { Valid = false };
            }
            return parsed;
        }

        /// <param name="kind">MaxPool or AveragePool.</param>
        /// <param name="index">l, the layer this attribute declares, for the messages.</param>
        private static PoolArguments ParsePool(AttributeData attribute, LayerKind kind, int index, LocationInfo? location,
            List<DiagnosticInfo> diagnostics)
        {
            bool valid = true;
            int size = ArgumentAsInt(attribute, 0), stride = size;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "Stride" && argument.Value.Kind != TypedConstantKind.Error && argument.Value.Value is not null)
                    stride = Convert.ToInt32(argument.Value.Value, CultureInfo.InvariantCulture);
            }
            if (size <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "The window of layer " + index, size));
                valid = false;
            }
            else if (stride <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "The stride of layer " + index, stride));
                valid = false;
            }
            return new PoolArguments(kind, size, stride, valid, location);
        }

        private static DropoutArguments ParseDropout(AttributeData attribute, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            float keep = ArgumentAsFloat(attribute, 0);
            bool valid = keep > 0f && keep <= 1f;
            if (!valid)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKeepProbability, location, Format(keep)));
            return new DropoutArguments(keep, valid, location);
        }

        private static PenaltyArguments ParsePenalty(AttributeData attribute, string name, LocationInfo? location,
            List<DiagnosticInfo> diagnostics)
        {
            float lambda = ArgumentAsFloat(attribute, 0);
            bool valid = IsValidPenalty(lambda, "[" + name + "] λ", location, diagnostics);
            return new PenaltyArguments(name, lambda, valid, location);
        }
    }
}
