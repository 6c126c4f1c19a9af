namespace NetGen.Generator.Model;

/// <summary>
/// One layer l. Dense: Z[l] = W[l]·A[l-1] + b[l] with W[l] of shape (Units, Inputs), A[l] = g(Z[l]). Conv2D and the
/// pools read and write feature maps (<see cref="Map"/>): Inputs and Units are then the floats of one sample's input
/// and output map (c·h·w), channel planes per sample.
/// </summary>
/// <param name="Index">l, 1-based as in the notes; every layer counts (conv, pool and dense).</param>
/// <param name="Inputs">n[l-1]: the floats of one sample the layer reads.</param>
/// <param name="Units">n[l]: the floats of one sample the layer writes.</param>
/// <param name="Init">The resolved initialisation of W[l] (never Default).</param>
/// <param name="L2">λ of the L2 penalty on W[l]; 0 for none.</param>
/// <param name="L1">λ of the L1 penalty on W[l]; 0 for none.</param>
/// <param name="KeepProbability">The keep probability of inverted dropout on A[l]; 0 for no dropout.</param>
/// <param name="Name">The declared <c>Name</c>, the prefix of the layer's tensor names; null for NetGen's
/// <c>layers.{l-1}</c>.</param>
/// <param name="Kind">Dense, Conv2D, MaxPool or AveragePool.</param>
/// <param name="Map">The shapes of a conv or pool layer; null for a dense layer.</param>
internal sealed record LayerSpec(int Index, int Inputs, int Units, Activation Activation, float LeakySlope, Init Init,
    float L2 = 0f, float L1 = 0f, float KeepProbability = 0f, string? Name = null, LayerKind Kind = LayerKind.Dense,
    MapShape? Map = null)
{
    /// <summary>The prefix of the layer's tensor names in weight files: the declared name or <c>layers.{l-1}</c>.</summary>
    public string TensorName => Name ?? NetGen.TensorNames.DefaultName(Index);

    /// <summary>The floats of W[l]: n[l]·n[l-1] (dense), filters·c_in·kh·kw (conv), 0 (pool).</summary>
    public int WeightCount => Kind switch
    {
        LayerKind.Dense => Units * Inputs,
        LayerKind.Conv2D => Map!.OutChannels * Map.InChannels * Map.KernelHeight * Map.KernelWidth,
        _ => 0,
    };

    /// <summary>The floats of b[l]: n[l] (dense), filters (conv), 0 (pool).</summary>
    public int BiasCount => Kind switch
    {
        LayerKind.Dense => Units,
        LayerKind.Conv2D => Map!.OutChannels,
        _ => 0,
    };

    /// <summary>Whether the layer has W[l] and b[l] (dense and conv; a pool has none).</summary>
    public bool HasParameters => Kind is LayerKind.Dense or LayerKind.Conv2D;

    public bool IsPool => Kind is LayerKind.MaxPool or LayerKind.AveragePool;

    /// <summary>Whether the layer reads and writes feature maps (conv and pools).</summary>
    public bool IsMap => Kind != LayerKind.Dense;

    /// <summary>The fan-in of W[l] for He, LeCun and Glorot: n[l-1] (dense), c_in·kh·kw (conv, PyTorch's).</summary>
    public int FanIn => Kind == LayerKind.Conv2D ? Map!.InChannels * Map.KernelHeight * Map.KernelWidth : Inputs;

    /// <summary>The fan-out of W[l] for Glorot: n[l] (dense), filters·kh·kw (conv, PyTorch's).</summary>
    public int FanOut => Kind == LayerKind.Conv2D ? Map!.OutChannels * Map.KernelHeight * Map.KernelWidth : Units;

    public bool HasDropout => KeepProbability > 0f;
}

/// <summary>The shapes of a conv or pool layer: its input and output maps (height, width, channels), its window (kernel
/// or pool size), stride and the zero rows and columns above and left of the input (conv with Padding.Same).</summary>
internal sealed record MapShape(int InHeight, int InWidth, int InChannels, int OutHeight, int OutWidth, int OutChannels,
    int KernelHeight, int KernelWidth, int Stride, int PadTop = 0, int PadLeft = 0)
{
    /// <summary>"28 × 28 × 6".</summary>
    public string Output => OutHeight + " × " + OutWidth + " × " + OutChannels;

    /// <summary>"28 × 28 × 1".</summary>
    public string Input => InHeight + " × " + InWidth + " × " + InChannels;
}
