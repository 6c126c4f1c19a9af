using System;
using System.Linq;
using System.Reflection;
using NetGen.Generator.Model;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generator's plan (Model/NetworkPlan.cs), decided before any text is written: tested on its own, from networks
/// declared in source and parsed by the generator itself. The workspace sizes are hand counts; they are also the
/// WorkspacePerSample constants of the snapshots.
/// </summary>
public class PlanTests
{
    private static NetworkPlan PlanOf(string attributes, string className = "Net")
    {
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n" + attributes + "\npublic partial class " + className + ";");
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        var spec = (NetworkSpec)Assert.Single(run.Result.TrackedSteps[NetworkGenerator.TrackingNames.Spec]).Outputs[0].Value;
        return NetworkPlan.Of(spec);
    }

    private static string Buffers(NetworkPlan plan)
        => string.Join(" ", plan.Buffers.Select(b => b.Name + ":" + b.Width + (b.AliasOf is null ? "" : "=" + b.AliasOf)));

    /// <summary>The notes' shallow net, n = [3, 4, 1]: narrow, so samples are columns and X is turned (3 features);
    /// tanh takes g′ from A, the sigmoid output's dZ comes straight from the loss.</summary>
    [Fact]
    public void Shallow_net_3_4_1()
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.BinaryCrossEntropy)] [Input(3)] [Dense(4, Activation.Tanh)] [Dense(1, Activation.Sigmoid)]");
        Assert.Equal(Layout.SamplesAsColumns, plan.Layout);
        Assert.True(plan.PredictsInRegisters);
        Assert.True(plan.TransposesX);
        Assert.False(plan.TransposesY); // one output: 1 × m is m × 1

        LayerPlan hidden = plan.Layers[0], output = plan.Layers[1];
        Assert.Same(ActivationForm.Tanh, hidden.G);
        Assert.True(hidden.FusedActivation); // tanh in the product kernel's registers
        Assert.False(hidden.KeepsZ); // g′ reads A1 and nothing reads Z1: the forward writes A1 alone
        Assert.False(hidden.FusedOutput);
        // tanh′ = 1 − A1² moves into layer 2's backward, which stores dZ1 = (W2ᵀ·dZ2) ⊙ (1 − A1²) at once.
        Assert.True(hidden.GPrimeAbove);
        Assert.Equal(GPrimeSource.None, hidden.GPrimeReads);
        Assert.Equal("TanhDerivative", hidden.G.DerivativeOfA);
        Assert.False(output.GPrimeAbove); // the output's dZ comes from the loss
        Assert.Equal(OneSampleStrategy.Unrolled, hidden.OneSample);
        Assert.False(hidden.BackwardReadsParameters); // the first layer computes no dA0, and has no penalty

        Assert.True(output.FusedOutput);
        Assert.Equal(GPrimeSource.None, output.GPrimeReads);
        Assert.True(output.BackwardReadsParameters); // W2ᵀ·dZ2 for dA1

        Assert.Equal("A0:3 Z1:4 A1:4 dZ1:4 Z2:1 A2:1 dZ2:1", Buffers(plan));
        Assert.Equal(3 + 3 * 4 + 3 * 1, plan.WorkspacePerSample); // 18
        Assert.Equal(4, plan.PredictHiddenFloats);
        Assert.True(plan.PredictOnStack);
    }

    /// <summary>A small conv net, 6 × 6 × 2 → conv 3 of 3 × 3 (4 × 4 × 3) → max pool 2 (2 × 2 × 3) → 2: feature maps
    /// keep samples as rows and never predict in registers; two channels are reordered into planes (A0); the pool is
    /// linear (A is Z) with no parameters, and the dense layer reads its 12 values flattened.</summary>
    [Fact]
    public void Conv_pool_dense_6x6x2()
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.CrossEntropy)] [Input(6, 6, 2)] [Conv2D(3, 3, Activation.Relu)] " +
            "[MaxPool(2)] [Dense(2, Activation.Softmax)]");
        Assert.Equal(Layout.SamplesAsRows, plan.Layout);
        Assert.False(plan.PredictsInRegisters);
        Assert.True(plan.ReordersX);
        Assert.False(plan.TransposesX);
        LayerPlan conv = plan.Layers[0], pool = plan.Layers[1], dense = plan.Layers[2];
        Assert.Equal((4 * 4 * 3, 3 * 2 * 3 * 3, 3), (conv.Units, conv.Layer.WeightCount, conv.Layer.BiasCount));
        Assert.Equal(GPrimeSource.Z, conv.GPrimeReads);
        Assert.False(conv.BackwardReadsParameters); // the first layer: no dA0, no penalty
        Assert.Equal((12, 0, 0), (pool.Units, pool.Layer.WeightCount, pool.Layer.BiasCount));
        Assert.False(pool.BackwardReadsParameters);
        Assert.Equal(12, dense.Layer.Inputs);
        // W1 (54) and b1 (3), no parameters for the pool, then W3 (24) and b3 (2).
        Assert.Equal((0, 54, 57, 81), (conv.WeightOffset, conv.BiasOffset, dense.WeightOffset, dense.BiasOffset));
        Assert.Equal(54 + 3 + 24 + 2, plan.Spec.ParameterCount);
        Assert.Equal("A0:72 Z1:48 A1:48 dZ1:48 Z2:12 A2:12=Z2 dZ2:12 Z3:2 A3:2 dZ3:2", Buffers(plan));
        Assert.Equal(72 + 3 * 48 + 2 * 12 + 3 * 2, plan.WorkspacePerSample);

        // One channel: A0 is X itself.
        Assert.False(PlanOf("[Network(Loss = Loss.CrossEntropy)] [Input(6, 6)] [Conv2D(3, 3, Activation.Relu)] " +
            "[Dense(2, Activation.Softmax)]").ReordersX);
    }

    /// <summary>The notes' deep net, n = [3, 5, 5, 3, 1] with ReLU: ReLU is applied inside the column product kernel
    /// and takes g′ from A (A &gt; 0 exactly where Z &gt; 0) in the layer above's backward product, so Z is not written;
    /// the sigmoid output keeps Z for the cost.</summary>
    [Fact]
    public void Deep_net_3_5_5_3_1()
    {
        NetworkPlan plan = PlanOf("[Network] [Input(3)] [Dense(5, Activation.Relu)] [Dense(5, Activation.Relu)] [Dense(3, Activation.Relu)] " +
            "[Dense(1, Activation.Sigmoid)]");
        Assert.Equal(Layout.SamplesAsColumns, plan.Layout);
        foreach (LayerPlan layer in plan.Layers.Take(3))
        {
            Assert.Same(ActivationForm.Relu, layer.G);
            Assert.True(layer.FusedActivation);
            // g′ = (A > 0) is applied by the layer above's backward as it stores W[l+1]ᵀ·dZ[l+1].
            Assert.True(layer.GPrimeAbove);
            Assert.Equal(GPrimeSource.None, layer.GPrimeReads);
            Assert.False(layer.KeepsZ);
            Assert.Equal(OneSampleStrategy.Unrolled, layer.OneSample);
        }
        Assert.Equal("ReluDerivative", plan.Layers[1].G.DerivativeOfA);
        Assert.True(plan.Layers[3].FusedActivation); // sigmoid in registers too
        Assert.True(plan.Layers[3].KeepsZ); // the cost reads the logits Z4
        Assert.Equal(3 + 3 * (5 + 5 + 3 + 1), plan.WorkspacePerSample); // 45
        Assert.Equal(5 + 5 + 3, plan.PredictHiddenFloats);
    }

    /// <summary>A softmax classifier keeps samples as rows (softmax works within one sample): nothing is turned, and
    /// softmax with cross-entropy gives dZ = A − Y.</summary>
    [Fact]
    public void Softmax_classifier_4_8_3()
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.CrossEntropy)] [Input(4)] [Dense(8, Activation.Relu)] [Dense(3, Activation.Softmax)]");
        Assert.Equal(Layout.SamplesAsRows, plan.Layout);
        Assert.False(plan.TransposesX);
        Assert.False(plan.TransposesY);
        Assert.True(plan.PredictsInRegisters);
        LayerPlan hidden = plan.Layers[0], output = plan.Layers[1];
        Assert.True(hidden.FusedActivation); // the row kernel stores g(Z) alone: Z1 is not kept
        Assert.False(hidden.KeepsZ);
        // ReLU′ is read off A1 by layer 2's backward product, as dZ2·W2 is stored (samples as rows too).
        Assert.True(hidden.GPrimeAbove);
        Assert.Equal(GPrimeSource.None, hidden.GPrimeReads);
        Assert.Equal(OneSampleStrategy.Kernel, hidden.OneSample); // 8 units fill a vector
        Assert.Same(ActivationForm.Softmax, output.G);
        Assert.True(output.G.RowWise);
        Assert.True(output.FusedOutput);
        Assert.Equal(GPrimeSource.None, output.GPrimeReads);
        Assert.Equal(OneSampleStrategy.Unrolled, output.OneSample);
        Assert.Equal(3 * (8 + 3), plan.WorkspacePerSample); // 33
    }

    /// <summary>Softmax under mean squared error is not fused: its g′ step reads A, row by row.</summary>
    [Fact]
    public void Softmax_under_mean_squared_error_takes_its_derivative_from_A()
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.MeanSquaredError)] [Input(4)] [Dense(3, Activation.Softmax)]");
        LayerPlan output = plan.Output;
        Assert.False(output.FusedOutput);
        Assert.Equal(GPrimeSource.A, output.GPrimeReads);
        Assert.Equal("A1 ⊙ (dA1 − Σ dA1 ⊙ A1), row by row", output.DerivativeFormula());
        Assert.False(output.BackwardReadsParameters);
    }

    /// <summary>A wide layer (784 → 128 → 10): rows, no registers path, the kernel for one sample.</summary>
    [Fact]
    public void Wide_layer_784_128_10()
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.CrossEntropy)] [Input(28, 28)] [Dense(128, Activation.Relu)] [Dense(10, Activation.Softmax)]");
        Assert.Equal(Layout.SamplesAsRows, plan.Layout);
        Assert.False(plan.PredictsInRegisters);
        Assert.Equal(OneSampleStrategy.Kernel, plan.Layers[0].OneSample);
        Assert.Equal(OneSampleStrategy.Kernel, plan.Layers[1].OneSample); // 10 units
        Assert.Equal(3 * (128 + 10), plan.WorkspacePerSample);
        Assert.Equal(128, plan.PredictHiddenFloats);
    }

    /// <summary>A hidden layer past 16 384 floats: Predict rents its activations instead of using the stack.</summary>
    [Fact]
    public void Hidden_activations_past_the_stack_limit_are_rented()
    {
        NetworkPlan plan = PlanOf("[Network] [Input(2)] [Dense(16385, Activation.Relu)] [Dense(1, Activation.Sigmoid)]");
        Assert.Equal(Layout.SamplesAsRows, plan.Layout); // wider than 64
        Assert.Equal(16385, plan.PredictHiddenFloats);
        Assert.False(plan.PredictOnStack);
        Assert.True(PlanOf("[Network] [Input(2)] [Dense(16384, Activation.Relu)] [Dense(1, Activation.Sigmoid)]").PredictOnStack);
    }

    /// <summary>PredictClass keeps up to 16 384 outputs on the stack, and rents more.</summary>
    [Theory]
    [InlineData(16384, true)]
    [InlineData(16385, false)]
    public void PredictClass_rents_outputs_past_the_stack_limit(int outputs, bool onStack)
        => Assert.Equal(onStack, PlanOf("[Network(Loss = Loss.CrossEntropy)] [Input(2)] [Dense(" + outputs + ", Activation.Softmax)]")
            .OutputOnStack);

    /// <summary>A linear output under MSE: A is Z itself (an alias, no floats), and there is no g′ step.</summary>
    [Fact]
    public void Linear_output_aliases_A_to_Z()
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.MeanSquaredError)] [Input(8)] [Dense(16, Activation.Tanh)] [Dense(1, Activation.Linear)]");
        Assert.Equal("A0:8 Z1:16 A1:16 dZ1:16 Z2:1 A2:1=Z2 dZ2:1", Buffers(plan));
        Assert.Equal(8 + 3 * 16 + 2, plan.WorkspacePerSample); // 58
        Assert.Equal(GPrimeSource.None, plan.Output.GPrimeReads);
        Assert.False(plan.Output.FusedOutput);
        Assert.Equal(OneSampleStrategy.Kernel, plan.Layers[0].OneSample); // 16 units
    }

    /// <summary>Dropout scales A, so even sigmoid and tanh take g′ from Z; the mask is a buffer of its own.</summary>
    [Fact]
    public void Dropout_moves_the_derivative_to_Z_and_adds_a_mask()
    {
        NetworkPlan plan = PlanOf("[Network] [Input(2)] [Dense(4, Activation.Sigmoid)] [Dropout(0.5f)] [Dense(1, Activation.Sigmoid)]");
        LayerPlan hidden = plan.Layers[0];
        Assert.Equal(GPrimeSource.Z, hidden.GPrimeReads);
        Assert.Equal("dA1 ⊙ σ(Z1) ⊙ (1 − σ(Z1))", hidden.DerivativeFormula());
        Assert.Equal("A0:2 Z1:4 A1:4 dZ1:4 D1:4 Z2:1 A2:1 dZ2:1", Buffers(plan));
        Assert.Equal(2 + 4 * 4 + 3, plan.WorkspacePerSample);
    }

    /// <summary>A penalty no longer makes the first layer's backward read W: its gradient, (λ/m)·W1, is added once for
    /// the batch after the shards' gradients are reduced (AddPenaltyGradients), not by each shard's layer 1.</summary>
    [Fact]
    public void A_penalty_leaves_the_first_backward_without_the_parameters()
    {
        NetworkPlan plan = PlanOf("[Network] [Input(2)] [Dense(3, Activation.Relu)] [Dense(1, Activation.Sigmoid)] [L2(0.1f)]");
        Assert.False(plan.Layers[0].BackwardReadsParameters);
        Assert.True(plan.Layers[1].BackwardReadsParameters); // for dA1
    }

    /// <summary>The work that gates the split: Σ n[l−1]·n[l] multiply-adds per sample (net A: 2·20 + 20·3 + 3·1).</summary>
    [Fact]
    public void Work_per_sample_counts_the_forward_multiply_adds()
    {
        NetworkPlan plan = PlanOf("[Network] [Input(2)] [Dense(20, Activation.Relu)] [Dense(3, Activation.Relu)] [Dense(1, Activation.Sigmoid)]");
        Assert.Equal(103, plan.WorkPerSample);
    }

    /// <summary>The one-sample forward is written out below 8 units, 256 weights and 65 inputs; the kernel beyond.</summary>
    [Theory]
    [InlineData(3, 7, true)]
    [InlineData(3, 8, false)] // 8 units fill a vector
    [InlineData(64, 4, true)] // 256 weights
    [InlineData(52, 5, false)] // 260 weights
    [InlineData(65, 1, false)] // 65 inputs
    public void One_sample_strategy_follows_the_unroll_limits(int inputs, int units, bool unrolled)
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.MeanSquaredError)] [Input(" + inputs + ")] [Dense(" + units + ", Activation.Linear)]");
        Assert.Equal(unrolled ? OneSampleStrategy.Unrolled : OneSampleStrategy.Kernel, plan.Layers[0].OneSample);
    }

    /// <summary>The layout boundary: 64 wide keeps columns, 65 turns to rows; so does an input of 65.</summary>
    [Theory]
    [InlineData(64, 64, true)]
    [InlineData(64, 65, false)]
    [InlineData(65, 4, false)]
    public void Layout_follows_the_columns_width_limit(int inputs, int units, bool columns)
        => Assert.Equal(columns ? Layout.SamplesAsColumns : Layout.SamplesAsRows, PlanOf("[Network(Loss = Loss.MeanSquaredError)] [Input(" + inputs + ")] [Dense(" + units + ", Activation.Relu)] " +
            "[Dense(1, Activation.Linear)]").Layout);

    /// <summary>Every kernel and function struct an activation's descriptor names exists in NetGen.Kernels (the class
    /// the generated code calls as global::NetGen.Kernels), with the parameters the emitter passes.</summary>
    [Fact]
    public void Every_descriptor_names_kernels_that_exist()
    {
        Type kernels = typeof(NetworkAttribute).Assembly.GetType("NetGen.Kernels", throwOnError: true)!;
        ActivationForm[] forms = { ActivationForm.Linear, ActivationForm.Sigmoid, ActivationForm.Tanh, ActivationForm.Relu,
            ActivationForm.LeakyRelu, ActivationForm.Softmax };
        foreach (ActivationForm form in forms)
        {
            Assert.NotNull(kernels.GetNestedType(form.Function, BindingFlags.Public));
            // Buffer kernels: (source, destination) plus the slope, or m and n[l].
            int extra = form.TakesSlope ? 1 : form.RowWise ? 2 : 0;
            if (form.Forward is not null)
                Assert.True(HasOverload(kernels, form.Forward, 2 + extra), form.Kind + ": " + form.Forward);
            if (form.Forward is not null && !form.RowWise)
                Assert.True(HasOverload(kernels, form.Forward, 1 + extra, typeof(float)), form.Kind + ": scalar " + form.Forward);
            if (form.Backward is not null)
                Assert.True(HasOverload(kernels, form.Backward, 3 + extra), form.Kind + ": " + form.Backward);
            if (form.BackwardFromZ is not null)
                Assert.True(HasOverload(kernels, form.BackwardFromZ, 3 + extra), form.Kind + ": " + form.BackwardFromZ);
            Assert.Equal(form.Forward is null, form.IsLinear);
        }
    }

    private static bool HasOverload(Type type, string name, int parameters, Type? first = null)
        => type.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == name && m.GetParameters().Length == parameters
            && (first is null || m.GetParameters()[0].ParameterType == first));

    /// <summary>Each activation has its one descriptor, and the descriptor is the activation's.</summary>
    [Fact]
    public void Each_activation_maps_to_its_own_descriptor()
    {
        foreach (ActivationForm form in new[] { ActivationForm.Linear, ActivationForm.Sigmoid, ActivationForm.Tanh, ActivationForm.Relu,
            ActivationForm.LeakyRelu, ActivationForm.Softmax })
            Assert.Same(form, ActivationForm.Of(form.Kind));
    }
    /// <summary>Issue 12 item 5: what INetwork.Layers reports comes from the plan — per layer the tensor name, the keep
    /// probability (1 without dropout) and where W[l] and b[l] start — against hand counts of W1, b1, W2, b2, … for two
    /// snapshot networks, and against the W{l}Offset/B{l}Offset constants and the Layers block of their snapshots.</summary>
    [Theory]
    [InlineData("Samples.FootballNet",
        "[Network(Loss = Loss.BinaryCrossEntropy)] [Input(2)] [Dense(20, Activation.Relu)] [Dropout(0.86f)] [Dense(3, Activation.Relu)] [Dense(1, Activation.Sigmoid)] [L2(0.7f)]",
        // W1 20×2 at 0, b1 at 40; W2 3×20 at 60, b2 at 120; W3 1×3 at 123, b3 at 126.
        new[] { 0, 40, 60, 120, 123, 126 }, new[] { 0.86f, 1f, 1f }, "0.01f, 0.86f, W1Offset, B1Offset),")]
    [InlineData("Samples.Vision.TinyImageNet",
        "[Network(Loss = Loss.BinaryCrossEntropy)] [Input(8, 8, 1)] [Dense(16, Activation.LeakyRelu, LeakySlope = 0.2f)] [Dense(8, Activation.LeakyRelu)] [Dense(1, Activation.Sigmoid)]",
        // W1 16×64 at 0, b1 at 1024; W2 8×16 at 1040, b2 at 1168; W3 1×8 at 1176, b3 at 1184.
        new[] { 0, 1024, 1040, 1168, 1176, 1184 }, new[] { 1f, 1f, 1f }, "0.2f, 1f, W1Offset, B1Offset),")]
    public void Layer_descriptions_come_from_the_plan(string snapshot, string attributes, int[] offsets, float[] keep,
        string firstSlopeAndKeep)
    {
        NetworkPlan plan = PlanOf(attributes);
        string text = SnapshotAssert.Read(snapshot);
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            LayerPlan layer = plan.Layers[l];
            int index = l + 1;
            Assert.Equal("layers." + l, layer.TensorName);
            Assert.Equal(offsets[2 * l], layer.WeightOffset);
            Assert.Equal(offsets[2 * l + 1], layer.BiasOffset);
            Assert.Equal(keep[l], layer.KeepProbability);
            Assert.Contains("private const int W" + index + "Offset = " + offsets[2 * l] + ",", text);
            Assert.Contains("private const int B" + index + "Offset = " + offsets[2 * l + 1] + ",", text);
            Assert.Contains("global::NetGen.LayerDescription.Dense(" + index + ", \"layers." + l + "\", " + layer.Layer.Inputs + ", " +
                layer.Units + ", global::NetGen.Activation." + layer.G.Kind + ",", text);
        }
        Assert.Contains("            " + firstSlopeAndKeep + "\n", text); // leaky slope (the default 0.01 when unused), keep
    }

    /// <summary>A declared Name is the tensor name; a layer may take its own default name, layers.{l-1}.</summary>
    [Fact]
    public void Declared_names_are_the_tensor_names()
    {
        NetworkPlan plan = PlanOf("[Network(Loss = Loss.CrossEntropy)] [Input(4)] [Dense(16, Activation.Relu, Name = \"layers.0\")] "
            + "[Dense(8, Activation.Tanh, Name = \"encoder.fc2\")] [Dense(3, Activation.Softmax)]");
        Assert.Equal(new[] { "layers.0", "encoder.fc2", "layers.2" }, plan.Layers.Select(l => l.TensorName).ToArray());
        Assert.Equal("layers.0", plan.Layers[0].Layer.Name);
        Assert.Null(plan.Layers[2].Layer.Name);
    }
}
