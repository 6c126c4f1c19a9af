using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    // Conv and pool layers (issue 14): their shapes, forward and backward passes, and the parts of the public API that
    // differ for a network of feature maps (Predict's buffers, the workspace's scratch). Feature maps are channel planes
    // per sample (c × h × w), samples as rows; a dense layer above reads them flattened in (c, h, w) order.
    internal static partial class Emitter
    {
        private const string ConvGeometry = "global::NetGen.ConvGeometry";
        private const string PoolGeometry = "global::NetGen.PoolGeometry";

        /// <summary>"s_conv1" or "s_pool2": the static geometry a map layer's kernels read.</summary>
        private static string GeometryName(LayerSpec layer)
            => (layer.Kind == LayerKind.Conv2D ? "s_conv" : "s_pool") + layer.Index.ToString(CultureInfo.InvariantCulture);

        private static string Dims(int height, int width, int channels) => height + " × " + width + " × " + channels;

        /// <summary>A layer's output as the table shows it: "28 × 28 × 6" for a map, "120" for a dense layer.</summary>
        private static string OutputShapeOf(LayerSpec layer)
            => layer.Map is { } map ? map.Output : layer.Units.ToString(CultureInfo.InvariantCulture);

        /// <summary>W[l]'s shape: "6 × 1 × 5 × 5" (conv), "120 × 400" (dense), "" (pool).</summary>
        private static string WeightShapeOf(LayerSpec layer) => layer.Kind switch
        {
            LayerKind.Dense => layer.Units + " × " + layer.Inputs,
            LayerKind.Conv2D => layer.Map!.OutChannels + " × " + layer.Map.InChannels + " × " + layer.Map.KernelHeight + " × " + layer.Map.KernelWidth,
            _ => "",
        };

        /// <summary>"conv 6 of 5 × 5, same", "max pool 2 × 2, stride 2", "dense": what the layer computes, briefly.</summary>
        private static string KindOf(LayerSpec layer)
        {
            MapShape? map = layer.Map;
            switch (layer.Kind)
            {
                case LayerKind.Conv2D:
                    return "conv " + map!.OutChannels + " of " + map.KernelHeight + " × " + map.KernelWidth +
                        (map.Stride != 1 ? ", stride " + map.Stride : "") + (map.OutHeight == map.InHeight && map.KernelHeight > 1 && map.Stride == 1 ? ", same" : "");
                case LayerKind.MaxPool:
                case LayerKind.AveragePool:
                    return (layer.Kind == LayerKind.MaxPool ? "max pool " : "average pool ") + map!.KernelHeight + " × " +
                        map.KernelWidth + (map.Stride != map.KernelHeight ? ", stride " + map.Stride : "");
                default:
                    return "dense";
            }
        }

        /// <summary>The table of a network with feature maps: per layer what it computes, W and b, g, its output shape
        /// per sample (h × w × c for a map) and a batch's Z and A.</summary>
        private static void WriteMapTable(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            var rows = new List<string[]> { new[] { "layer", "kind", "W", "b", "g", "output", "Z, A" } };
            string input = spec.InputShape.Count == 3 ? Dims(spec.InputShape[0], spec.InputShape[1], spec.InputShape[2])
                : spec.InputShape.Count == 2 ? Dims(spec.InputShape[0], spec.InputShape[1], 1) : spec.InputSize.ToString(CultureInfo.InvariantCulture);
            rows.Add(new[] { "0", "input", "", "", "", input, "m × " + spec.InputSize + (plan.ReordersX
                ? " (A0 = X as channel planes)" : " (A0 = X)") });
            foreach (LayerPlan layer in plan.Layers)
            {
                LayerSpec l = layer.Layer;
                rows.Add(new[]
                {
                    l.Index.ToString(CultureInfo.InvariantCulture), KindOf(l), WeightShapeOf(l),
                    l.HasParameters ? l.BiasCount.ToString(CultureInfo.InvariantCulture) : "",
                    l.IsPool ? "" : layer.ActivationName, OutputShapeOf(l), "m × " + l.Units,
                });
            }
            int[] widths = new int[7];
            foreach (string[] row in rows)
                for (int c = 0; c < 7; c++) widths[c] = System.Math.Max(widths[c], row[c].Length);
            foreach (string[] row in rows)
                w.WriteLine(("// " + string.Join("   ", row.Select((cell, c) => cell.PadRight(widths[c])))).TrimEnd());
            w.WriteLine("//");
            w.WriteLine("// Loss: " + spec.Loss + ". A batch of m samples keeps them as rows; a feature map is a sample's channel planes,");
            w.WriteLine("// c × h × w (PyTorch's layout), and a dense layer reads the map below flattened in that (c, h, w) order.");
            w.WriteLine("// Below: each layer's forward with its backward right under it, then the public API that calls them. The code " +
                "that exists only for speed (the one-sample forwards) is in the class's other part, " + spec.FullName + ".Fast.g.cs.");
        }

        /// <summary>The geometries of the conv and pool layers, built (and checked) once when the class is first used,
        /// the scratch the conv kernels ask for, and the floats Predict rents.</summary>
        private static void WriteGeometries(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("// The sizes of each conv and pool layer as its kernels read them: maps of one sample as channel planes.");
            foreach (LayerSpec layer in spec.Layers)
            {
                if (layer.Map is not { } s) continue;
                if (layer.Kind == LayerKind.Conv2D)
                    w.WriteLine("private static readonly " + ConvGeometry + " " + GeometryName(layer) + " = new(" +
                        s.InChannels + ", " + s.InHeight + ", " + s.InWidth + ", " + s.OutChannels + ", " + s.KernelHeight + ", " +
                        s.KernelWidth + ", " + s.Stride + ", " + s.PadTop + ", " + s.PadLeft + ", " + s.OutHeight + ", " + s.OutWidth +
                        "); // " + s.Input + " → " + s.Output);
                else
                    w.WriteLine("private static readonly " + PoolGeometry + " " + GeometryName(layer) + " = new(" +
                        s.InChannels + ", " + s.InHeight + ", " + s.InWidth + ", " + s.KernelHeight + ", " + s.KernelWidth + ", " +
                        s.Stride + ", " + s.OutHeight + ", " + s.OutWidth + "); // " + s.Input + " → " + s.Output);
            }
            w.WriteLine();
            w.WriteLine("/// <summary>The floats of scratch the conv kernels need for m samples, the most over the layers (asked once per");
            w.WriteLine("/// size of workspace, never per call).</summary>");
            using (w.Open("private static int ScratchLength(int m)"))
            {
                w.WriteLine("int most = 0;");
                foreach (LayerSpec layer in spec.Layers.Where(l => l.Kind == LayerKind.Conv2D))
                    w.WriteLine("most = global::System.Math.Max(most, " + Kernels + ".Conv2DScratchLength(" + GeometryName(layer) + ", m));");
                w.WriteLine("return most;");
            }
            w.WriteLine();
            int hidden = plan.PredictHiddenFloats + (plan.ReordersX ? spec.InputSize : 0);
            w.WriteLine("// Predict's floats for one sample: " + (plan.ReordersX ? "A0 (x as channel planes), " : "") +
                "the hidden A (" + plan.PredictHiddenFloats + ") and the conv kernels' scratch.");
            w.WriteLine("private static readonly int s_predictFloats = " + hidden + " + ScratchLength(1);");
            w.WriteLine();
        }

        /// <summary>Predict for a network with feature maps: A0 (when reordered), the hidden A and the scratch in one
        /// rented array (no allocation once the pool is warm), then each layer's one-sample forward.</summary>
        private static void WriteMapPredictBody(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine(ReadOnlySpan + " p = _parameters;");
            w.WriteLine("// A0, the hidden A and the kernels' scratch for one sample, rented (no allocation once the pool is warm).");
            w.WriteLine("float[] rented = global::System.Buffers.ArrayPool<float>.Shared.Rent(s_predictFloats);");
            using (w.Open("try"))
            {
                int offset = 0;
                string a0 = "x";
                if (plan.ReordersX)
                {
                    w.WriteLine(Span + " A0 = new(rented, 0, InputSize);");
                    w.WriteLine(Kernels + ".ChannelsFirst(x, A0, 1, InputHeight, InputWidth, InputChannels); // A0: x as " +
                        spec.InputChannels + " channel planes");
                    offset = spec.InputSize;
                    a0 = "A0";
                }
                foreach (LayerSpec layer in spec.Layers.Take(spec.Layers.Count - 1))
                {
                    w.WriteLine(Span + " A" + layer.Index + " = new(rented, " + offset + ", " + layer.Units + "); // A" + layer.Index + ": " +
                        OutputShapeOf(layer));
                    offset += layer.Units;
                }
                w.WriteLine(Span + " scratch = new(rented, " + offset + ", rented.Length - " + offset + ");");
                foreach (LayerSpec layer in spec.Layers)
                {
                    string input = layer.Index == 1 ? a0 : "A" + (layer.Index - 1);
                    string output = layer.Index == spec.Layers.Count ? "y" : "A" + layer.Index;
                    w.WriteLine(layer.Kind switch
                    {
                        LayerKind.Conv2D => "Layer" + layer.Index + "ForwardOne(p, " + input + ", " + output + ", scratch);",
                        LayerKind.Dense => "Layer" + layer.Index + "ForwardOne(p, " + input + ", " + output + ");",
                        _ => "Layer" + layer.Index + "ForwardOne(" + input + ", " + output + ");",
                    });
                }
            }
            using (w.Open("finally"))
                w.WriteLine("global::System.Buffers.ArrayPool<float>.Shared.Return(rented);");
        }

        /// <summary>The call of a map layer's batch forward: conv (p, input, Z[, A], m, scratch), pool (input, Z, m).</summary>
        private static string MapForwardCall(LayerPlan layer, string input, string z, string a, string scratch)
            => layer.Layer.Kind == LayerKind.Conv2D
                ? "Layer" + layer.Index + "Forward(p, " + ForwardArguments(layer, input, z, a) + ", m, " + scratch + ");"
                : "Layer" + layer.Index + "Forward(" + input + ", " + z + ", m);";

        private static void WriteMapLayerForward(SourceWriter w, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            MapShape s = layer.Map!;
            int l = layer.Index;
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l;
            bool linear = layerPlan.G.IsLinear;
            w.WriteLine("// ───── Layer " + l + ": " + KindOf(layer) + ", " + s.Input + " → " + s.Output +
                (layer.Kind == LayerKind.Conv2D ? ", " + layerPlan.ActivationName : "") + " ─────");
            w.WriteLine();
            if (layer.Kind == LayerKind.Conv2D)
            {
                string formula = z + "[f] = Σ_c W" + l + "[f, c] ⋆ " + aPrev + "[c] + b" + l + "[f]";
                w.WriteLine("/// <summary>Layer " + l + " forward: " + formula + " (a cross-correlation: window (oy, ox) reads rows oy·" +
                    s.Stride + (s.PadTop > 0 ? " − " + s.PadTop : "") + " … and columns ox·" + s.Stride + (s.PadLeft > 0 ? " − " + s.PadLeft : "") +
                    " …, zeros outside), " + (linear ? a + " = " + z : a + " = " + layerPlan.Formula(z)) + ".</summary>");
                w.WriteLine("/// <param name=\"p\">The parameters.</param>");
                w.WriteLine("/// <param name=\"" + aPrev + "\">m × " + layer.Inputs + ": the layer's input, " + s.Input + " per sample as channel planes.</param>");
                w.WriteLine("/// <param name=\"" + z + "\">m × " + layer.Units + ", " + s.Output + " per sample: written" +
                    (linear ? "; it is also " + a + " (linear)." : ".") + "</param>");
                if (!linear)
                    w.WriteLine("/// <param name=\"" + a + "\">m × " + layer.Units + ": written; may be " + z + " itself.</param>");
                w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
                w.WriteLine("/// <param name=\"scratch\">The conv kernels' scratch (at least ScratchLength(m) floats).</param>");
                using (w.Open("private static void Layer" + l + "Forward(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " +
                    Span + " " + z + (linear ? "" : ", " + Span + " " + a) + ", int m, " + Span + " scratch)"))
                {
                    w.WriteLine(Kernels + ".Conv2DForward(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l +
                        "Offset, B" + l + "Length), " + z + ", m, " + GeometryName(layer) + ", scratch); // " + z + " = W" + l + " ⋆ " + aPrev + " + b" + l);
                    if (layerPlan.G.Forward is { } g)
                        w.WriteLine(Kernels + "." + g + "(" + z + ", " + a + ActivationArguments(layerPlan, "m") + "); // " + a + " = " + layerPlan.Formula(z));
                }
            }
            else
            {
                bool max = layer.Kind == LayerKind.MaxPool;
                string formula = z + "[c, oy, ox] = " + (max ? "max" : "mean") + " of " + aPrev + "[c] over rows oy·" + s.Stride + " … + " +
                    (s.KernelHeight - 1) + ", columns ox·" + s.Stride + " … + " + (s.KernelWidth - 1);
                w.WriteLine("/// <summary>Layer " + l + " forward: " + formula + "; " + a + " = " + z + " (no parameters, no g).</summary>");
                w.WriteLine("/// <param name=\"" + aPrev + "\">m × " + layer.Inputs + ": the layer's input, " + s.Input + " per sample.</param>");
                w.WriteLine("/// <param name=\"" + z + "\">m × " + layer.Units + ", " + s.Output + " per sample: written; it is also " + a + ".</param>");
                w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
                using (w.Open("private static void Layer" + l + "Forward(" + ReadOnlySpan + " " + aPrev + ", " + Span + " " + z + ", int m)"))
                    w.WriteLine(Kernels + "." + (max ? "MaxPoolForward(" : "AveragePoolForward(") + aPrev + ", " + z + ", m, " +
                        GeometryName(layer) + "); // " + formula);
            }
            w.WriteLine();
        }

        private static void WriteMapLayerBackward(SourceWriter w, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            MapShape s = layer.Map!;
            int l = layer.Index;
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l, dz = "dZ" + l, daPrev = "dA" + (l - 1), d = "D" + l;
            bool first = l == 1, derivative = layerPlan.GPrimeReads != GPrimeSource.None;
            string keep = FloatLiteral(layer.KeepProbability);
            var steps = new List<string>();
            if (layer.HasDropout) steps.Add("dA" + l + " = dA" + l + " ⊙ " + d + " / " + Parser.Format(layer.KeepProbability));
            if (derivative) steps.Add(dz + " = " + layerPlan.DerivativeFormula());
            bool conv = layer.Kind == LayerKind.Conv2D, max = layer.Kind == LayerKind.MaxPool;
            if (conv)
            {
                steps.Add("dW" + l + "[f, c] = (1/m)·Σ_samples " + dz + "[f] ⋆ " + aPrev + "[c]" + PenaltyGradientFormula(layer) +
                    (layer.L2 > 0f || layer.L1 > 0f ? " (the penalty added once for the batch, by AddPenaltyGradients)" : ""));
                steps.Add("db" + l + "[f] = (1/m)·Σ " + dz + "[f]");
                if (!first) steps.Add(daPrev + "[c] = Σ_f " + dz + "[f] ⋆ W" + l + "[f, c] rotated 180° (the full correlation)");
            }
            else if (!first)
                steps.Add(max ? daPrev + " = each window's " + dz + " to its first maximum (summed where windows overlap)"
                    : daPrev + " = each window's " + dz + " / " + (s.KernelHeight * s.KernelWidth) + " to each of its pixels (summed where windows overlap)");
            w.WriteLine("/// <summary>Layer " + l + " backward: " + (steps.Count == 0
                ? "nothing (a pool over the input has no parameters and nothing below to pass a gradient to)"
                : string.Join("; ", steps)) + ".</summary>");
            var parameters = new List<string>();
            if (layerPlan.BackwardReadsParameters)
            {
                w.WriteLine("/// <param name=\"p\">The parameters.</param>");
                parameters.Add(ReadOnlySpan + " p");
            }
            w.WriteLine("/// <param name=\"" + aPrev + "\">m × " + layer.Inputs + ": the layer's input from the forward pass.</param>");
            parameters.Add(ReadOnlySpan + " " + aPrev);
            if (derivative)
            {
                string kept = layerPlan.GPrimeReads == GPrimeSource.Z ? z : a;
                w.WriteLine("/// <param name=\"" + kept + "\">m × " + layer.Units + ": from the forward pass, for g′.</param>");
                parameters.Add(ReadOnlySpan + " " + kept);
            }
            if (layer.HasDropout)
            {
                w.WriteLine("/// <param name=\"" + d + "\">m × " + layer.Units + ": the forward pass's dropout mask.</param>");
                parameters.Add(ReadOnlySpan + " " + d);
            }
            w.WriteLine("/// <param name=\"" + dz + "\">m × " + layer.Units + ": " + (derivative || layer.HasDropout
                ? "holds dA" + l + " on entry and " + dz + " on exit." : "holds " + dz + ".") + "</param>");
            parameters.Add(Span + " " + dz);
            if (conv)
            {
                w.WriteLine("/// <param name=\"g\">The gradients, laid out like the parameters; dW" + l + " and db" + l + " are written.</param>");
                parameters.Add(Span + " g");
            }
            if (!first)
            {
                w.WriteLine("/// <param name=\"" + daPrev + "\">m × " + layer.Inputs + ": written.</param>");
                parameters.Add(Span + " " + daPrev);
            }
            w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
            parameters.Add("int m");
            if (conv)
            {
                w.WriteLine("/// <param name=\"scratch\">The conv kernels' scratch (at least ScratchLength(m) floats).</param>");
                parameters.Add(Span + " scratch");
            }
            using (w.Open("private static void Layer" + l + "Backward(" + string.Join(", ", parameters) + ")"))
            {
                if (layer.HasDropout)
                    w.WriteLine(Kernels + ".Dropout(" + dz + ", " + d + ", " + keep + "); // dA" + l + " = dA" + l + " ⊙ " + d + " / " +
                        Parser.Format(layer.KeepProbability) + ": only kept units pass their gradient");
                if (derivative)
                {
                    bool fromZ = layerPlan.GPrimeReads == GPrimeSource.Z;
                    string kernel = fromZ && layerPlan.G.BackwardFromZ is { } backwardFromZ ? backwardFromZ : layerPlan.G.Backward!;
                    w.WriteLine(Kernels + "." + kernel + "(" + (fromZ ? z : a) + ", " + dz + ", " + dz + ActivationArguments(layerPlan, "m") +
                        "); // " + dz + " = " + layerPlan.DerivativeFormula());
                }
                if (conv)
                {
                    w.WriteLine(Kernels + ".Conv2DBackwardWeights(" + aPrev + ", " + dz + ", g.Slice(W" + l + "Offset, W" + l + "Length), g.Slice(B" + l +
                        "Offset, B" + l + "Length), m, " + GeometryName(layer) + ", scratch); // dW" + l + ", db" + l);
                    string weights = "p.Slice(W" + l + "Offset, W" + l + "Length)";
                    if (!first)
                        w.WriteLine(Kernels + ".Conv2DBackwardInput(" + dz + ", " + weights + ", " + daPrev + ", m, " + GeometryName(layer) +
                            ", scratch); // " + daPrev + " = " + dz + " ⋆ W" + l + " rotated (full)");
                }
                else if (!first)
                    w.WriteLine(max
                        ? Kernels + ".MaxPoolBackward(" + aPrev + ", " + dz + ", " + daPrev + ", m, " + GeometryName(layer) + "); // " + daPrev +
                          " = " + dz + " at each window's first maximum"
                        : Kernels + ".AveragePoolBackward(" + dz + ", " + daPrev + ", m, " + GeometryName(layer) + "); // " + daPrev +
                          " = " + dz + " shared by each window");
            }
            w.WriteLine();
        }

        /// <summary>The arguments of a map layer's backward call in Backpropagate.</summary>
        private static string MapBackwardCall(NetworkPlan plan, LayerPlan layer)
        {
            int l = layer.Index;
            var arguments = new List<string>();
            if (layer.BackwardReadsParameters) arguments.Add("p");
            arguments.Add(l == 1 ? Input0(plan) : "b.A" + (l - 1));
            if (layer.GPrimeReads != GPrimeSource.None)
                arguments.Add((layer.GPrimeReads == GPrimeSource.Z ? "b.Z" : "b.A") + l);
            if (layer.Layer.HasDropout) arguments.Add("b.D" + l);
            arguments.Add("b.dZ" + l);
            if (layer.Layer.Kind == LayerKind.Conv2D) arguments.Add("gradients");
            if (l > 1) arguments.Add("b.dZ" + (l - 1));
            arguments.Add("m");
            if (layer.Layer.Kind == LayerKind.Conv2D) arguments.Add("b.Scratch");
            return "Layer" + l + "Backward(" + string.Join(", ", arguments) + ");" + (l > 1 ? " // b.dZ" + (l - 1) + " receives dA" + (l - 1) : "");
        }

        /// <summary>A map layer's forward for one sample (Predict): its batch kernel with m = 1.</summary>
        private static void WriteMapLayerForwardOne(SourceWriter w, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            int l = layer.Index;
            string aPrev = "A" + (l - 1), a = "A" + l;
            if (layer.Kind == LayerKind.Conv2D)
            {
                w.WriteLine("/// <summary>Layer " + l + " forward for one sample: Z" + l + " = W" + l + " ⋆ " + aPrev + " + b" + l + " computed in " + a + ", " +
                    (layerPlan.G.IsLinear ? a + " = Z" + l : a + " = " + layerPlan.Formula("Z" + l)) + " in place.</summary>");
                using (w.Open("private static void Layer" + l + "ForwardOne(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " +
                    Span + " " + a + ", " + Span + " scratch)"))
                {
                    w.WriteLine(Kernels + ".Conv2DForward(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l +
                        "Length), " + a + ", 1, " + GeometryName(layer) + ", scratch); // " + layer.Map!.Input + " → " + layer.Map.Output);
                    if (layerPlan.G.Forward is { } g)
                        w.WriteLine(Kernels + "." + g + "(" + a + ", " + a + ActivationArguments(layerPlan, "1") + "); // " + a + " = " + layerPlan.Formula("Z" + l));
                }
            }
            else
            {
                bool max = layer.Kind == LayerKind.MaxPool;
                w.WriteLine("/// <summary>Layer " + l + " forward for one sample: each window's " + (max ? "maximum" : "mean") + ".</summary>");
                using (w.Open("private static void Layer" + l + "ForwardOne(" + ReadOnlySpan + " " + aPrev + ", " + Span + " " + a + ")"))
                    w.WriteLine(Kernels + "." + (max ? "MaxPoolForward(" : "AveragePoolForward(") + aPrev + ", " + a + ", 1, " +
                        GeometryName(layer) + "); // " + layer.Map!.Input + " → " + layer.Map.Output);
            }
            w.WriteLine();
        }

        /// <summary>The workspace of a network with feature maps: the buffers per sample, then the conv kernels' scratch
        /// for the largest m seen (ScratchLength is asked only when the workspace grows).</summary>
        private static void WriteMapWorkspaceMethod(SourceWriter w)
        {
            w.WriteLine("private float[] _workspace = global::System.Array.Empty<float>();");
            w.WriteLine("private int _workspaceSamples, _workspaceShards; // the m and S that _workspace was sized for");
            w.WriteLine();
            w.WriteLine("/// <summary>The batch workspace for m samples and the conv kernels' scratch, one per shard: grows to the largest m " +
                "and S seen, then never allocates again.</summary>");
            using (w.Open("private float[] Workspace(int m, int shards)"))
            {
                using (w.Open("if (m > _workspaceSamples || shards > _workspaceShards)"))
                {
                    w.WriteLine("m = global::System.Math.Max(m, _workspaceSamples);");
                    w.WriteLine("shards = global::System.Math.Max(shards, _workspaceShards);");
                    w.WriteLine("long needed = (long)m * WorkspacePerSample + (long)shards * ScratchLength(m);");
                    w.WriteLine("if (needed > global::System.Array.MaxLength)");
                    w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(m), m,");
                    w.WriteLine("        $\"a batch of {m} samples needs {needed} floats of workspace, \" +");
                    w.WriteLine("        \"more than one array can hold; split the batch\");");
                    w.WriteLine("_workspace = new float[needed];");
                    w.WriteLine("_workspaceSamples = m;");
                    w.WriteLine("_workspaceShards = shards;");
                }
                w.WriteLine("return _workspace;");
            }
        }

        /// <summary>The Frozen form's per-thread workspace, for a network with feature maps.</summary>
        private static void WriteMapFrozenWorkspace(SourceWriter w)
        {
            w.WriteLine("[global::System.ThreadStatic] private static int t_workspaceSamples, t_workspaceShards;");
            w.WriteLine();
            w.WriteLine("/// <summary>This thread's batch workspace (and conv scratch, one per shard) for m samples: grows to the largest m " +
                "and S seen, then never allocates again.</summary>");
            using (w.Open("private static float[] Workspace(int m, int shards)"))
            {
                w.WriteLine("float[]? workspace = t_workspace;");
                using (w.Open("if (workspace is null || m > t_workspaceSamples || shards > t_workspaceShards)"))
                {
                    w.WriteLine("m = global::System.Math.Max(m, t_workspaceSamples);");
                    w.WriteLine("shards = global::System.Math.Max(shards, t_workspaceShards);");
                    w.WriteLine("long needed = (long)m * WorkspacePerSample + (long)shards * ScratchLength(m);");
                    w.WriteLine("if (needed > global::System.Array.MaxLength)");
                    w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(m), m,");
                    w.WriteLine("        $\"a batch of {m} samples needs {needed} floats of workspace, \" +");
                    w.WriteLine("        \"more than one array can hold; split the batch\");");
                    w.WriteLine("t_workspace = workspace = new float[needed];");
                    w.WriteLine("t_workspaceSamples = m;");
                    w.WriteLine("t_workspaceShards = shards;");
                }
                w.WriteLine("return workspace;");
            }
        }

        /// <summary>"conv 6 of 5 × 5 (Relu) 28 × 28 × 6": a layer in the class's one-line description.</summary>
        private static string DescribeLayer(LayerSpec layer)
            => layer.IsMap ? KindOf(layer) + (layer.Kind == LayerKind.Conv2D ? " (" + ActivationName(layer) + ")" : "") + " " + layer.Map!.Output
                : layer.Units + " (" + ActivationName(layer) + ")";

        /// <summary>A layer in the Architecture fingerprint: "c6k5S:Relu" (6 filters of 5 × 5, same), "c3k3x2s2:Tanh",
        /// "max2", "avg2s1", "120:Relu".</summary>
        private static string FingerprintOf(LayerSpec layer)
        {
            MapShape? s = layer.Map;
            switch (layer.Kind)
            {
                case LayerKind.Conv2D:
                    // Same when the windows reach past the input (padding), which Valid never does.
                    bool same = (s!.OutHeight - 1) * s.Stride + s.KernelHeight > s.InHeight
                        || (s.OutWidth - 1) * s.Stride + s.KernelWidth > s.InWidth;
                    return "c" + s.OutChannels + "k" + s.KernelHeight + (s.KernelWidth != s.KernelHeight ? "x" + s.KernelWidth : "") +
                        (s.Stride != 1 ? "s" + s.Stride : "") + (same ? "S" : "") + ":" + ActivationName(layer);
                case LayerKind.MaxPool:
                case LayerKind.AveragePool:
                    return (layer.Kind == LayerKind.MaxPool ? "max" : "avg") + s!.KernelHeight +
                        (s.Stride != s.KernelHeight ? "s" + s.Stride : "");
                default:
                    return layer.Units + ":" + ActivationName(layer);
            }
        }
    }
}
