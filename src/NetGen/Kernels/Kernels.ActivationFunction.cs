using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// For generated code only, not for direct use: an activation g as a value type (the structs in <see cref="Kernels"/>),
/// so that a kernel generic over it applies g inside its own loop, in registers, where the product was just computed:
/// no second pass over the outputs, and (a struct type argument) no virtual call — the JIT compiles one copy of the
/// kernel per activation with g inlined. Public because the code NetGen writes into your assembly names it; hidden from
/// IntelliSense, and its members change with the generator (choose an activation with the <c>Activation</c> enum).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IActivationFunction
{
    /// <summary>g(z) for one value.</summary>
    float Apply(float z);

    /// <summary>g(z) for 4 values at once; equal to <see cref="Apply(float)"/> in every lane to within an ulp or two.</summary>
    Vector128<float> Apply(Vector128<float> z);

    /// <summary>g(z) for 8 values at once; equal to <see cref="Apply(float)"/> in every lane to within an ulp or two.</summary>
    Vector256<float> Apply(Vector256<float> z);

    /// <summary>g(z) for 16 values at once; equal to <see cref="Apply(float)"/> in every lane to within an ulp or two.</summary>
    Vector512<float> Apply(Vector512<float> z);
}

public static partial class Kernels
{
    /// <summary>g(z) = z: the linear layer, and the layer under a softmax (which needs the whole row first).</summary>
    public readonly struct IdentityFunction : IActivationFunction
    {
        /// <inheritdoc/>
        public float Apply(float z) => z;

        /// <inheritdoc/>
        public Vector128<float> Apply(Vector128<float> z) => z;

        /// <inheritdoc/>
        public Vector256<float> Apply(Vector256<float> z) => z;

        /// <inheritdoc/>
        public Vector512<float> Apply(Vector512<float> z) => z;
    }
}
