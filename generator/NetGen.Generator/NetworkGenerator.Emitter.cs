using System.Globalization;
using System.Linq;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>Writes the C# of one network from its spec. Pure text: no symbols, no compilation.</summary>
    internal static partial class Emitter
    {
        // The types the generated code names most, written as markers that Emit turns into file-local using aliases
        // ("Span", "Kernels") or, where the user's class or namespace already has a member of that name, into the full
        // global:: names. The markers (⟦…⟧) cannot occur in anything else the emitter writes.
        private const string Span = "⟦Span⟧";
        private const string ReadOnlySpan = "⟦ReadOnlySpan⟧";
        private const string Kernels = "⟦Kernels⟧";
        private const string Guard = "⟦Guard⟧";
        // The same types in a cref, where a type argument is written {float}.
        private const string CrefSpan = "⟦cref:Span⟧";
        private const string CrefReadOnlySpan = "⟦cref:ReadOnlySpan⟧";

        /// <summary>The file-local aliases: name, target. The parser checks the names against the user's (see
        /// <see cref="NetworkSpec.UsesAliases"/>).</summary>
        internal static readonly (string Name, string Target)[] Aliases =
        {
            ("Span", "global::System.Span<float>"),
            ("ReadOnlySpan", "global::System.ReadOnlySpan<float>"),
            ("Kernels", "global::NetGen.Kernels"),
            ("Guard", "global::NetGen.Guard"),
        };

        /// <summary>Where <see cref="ResolveAliases"/> puts the using aliases the file needs.</summary>
        private const string AliasesMark = "⟦aliases⟧";

        /// <summary>Turns the markers into the aliases' names, or their targets when the network cannot use aliases, and
        /// declares at <see cref="AliasesMark"/> the aliases the file uses (an unused one would be noise).</summary>
        private static string ResolveAliases(string text, bool useAliases)
        {
            var declared = new System.Text.StringBuilder();
            foreach ((string name, string target) in Aliases)
            {
                string marker = "⟦" + name + "⟧", crefMarker = "⟦cref:" + name + "⟧";
                if (useAliases && (text.Contains(marker) || text.Contains(crefMarker)))
                    declared.Append("using ").Append(name).Append(" = ").Append(target).Append(";\n");
                text = text.Replace(marker, useAliases ? name : target);
                text = text.Replace(crefMarker, useAliases ? name : target.Replace('<', '{').Replace('>', '}'));
            }
            string aliases = declared.Length == 0 ? ""
                : "// Short names for this file (every span here holds floats).\n" + declared + "\n";
            return text.Replace(AliasesMark + "\n", aliases);
        }

        /// <summary>
        /// "Namespace.Class.g.cs". Hint names must be unique whatever their letter case (they become file names): among
        /// the names of the files that differ only in case, the first in ordinal order keeps its name and the others get
        /// "-2", "-3"… (no C# name holds a '-', so the result cannot meet another network's name).
        /// </summary>
        public static string HintName(NetworkSpec spec, EquatableArray<string> caseCollisions)
            => HintNameOf(spec.FullName, caseCollisions);

        /// <summary>"Namespace.Class.Fast.g.cs", unique as <see cref="HintName"/> is: it may meet the main file of a
        /// class named Fast in a namespace that differs from Namespace.Class only in case.</summary>
        public static string FastHintName(NetworkSpec spec, EquatableArray<string> caseCollisions)
            => HintNameOf(spec.FullName + FastKey, caseCollisions);

        /// <summary>The fast file's name as the collision list holds it: "…Class.Fast*" (no C# name holds a '*', so it
        /// sorts right after a main file named "…Class.Fast" and is never taken for it).</summary>
        private const string FastKey = ".Fast*";

        private static string FileName(string key)
            => key.EndsWith("*", System.StringComparison.Ordinal) ? key.Substring(0, key.Length - 1) : key;

        private static string HintNameOf(string key, EquatableArray<string> caseCollisions)
        {
            int rank = 0;
            foreach (string other in caseCollisions)
            {
                if (other == key) break;
                if (string.Equals(FileName(other), FileName(key), System.StringComparison.OrdinalIgnoreCase)) rank++;
            }
            return FileName(key) + (rank == 0 ? "" : "-" + (rank + 1)) + ".g.cs";
        }

        /// <summary>The files' names (each network's full name, and the same followed by <see cref="FastKey"/> and, with
        /// [Weights], <see cref="WeightsKey"/>) that
        /// equal another one but for letter case, in ordinal order (usually none).</summary>
        public static EquatableArray<string> CaseCollisions(
            System.Collections.Immutable.ImmutableArray<(string Name, bool HasWeights)> names)
        {
            var keys = new System.Collections.Generic.List<string>();
            foreach ((string name, bool hasWeights) in names.Distinct())
            {
                keys.Add(name);
                keys.Add(name + FastKey);
                if (hasWeights) keys.Add(name + WeightsKey);
            }
            var counts = new System.Collections.Generic.Dictionary<string, int>(System.StringComparer.OrdinalIgnoreCase);
            foreach (string key in keys)
                counts[FileName(key)] = counts.TryGetValue(FileName(key), out int count) ? count + 1 : 1;
            return keys.Where(k => counts[FileName(k)] > 1).OrderBy(k => k, System.StringComparer.Ordinal)
                .ToEquatableArray();
        }

        /// <summary>The top of either file: the auto-generated mark, what it holds, the namespace and the aliases.</summary>
        private static void WriteFileTop(SourceWriter w, NetworkSpec spec, string holds)
        {
            w.WriteLine("// <auto-generated/>");
            w.WriteLine("// Generated by NetGen from the attributes of " + spec.ClassName + ". Edit the attributes, not this file.");
            w.WriteLine("//");
            w.WriteLine(holds);
            w.WriteLine("#nullable enable");
            w.WriteLine();
            if (spec.Namespace is not null)
            {
                w.WriteLine("namespace " + string.Join(".", spec.Namespace.Split('.').Select(Identifier)) + ";");
                w.WriteLine();
            }
            // Inside the namespace: there, an alias comes before any type of that name in an enclosing namespace.
            w.WriteLine(AliasesMark);
        }

        /// <summary>The main file: the network's table, each layer's forward with its backward below it (the notes'
        /// formulas), the public API, the passes over a batch and the workspace.</summary>
        public static string Emit(NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            var w = new SourceWriter();
            var table = new SourceWriter();
            WriteTable(table, plan);
            WriteFileTop(w, spec, table.ToString().TrimEnd('\n'));
            w.WriteLine("/// <remarks>");
            w.WriteLine("/// <para>" + Escape(Describe(spec)) + "</para>");
            w.WriteLine("/// <para>Parameters (" + spec.ParameterCount + " floats, in this order): " +
                string.Join(", ", spec.Layers.Where(l => l.HasParameters).Select(l => "W" + l.Index + " " + WeightShapeOf(l) + ", b" + l.Index + " " + l.BiasCount)) + ".</para>");
            if (spec.HasMaps)
                w.WriteLine("/// <para>Shapes per sample (h × w × c): " + Escape(string.Join(" → ", new[] { "input " + string.Join(" × ", spec.InputShape) }
                    .Concat(spec.Layers.Select(l => "layer " + l.Index + " " + OutputShapeOf(l))))) + ".</para>");
            w.WriteLine("/// </remarks>");
            w.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"NetGen\", \"" + typeof(NetworkGenerator).Assembly.GetName().Version + "\")]");
            using (w.Open("partial class " + Identifier(spec.ClassName) + " : global::NetGen.INetwork"))
            {
                WriteConstants(w, spec);
                if (spec.HasMaps)
                    WriteGeometries(w, plan);
                WriteLayerDescriptions(w, plan);
                // The notes' passes first, layer by layer: each forward, its backward right below it.
                foreach (LayerPlan layer in plan.Layers)
                {
                    if (layer.Layer.IsMap)
                    {
                        WriteMapLayerForward(w, layer);
                        WriteMapLayerBackward(w, layer);
                        continue;
                    }
                    WriteLayerForward(w, plan, layer);
                    WriteLayerBackward(w, plan, layer);
                }
                // Then the public API that calls them.
                w.WriteLine("// ───── The public API: construction, parameters, prediction, training ─────");
                w.WriteLine();
                WriteConstruction(w, spec);
                WriteParameterViews(w, spec);
                if (spec.HasSampleStructs)
                    WriteSampleStructs(w, spec);
                WritePredict(w, plan);
                if (plan.PredictsInRegisters)
                    WritePredictLayerByLayer(w, plan);
                if (spec.HasSampleStructs)
                    WritePredictSample(w);
                if (spec.IsClassifier)
                    WritePredictClass(w, plan);
                WritePredictBatch(w, plan);
                WriteCost(w, plan);
                WriteComputeGradients(w, plan);
                if (spec.HasDropout)
                    WriteComputeGradientsWithMasks(w, plan);
                WriteTrainStep(w, plan);
                w.WriteLine("// ───── The passes over a batch ─────");
                w.WriteLine();
                WriteBackpropagate(w, plan);
                WriteForward(w, plan);
                WriteCostSum(w, plan);
                WriteCostOf(w, plan);
                if (spec.HasPenalty)
                    WriteAddPenaltyGradients(w, plan);
                WriteWorkspace(w, plan);
                w.WriteLine();
                WriteFrozen(w, plan);
            }
            return ResolveAliases(w.ToString(), spec.UsesAliases);
        }

        /// <summary>
        /// The fast file: the members that exist only for speed, which a learner need not read — each layer's forward
        /// for one sample (Predict's, written out or one kernel call instead of the batch pass with m = 1) and, for a
        /// network that fits, Predict with every A in AVX-512 registers.
        /// </summary>
        public static string EmitFast(NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            var w = new SourceWriter();
            WriteFileTop(w, spec, "// Speed only: the one-sample forwards that Predict calls" + (plan.PredictsInRegisters
                ? " and Predict with every A in AVX-512 registers" : "") + ". The notes' passes, the public API and the " +
                "workspace are in the other part of " + spec.ClassName + ", " + spec.FullName + ".g.cs.");
            // The main part carries the attributes, the base list and the docs: a part may repeat none of them.
            using (w.Open("partial class " + Identifier(spec.ClassName)))
            {
                w.WriteLine("// ───── One sample, layer by layer: what Predict calls ─────");
                w.WriteLine();
                foreach (LayerPlan layer in plan.Layers)
                {
                    if (layer.Layer.IsMap)
                        WriteMapLayerForwardOne(w, layer);
                    else if (layer.OneSample == OneSampleStrategy.Unrolled)
                        WriteLayerForwardOne(w, layer);
                    else
                        WriteLayerForwardOneKernel(w, layer);
                }
                if (plan.PredictsInRegisters)
                {
                    w.WriteLine("// ───── Predict with each layer's A in AVX-512 registers ─────");
                    w.WriteLine();
                    WritePredictInRegisters(w, plan);
                }
            }
            return ResolveAliases(w.ToString(), spec.UsesAliases);
        }

        /// <summary>The network at a glance: per layer the shapes of W and b, g, and the shape of a batch's Z and A.</summary>
        private static void WriteTable(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            if (spec.HasMaps)
            {
                WriteMapTable(w, plan);
                return;
            }
            string batch = plan.SamplesAsColumns ? " × m" : "";
            var rows = new System.Collections.Generic.List<string[]> { new[] { "layer", "W", "b", "g", "Z, A" } };
            rows.Add(new[] { "0", "", "", "", (plan.SamplesAsColumns ? spec.InputSize + " × m" : "m × " + spec.InputSize) + " (A0 = X" +
                (plan.TransposesX ? "ᵀ" : "") + ")" });
            foreach (LayerPlan layer in plan.Layers)
                rows.Add(new[] { layer.Index.ToString(CultureInfo.InvariantCulture), layer.Units + " × " + layer.Layer.Inputs,
                    layer.Units.ToString(CultureInfo.InvariantCulture), layer.ActivationName,
                    plan.SamplesAsColumns ? layer.Units + batch : "m × " + layer.Units });
            int[] widths = new int[5];
            foreach (string[] row in rows)
                for (int c = 0; c < 5; c++) widths[c] = System.Math.Max(widths[c], row[c].Length);
            foreach (string[] row in rows)
                w.WriteLine(("// " + string.Join("   ", row.Select((cell, c) => cell.PadRight(widths[c])))).TrimEnd());
            w.WriteLine("//");
            w.WriteLine("// Loss: " + spec.Loss + ". A batch of m samples keeps them as " + (plan.SamplesAsColumns
                ? "columns, n[l] × m (the notes' layout: the vectors run across samples)."
                : "rows, m × n[l] (the layout of X and Y: the vectors run along a layer)."));
            w.WriteLine("// Below: each layer's forward with its backward right under it, then the public API that calls them. The code " +
                "that exists only for speed (the one-sample forwards" + (plan.PredictsInRegisters ? ", Predict in AVX-512 registers" : "") +
                ") is in the class's other part, " + spec.FullName + ".Fast.g.cs.");
        }

        private static void WriteConstants(SourceWriter w, NetworkSpec spec)
        {
            w.WriteLine("/// <summary>n[0]: the features of one sample" + (spec.InputShape.Count > 1 ? " (the input " + string.Join(" × ", spec.InputShape) + ", flattened row-major)" : "") + ".</summary>");
            w.WriteLine("public const int InputSize = " + spec.InputSize + ";");
            WriteInputShape(w, spec);
            w.WriteLine("/// <summary>n[L]: the outputs of one sample.</summary>");
            w.WriteLine("public const int OutputSize = " + spec.OutputSize + ";");
            w.WriteLine(spec.HasMaps ? "/// <summary>L: the number of layers (conv, pool and dense).</summary>" : "/// <summary>L: the number of dense layers.</summary>");
            w.WriteLine("public const int LayerCount = " + spec.Layers.Count + ";");
            w.WriteLine(spec.HasMaps
                ? "/// <summary>The length of <see cref=\"Parameters\"/>: every W[l] and b[l] (a pool has none).</summary>"
                : "/// <summary>The length of <see cref=\"Parameters\"/>: Σ n[l]·n[l-1] + n[l].</summary>");
            w.WriteLine("public const int ParameterCount = " + spec.ParameterCount + ";");
            w.WriteLine("/// <summary>The seed of the parameterless constructor.</summary>");
            w.WriteLine("public const ulong DefaultSeed = " + spec.Seed.ToString(CultureInfo.InvariantCulture) + "UL;");
            w.WriteLine("/// <summary>The architecture's fingerprint: sizes, activations and loss.</summary>");
            string architecture = "public const string Architecture = \"" + Fingerprint(spec) + "\";";
            if (architecture.Length + 4 > 120)
            {
                // A long fingerprint (a conv network's) on a line of its own.
                w.WriteLine("public const string Architecture =");
                w.WriteLine("    \"" + Fingerprint(spec) + "\";");
            }
            else
                w.WriteLine(architecture);
            w.WriteLine("/// <summary>The cost this network is trained on.</summary>");
            w.WriteLine("public const global::NetGen.Loss Loss = global::NetGen.Loss." + spec.Loss + ";");
            w.WriteLine();
            int offset = 0;
            foreach (LayerSpec layer in spec.Layers.Where(l => l.HasParameters))
            {
                w.WriteLine("private const int W" + layer.Index + "Offset = " + offset + ", W" + layer.Index + "Length = " + layer.WeightCount + "; // W" + layer.Index + ": " + WeightShapeOf(layer));
                offset += layer.WeightCount;
                w.WriteLine("private const int B" + layer.Index + "Offset = " + offset + ", B" + layer.Index + "Length = " + layer.BiasCount + "; // b" + layer.Index + ": " + layer.BiasCount);
                offset += layer.BiasCount;
            }
            w.WriteLine();
            w.WriteLine("private readonly float[] _parameters = new float[ParameterCount]; // W1, b1, W2, b2, …");
            w.WriteLine("private float[]? _gradients;                                     // dW1, db1, …: TrainStep's, allocated on its first call");
            if (spec.HasDropout)
                w.WriteLine("private global::NetGen.Rng _dropoutRng;                           // draws the dropout masks; continues the constructor's sequence");
            w.WriteLine();
            w.WriteLine("int global::NetGen.INetwork.InputSize => InputSize;");
            w.WriteLine("int global::NetGen.INetwork.OutputSize => OutputSize;");
            w.WriteLine("int global::NetGen.INetwork.LayerCount => LayerCount;");
            w.WriteLine("int global::NetGen.INetwork.ParameterCount => ParameterCount;");
            w.WriteLine("string global::NetGen.INetwork.Architecture => Architecture;");
            w.WriteLine("global::NetGen.Loss global::NetGen.INetwork.Loss => Loss;");
            w.WriteLine();
        }

        /// <summary>
        /// INetwork.Layers: one LayerDescription per layer, from the plan (sizes, g, dropout keep, parameter offsets,
        /// tensor name), in a read-only list built once when the class is first used, so that a get allocates nothing.
        /// </summary>
        private static void WriteLayerDescriptions(SourceWriter w, NetworkPlan plan)
        {
            const string Description = "global::NetGen.LayerDescription";
            w.WriteLine("/// <summary>The layers, in order: for each, its kind, sizes n[l-1] → n[l], activation g[l] (and leaky slope),");
            w.WriteLine("/// dropout keep probability (1 for none), where W[l] and b[l] start in <see cref=\"Parameters\"/>, and the prefix");
            w.WriteLine("/// of their tensor names in weight files. The same list on every call.</summary>");
            w.WriteLine("public global::System.Collections.Generic.IReadOnlyList<" + Description + "> Layers => s_layers;");
            w.WriteLine();
            w.WriteLine("private static readonly global::System.Collections.ObjectModel.ReadOnlyCollection<" + Description + ">");
            w.WriteLine("    s_layers = global::System.Array.AsReadOnly(new " + Description + "[]");
            w.WriteLine("    {");
            w.WriteLine("        // l, tensor name, n[l-1], n[l], g, leaky slope, dropout keep, offset of W[l], offset of b[l]");
            foreach (LayerPlan layer in plan.Layers)
            {
                string l = layer.Index.ToString(CultureInfo.InvariantCulture);
                if (layer.Layer.Map is { } s)
                {
                    string shapes = "(" + s.InHeight + ", " + s.InWidth + ", " + s.InChannels + "), (" + s.OutHeight + ", " + s.OutWidth + ", " + s.OutChannels + ")";
                    if (layer.Layer.Kind == LayerKind.Conv2D)
                    {
                        w.WriteLine("        " + Description + ".Conv2D(" + l + ", " + StringLiteral(layer.TensorName) + ", " + shapes + ", " +
                            s.KernelHeight + ", " + s.KernelWidth + ", " + s.Stride + ", " + s.PadTop + ", " + s.PadLeft + ",");
                        w.WriteLine("            global::NetGen.Activation." + layer.G.Kind + ", " + FloatLiteral(layer.Layer.LeakySlope) + ", " +
                            FloatLiteral(layer.KeepProbability) + ", W" + l + "Offset, B" + l + "Offset),");
                    }
                    else
                        w.WriteLine("        " + Description + ".Pool(global::NetGen.LayerKind." + layer.Layer.Kind + ", " + l + ", " +
                            StringLiteral(layer.TensorName) + ", " + shapes + ", " + s.KernelHeight + ", " + s.KernelWidth + ", " + s.Stride + ", " +
                            FloatLiteral(layer.KeepProbability) + "),");
                    continue;
                }
                w.WriteLine("        " + Description + ".Dense(" + l + ", " + StringLiteral(layer.TensorName) + ", " +
                    layer.Layer.Inputs + ", " + layer.Units + ", global::NetGen.Activation." + layer.G.Kind + ",");
                w.WriteLine("            " + FloatLiteral(layer.Layer.LeakySlope) + ", " + FloatLiteral(layer.KeepProbability) +
                    ", W" + l + "Offset, B" + l + "Offset),");
            }
            w.WriteLine("    });");
            w.WriteLine();
        }

        /// <summary>A C# string literal; the parser has refused names with quotes, backslashes or control characters,
        /// and these are escaped anyway.</summary>
        private static string StringLiteral(string text)
            => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        /// <summary>The declared input shape as a span, and for images (rank 2 or 3, HWC) as named constants.</summary>
        private static void WriteInputShape(SourceWriter w, NetworkSpec spec)
        {
            string dims = string.Join(", ", spec.InputShape);
            w.WriteLine("/// <summary>The declared input shape, [" + dims + "]; a sample is this array flattened row-major (the last index fastest) into <see cref=\"InputSize\"/> floats.</summary>");
            w.WriteLine("public static global::System.ReadOnlySpan<int> InputShape => s_inputShape;");
            w.WriteLine("private static readonly int[] s_inputShape = { " + dims + " };");
            if (spec.InputShape.Count is 2 or 3)
            {
                w.WriteLine("/// <summary>Image rows: the first dimension of the input (height × width" + (spec.InputShape.Count == 3 ? " × channels, HWC" : "") + ").</summary>");
                w.WriteLine("public const int InputHeight = " + spec.InputShape[0] + ";");
                w.WriteLine("/// <summary>Image columns: the second dimension of the input.</summary>");
                w.WriteLine("public const int InputWidth = " + spec.InputShape[1] + ";");
                if (spec.InputShape.Count == 3)
                {
                    w.WriteLine("/// <summary>Channels per pixel (e.g. 3 for RGB): the last, fastest-varying dimension of the input.</summary>");
                    w.WriteLine("public const int InputChannels = " + spec.InputShape[2] + ";");
                }
            }
        }

        private static void WriteConstruction(SourceWriter w, NetworkSpec spec)
        {
            if (spec.WeightsPath is null)
            {
                w.WriteLine("/// <summary>A network initialised from <see cref=\"DefaultSeed\"/>.</summary>");
                w.WriteLine("public " + Identifier(spec.ClassName) + "() : this(DefaultSeed) { }");
            }
            else
            {
                // [Weights]: the parameters compiled in (the class's Weights.g.cs part) instead of a draw; with none
                // compiled in (a file too large, NG0507) the span is empty and the constructor draws as the seeded one.
                w.WriteLine("/// <summary>A network that starts from the parameters compiled in from " + Escape(spec.WeightsPath) +
                    " ([Weights]); it stays trainable." + (spec.HasDropout ? " Its dropout masks are drawn from <see cref=\"DefaultSeed\"/>." : "") +
                    "</summary>");
                using (w.Open("public " + Identifier(spec.ClassName) + "()"))
                {
                    using (w.Open("if (PretrainedParameters.Length == ParameterCount)"))
                    {
                        w.WriteLine("PretrainedParameters.CopyTo(_parameters); // W1, b1, W2, b2, … as read at build time");
                        if (spec.HasDropout)
                            w.WriteLine("_dropoutRng = new global::NetGen.Rng(DefaultSeed);");
                    }
                    using (w.Open("else"))
                        WriteDraw(w, spec, "DefaultSeed");
                }
            }
            w.WriteLine();
            w.WriteLine("/// <summary>A network whose weights are drawn as declared from <paramref name=\"seed\"/>; biases start at 0.</summary>");
            using (w.Open("public " + Identifier(spec.ClassName) + "(ulong seed)"))
                WriteDraw(w, spec, "seed");
            w.WriteLine();
        }

        /// <summary>The draw of every W[l] from <paramref name="seed"/> (biases stay 0), and the dropout generator after it.</summary>
        private static void WriteDraw(SourceWriter w, NetworkSpec spec, string seed)
        {
            w.WriteLine("var rng = new global::NetGen.Rng(" + seed + ");");
            foreach (LayerSpec layer in spec.Layers.Where(l => l.HasParameters))
            {
                w.WriteLine("global::NetGen.Initialization.Fill(W" + layer.Index + ", global::NetGen.Init." + layer.Init + ", " + layer.FanIn + ", " + layer.FanOut + ", " +
                    FloatLiteral(spec.InitScale) + ", ref rng); // W" + layer.Index + " = " + InitFormula(layer, spec.InitScale));
            }
            if (spec.HasDropout)
                w.WriteLine("_dropoutRng = rng; // the same seed draws the same masks");
        }

        private static void WriteParameterViews(SourceWriter w, NetworkSpec spec)
        {
            w.WriteLine("/// <summary>Every parameter in one block: W1, b1, W2, b2, … (W[l] row-major, shape n[l] × n[l-1]).</summary>");
            w.WriteLine("public " + Span + " Parameters => _parameters;");
            foreach (LayerSpec layer in spec.Layers.Where(l => l.HasParameters))
            {
                string l = layer.Index.ToString(CultureInfo.InvariantCulture);
                if (layer.Map is { } s)
                {
                    w.WriteLine();
                    w.WriteLine("/// <summary>W" + l + ": layer " + l + "'s filters, " + WeightShapeOf(layer) + " (filters, c_in, kh, kw) row-major, PyTorch's " +
                        "Conv2d.weight. A view into <see cref=\"Parameters\"/>.</summary>");
                    w.WriteLine("public " + Span + " W" + l + " => new(_parameters, W" + l + "Offset, W" + l + "Length);");
                    w.WriteLine();
                    w.WriteLine("/// <summary>b" + l + ": layer " + l + "'s biases, one per filter (" + s.OutChannels + "). A view into <see cref=\"Parameters\"/>.</summary>");
                    w.WriteLine("public " + Span + " B" + l + " => new(_parameters, B" + l + "Offset, B" + l + "Length);");
                    continue;
                }
                w.WriteLine();
                w.WriteLine("/// <summary>W" + l + ": layer " + l + "'s weights, " + layer.Units + " × " + layer.Inputs + " (n[" + l + "] × n[" + (layer.Index - 1) +
                    "]) row-major; W" + l + "[j·" + layer.Inputs + " + k] connects unit k below to unit j. A view into <see cref=\"Parameters\"/>.</summary>");
                w.WriteLine("public " + Span + " W" + l + " => new(_parameters, W" + l + "Offset, W" + l + "Length);");
                w.WriteLine();
                w.WriteLine("/// <summary>b" + l + ": layer " + l + "'s biases, " + layer.Units + " (n[" + l + "]). A view into <see cref=\"Parameters\"/>.</summary>");
                w.WriteLine("public " + Span + " B" + l + " => new(_parameters, B" + l + "Offset, B" + l + "Length);");
            }
            w.WriteLine();
        }

        private static void WriteSampleStructs(SourceWriter w, NetworkSpec spec)
        {
            w.WriteLine("/// <summary>One sample's input, <see cref=\"InputSize\"/> floats inline: a sample of the wrong size cannot compile.</summary>");
            w.WriteLine("[global::System.Runtime.CompilerServices.InlineArray(InputSize)]");
            w.WriteLine("public struct Input { private float _element0; }");
            w.WriteLine();
            w.WriteLine("/// <summary>One sample's output, <see cref=\"OutputSize\"/> floats inline.</summary>");
            w.WriteLine("[global::System.Runtime.CompilerServices.InlineArray(OutputSize)]");
            w.WriteLine("public struct Output { private float _element0; }");
            w.WriteLine();
        }

        // ---- text helpers ----

        internal static string Describe(NetworkSpec spec)
            => spec.ClassName + ": " + (spec.HasMaps ? string.Join(" × ", spec.InputShape) : spec.InputSize.ToString(CultureInfo.InvariantCulture)) +
               " → " + string.Join(" → ", spec.Layers.Select(DescribeLayer)) + ", trained on " + spec.Loss + ".";

        private static string Fingerprint(NetworkSpec spec)
            => (spec.HasMaps ? string.Join("x", spec.InputShape) : spec.InputSize.ToString(CultureInfo.InvariantCulture)) + "-" +
               string.Join("-", spec.Layers.Select(FingerprintOf)) + "/" + spec.Loss;

        private static string ActivationName(LayerSpec layer)
            => layer.Activation == Activation.LeakyRelu ? "LeakyRelu(" + Parser.Format(layer.LeakySlope) + ")" : layer.Activation.ToString();

        private static string InitFormula(LayerSpec layer, float scale) => layer.Init switch
        {
            Init.Zeros => "0",
            Init.Normal => "randn × " + Parser.Format(scale),
            Init.LeCun => "randn / √" + layer.FanIn,
            Init.Glorot => "randn · √(2 / (" + layer.FanIn + " + " + layer.FanOut + "))",
            _ => "randn · √(2 / " + layer.FanIn + ")",
        };

        /// <summary>A name as C# must spell it: keywords get an @ ("@event").</summary>
        internal static string Identifier(string name)
            => Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

        /// <summary>"1 float", "3 floats".</summary>
        internal static string Floats(int count) => count + (count == 1 ? " float" : " floats");

        internal static string FloatLiteral(float value) => Parser.Format(value) + "f";

        private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
