using System;

namespace NetGen;

/// <summary>
/// Marks a <c>partial class</c> as a network: the NetGen generator reads this attribute and the layer
/// attributes beside it (in source order) and writes the class's forward pass, backward pass and update.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>The cost the network is trained on.</summary>
    public Loss Loss { get; set; } = Loss.BinaryCrossEntropy;

    /// <summary>How every weight matrix starts (a <see cref="DenseAttribute.Init"/> overrides it per layer). Biases start at 0.</summary>
    public Init Init { get; set; } = Init.He;

    /// <summary>The scale of <see cref="NetGen.Init.Normal"/>: W = randn × InitScale.</summary>
    public float InitScale { get; set; } = 0.01f;

    /// <summary>The seed of the parameterless constructor; the same seed gives the same parameters.</summary>
    public ulong Seed { get; set; } = 1;
}

/// <summary>The input of the network: its shape, flattened row-major for the dense layers (<c>[Input(64, 64, 3)]</c> is 12 288 features).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares an input of the given shape.</summary>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The declared shape.</summary>
    public int[] Shape { get; }
}

/// <summary>A fully connected layer: Z[l] = W[l]·A[l-1] + b[l], A[l] = g(Z[l]). Layers are read in source order.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a dense layer of <paramref name="units"/> units with the activation g.</summary>
    public DenseAttribute(int units, Activation activation)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>n[l], the number of units.</summary>
    public int Units { get; }

    /// <summary>g[l], the activation.</summary>
    public Activation Activation { get; }

    /// <summary>Optional n[l-1]: when set, the generator checks it against the size of the layer below.</summary>
    public int Inputs { get; set; }

    /// <summary>The slope of <see cref="NetGen.Activation.LeakyRelu"/> for z &lt; 0.</summary>
    public float LeakySlope { get; set; } = 0.01f;

    /// <summary>Overrides the network's <see cref="NetworkAttribute.Init"/> for this layer's weights.</summary>
    public Init Init { get; set; }

    /// <summary>Overrides the network's <see cref="L2Attribute"/> λ for this layer's weights (0 turns it off here); NaN inherits.</summary>
    public float L2 { get; set; } = float.NaN;

    /// <summary>Overrides the network's <see cref="L1Attribute"/> λ for this layer's weights (0 turns it off here); NaN inherits.</summary>
    public float L1 { get; set; } = float.NaN;

    /// <summary>The prefix of this layer's tensor names in weight files: <c>Name = "fc1"</c> reads and writes
    /// <c>fc1.weight</c> and <c>fc1.bias</c>. Unset, the layer is NetGen's <c>layers.{l-1}</c>. The generator checks
    /// that it is not empty, holds no whitespace, quote, backslash or control character, does not start or end with
    /// '.' (NG0109), is unique in the network (NG0110) and is not another layer's default name (NG0111). Dots inside
    /// are fine: <c>"encoder.fc1"</c> matches a nested PyTorch module.</summary>
    public string? Name { get; set; }
}

/// <summary>A 2-D convolution layer (PyTorch's <c>Conv2d</c>, a cross-correlation): Z[l][f] = Σ_c W[l][f, c] ⋆
/// A[l-1][c] + b[l][f], A[l] = g(Z[l]). Its input is the feature map below (the input image, or a conv or pool layer's
/// output), its output a map of <see cref="Filters"/> channels; W[l] is (filters, c_in, kh, kw) in
/// <see cref="INetwork.Parameters"/>, b[l] (filters). The generator infers every shape and reports a kernel that does not
/// fit as an error on this attribute.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>Declares a convolution of <paramref name="filters"/> filters of <paramref name="kernelSize"/> ×
    /// <paramref name="kernelSize"/> with the activation g.</summary>
    public Conv2DAttribute(int filters, int kernelSize, Activation activation)
    {
        Filters = filters;
        KernelSize = kernelSize;
        KernelHeight = kernelSize;
        KernelWidth = kernelSize;
        Activation = activation;
    }

    /// <summary>The number of filters: the channels of the output map.</summary>
    public int Filters { get; }

    /// <summary>The side of a square kernel (<see cref="KernelHeight"/> and <see cref="KernelWidth"/> override it).</summary>
    public int KernelSize { get; }

    /// <summary>g[l], the activation (element-wise; <see cref="NetGen.Activation.Softmax"/> is for a dense output).</summary>
    public Activation Activation { get; }

    /// <summary>kh, the kernel's height; <see cref="KernelSize"/> unless set.</summary>
    public int KernelHeight { get; set; }

    /// <summary>kw, the kernel's width; <see cref="KernelSize"/> unless set.</summary>
    public int KernelWidth { get; set; }

    /// <summary>The step between two windows, down and across; 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Valid (no padding, the default) or Same (the output keeps the input's size; stride 1 only).</summary>
    public Padding Padding { get; set; }

    /// <summary>The slope of <see cref="NetGen.Activation.LeakyRelu"/> for z &lt; 0.</summary>
    public float LeakySlope { get; set; } = 0.01f;

    /// <summary>Overrides the network's <see cref="NetworkAttribute.Init"/> for this layer's weights; fan-in is
    /// c_in·kh·kw and Glorot's fan-out filters·kh·kw, as PyTorch counts them.</summary>
    public Init Init { get; set; }

    /// <summary>Overrides the network's <see cref="L2Attribute"/> λ for this layer's weights (0 turns it off here); NaN inherits.</summary>
    public float L2 { get; set; } = float.NaN;

    /// <summary>Overrides the network's <see cref="L1Attribute"/> λ for this layer's weights (0 turns it off here); NaN inherits.</summary>
    public float L1 { get; set; } = float.NaN;

    /// <summary>The prefix of this layer's tensor names in weight files (<c>{Name}.weight</c>, <c>{Name}.bias</c>), with
    /// the rules of <see cref="DenseAttribute.Name"/>. Unset, the layer is NetGen's <c>layers.{l-1}</c>.</summary>
    public string? Name { get; set; }
}

/// <summary>A max-pooling layer: each channel's map is cut into windows of <see cref="Size"/> × <see cref="Size"/>, every
/// <see cref="Stride"/> pixels, and each window gives its largest value. No parameters. In training, the first maximum
/// of a window (in row-major order) receives its whole gradient.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : Attribute
{
    /// <summary>Declares max pooling over windows of <paramref name="size"/> × <paramref name="size"/>.</summary>
    public MaxPoolAttribute(int size)
    {
        Size = size;
        Stride = size;
    }

    /// <summary>The side of a window.</summary>
    public int Size { get; }

    /// <summary>The step between two windows; <see cref="Size"/> unless set (smaller makes windows overlap).</summary>
    public int Stride { get; set; }
}

/// <summary>An average-pooling layer: each channel's map is cut into windows of <see cref="Size"/> × <see cref="Size"/>,
/// every <see cref="Stride"/> pixels, and each window gives its mean. No parameters.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePoolAttribute : Attribute
{
    /// <summary>Declares average pooling over windows of <paramref name="size"/> × <paramref name="size"/>.</summary>
    public AveragePoolAttribute(int size)
    {
        Size = size;
        Stride = size;
    }

    /// <summary>The side of a window.</summary>
    public int Size { get; }

    /// <summary>The step between two windows; <see cref="Size"/> unless set (smaller makes windows overlap).</summary>
    public int Stride { get; set; }
}

/// <summary>Inverted dropout on the activation of the dense or conv layer just above: during training each unit (each
/// value of a feature map) is kept with probability <see cref="KeepProbability"/> and scaled by 1/keep; prediction never
/// drops.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares dropout with keep probability <paramref name="keepProbability"/> in (0, 1].</summary>
    public DropoutAttribute(float keepProbability) => KeepProbability = keepProbability;

    /// <summary>The probability that a unit is kept.</summary>
    public float KeepProbability { get; }
}

/// <summary>L2 weight penalty: adds (λ/2m)·Σ‖W[l]‖²_F to the cost and (λ/m)·W[l] to dW[l]; biases are not penalised.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class L2Attribute : Attribute
{
    /// <summary>Declares an L2 penalty of strength λ ≥ 0.</summary>
    public L2Attribute(float lambda) => Lambda = lambda;

    /// <summary>λ.</summary>
    public float Lambda { get; }
}

/// <summary>L1 weight penalty: adds (λ/2m)·Σ‖W[l]‖₁ to the cost and (λ/2m)·sign(W[l]) to dW[l]; biases are not penalised.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class L1Attribute : Attribute
{
    /// <summary>Declares an L1 penalty of strength λ ≥ 0.</summary>
    public L1Attribute(float lambda) => Lambda = lambda;

    /// <summary>λ.</summary>
    public float Lambda { get; }
}

/// <summary>
/// Compiles a trained network's parameters into the assembly from a safetensors file (issue 13): the generator checks
/// the file against the declared layers while compiling (NG05xx diagnostics on this attribute) and writes its weights as
/// static data, from which the parameterless constructor starts instead of a random draw; the seeded constructor still
/// draws, and the network stays trainable. The file must be listed in the project file as
/// <c>&lt;ItemGroup&gt;&lt;NetGenWeights Include="models/iris.safetensors" /&gt;&lt;/ItemGroup&gt;</c>: the package's build
/// step carries it to the generator, which reads no file itself. Tensor names follow <c>LoadSafetensors</c>'s rules
/// (the layers' declared names, NetGen's <c>layers.{l-1}</c>, or a PyTorch <c>nn.Sequential</c>'s <c>0.weight</c>,
/// <c>2.weight</c>, …); F16, BF16 and F64 are converted to float32 at build time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WeightsAttribute : Attribute
{
    /// <summary>Compiles in the parameters of the safetensors file at <paramref name="path"/>, relative to the project
    /// directory (the folder of the .csproj), as the project's <c>NetGenWeights</c> item names it.</summary>
    public WeightsAttribute(string path) => Path = path;

    /// <summary>The safetensors file, relative to the project directory.</summary>
    public string Path { get; }
}
