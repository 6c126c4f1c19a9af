using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Emitter
    {
        /// <summary>
        /// Freeze() and the nested Frozen class: an immutable snapshot for inference. It holds a private network with its
        /// own copy of the parameters (whose Predict writes no state) and calls the network's own PredictBatchWith with a
        /// workspace per thread, so that no forward code is written twice; with samples as rows, the wide layers' Wᵀ is
        /// packed once here instead of on every batch.
        /// </summary>
        private static void WriteFrozen(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            string name = Identifier(spec.ClassName);
            // The layers whose batches may pack Wᵀ: with samples as rows, not softmax (its fused kernel keeps its own
            // path), 32 units or more and 16 inputs or more (the kernel decides again for the machine it runs on).
            var wide = new System.Collections.Generic.List<LayerSpec>();
            if (!plan.SamplesAsColumns)
                foreach (LayerPlan layerPlan in plan.Layers)
                    if (!layerPlan.Layer.IsMap && !layerPlan.G.RowWise && layerPlan.Layer.Units >= 32 && layerPlan.Layer.Inputs >= 16)
                        wide.Add(layerPlan.Layer);
            bool rows = wide.Count > 0;

            w.WriteLine("// ───── The frozen form: an immutable snapshot for inference ─────");
            w.WriteLine();
            w.WriteLine("/// <summary>An immutable snapshot of this network for inference: a copy of the parameters as they are now, " +
                "which training this network further does not change. Its <see cref=\"Frozen.Predict\"/> and " +
                "<see cref=\"Frozen.PredictBatch\"/> are safe from any number of threads at once and allocate nothing after " +
                "warm-up" + (rows ? "; the Wᵀ of each wide layer is packed here, once, instead of on every batch" : "") +
                ".</summary>");
            w.WriteLine("/// <returns>A new snapshot; it shares nothing with this network.</returns>");
            w.WriteLine("public Frozen Freeze() => new Frozen(_parameters);");
            w.WriteLine();

            w.WriteLine("/// <summary>An immutable snapshot of the network for inference, made by <see cref=\"Freeze\"/>" +
                (spec.WeightsPath is not null ? " (or <see cref=\"Pretrained\"/>)" : "") + ": its own copy of the " +
                "parameters, never written after construction. <see cref=\"Predict\"/> and <see cref=\"PredictBatch\"/> " +
                "give the network's answers bit for bit, from any number of threads at once, and allocate nothing after " +
                "warm-up (a batch workspace per thread, grown to the largest m it has seen).</summary>");
            using (w.Open("public sealed class Frozen"))
            {
                w.WriteLine("/// <summary>n[0]: the features of one sample.</summary>");
                w.WriteLine("public const int InputSize = " + name + ".InputSize;");
                w.WriteLine("/// <summary>n[L]: the outputs of one sample.</summary>");
                w.WriteLine("public const int OutputSize = " + name + ".OutputSize;");
                w.WriteLine();
                w.WriteLine("// The snapshot's own copy of the parameters, in a network that no one else sees: its Predict reads " +
                    "them and");
                w.WriteLine("// writes no state, and nothing writes them after the constructor.");
                w.WriteLine("private readonly " + name + " _network;");
                if (rows)
                {
                    w.WriteLine("// W[l]ᵀ packed once for the wide layers (null for the others, and where this machine never packs).");
                    w.WriteLine("private readonly " + Kernels + ".PackedWeights?[] _packed;");
                }
                w.WriteLine("// This thread's batch workspace, shared by the snapshots of this class on the thread: a call uses it " +
                    "only while");
                w.WriteLine("// it runs, a thread runs one call at a time, and the kernels call no user code that could re-enter.");
                w.WriteLine("[global::System.ThreadStatic] private static float[]? t_workspace;");
                w.WriteLine("// The snapshot's shard code: it keeps no per-call state, so every thread's call may use it at once.");
                w.WriteLine("private readonly ShardWork _shardWork;");
                w.WriteLine();

                w.WriteLine("/// <summary>A snapshot of <paramref name=\"parameters\"/> (<see cref=\"ParameterCount\"/> floats, laid " +
                    "out like <see cref=\"" + name + ".Parameters\"/>), copied.</summary>");
                using (w.Open("internal Frozen(" + ReadOnlySpan + " parameters)"))
                {
                    w.WriteLine(Guard + ".Length(parameters.Length, ParameterCount, nameof(parameters), \"ParameterCount\");");
                    w.WriteLine("_network = new " + name + "(DefaultSeed); // its draw is overwritten at once");
                    w.WriteLine("parameters.CopyTo(_network._parameters);");
                    if (!rows)
                        w.WriteLine("_shardWork = new ShardWork(_network._parameters" + (plan.SamplesAsColumns ? "" : ", null") + ");");
                    if (rows)
                    {
                        w.WriteLine(ReadOnlySpan + " p = _network._parameters;");
                        w.WriteLine("_packed = new " + Kernels + ".PackedWeights?[LayerCount];");
                        foreach (LayerSpec layer in wide)
                        {
                            int l = layer.Index;
                            w.WriteLine("_packed[" + (l - 1) + "] = " + Kernels + ".PackedWeights.Of(p.Slice(W" + l + "Offset, W" + l +
                                "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + layer.Inputs + ", " + layer.Units + ");");
                        }
                        w.WriteLine("_shardWork = new ShardWork(_network._parameters, _packed);");
                    }
                }
                w.WriteLine();

                w.WriteLine("/// <summary>One sample: <paramref name=\"y\"/> = network(<paramref name=\"x\"/>), as the network's " +
                    "Predict. Allocates nothing; safe from any number of threads.</summary>");
                w.WriteLine("/// <param name=\"x\">The sample: <see cref=\"InputSize\"/> = " + spec.InputSize + " float" +
                    (spec.InputSize == 1 ? "" : "s") + ".</param>");
                w.WriteLine("/// <param name=\"y\">Receives the prediction: <see cref=\"OutputSize\"/> = " + spec.OutputSize + " float" +
                    (spec.OutputSize == 1 ? "" : "s") + ".</param>");
                w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length differs from the one above.</exception>");
                w.WriteLine("public void Predict(" + ReadOnlySpan + " x, " + Span + " y) => _network.Predict(x, y);");
                w.WriteLine();

                w.WriteLine("/// <summary>m samples at once, rows are samples, as the network's PredictBatch. Safe from any number " +
                    "of threads; allocates nothing after a thread's first call at this or a larger m.</summary>");
                w.WriteLine(RowsDoc);
                w.WriteLine("/// <param name=\"Y\">Receives m × <see cref=\"OutputSize\"/> predictions.</param>");
                w.WriteLine(MDoc);
                w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length is not m rows of the sizes above.</exception>");
                using (w.Open("public void PredictBatch(" + ReadOnlySpan + " X, " + Span + " Y, int m)"))
                {
                    w.WriteLine(BatchGuard);
                    w.WriteLine(PlanShards);
                    w.WriteLine("// Split across cores or not, this thread's workspace holds the call; the workers write only their shards' parts.");
                    w.WriteLine("if (shards == 1)");
                    w.WriteLine("    PredictBatchWith(_network._parameters, " + (rows ? "_packed, " : plan.SamplesAsColumns ? "" : "null, ") + WorkspaceOf(plan, "1") + ", X, Y, m);");
                    w.WriteLine("else");
                    w.WriteLine("    _ = " + ShardPool + ".Run(_shardWork, ShardWork.Predict, shards, m, X, default, Y, default, " + WorkspaceOf(plan, "shards") + ");");
                }
                w.WriteLine();

                if (spec.HasMaps)
                    WriteMapFrozenWorkspace(w);
                else
                {
                    w.WriteLine("/// <summary>This thread's batch workspace for m samples: grows to the largest m seen, then never " +
                        "allocates again.</summary>");
                    using (w.Open("private static float[] Workspace(int m)"))
                    {
                        w.WriteLine("long needed = (long)m * WorkspacePerSample;");
                        w.WriteLine("float[]? workspace = t_workspace;");
                        using (w.Open("if (workspace is null || needed > workspace.Length)"))
                        {
                            w.WriteLine("if (needed > global::System.Array.MaxLength)");
                            w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(m), m,");
                            w.WriteLine("        $\"a batch of {m} samples needs {needed} floats of workspace, \" +");
                            w.WriteLine("        \"more than one array can hold; split the batch\");");
                            w.WriteLine("t_workspace = workspace = new float[needed];");
                        }
                        w.WriteLine("return workspace;");
                    }
                }
            }
            w.WriteLine();
        }
    }
}
