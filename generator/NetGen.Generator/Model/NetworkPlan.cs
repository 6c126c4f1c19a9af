using System.Collections.Generic;
using NetGen.Generator.Helpers;

namespace NetGen.Generator.Model;

/// <summary>Where a batch's buffers keep their samples.</summary>
internal enum Layout
{
    /// <summary>m × n[l], one sample per row: the layout of X and Y; vectors run along a layer.</summary>
    SamplesAsRows,
    /// <summary>n[l] × m, one sample per column: the notes' layout; vectors run across samples.</summary>
    SamplesAsColumns,
}

/// <summary>The buffer the backward pass reads g′ from.</summary>
internal enum GPrimeSource
{
    /// <summary>No g′ step: a linear layer, or an output whose dZ comes straight from the loss.</summary>
    None,
    Z,
    A,
}

/// <summary>How Predict computes one layer for one sample (when the network does not predict in registers).</summary>
internal enum OneSampleStrategy
{
    /// <summary>Every multiply written out, each sum as a balanced tree: no loop, no call.</summary>
    Unrolled,
    /// <summary>Kernels.DenseForwardOne, g applied in registers.</summary>
    Kernel,
}

/// <summary>One buffer of the batch workspace: <paramref name="Width"/> floats per sample, or another buffer itself.</summary>
internal sealed record BufferPlan(string Name, int Width, string? AliasOf = null);

/// <summary>The decisions about one layer, made once: what the emitter then writes, it only spells out.</summary>
/// <param name="FusedActivation">The batch forward applies g inside the product kernel (one pass, Z kept only when
/// asked for).</param>
/// <param name="FusedOutput">dZ[L] = A[L] − Y comes straight from the loss, with no g′ step.</param>
/// <param name="GPrimeReads">Which forward buffer the g′ step reads.</param>
/// <param name="BackwardReadsParameters">Backward needs W[l]: for dA[l-1] (every layer but the first).</param>
/// <param name="Buffers">The layer's blocks of the batch workspace: Z, A (Z itself when linear), dZ, and D with dropout.</param>
/// <param name="WeightOffset">Where W[l] starts in the parameter block.</param>
/// <param name="BiasOffset">Where b[l] starts in the parameter block.</param>
/// <param name="KeepsZ">The training forward writes Z[l]: g′ or the cost reads it. Otherwise only A[l] is written (in
/// the product kernel's registers where the activation is fused) and Z[l]'s buffer is left alone.</param>
/// <param name="GPrimeAbove">dZ[l] = dA[l] ⊙ g′ is formed by the layer above's backward, as its product
/// W[l+1]ᵀ·dZ[l+1] is stored (dense layers, samples as columns or rows; g′ of A[l], which that layer reads anyway):
/// this layer's backward receives dZ[l] and has no g′ step (<see cref="GPrimeReads"/> is then None).</param>
internal sealed record LayerPlan(
    LayerSpec Layer,
    ActivationForm G,
    bool FusedActivation,
    bool FusedOutput,
    GPrimeSource GPrimeReads,
    OneSampleStrategy OneSample,
    bool BackwardReadsParameters,
    EquatableArray<BufferPlan> Buffers,
    int WeightOffset = 0,
    int BiasOffset = 0,
    bool KeepsZ = true,
    bool GPrimeAbove = false)
{
    /// <summary>The prefix of the layer's tensor names in weight files: the declared name or <c>layers.{l-1}</c>.</summary>
    public string TensorName => Layer.TensorName;

    /// <summary>The keep probability of the dropout on A[l] as <c>LayerDescription</c> reports it: 1 without dropout.</summary>
    public float KeepProbability => Layer.HasDropout ? Layer.KeepProbability : 1f;

    public int Index => Layer.Index;

    public int Units => Layer.Units;

    /// <summary>"Relu", "LeakyRelu(0.01)": the activation as the Architecture string names it.</summary>
    public string ActivationName => G.TakesSlope
        ? G.Kind + "(" + NetworkGenerator.Parser.Format(Layer.LeakySlope) + ")"
        : G.Kind.ToString();

    /// <summary>A[l] = g(<paramref name="z"/>) in the notes' notation.</summary>
    public string Formula(string z) => ActivationForm.Fill(G.Formula, z, "A" + Index, "dA" + Index, Slope);

    /// <summary>dZ[l] = dA[l] ⊙ g′ in the notes' notation, read from the buffer the plan chose.</summary>
    public string DerivativeFormula()
    {
        string template = GPrimeReads == GPrimeSource.Z && G.DerivativeFromZ is not null ? G.DerivativeFromZ
            : GPrimeReads == GPrimeSource.A && G.GPrimeReadsZ && G.DerivativeFromA is not null ? G.DerivativeFromA
            : G.Derivative;
        return ActivationForm.Fill(template, "Z" + Index, "A" + Index, "dA" + Index, Slope);
    }

    private string Slope => NetworkGenerator.Parser.Format(Layer.LeakySlope);
}

/// <summary>
/// The plan of a network: the layout of its batches, how it predicts one sample, and per layer what its passes do and
/// which buffers they need. Computed once from the spec (<see cref="Of"/>) before any text is written.
/// </summary>
/// <param name="TransposesX">With samples as columns and more than one feature, X turns into A0 = Xᵀ at the start.</param>
/// <param name="TransposesY">With samples as columns and more than one output, Y turns into Yᵀ (and A[L] back into Y).</param>
/// <param name="Buffers">The batch workspace, in order: A0 and Yt when transposed, then each layer's.</param>
/// <param name="WorkspacePerSample">The floats of the workspace per sample: the buffers that are not aliases.</param>
/// <param name="PredictHiddenFloats">The hidden activations of one sample, which Predict keeps.</param>
/// <param name="ReordersX">A network whose first layer is a conv or pool layer over more than one channel turns each
/// sample of X (h × w × c) into channel planes first (A0, <c>Kernels.ChannelsFirst</c>); over one channel A0 is X.</param>
internal sealed record NetworkPlan(
    NetworkSpec Spec,
    Layout Layout,
    bool PredictsInRegisters,
    bool TransposesX,
    bool TransposesY,
    EquatableArray<LayerPlan> Layers,
    EquatableArray<BufferPlan> Buffers,
    int WorkspacePerSample,
    int PredictHiddenFloats,
    bool ReordersX = false)
{
    /// <summary>The widest layer (or input) of a network whose batch buffers hold samples as columns.</summary>
    public const int ColumnsWidthLimit = 64;

    /// <summary>The widest input or layer whose A fits the two Vector512 the in-registers Predict gives each layer.</summary>
    public const int RegistersWidthLimit = 32;

    /// <summary>The largest W[l] (in weights) whose one-sample forward is written out in full.</summary>
    public const int UnrollLimit = 256;

    /// <summary>Predict keeps its activations on the stack up to this many floats, and rents them beyond.</summary>
    public const int StackLimit = 16 * 1024;

    public bool SamplesAsColumns => Layout == Layout.SamplesAsColumns;

    /// <summary>Predict's hidden activations fit the stack (else they are rented).</summary>
    public bool PredictOnStack => PredictHiddenFloats <= StackLimit;

    /// <summary>PredictClass keeps the outputs of one sample on the stack (else it rents them).</summary>
    public bool OutputOnStack => Spec.OutputSize <= StackLimit;

    public LayerPlan Output => Layers[Layers.Count - 1];

    /// <summary>The multiply-adds of one sample's forward pass: Σ n[l−1]·n[l] over the dense layers, and each conv
    /// layer's h_out·w_out·c_out·kh·kw·c_in (pools count none). The batch calls weigh a batch by it before they split
    /// it across cores (ShardPool.Plan).</summary>
    public long WorkPerSample
    {
        get
        {
            long work = 0;
            foreach (LayerSpec layer in Spec.Layers)
            {
                if (layer.Map is { } s)
                {
                    if (layer.Kind == LayerKind.Conv2D)
                        work += (long)s.OutHeight * s.OutWidth * s.OutChannels * s.KernelHeight * s.KernelWidth * s.InChannels;
                }
                else
                    work += (long)layer.Inputs * layer.Units;
            }
            return work;
        }
    }

    public static NetworkPlan Of(NetworkSpec spec)
    {
        Layout layout = ChooseLayout(spec);
        bool columns = layout == Layout.SamplesAsColumns;
        bool transposesX = columns && spec.InputSize > 1, transposesY = columns && spec.OutputSize > 1;
        bool reordersX = spec.Layers[0].IsMap && spec.InputChannels > 1;
        var buffers = new List<BufferPlan>();
        if (transposesX || reordersX) buffers.Add(new BufferPlan("A0", spec.InputSize));
        if (transposesY) buffers.Add(new BufferPlan("Yt", spec.OutputSize));
        var layers = new List<LayerPlan>();
        int hidden = 0, offset = 0;
        foreach (LayerSpec layer in spec.Layers)
        {
            // The parameter block is W1, b1, W2, b2, …: each layer's W then its b.
            LayerPlan plan = PlanLayer(spec, layer, columns) with
            {
                WeightOffset = offset,
                BiasOffset = offset + layer.WeightCount,
            };
            offset += layer.WeightCount + layer.BiasCount;
            layers.Add(plan);
            buffers.AddRange(plan.Buffers);
            if (layer.Index < spec.Layers.Count) hidden += layer.Units;
        }
        // A dense layer whose g′ is read off its A (sigmoid, tanh, ReLU-like) under a dense layer has it applied by the
        // layer above's backward product, which stores dZ[l] = (W[l+1]ᵀ·dZ[l+1]) ⊙ g′ at once, samples as columns or
        // as rows: dA[l] is never stored and read back.
        for (int i = 0; i + 1 < layers.Count; i++)
            if (layers[i].G.DerivativeOfA is not null && layers[i].GPrimeReads == GPrimeSource.A && !layers[i].Layer.HasDropout &&
                !layers[i].Layer.IsMap && !layers[i + 1].Layer.IsMap)
                layers[i] = layers[i] with { GPrimeReads = GPrimeSource.None, GPrimeAbove = true };
        int perSample = 0;
        foreach (BufferPlan buffer in buffers)
            if (buffer.AliasOf is null) perSample += buffer.Width;
        return new NetworkPlan(spec, layout, FitsRegisters(spec), transposesX, transposesY, layers.ToEquatableArray(),
            buffers.ToEquatableArray(), perSample, hidden, reordersX);
    }

    /// <summary>
    /// Narrow networks keep their batch buffers with samples as columns — the notes' own layout, n[l] × m — so that
    /// the vectors run across samples where a layer is too narrow to fill them; wider ones keep samples as rows
    /// (the layout of X and Y), where the vectors run along a layer. Softmax, which works within one sample, keeps rows.
    /// </summary>
    private static Layout ChooseLayout(NetworkSpec spec)
    {
        // Feature maps are channel planes per sample, one sample after another: the conv and pool kernels' layout.
        if (spec.HasMaps || spec.InputSize > ColumnsWidthLimit) return Layout.SamplesAsRows;
        foreach (LayerSpec layer in spec.Layers)
            if (layer.Units > ColumnsWidthLimit || ActivationForm.Of(layer.Activation).RowWise) return Layout.SamplesAsRows;
        return Layout.SamplesAsColumns;
    }

    /// <summary>
    /// Small networks — input and every layer at most 32 wide — predict one sample with each layer's A held in one or
    /// two Vector512 from input to output, every size and offset written in as a constant: no buffer, no loop, no call.
    /// </summary>
    private static bool FitsRegisters(NetworkSpec spec)
    {
        if (spec.HasMaps || spec.InputSize > RegistersWidthLimit) return false;
        foreach (LayerSpec layer in spec.Layers)
            if (layer.Units > RegistersWidthLimit) return false;
        return true;
    }

    private static LayerPlan PlanLayer(NetworkSpec spec, LayerSpec layer, bool columns)
    {
        ActivationForm g = ActivationForm.Of(layer.Activation);
        bool last = layer.Index == spec.Layers.Count;
        bool fusedOutput = last &&
            ((spec.Loss == Loss.BinaryCrossEntropy && g.Kind == Activation.Sigmoid) ||
             (spec.Loss == Loss.CrossEntropy && g.Kind == Activation.Softmax));
        // Sigmoid, tanh and softmax read g′ from A — unless dropout has scaled A, in which case sigmoid and tanh take g′
        // from Z. ReLU and leaky ReLU (slope ≥ 0) read it from A too in a hidden dense layer without dropout (A > 0
        // exactly where Z > 0), so that the forward pass need not write Z at all; elsewhere from Z.
        bool reluFromA = !layer.IsMap && !last && !layer.HasDropout &&
            (g.Kind == Activation.Relu || (g.Kind == Activation.LeakyRelu && layer.LeakySlope >= 0f));
        GPrimeSource gPrime = g.IsLinear || fusedOutput ? GPrimeSource.None
            : reluFromA ? GPrimeSource.A
            : g.GPrimeReadsZ || layer.HasDropout ? GPrimeSource.Z : GPrimeSource.A;
        // Z is written when g′ reads it, or for the output layer (whose cost may read the logits); a linear layer's A
        // is its Z.
        bool keepsZ = layer.IsMap || last || g.IsLinear || gPrime == GPrimeSource.Z;
        // g is applied inside the product kernel, in registers, wherever the kernel can: with samples as columns for
        // every element-wise g (the column kernels store Z, A or both), with samples as rows where Z is not kept (the
        // row kernels store one of them).
        bool fusedActivation = !layer.IsMap && !g.IsLinear && !g.RowWise && (columns || !keepsZ);
        // Layers of fewer than 8 units get a one-sample forward with every multiply written out: no loop, no call, no
        // bounds check once the slices are taken, and each sum as a balanced tree so that its adds overlap. (Wider
        // ones fill a vector with their outputs, and the kernel wins.)
        OneSampleStrategy oneSample = !layer.IsMap && layer.Units < 8 && layer.WeightCount <= UnrollLimit && layer.Inputs <= 64
            ? OneSampleStrategy.Unrolled : OneSampleStrategy.Kernel;
        string l = layer.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var buffers = new List<BufferPlan>
        {
            new("Z" + l, layer.Units),
            new("A" + l, layer.Units, g.IsLinear ? "Z" + l : null),
            new("dZ" + l, layer.Units),
        };
        if (layer.HasDropout) buffers.Add(new BufferPlan("D" + l, layer.Units));
        // A pool reads no parameters; a conv or dense layer needs W[l] for dA[l-1] (every layer but the first). The
        // penalties' gradients are added once for the batch, after the shards (AddPenaltyGradients), not here.
        bool readsParameters = layer.HasParameters && layer.Index > 1;
        return new LayerPlan(layer, g, fusedActivation, fusedOutput, gPrime, oneSample, readsParameters,
            buffers.ToEquatableArray(), KeepsZ: keepsZ);
    }
}
