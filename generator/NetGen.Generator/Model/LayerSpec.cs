namespace NetGen.Generator.Model;

/// <summary>One dense layer l: Z[l] = W[l]·A[l-1] + b[l] with W[l] of shape (Units, Inputs), A[l] = g(Z[l]).</summary>
/// <param name="Index">l, 1-based as in the notes.</param>
/// <param name="Inputs">n[l-1].</param>
/// <param name="Units">n[l].</param>
/// <param name="Init">The resolved initialisation of W[l] (never Default).</param>
/// <param name="L2">λ of the L2 penalty on W[l]; 0 for none.</param>
/// <param name="L1">λ of the L1 penalty on W[l]; 0 for none.</param>
/// <param name="KeepProbability">The keep probability of inverted dropout on A[l]; 0 for no dropout.</param>
/// <param name="Name">The declared <c>[Dense(Name = …)]</c>, the prefix of the layer's tensor names; null for NetGen's
/// <c>layers.{l-1}</c>.</param>
internal sealed record LayerSpec(int Index, int Inputs, int Units, Activation Activation, float LeakySlope, Init Init,
    float L2 = 0f, float L1 = 0f, float KeepProbability = 0f, string? Name = null)
{
    /// <summary>The prefix of the layer's tensor names in weight files: the declared name or <c>layers.{l-1}</c>.</summary>
    public string TensorName => Name ?? NetGen.TensorNames.DefaultName(Index);

    public int WeightCount => Units * Inputs;

    public bool HasDropout => KeepProbability > 0f;
}
