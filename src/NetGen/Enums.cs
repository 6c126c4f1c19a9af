namespace NetGen;

/// <summary>The activation g of a dense or conv layer.</summary>
public enum Activation
{
    /// <summary>g(z) = z.</summary>
    Linear = 0,
    /// <summary>g(z) = 1 / (1 + e^−z); g′ = a(1 − a).</summary>
    Sigmoid = 1,
    /// <summary>g(z) = tanh z; g′ = 1 − a².</summary>
    Tanh = 2,
    /// <summary>g(z) = max(0, z); g′ = 1 where z &gt; 0, else 0.</summary>
    Relu = 3,
    /// <summary>g(z) = z for z &gt; 0, else slope·z; g′ = 1 or slope.</summary>
    LeakyRelu = 4,
    /// <summary>g(z)_j = e^z_j / Σ_k e^z_k over the units of one sample; output layer only.</summary>
    Softmax = 5,
}

/// <summary>The cost J that training minimises, averaged over the m samples of a batch.</summary>
public enum Loss
{
    /// <summary>J = −(1/m) Σ [y log a + (1−y) log(1−a)]; needs a sigmoid output.</summary>
    BinaryCrossEntropy = 0,
    /// <summary>J = −(1/m) Σ y·log softmax(z); needs a softmax output of at least 2 units.</summary>
    CrossEntropy = 1,
    /// <summary>J = (1/m) Σ ½‖a − y‖².</summary>
    MeanSquaredError = 2,
}

/// <summary>How a weight matrix W[l] of shape (n[l], n[l-1]) starts. Biases always start at 0.</summary>
public enum Init
{
    /// <summary>Inherit the network's setting (only meaningful on <see cref="DenseAttribute.Init"/>).</summary>
    Default = 0,
    /// <summary>W = 0: every hidden unit then computes the same function (the symmetry problem); the generator warns.</summary>
    Zeros = 1,
    /// <summary>W = randn × InitScale (0.01 by default).</summary>
    Normal = 2,
    /// <summary>W = randn / √n[l-1].</summary>
    LeCun = 3,
    /// <summary>W = randn · √(2 / (n[l-1] + n[l])).</summary>
    Glorot = 4,
    /// <summary>W = randn · √(2 / n[l-1]).</summary>
    He = 5,
}

/// <summary>What a layer computes, as <see cref="LayerDescription.Kind"/> reports it.</summary>
public enum LayerKind
{
    /// <summary>Fully connected: Z[l] = W[l]·A[l-1] + b[l], A[l] = g(Z[l]); after a feature map it reads the map
    /// flattened in (c, h, w) order, PyTorch's <c>nn.Flatten</c>.</summary>
    Dense = 0,
    /// <summary>2-D convolution (PyTorch's cross-correlation): Z[l] = W[l] ⋆ A[l-1] + b[l], A[l] = g(Z[l]), with W[l]
    /// of shape (filters, c_in, kh, kw).</summary>
    Conv2D = 1,
    /// <summary>Max pooling: each output is the largest value of its window, per channel; no parameters.</summary>
    MaxPool = 2,
    /// <summary>Average pooling: each output is the mean of its window, per channel; no parameters.</summary>
    AveragePool = 3,
}

/// <summary>How a convolution treats the border of its input.</summary>
public enum Padding
{
    /// <summary>No padding: the output is ⌊(n − k) / stride⌋ + 1 along each side.</summary>
    Valid = 0,
    /// <summary>Zeros around the input so that the output has the input's size (stride 1 only): k − 1 in all along each
    /// side, the extra row or column at the bottom or right when k is even (PyTorch's <c>padding='same'</c>).</summary>
    Same = 1,
}
