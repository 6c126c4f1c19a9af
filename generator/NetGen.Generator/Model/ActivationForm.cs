namespace NetGen.Generator.Model;

/// <summary>
/// Everything the emitter writes about one activation g, in one place: its name, the notes' formulas for g and g′, and
/// the kernels that compute them. Formulas are templates: {z}, {a} and {da} stand for the layer's Z, A and dA, {s} for
/// the leaky slope.
/// </summary>
/// <param name="Kind">The activation.</param>
/// <param name="Forward">Kernels.{Forward}(Z, A): g over a buffer, and Kernels.{Forward}(z) over one value; null for linear.</param>
/// <param name="Function">The struct the fused product kernels take (softmax: the identity, applied over the row after).</param>
/// <param name="Backward">Kernels.{Backward}(A or Z, dA, dZ): dZ = dA ⊙ g′; null for linear.</param>
/// <param name="BackwardFromZ">The kernel that computes g′ from Z where g′ usually reads A (used once dropout has scaled
/// A); null where <paramref name="Backward"/> already reads Z, or for softmax (never dropped: output only).</param>
/// <param name="GPrimeReadsZ">Whether <paramref name="Backward"/> reads Z (ReLU-like) rather than A.</param>
/// <param name="TakesSlope">The kernels take the leaky slope as their last argument.</param>
/// <param name="RowWise">g works within one sample (softmax): its kernels take m and n[l], and it cannot run in a
/// product kernel's registers.</param>
/// <param name="Formula">g: "max(0, {z})".</param>
/// <param name="Derivative">dZ = dA ⊙ g′ from the buffer <paramref name="Backward"/> reads.</param>
/// <param name="DerivativeFromZ">dZ = dA ⊙ g′ written from Z, for <paramref name="BackwardFromZ"/>.</param>
/// <param name="DerivativeFromA">dZ = dA ⊙ g′ written from A where <paramref name="Backward"/> reads Z but may read A
/// instead (ReLU-like: A &gt; 0 exactly where Z &gt; 0, the same kernel on either); null where it may not.</param>
/// <param name="DerivativeOfA">The struct that computes g′ from A alone, which the layer above's backward product
/// multiplies its dA by as it stores it (sigmoid, tanh; ReLU and leaky ReLU where they read g′ from A); null for
/// softmax.</param>
internal sealed record ActivationForm(
    Activation Kind,
    string? Forward,
    string Function,
    string? Backward,
    string? BackwardFromZ,
    bool GPrimeReadsZ,
    bool TakesSlope,
    bool RowWise,
    string Formula,
    string Derivative,
    string? DerivativeFromZ,
    string? DerivativeFromA = null,
    string? DerivativeOfA = null)
{
    public static readonly ActivationForm Linear = new(Activation.Linear, null, "IdentityFunction", null, null,
        false, false, false, "{z}", "{da}", null);

    public static readonly ActivationForm Sigmoid = new(Activation.Sigmoid, "Sigmoid", "SigmoidFunction",
        "SigmoidBackward", "SigmoidBackwardFromZ", false, false, false,
        "σ({z})", "{da} ⊙ {a} ⊙ (1 − {a})", "{da} ⊙ σ({z}) ⊙ (1 − σ({z}))", null, "SigmoidDerivative");

    public static readonly ActivationForm Tanh = new(Activation.Tanh, "Tanh", "TanhFunction",
        "TanhBackward", "TanhBackwardFromZ", false, false, false,
        "tanh({z})", "{da} ⊙ (1 − {a}²)", "{da} ⊙ (1 − tanh²({z}))", null, "TanhDerivative");

    public static readonly ActivationForm Relu = new(Activation.Relu, "Relu", "ReluFunction",
        "ReluBackward", null, true, false, false,
        "max(0, {z})", "{da} ⊙ ({z} > 0)", null, "{da} ⊙ ({a} > 0)", "ReluDerivative");

    public static readonly ActivationForm LeakyRelu = new(Activation.LeakyRelu, "LeakyRelu", "LeakyReluFunction",
        "LeakyReluBackward", null, true, true, false,
        "{z} > 0 ? {z} : {s}·{z}", "{da} ⊙ ({z} > 0 ? 1 : {s})", null, "{da} ⊙ ({a} > 0 ? 1 : {s})",
        "LeakyReluDerivative");

    public static readonly ActivationForm Softmax = new(Activation.Softmax, "Softmax", "IdentityFunction",
        "SoftmaxBackward", null, false, false, true,
        "softmax({z}), row by row", "{a} ⊙ ({da} − Σ {da} ⊙ {a}), row by row", null);

    public static ActivationForm Of(Activation activation) => activation switch
    {
        Activation.Sigmoid => Sigmoid,
        Activation.Tanh => Tanh,
        Activation.Relu => Relu,
        Activation.LeakyRelu => LeakyRelu,
        Activation.Softmax => Softmax,
        _ => Linear,
    };

    /// <summary>Whether A is Z itself (no activation pass, no g′ step).</summary>
    public bool IsLinear => Kind == Activation.Linear;

    /// <summary>Fills a formula template with the layer's names.</summary>
    public static string Fill(string template, string z, string a, string da, string slope)
        => template.Replace("{z}", z).Replace("{a}", a).Replace("{da}", da).Replace("{s}", slope);
}
