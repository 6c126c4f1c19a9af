using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Emitter
    {
        /// <summary>The arguments of layer l's forward call: its input, Z and (unless linear) A.</summary>
        private static string ForwardArguments(LayerPlan layer, string input, string z, string a)
            => input + ", " + z + (layer.G.IsLinear ? "" : ", " + a);

        private static void WritePredict(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("/// <summary>One sample: <paramref name=\"y\"/> = network(<paramref name=\"x\"/>). Allocates nothing and writes no state, so it is safe to call from many threads at once.</summary>");
            w.WriteLine("/// <param name=\"x\">The sample: <see cref=\"InputSize\"/> = " + Floats(spec.InputSize) + ".</param>");
            w.WriteLine("/// <param name=\"y\">Receives the prediction: <see cref=\"OutputSize\"/> = " + Floats(spec.OutputSize) + ".</param>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length differs from the one above.</exception>");
            using (w.Open("public void Predict(" + ReadOnlySpan + " x, " + Span + " y)"))
            {
                w.WriteLine(Guard + ".Length(x.Length, InputSize, nameof(x), \"InputSize\");");
                w.WriteLine(Guard + ".Length(y.Length, OutputSize, nameof(y), \"OutputSize\");");
                if (plan.PredictsInRegisters)
                {
                    // The layer-by-layer path lives in a method of its own: its stack buffers, here, made the JIT keep
                    // x and y in memory, and reading them back cost more than the whole in-registers pass.
                    w.WriteLine("// With AVX-512, every layer's A stays in registers (PredictInRegisters, in the Fast.g.cs part); " +
                        "else one layer at a time, below.");
                    using (w.Open("if (" + Registers + ".IsSupported)"))
                        w.WriteLine("PredictInRegisters(x, y);");
                    using (w.Open("else"))
                        w.WriteLine("PredictLayerByLayer(x, y);");
                }
                else if (spec.HasMaps)
                    WriteMapPredictBody(w, plan);
                else
                    WritePredictBody(w, plan);
            }
            w.WriteLine();
        }

        /// <summary>Predict without AVX-512, where the network predicts in registers with it.</summary>
        private static void WritePredictLayerByLayer(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("/// <summary>" + "<see cref=\"Predict(" + CrefReadOnlySpan + ", " + CrefSpan + ")\"/> one layer at a time, each A in a buffer (without AVX-512).</summary>");
            using (w.Open("private void PredictLayerByLayer(" + ReadOnlySpan + " x, " + Span + " y)"))
                WritePredictBody(w, plan);
            w.WriteLine();
        }

        /// <summary>Predict(in Input), where the sample structs exist.</summary>
        private static void WritePredictSample(SourceWriter w)
        {
            w.WriteLine("/// <summary>One sample with inline arrays: <c>var y = net.Predict(x);</c>. Allocates nothing; safe from many threads.</summary>");
            w.WriteLine("/// <param name=\"x\">The sample.</param>");
            w.WriteLine("/// <returns>The prediction.</returns>");
            using (w.Open("public Output Predict(in Input x)"))
            {
                w.WriteLine("Output y = default;");
                w.WriteLine("Predict((" + ReadOnlySpan + ")x, (" + Span + ")y);");
                w.WriteLine("return y;");
            }
            w.WriteLine();
        }

        /// <summary>The class of one sample, by the rule of Dataset.ClassOf (which Split's stratification uses): one
        /// output is class 1 above 0.5, several are the index of the largest (the first of equal ones).</summary>
        private static void WritePredictClass(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            bool single = spec.OutputSize == 1;
            w.WriteLine("/// <summary>The class of one sample: " + (single
                ? "1 when the output (the probability of class 1) is greater than 0.5, else 0"
                : "the index of the largest of the " + spec.OutputSize + " outputs (the first of equal ones)") +
                ". The rule of <see cref=\"global::NetGen.Dataset.ClassOf(int)\"/>. Allocates nothing; safe from many threads.</summary>");
            w.WriteLine("/// <param name=\"x\">The sample: <see cref=\"InputSize\"/> = " + Floats(spec.InputSize) + ".</param>");
            w.WriteLine("/// <returns>" + (single ? "0 or 1." : "A class from 0 to " + (spec.OutputSize - 1) + ".") + "</returns>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\"><paramref name=\"x\"/> does not hold <see cref=\"InputSize\"/> floats.</exception>");
            using (w.Open("public int PredictClass(" + ReadOnlySpan + " x)"))
            {
                if (plan.OutputOnStack)
                {
                    w.WriteLine(Span + " y = stackalloc float[OutputSize];");
                    WriteClassOf(w, single);
                }
                else
                {
                    w.WriteLine("// " + spec.OutputSize + " outputs are too many for the stack: rent them (no allocation once the pool is warm).");
                    w.WriteLine("float[] rented = global::System.Buffers.ArrayPool<float>.Shared.Rent(OutputSize);");
                    using (w.Open("try"))
                    {
                        w.WriteLine(Span + " y = new(rented, 0, OutputSize);");
                        WriteClassOf(w, single);
                    }
                    using (w.Open("finally"))
                        w.WriteLine("global::System.Buffers.ArrayPool<float>.Shared.Return(rented);");
                }
            }
            w.WriteLine();
        }

        private static void WriteClassOf(SourceWriter w, bool single)
        {
            w.WriteLine("Predict(x, y);");
            if (single)
            {
                w.WriteLine("return y[0] > 0.5f ? 1 : 0;");
                return;
            }
            w.WriteLine("int best = 0;");
            w.WriteLine("for (int j = 1; j < y.Length; j++)");
            w.WriteLine("    if (y[j] > y[best]) best = j;");
            w.WriteLine("return best;");
        }

        /// <summary>The layer-by-layer one-sample forward: hidden A on the stack (or rented when large), each layer's call.</summary>
        private static void WritePredictBody(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            List<LayerSpec> hidden = spec.Layers.Take(spec.Layers.Count - 1).ToList();
            int hiddenFloats = plan.PredictHiddenFloats;
            bool onStack = plan.PredictOnStack;
            {
                w.WriteLine(ReadOnlySpan + " p = _parameters;");
                if (onStack)
                {
                    foreach (LayerSpec layer in hidden)
                        w.WriteLine(Span + " A" + layer.Index + " = stackalloc float[" + layer.Units + "]; // A" + layer.Index + ": 1 × " + layer.Units + " (Z" + layer.Index + " is computed in place)");
                    WritePredictLayers(w, spec);
                }
                else
                {
                    w.WriteLine("// " + hiddenFloats + " activations are too many for the stack: rent them (no allocation once the pool is warm).");
                    w.WriteLine("float[] rented = global::System.Buffers.ArrayPool<float>.Shared.Rent(" + hiddenFloats + ");");
                    using (w.Open("try"))
                    {
                        int offset = 0;
                        foreach (LayerSpec layer in hidden)
                        {
                            w.WriteLine(Span + " A" + layer.Index + " = new(rented, " + offset + ", " + layer.Units + "); // A" + layer.Index + ": 1 × " + layer.Units);
                            offset += layer.Units;
                        }
                        WritePredictLayers(w, spec);
                    }
                    using (w.Open("finally"))
                        w.WriteLine("global::System.Buffers.ArrayPool<float>.Shared.Return(rented);");
                }
            }
        }

        private static void WritePredictLayers(SourceWriter w, NetworkSpec spec)
        {
            foreach (LayerSpec layer in spec.Layers)
            {
                string input = layer.Index == 1 ? "x" : "A" + (layer.Index - 1);
                string output = layer.Index == spec.Layers.Count ? "y" : "A" + layer.Index;
                w.WriteLine("Layer" + layer.Index + "ForwardOne(p, " + input + ", " + output + ");");
            }
        }

        private const string BatchGuard = Guard + ".Batch(X.Length, Y.Length, m, InputSize, OutputSize);";
        private const string RowsDoc = "/// <param name=\"X\">m × <see cref=\"InputSize\"/>: one sample per row.</param>";
        private const string TargetsDoc = "/// <param name=\"Y\">m × <see cref=\"OutputSize\"/> targets.</param>";
        private const string MDoc = "/// <param name=\"m\">The number of samples, at least 1.</param>";
        private const string GradientsDoc = "/// <param name=\"gradients\"><see cref=\"ParameterCount\"/> floats laid out like <see cref=\"Parameters\"/>: dW1, db1, dW2, db2, …</param>";
        private const string GradientsGuard = Guard + ".Length(gradients.Length, ParameterCount, nameof(gradients), \"ParameterCount\");";

        /// <summary>With samples as columns, Y turns into the notes' layout (not needed for one output).</summary>
        private static string TargetsAsColumns(NetworkPlan plan)
            => Kernels + ".Transpose(Y, b.Yt, m, OutputSize); // Yᵀ: " + plan.Spec.OutputSize + " × m, the layout of A" + plan.Output.Index + "\nY = b.Yt;";

        /// <summary>The arguments of CostOf: the parameters too when a penalty reads W.</summary>
        private static string CostArguments(NetworkPlan plan) => plan.Spec.HasPenalty ? "p, b, Y, m" : "b, Y, m";

        /// <summary>A0: X itself, or Xᵀ when the batch is turned into columns.</summary>
        private static string Input0(NetworkPlan plan) => plan.TransposesX || plan.ReordersX ? "b.A0" : "X";

        private static void WritePredictBatch(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("/// <summary>m samples at once, rows are samples" + (plan.Spec.HasDropout ? ", never dropping" : "") + ". Allocates nothing after its first call at this or a larger m. Not safe from many threads on one instance (it shares the batch workspace; <see cref=\"Freeze\"/> gives a form that is).</summary>");
            w.WriteLine(RowsDoc);
            w.WriteLine("/// <param name=\"Y\">Receives m × <see cref=\"OutputSize\"/> predictions.</param>");
            w.WriteLine(MDoc);
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length is not m rows of the sizes above.</exception>");
            using (w.Open("public void PredictBatch(" + ReadOnlySpan + " X, " + Span + " Y, int m)"))
            {
                w.WriteLine(BatchGuard);
                w.WriteLine("PredictBatchWith(_parameters, " + (plan.SamplesAsColumns ? "" : "null, ") + "Workspace(m), X, Y, m);");
            }
            w.WriteLine();
            // The one batch forward, over any parameters and workspace: the network's, or a Frozen's (its own copy, its
            // thread's workspace and, with samples as rows, the wide layers' Wᵀ packed once).
            w.WriteLine("/// <summary><see cref=\"PredictBatch\"/>'s forward pass over the parameters <paramref name=\"p\"/>, in " +
                "<paramref name=\"workspace\"/> (at least m × <see cref=\"WorkspacePerSample\"/> floats): the network's, or a " +
                "<see cref=\"Frozen\"/>'s" + (plan.SamplesAsColumns ? "" : "; packed[l − 1] is W[l]ᵀ packed by " +
                "<see cref=\"Freeze\"/>, or null to pack on each call") + ". Lengths are checked by the caller.</summary>");
            using (w.Open("private static void PredictBatchWith(" + ReadOnlySpan + " p, " +
                (plan.SamplesAsColumns ? "" : Kernels + ".PackedWeights?[]? packed, ") +
                "float[] workspace, " + ReadOnlySpan + " X, " + Span + " Y, int m)"))
            {
                if (plan.SamplesAsColumns)
                {
                    WriteColumnsPrediction(w, plan);
                }
                else
                {
                    WriteRowsPrediction(w, plan); // dropout is the identity when predicting
                }
            }
            w.WriteLine();
        }

        private static void WriteCost(SourceWriter w, NetworkPlan plan)
        {
            bool dropout = plan.Spec.HasDropout;
            w.WriteLine("/// <summary>The cost J on a batch: " + CostFormula(plan.Spec) + (dropout ? ", without dropout" : "") + ".</summary>");
            w.WriteLine(RowsDoc);
            w.WriteLine(TargetsDoc);
            w.WriteLine(MDoc);
            using (w.Open("public float Cost(" + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, int m)"))
            {
                w.WriteLine(BatchGuard);
                w.WriteLine(ReadOnlySpan + " p = _parameters;");
                w.WriteLine("var b = new Buffers(Workspace(m), m);");
                w.WriteLine("Forward(p, X, b, m" + (dropout ? ", training: false" : "") + ");");
                if (plan.TransposesY) w.WriteLine(TargetsAsColumns(plan));
                w.WriteLine("return CostOf(" + CostArguments(plan) + ");");
            }
            w.WriteLine();
        }

        private static void WriteComputeGradients(SourceWriter w, NetworkPlan plan)
        {
            bool dropout = plan.Spec.HasDropout;
            w.WriteLine("/// <summary>The forward pass in training mode" + (dropout ? " (dropout masks drawn from this instance's seeded generator)" : "") +
                ", then the backward pass: writes dJ/dθ into <paramref name=\"gradients\"/> and returns J.</summary>");
            w.WriteLine(RowsDoc);
            w.WriteLine(TargetsDoc);
            w.WriteLine(MDoc);
            w.WriteLine(GradientsDoc);
            using (w.Open("public float ComputeGradients(" + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, int m, " + Span + " gradients)"))
            {
                w.WriteLine(BatchGuard);
                w.WriteLine(GradientsGuard);
                w.WriteLine("var b = new Buffers(Workspace(m), m);");
                foreach (LayerSpec layer in plan.Spec.Layers.Where(l => l.HasDropout))
                    w.WriteLine(Kernels + ".DropoutMask(b.D" + layer.Index + ", " + FloatLiteral(layer.KeepProbability) + ", ref _dropoutRng); // D" + layer.Index +
                        " ~ Bernoulli(" + Parser.Format(layer.KeepProbability) + "), " + Shape(plan, layer.Units));
                w.WriteLine("return Backpropagate(X, Y, m, gradients, b);");
            }
            w.WriteLine();
        }

        /// <summary>ComputeGradients with the dropout masks given (networks with dropout only).</summary>
        private static void WriteComputeGradientsWithMasks(SourceWriter w, NetworkPlan plan)
        {
            List<LayerSpec> dropped = plan.Spec.Layers.Where(l => l.HasDropout).ToList();
            string maskShape = string.Join(" + ", dropped.Select(l => l.Units.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            int maskWidth = dropped.Sum(l => l.Units);
            w.WriteLine("/// <summary>As <see cref=\"ComputeGradients(" + CrefReadOnlySpan + ", " + CrefReadOnlySpan + ", int, " + CrefSpan + ")\"/>, with the dropout masks given, to reproduce a published run.</summary>");
            w.WriteLine(RowsDoc);
            w.WriteLine(TargetsDoc);
            w.WriteLine(MDoc);
            w.WriteLine(GradientsDoc);
            w.WriteLine("/// <param name=\"keepMasks\">0/1 masks, rows are samples: " + string.Join(", then ", dropped.Select(l => "D" + l.Index + " (m × " + l.Units + ")")) + ".</param>");
            using (w.Open("public float ComputeGradients(" + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, int m, " + Span + " gradients, " + ReadOnlySpan + " keepMasks)"))
            {
                w.WriteLine(BatchGuard);
                w.WriteLine(GradientsGuard);
                w.WriteLine(Guard + ".Matrix(keepMasks.Length, m, " + maskWidth + ", nameof(keepMasks)); // m × (" + maskShape + ")");
                w.WriteLine("var b = new Buffers(Workspace(m), m);");
                int offset = 0;
                foreach (LayerSpec layer in dropped)
                {
                    w.WriteLine(plan.SamplesAsColumns
                        ? Kernels + ".CopyMaskToColumns(keepMasks, " + offset + " * m, b.D" + layer.Index + ", m, " + layer.Units + ", nameof(keepMasks)); // D" + layer.Index + ": " + Shape(plan, layer.Units)
                        : Kernels + ".CopyMask(keepMasks, " + offset + " * m, b.D" + layer.Index + ", nameof(keepMasks)); // D" + layer.Index + ": " + Shape(plan, layer.Units));
                    offset += layer.Units;
                }
                w.WriteLine("return Backpropagate(X, Y, m, gradients, b);");
            }
            w.WriteLine();
        }

        private static void WriteTrainStep(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("/// <summary>One step of gradient descent, θ ← θ − α·dJ/dθ. Returns the cost before the step. Allocates nothing after its first call at this or a larger m.</summary>");
            w.WriteLine(RowsDoc);
            w.WriteLine(TargetsDoc);
            w.WriteLine(MDoc);
            w.WriteLine("/// <param name=\"learningRate\">α, a finite number.</param>");
            w.WriteLine("/// <returns>The cost J before the step.</returns>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"learningRate\"/> is NaN or infinite; nothing has changed.</exception>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length is not m rows of the sizes above.</exception>");
            using (w.Open("public float TrainStep(" + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, int m, float learningRate)"))
            {
                w.WriteLine("// Checked before anything changes" + (plan.Spec.HasDropout ? " (ComputeGradients would advance the dropout generator)" : "") + ".");
                w.WriteLine("if (!float.IsFinite(learningRate))");
                w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(learningRate), learningRate, \"the learning rate α must be a finite number; the parameters are unchanged.\");");
                w.WriteLine("float[] g = _gradients ??= new float[ParameterCount];");
                w.WriteLine("float cost = ComputeGradients(X, Y, m, g);");
                w.WriteLine(Kernels + ".GradientDescent(_parameters, g, learningRate); // θ ← θ − α·dθ");
                w.WriteLine("return cost;");
            }
            w.WriteLine();
        }

        private static void WriteBackpropagate(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            LayerPlan output = plan.Output;
            w.WriteLine("/// <summary>The training forward pass, the cost, then the backward pass from the output error down to layer 1.</summary>");
            using (w.Open("private float Backpropagate(" + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, int m, " + Span + " gradients, in Buffers b)"))
            {
                w.WriteLine(ReadOnlySpan + " p = _parameters;");
                w.WriteLine("Forward(p, X, b, m" + (spec.HasDropout ? ", training: true" : "") + ");");
                if (plan.TransposesY) w.WriteLine(TargetsAsColumns(plan));
                w.WriteLine("float cost = CostOf(" + CostArguments(plan) + ");");
                w.WriteLine();
                string aL = "b.A" + output.Index, dzL = "b.dZ" + output.Index;
                if (output.FusedOutput)
                    w.WriteLine(Kernels + ".OutputError(" + aL + ", Y, " + dzL + "); // dZ" + output.Index + " = A" + output.Index + " − Y (" +
                        (spec.Loss == Loss.CrossEntropy ? "softmax with cross-entropy" : "sigmoid with binary cross-entropy") + ")");
                else
                    w.WriteLine(Kernels + ".OutputError(" + aL + ", Y, " + dzL + "); // dA" + output.Index + " = A" + output.Index + " − Y (mean squared error)");
                for (int i = plan.Layers.Count - 1; i >= 0; i--)
                {
                    LayerPlan layer = plan.Layers[i];
                    if (layer.Layer.IsMap)
                    {
                        w.WriteLine(MapBackwardCall(plan, layer));
                        continue;
                    }
                    var arguments = new List<string>();
                    if (layer.BackwardReadsParameters) arguments.Add("p");
                    arguments.Add(layer.Index == 1 ? Input0(plan) : "b.A" + (layer.Index - 1));
                    if (layer.GPrimeReads != GPrimeSource.None)
                        arguments.Add((layer.GPrimeReads == GPrimeSource.Z ? "b.Z" : "b.A") + layer.Index);
                    if (layer.Layer.HasDropout) arguments.Add("b.D" + layer.Index);
                    arguments.Add("b.dZ" + layer.Index);
                    arguments.Add("gradients");
                    if (layer.Index > 1) arguments.Add("b.dZ" + (layer.Index - 1));
                    arguments.Add("m");
                    // dA[l-1] is written into dZ[l-1]'s buffer, which the layer below turns into dZ[l-1] in place.
                    w.WriteLine("Layer" + layer.Index + "Backward(" + string.Join(", ", arguments) + ");" + (layer.Index > 1
                        ? " // b.dZ" + (layer.Index - 1) + " receives dA" + (layer.Index - 1) : ""));
                }
                w.WriteLine("return cost;");
            }
            w.WriteLine();
        }

        private static void WriteForward(SourceWriter w, NetworkPlan plan)
        {
            bool dropout = plan.Spec.HasDropout;
            w.WriteLine("/// <summary>The forward pass over a batch: every Z[l] and A[l] into the buffers" + (dropout ? "; in training, A[l] ⊙ D[l] / keep where dropout is declared" : "") + ".</summary>");
            using (w.Open("private static void Forward(" + ReadOnlySpan + " p, " + ReadOnlySpan + " X, in Buffers b, int m" + (dropout ? ", bool training" : "") + ")"))
            {
                if (plan.TransposesX)
                    w.WriteLine(Kernels + ".Transpose(X, b.A0, m, InputSize); // A0 = Xᵀ: " + plan.Spec.InputSize + " × m, samples as columns");
                if (plan.ReordersX)
                    w.WriteLine(ReorderX("b.A0"));
                foreach (LayerPlan layerPlan in plan.Layers)
                {
                    LayerSpec layer = layerPlan.Layer;
                    string input = layer.Index == 1 ? Input0(plan) : "b.A" + (layer.Index - 1);
                    w.WriteLine(layer.IsMap ? MapForwardCall(layerPlan, input, "b.Z" + layer.Index, "b.A" + layer.Index, "b.Scratch")
                        : "Layer" + layer.Index + "Forward(p, " + ForwardArguments(layerPlan, input, "b.Z" + layer.Index, "b.A" + layer.Index) + ", m);");
                    if (layer.HasDropout)
                        w.WriteLine("if (training) " + Kernels + ".Dropout(b.A" + layer.Index + ", b.D" + layer.Index + ", " + FloatLiteral(layer.KeepProbability) + "); // A" + layer.Index +
                            " = A" + layer.Index + " ⊙ D" + layer.Index + " / " + Parser.Format(layer.KeepProbability) + " (inverted dropout)");
                }
            }
            w.WriteLine();
        }

        private static void WriteCostOf(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            LayerPlan output = plan.Output;
            w.WriteLine("/// <summary>J = " + CostFormula(spec) + ", from the forward pass's buffers.</summary>");
            using (w.Open("private static float CostOf(" + (spec.HasPenalty ? ReadOnlySpan + " p, " : "") + "in Buffers b, " + ReadOnlySpan + " Y, int m)"))
            {
                string sum = spec.Loss switch
                {
                    Loss.BinaryCrossEntropy => Kernels + ".BinaryCrossEntropy(b.Z" + output.Index + ", Y)",
                    Loss.CrossEntropy => Kernels + ".CrossEntropy(b.Z" + output.Index + ", Y, m, " + output.Layer.Units + ")",
                    _ => Kernels + ".MeanSquaredError(b.A" + output.Index + ", Y)",
                };
                if (!spec.HasPenalty)
                {
                    w.WriteLine("return (float)(" + sum + " / m);");
                }
                else
                {
                    w.WriteLine("double J = " + sum + " / m;");
                    foreach (LayerSpec layer in spec.Layers.Where(l => l.HasParameters))
                    {
                        string weights = "p.Slice(W" + layer.Index + "Offset, W" + layer.Index + "Length)";
                        if (layer.L2 > 0f)
                            w.WriteLine("J += " + DoubleLiteral(layer.L2) + " / (2.0 * m) * " + Kernels + ".SumOfSquares(" + weights + "); // (λ/2m)·‖W" + layer.Index + "‖²_F (L2)");
                        if (layer.L1 > 0f)
                            w.WriteLine("J += " + DoubleLiteral(layer.L1) + " / (2.0 * m) * " + Kernels + ".SumOfMagnitudes(" + weights + "); // (λ/2m)·‖W" + layer.Index + "‖₁ (L1)");
                    }
                    w.WriteLine("return (float)J;");
                }
            }
            w.WriteLine();
        }

        /// <summary>
        /// PredictBatch with samples as columns: the forward pass without what only training reads. Layers that apply g
        /// in their product kernel skip Z; the others compute Z in place in A. With one output, A[L] (1 × m) is Y itself,
        /// so the last layer writes Y directly.
        /// </summary>
        private static void WriteColumnsPrediction(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            bool transposesX = plan.TransposesX, transposesY = plan.TransposesY;
            LayerPlan output = plan.Output;
            w.WriteLine("var b = new Buffers(workspace, m);");
            if (transposesX)
                w.WriteLine(Kernels + ".Transpose(X, b.A0, m, InputSize); // A0 = Xᵀ: " + spec.InputSize + " × m, samples as columns");
            foreach (LayerPlan layer in plan.Layers)
            {
                int l = layer.Index;
                string input = l == 1 ? (transposesX ? "b.A0" : "X") : "b.A" + (l - 1);
                bool last = l == spec.Layers.Count;
                string a = last && !transposesY ? "Y" : "b.A" + l;
                string z = layer.FusedActivation ? "default" : a;
                string product = "Z" + l + " = W" + l + "·A" + (l - 1) + " + b" + l;
                string note = " // " + (layer.G.IsLinear ? "A" + l + " = " + product
                    : "A" + l + " = " + layer.Formula("Z" + l) + "; " + product + (layer.FusedActivation ? " is not kept" : " is computed in place"));
                if (a == "Y") note += "; Y is A" + l + " (one output: m × 1 is 1 × m)";
                w.WriteLine("Layer" + l + "Forward(p, " + ForwardArguments(layer, input, z, a) + ", m);" + note);
            }
            if (transposesY)
                w.WriteLine(Kernels + ".Transpose(b.A" + output.Index + ", Y, OutputSize, m); // Y = A" + output.Index + "ᵀ: m × " + output.Units);
        }

        /// <summary>
        /// PredictBatch with samples as rows: the forward pass without what only training reads. Each layer applies g in
        /// its product kernel and keeps no Z (softmax, which needs the whole row, runs after, in place); the last layer
        /// writes Y itself.
        /// </summary>
        private static void WriteRowsPrediction(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("var b = new Buffers(workspace, m);");
            if (plan.ReordersX)
                w.WriteLine(ReorderX("b.A0"));
            foreach (LayerPlan layerPlan in plan.Layers)
            {
                LayerSpec layer = layerPlan.Layer;
                int l = layer.Index;
                string input = l == 1 ? Input0(plan) : "b.A" + (l - 1);
                string a = l == spec.Layers.Count ? "Y" : "b.A" + l;
                if (layer.IsMap)
                {
                    // Z computed in place in A (a pool's A is its Z); the last layer writes Y itself.
                    w.WriteLine(MapForwardCall(layerPlan, input, a, a, "b.Scratch") + (a == "Y" ? " // into Y" : ""));
                    continue;
                }
                bool softmax = layerPlan.G.RowWise;
                string product = "A" + (l - 1) + "·W" + l + "ᵀ + b" + l;
                string parameters = input + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + a + ", m, " + layer.Inputs + ", " + layer.Units;
                if (softmax)
                {
                    // The product and the softmax in one kernel: the logits Z stay in registers.
                    w.WriteLine(Kernels + ".DenseForwardSoftmax(" + parameters + "); // Z" + l + " = " + product + ", A" + l + " = " +
                        layerPlan.Formula("Z" + l) + (a == "Y" ? ", into Y" : ""));
                    continue;
                }
                w.WriteLine(Kernels + ".DenseForward(" + parameters + ", " + ActivationFunction(layerPlan) + ", packed?[" + (l - 1) + "]); // " +
                    (layerPlan.G.IsLinear ? "A" + l + " = " + product : "Z" + l + " = " + product + ", A" + l + " = " + layerPlan.Formula("Z" + l)) +
                    (a == "Y" ? ", into Y" : ""));
            }
        }

        /// <summary>λ as the user wrote it (the float's shortest round-trip text), read as a double.</summary>
        private static string DoubleLiteral(float value) => Parser.Format(value);

        private static string CostFormula(NetworkSpec spec)
        {
            string formula = spec.Loss switch
            {
                Loss.BinaryCrossEntropy => "−(1/m) Σ [y·log a + (1 − y)·log(1 − a)]",
                Loss.CrossEntropy => "−(1/m) Σ y·log softmax(z)",
                _ => "(1/m) Σ ½‖a − y‖²",
            };
            if (spec.Layers.Any(l => l.L2 > 0f)) formula += " + (λ/2m)·Σ‖W[l]‖²_F";
            if (spec.Layers.Any(l => l.L1 > 0f)) formula += " + (λ/2m)·Σ‖W[l]‖₁";
            return spec.Loss == Loss.MeanSquaredError ? formula : formula + " (the cross-entropy computed from Z, so that it stays finite)";
        }

        /// <summary>A0 = X as channel planes, for a network whose first layer is a conv or pool over several channels.</summary>
        private static string ReorderX(string a0)
            => Kernels + ".ChannelsFirst(X, " + a0 + ", m, InputHeight, InputWidth, InputChannels); // A0: each sample of X (h × w × c) as c planes of h × w";

        private static void WriteWorkspace(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            // Per sample: Z, A (none for linear layers: A is Z) and dZ of every layer.
            EquatableArray<BufferPlan> blocks = plan.Buffers;
            bool columns = plan.SamplesAsColumns;
            int perSample = plan.WorkspacePerSample;

            w.WriteLine("// ───── Batch workspace ─────");
            w.WriteLine();
            w.WriteLine("private const int WorkspacePerSample = " + perSample + "; // floats per sample: " + (columns && spec.InputSize > 1 ? "Xᵀ, " : "") + (columns && spec.OutputSize > 1 ? "Yᵀ, " : "") +
                "Z, A and dZ of every layer" + (spec.HasDropout ? ", D of every dropout" : "") + (columns ? "; samples are the columns of every buffer (the notes' layout)" : ""));
            if (spec.HasMaps)
                WriteMapWorkspaceMethod(w);
            else
            {
                w.WriteLine("private float[] _workspace = global::System.Array.Empty<float>();");
                w.WriteLine();
                w.WriteLine("/// <summary>The batch workspace for m samples: grows to the largest m seen, then never allocates again.</summary>");
                using (w.Open("private float[] Workspace(int m)"))
                {
                    w.WriteLine("long needed = (long)m * WorkspacePerSample;");
                    using (w.Open("if (needed > _workspace.Length)"))
                    {
                        w.WriteLine("if (needed > global::System.Array.MaxLength)");
                        w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(m), m,");
                        w.WriteLine("        $\"a batch of {m} samples needs {needed} floats of workspace, \" +");
                        w.WriteLine("        \"more than one array can hold; split the batch\");");
                        w.WriteLine("_workspace = new float[needed];");
                    }
                    w.WriteLine("return _workspace;");
                }
            }
            w.WriteLine();
            w.WriteLine("/// <summary>The buffers of one batch, " + (columns ? "one column per sample (n[l] × m, the notes' layout)" : "one row per sample (m × n[l])") + ", carved from the workspace.</summary>");
            using (w.Open("private readonly ref struct Buffers"))
            {
                foreach (var block in blocks)
                    w.WriteLine("public readonly " + Span + " " + block.Name + "; // " + (block.Name == "Yt" ? "Yᵀ" : block.Name == "A0" ? (plan.ReordersX ? "A0 = X as channel planes" : "A0 = Xᵀ") : block.Name) + ": " + Shape(plan, block.Width) +
                        (block.AliasOf is not null ? " (is " + block.AliasOf + ": linear)" : block.Name[0] == 'D' ? " (dropout mask, 0/1)" : ""));
                if (spec.HasMaps)
                    w.WriteLine("public readonly " + Span + " Scratch; // the conv kernels' scratch: the rest of the workspace");
                w.WriteLine();
                using (w.Open("public Buffers(float[] workspace, int m)"))
                {
                    int offset = 0;
                    foreach (var block in blocks)
                    {
                        if (block.AliasOf is not null)
                        {
                            w.WriteLine(block.Name + " = " + block.AliasOf + ";");
                            continue;
                        }
                        w.WriteLine(block.Name + " = new(workspace, " + offset + " * m, " + block.Width + " * m);");
                        offset += block.Width;
                    }
                    if (spec.HasMaps)
                        w.WriteLine("Scratch = new(workspace, WorkspacePerSample * m, workspace.Length - WorkspacePerSample * m);");
                }
            }
        }
    }
}
