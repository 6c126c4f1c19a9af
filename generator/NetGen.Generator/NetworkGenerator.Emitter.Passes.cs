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
        private static string CostArguments(NetworkPlan plan) => plan.Spec.HasPenalty ? "_parameters, sum, m" : "sum, m";

        /// <summary>The loss's sum over the buffers' m samples (a double).</summary>
        private static string LossSum(NetworkPlan plan)
        {
            LayerPlan output = plan.Output;
            return plan.Spec.Loss switch
            {
                Loss.BinaryCrossEntropy => Kernels + ".BinaryCrossEntropy(b.Z" + output.Index + ", Y)",
                Loss.CrossEntropy => Kernels + ".CrossEntropy(b.Z" + output.Index + ", Y, m, " + output.Layer.Units + ")",
                _ => Kernels + ".MeanSquaredError(b.A" + output.Index + ", Y)",
            };
        }

        /// <summary>S for this call: ShardPool.Plan weighs m samples of WorkPerSample multiply-adds each.</summary>
        private const string PlanShards = "int shards = " + ShardPool + ".Plan(m, WorkPerSample);";

        private const string ShardPool = "global::NetGen.ShardPool";

        /// <summary>The network's shard code, made on first use.</summary>
        private static string NetworkWork(NetworkPlan plan)
            => "_shardWork ??= new ShardWork(_parameters" + (plan.SamplesAsColumns ? "" : ", null") + ")";

        /// <summary>The workspace call: a network with feature maps also sizes one conv scratch per shard.</summary>
        private static string WorkspaceOf(NetworkPlan plan, string shards)
            => plan.Spec.HasMaps ? "Workspace(m, " + shards + ")" : "Workspace(m)";

        /// <summary>Shard k's part of the workspace (see the emitted Region).</summary>
        private static string RegionOf(NetworkPlan plan, string workspace, string shard, string shards, string start,
            string count, string m)
            => plan.Spec.HasMaps
                ? "Region(" + workspace + ", " + shard + ", " + shards + ", " + start + ", " + count + ", " + m + ")"
                : "Region(" + workspace + ", " + start + ", " + count + ")";

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
                w.WriteLine(PlanShards);
                w.WriteLine("if (shards == 1)");
                w.WriteLine("    PredictBatchWith(_parameters, " + (plan.SamplesAsColumns ? "" : "null, ") + WorkspaceOf(plan, "1") + ", X, Y, m);");
                w.WriteLine("else");
                w.WriteLine("    _ = " + ShardPool + ".Run(" + NetworkWork(plan) + ", ShardWork.Predict, shards, m, X, default, Y, default,");
                w.WriteLine("        " + WorkspaceOf(plan, "shards") + ");");
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
                Span + " workspace, " + ReadOnlySpan + " X, " + Span + " Y, int m)"))
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
                w.WriteLine(PlanShards);
                w.WriteLine("double sum = shards == 1 ? CostSum(_parameters, X, Y, " + WorkspaceOf(plan, "1") + ", m)");
                w.WriteLine("    : " + ShardPool + ".Run(" + NetworkWork(plan) + ", ShardWork.Cost, shards, m, X, Y, default, default,");
                w.WriteLine("        " + WorkspaceOf(plan, "shards") + ");");
                w.WriteLine("return CostOf(" + CostArguments(plan) + ");");
            }
            w.WriteLine();
        }

        /// <summary>The data term's sum over a batch (or a shard): the forward pass without dropout, then the loss.</summary>
        private static void WriteCostSum(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("/// <summary>The sum of the loss over the m samples of X (a batch or one shard of it), without the 1/m and " +
                "the penalties: the forward pass" + (plan.Spec.HasDropout ? " without dropout" : "") + " in <paramref name=\"workspace\"/>.</summary>");
            using (w.Open("private static double CostSum(" + ReadOnlySpan + " p, " + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, " +
                Span + " workspace, int m)"))
            {
                w.WriteLine("var b = new Buffers(workspace, m);");
                w.WriteLine("Forward(p, X, b, m" + (plan.Spec.HasDropout ? ", training: false" : "") + ");");
                if (plan.TransposesY) w.WriteLine(TargetsAsColumns(plan));
                w.WriteLine("return " + LossSum(plan) + ";");
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
                w.WriteLine("return GradientsThenStep(X, Y, m, gradients, step: false, 0f);");
            }
            w.WriteLine();
            bool fuses = !plan.Spec.HasPenalty;
            w.WriteLine("/// <summary><see cref=\"ComputeGradients(" + CrefReadOnlySpan + ", " + CrefReadOnlySpan + ", int, " + CrefSpan + ")\"/> " +
                "after the checks, then, with <paramref name=\"step\"/>, θ ← θ − α·dθ, α being <paramref name=\"learningRate\"/>" +
                (fuses ? "; with shards, each range of parameters the reduction sums takes its step while it is in cache" : "") + ".</summary>");
            using (w.Open("private float GradientsThenStep(" + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, int m, " + Span + " gradients, bool step, float learningRate)"))
            {
                w.WriteLine(PlanShards);
                w.WriteLine("float[] workspace = " + WorkspaceOf(plan, "shards") + ";");
                if (dropout)
                {
                    w.WriteLine("// The masks are drawn here, shard by shard in order, before the shards run: the same masks for a given S.");
                    using (w.Open("for (int k = 0; k < shards; k++)"))
                    {
                        w.WriteLine("int start = " + ShardPool + ".Start(k, shards, m);");
                        w.WriteLine("int count = " + ShardPool + ".Start(k + 1, shards, m) - start;");
                        w.WriteLine("var d = new Buffers(" + RegionOf(plan, "workspace", "k", "shards", "start", "count", "m") + ", count);");
                        foreach (LayerSpec layer in plan.Spec.Layers.Where(l => l.HasDropout))
                            w.WriteLine(Kernels + ".DropoutMask(d.D" + layer.Index + ", " + FloatLiteral(layer.KeepProbability) + ", ref _dropoutRng); // D" + layer.Index +
                                " ~ Bernoulli(" + Parser.Format(layer.KeepProbability) + "), " + Shape(plan, layer.Units).Replace("m", "count"));
                    }
                }
                w.WriteLine("double sum;");
                w.WriteLine("if (shards == 1)");
                w.WriteLine("    sum = Backpropagate(_parameters, X, Y, m, gradients, new Buffers(workspace, m));");
                using (w.Open("else"))
                {
                    w.WriteLine("// Shard 0 writes into gradients, shard k ≥ 1 into its block of _partials; then g = Σ_k (count_k/m)·g_k, in order.");
                    w.WriteLine("long partials = (long)(shards - 1) * ParameterCount;");
                    w.WriteLine("if (_partials is null || _partials.Length < partials) _partials = new float[partials];");
                    w.WriteLine("sum = " + ShardPool + ".Run(" + NetworkWork(plan) + ", ShardWork.Gradients, shards, m, X, Y, gradients, _partials, workspace);");
                    if (fuses)
                    {
                        w.WriteLine(ShardPool + ".Reduce(gradients, _partials, shards, m, step ? _parameters : default, learningRate);");
                        w.WriteLine("return CostOf(" + CostArguments(plan) + ");");
                    }
                    else
                        w.WriteLine(ShardPool + ".Reduce(gradients, _partials, shards, m, default, 0f);");
                }
                if (plan.Spec.HasPenalty)
                    w.WriteLine("AddPenaltyGradients(_parameters, gradients, m);");
                w.WriteLine("float cost = CostOf(" + CostArguments(plan) + ");" + (plan.Spec.HasPenalty ? " // the penalty of θ before the step" : ""));
                w.WriteLine("if (step)");
                w.WriteLine("    " + Kernels + ".GradientDescent(_parameters, gradients, learningRate); // θ ← θ − α·dθ");
                w.WriteLine("return cost;");
            }
            w.WriteLine();
        }

        /// <summary>ComputeGradients with the dropout masks given (networks with dropout only).</summary>
        private static void WriteComputeGradientsWithMasks(SourceWriter w, NetworkPlan plan)
        {
            List<LayerSpec> dropped = plan.Spec.Layers.Where(l => l.HasDropout).ToList();
            string maskShape = string.Join(" + ", dropped.Select(l => l.Units.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            int maskWidth = dropped.Sum(l => l.Units);
            w.WriteLine("/// <summary>As <see cref=\"ComputeGradients(" + CrefReadOnlySpan + ", " + CrefReadOnlySpan + ", int, " + CrefSpan + ")\"/>, with the dropout masks given, to reproduce a published run. " +
                "It runs on the calling thread alone, whatever <see cref=\"global::NetGen.Parallelism.MaxDegreeOfParallelism\"/>.</summary>");
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
                w.WriteLine("var b = new Buffers(" + WorkspaceOf(plan, "1") + ", m);");
                int offset = 0;
                foreach (LayerSpec layer in dropped)
                {
                    w.WriteLine(plan.SamplesAsColumns
                        ? Kernels + ".CopyMaskToColumns(keepMasks, " + offset + " * m, b.D" + layer.Index + ", m, " + layer.Units + ", nameof(keepMasks)); // D" + layer.Index + ": " + Shape(plan, layer.Units)
                        : Kernels + ".CopyMask(keepMasks, " + offset + " * m, b.D" + layer.Index + ", nameof(keepMasks)); // D" + layer.Index + ": " + Shape(plan, layer.Units));
                    offset += layer.Units;
                }
                w.WriteLine("double sum = Backpropagate(_parameters, X, Y, m, gradients, b);");
                if (plan.Spec.HasPenalty)
                    w.WriteLine("AddPenaltyGradients(_parameters, gradients, m);");
                w.WriteLine("return CostOf(" + CostArguments(plan) + ");");
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
                w.WriteLine(BatchGuard);
                w.WriteLine("return GradientsThenStep(X, Y, m, _gradients ??= new float[ParameterCount], step: true, learningRate);");
            }
            w.WriteLine();
        }

        private static void WriteBackpropagate(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            LayerPlan output = plan.Output;
            w.WriteLine("/// <summary>The training forward pass, the loss, then the backward pass from the output error down to layer 1, " +
                "over the m samples of X (a batch or one shard of it): writes the mean gradients of the data term (no penalty) " +
                "and returns the loss's sum over the m samples.</summary>");
            using (w.Open("private static double Backpropagate(" + ReadOnlySpan + " p, " + ReadOnlySpan + " X, " + ReadOnlySpan + " Y, int m, " +
                Span + " gradients, in Buffers b)"))
            {
                w.WriteLine("Forward(p, X, b, m" + (spec.HasDropout ? ", training: true" : "") + ");");
                if (plan.TransposesY) w.WriteLine(TargetsAsColumns(plan));
                w.WriteLine("double sum = " + LossSum(plan) + ";");
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
                    // dA[l-1] is written into dZ[l-1]'s buffer, which the layer below turns into dZ[l-1] in place (or,
                    // where the layer below's g′ is applied here, dZ[l-1] itself).
                    int below = layer.Index - 1;
                    bool gPrimeHere = below >= 1 && plan.Layers[below - 1].GPrimeAbove;
                    w.WriteLine("Layer" + layer.Index + "Backward(" + string.Join(", ", arguments) + ");" + (below >= 1
                        ? " // b.dZ" + below + " receives " + (gPrimeHere ? "dZ" + below + " (g′ applied here)" : "dA" + below)
                        : ""));
                }
                w.WriteLine("return sum;");
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
            w.WriteLine("/// <summary>J = " + CostFormula(spec) + ", from the loss's sum over the batch's m samples (the shards' sums " +
                "added in order)" + (spec.HasPenalty ? "; the penalties once for the batch" : "") + ".</summary>");
            using (w.Open("private static float CostOf(" + (spec.HasPenalty ? ReadOnlySpan + " p, " : "") + "double sum, int m)"))
            {
                if (!spec.HasPenalty)
                {
                    w.WriteLine("return (float)(sum / m);");
                }
                else
                {
                    w.WriteLine("double J = sum / m;");
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

        /// <summary>The penalties' gradients, added once for the batch after the shards' gradients are reduced.</summary>
        private static void WriteAddPenaltyGradients(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("/// <summary>The penalties' terms of dJ/dW, added once for the whole batch of m samples (after the shards' " +
                "gradients are reduced).</summary>");
            using (w.Open("private static void AddPenaltyGradients(" + ReadOnlySpan + " p, " + Span + " g, int m)"))
            {
                foreach (LayerSpec layer in spec.Layers.Where(l => l.HasParameters))
                {
                    int l = layer.Index;
                    string weights = "p.Slice(W" + l + "Offset, W" + l + "Length)", weightGradients = "g.Slice(W" + l + "Offset, W" + l + "Length)";
                    if (layer.L2 > 0f)
                        w.WriteLine(Kernels + ".L2Gradient(" + weights + ", " + weightGradients + ", " + FloatLiteral(layer.L2) + " / m); // dW" + l +
                            " += (λ/m)·W" + l + " (L2, λ = " + Parser.Format(layer.L2) + ")");
                    if (layer.L1 > 0f)
                        w.WriteLine(Kernels + ".L1Gradient(" + weights + ", " + weightGradients + ", " + FloatLiteral(layer.L1) + " / (2 * m)); // dW" + l +
                            " += (λ/2m)·sign(W" + l + ") (L1, λ = " + Parser.Format(layer.L1) + ")");
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
                using (w.Open("public Buffers(" + Span + " workspace, int m)"))
                {
                    int offset = 0;
                    foreach (var block in blocks)
                    {
                        if (block.AliasOf is not null)
                        {
                            w.WriteLine(block.Name + " = " + block.AliasOf + ";");
                            continue;
                        }
                        w.WriteLine(block.Name + " = workspace.Slice(" + offset + " * m, " + block.Width + " * m);");
                        offset += block.Width;
                    }
                    if (spec.HasMaps)
                        w.WriteLine("Scratch = workspace.Slice(WorkspacePerSample * m);");
                }
            }
            w.WriteLine();
            WriteShards(w, plan);
        }

        /// <summary>
        /// The batch split across cores: WorkPerSample (which ShardPool.Plan weighs a batch by), shard k's part of the
        /// workspace, and ShardWork, the code one shard runs (today's path over its count_k samples), which ShardPool.Run
        /// calls on the workers and the calling thread.
        /// </summary>
        private static void WriteShards(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            bool rows = !plan.SamplesAsColumns;
            w.WriteLine("// ───── Shards: a large batch split across cores ─────");
            w.WriteLine();
            w.WriteLine("/// <summary>The multiply-adds of one sample's forward pass: a batch of m samples is split into shards only " +
                "when m × this is large enough to gain (<see cref=\"global::NetGen.Parallelism\"/>).</summary>");
            w.WriteLine("internal const long WorkPerSample = " + plan.WorkPerSample.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";");
            w.WriteLine("private ShardWork? _shardWork; // this network's shard code, made on its first split batch");
            w.WriteLine("private float[]? _partials;    // the gradients of shards 1 … S − 1, ParameterCount floats each, kept");
            w.WriteLine();
            if (spec.HasMaps)
            {
                w.WriteLine("/// <summary>Shard k's part of the workspace: its samples' buffers (count × WorkspacePerSample floats), then " +
                    "its share of the conv scratch that follows the m samples' buffers; with one shard, the whole workspace.</summary>");
                using (w.Open("private static " + Span + " Region(" + Span + " workspace, int shard, int shards, int start, int count, int m)"))
                {
                    w.WriteLine("int scratch = (workspace.Length - m * WorkspacePerSample) / shards;");
                    w.WriteLine("return workspace.Slice(start * WorkspacePerSample + shard * scratch, count * WorkspacePerSample + scratch);");
                }
            }
            else
            {
                w.WriteLine("/// <summary>Shard k's part of the workspace: the buffers of its samples, [start, start + count).</summary>");
                w.WriteLine("private static " + Span + " Region(" + Span + " workspace, int start, int count)");
                w.WriteLine("    => workspace.Slice(start * WorkspacePerSample, count * WorkspacePerSample);");
            }
            w.WriteLine();
            w.WriteLine("/// <summary>One shard of a batch call: the single-thread path over the shard's samples, X and Y rows sliced, " +
                "in its part of the workspace. Made once per network (or frozen snapshot); it keeps no per-call state, so calls on " +
                "many threads may share it.</summary>");
            using (w.Open("private sealed class ShardWork : global::NetGen.IShardWork"))
            {
                w.WriteLine("/// <summary>The operations, as <see cref=\"global::NetGen.ShardArgs.Operation\"/> carries them.</summary>");
                w.WriteLine("internal const int Predict = 0, Cost = 1, Gradients = 2;");
                w.WriteLine();
                w.WriteLine("private readonly float[] _parameters;");
                if (rows)
                    w.WriteLine("private readonly " + Kernels + ".PackedWeights?[]? _packed;");
                w.WriteLine();
                w.WriteLine("/// <summary>The shard code over <paramref name=\"parameters\"/>" + (rows ? " (and the wide layers' packed Wᵀ, or null)" : "") + ".</summary>");
                using (w.Open("internal ShardWork(float[] parameters" + (rows ? ", " + Kernels + ".PackedWeights?[]? packed" : "") + ")"))
                {
                    w.WriteLine("_parameters = parameters;");
                    if (rows) w.WriteLine("_packed = packed;");
                }
                w.WriteLine();
                w.WriteLine("/// <inheritdoc/>");
                using (w.Open("public double RunShard(in global::NetGen.ShardArgs args)"))
                {
                    w.WriteLine("int start = args.Start, count = args.Count;");
                    w.WriteLine(Span + " workspace = " + RegionOf(plan, "args.Workspace", "args.Shard", "args.Shards", "start", "count", "args.M") + ";");
                    w.WriteLine(ReadOnlySpan + " X = args.X.Slice(start * InputSize, count * InputSize);");
                    using (w.Open("switch (args.Operation)"))
                    {
                        w.WriteLine("case Predict:");
                        w.WriteLine("    PredictBatchWith(_parameters, " + (rows ? "_packed, " : "") + "workspace, X, args.Output.Slice(start * OutputSize, count * OutputSize), count);");
                        w.WriteLine("    return 0;");
                        w.WriteLine("case Cost:");
                        w.WriteLine("    return CostSum(_parameters, X, args.Y.Slice(start * OutputSize, count * OutputSize), workspace, count);");
                        w.WriteLine("default:");
                        w.WriteLine("    // Shard 0 writes the caller's gradients, shard k ≥ 1 its block of the partials.");
                        w.WriteLine("    " + Span + " g = args.Shard == 0 ? args.Output : args.Partials.Slice((args.Shard - 1) * ParameterCount, ParameterCount);");
                        w.WriteLine("    return Backpropagate(_parameters, X, args.Y.Slice(start * OutputSize, count * OutputSize), count, g,");
                        w.WriteLine("        new Buffers(workspace, count));");
                    }
                }
            }
        }
    }
}
