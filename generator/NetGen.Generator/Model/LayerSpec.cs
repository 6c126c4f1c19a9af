namespace NetGen.Generator.Model;

/// <summary>One dense layer l: Z[l] = W[l]·A[l-1] + b[l] with W[l] of shape (Units, Inputs), A[l] = g(Z[l]).</summary>
/// <param name="Index">l, 1-based as in the notes.</param>
/// <param name="Inputs">n[l-1].</param>
/// <param name="Units">n[l].</param>
/// <param name="Init">The resolved initialisation of W[l] (never Default).</param>
internal sealed record LayerSpec(int Index, int Inputs, int Units, ActivationKind Activation, float LeakySlope, InitKind Init)
{
    public int WeightCount => Units * Inputs;
}
