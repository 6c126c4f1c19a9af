using System;
using System.Linq;
using System.Threading.Tasks;

namespace NetGen.Tests.Reference;

/// <summary>
/// One dense layer of a <see cref="ReferenceNetwork"/>: n[l] units, g[l] and its leaky-ReLU slope; optionally an
/// inverted dropout on its activation (<see cref="Keep"/>) and this layer's own L2 and L1 strengths λ (already
/// resolved: the reference has no inheritance from a network-wide λ).
/// </summary>
public readonly record struct LayerSpec(int Units, Activation Activation, double LeakySlope = 0.01)
{
    /// <summary>Dense (the default), Conv2D (<see cref="Units"/> filters), MaxPool or AveragePool.</summary>
    public LayerKind Kind { get; init; }

    /// <summary>kh of a conv layer, the window's height of a pool.</summary>
    public int KernelHeight { get; init; }

    /// <summary>kw of a conv layer, the window's width of a pool.</summary>
    public int KernelWidth { get; init; }

    /// <summary>The step between two windows of a conv or pool layer.</summary>
    public int Stride { get; init; }

    /// <summary>A conv layer padded as PyTorch's padding='same' (stride 1): k − 1 zeros along each side, ⌊(k − 1)/2⌋
    /// of them above or left.</summary>
    public bool Same { get; init; }

    /// <summary>A conv layer of <paramref name="filters"/> filters of kh × kw.</summary>
    public static LayerSpec Conv(int filters, int kh, int kw, Activation activation, int stride = 1, bool same = false,
        double leakySlope = 0.01)
        => new(filters, activation, leakySlope) { Kind = LayerKind.Conv2D, KernelHeight = kh, KernelWidth = kw, Stride = stride, Same = same };

    /// <summary>A max or average pool over windows of size × size every stride pixels.</summary>
    public static LayerSpec Pool(LayerKind kind, int size, int stride)
        => new(0, Activation.Linear) { Kind = kind, KernelHeight = size, KernelWidth = size, Stride = stride };

    /// <summary>The keep probability of an inverted dropout on A[l]; null: no dropout.</summary>
    public double? Keep { get; init; }

    /// <summary>λ of this layer's L2 penalty (λ/2m)·‖W[l]‖²_F.</summary>
    public double L2 { get; init; }

    /// <summary>λ of this layer's L1 penalty (λ/2m)·‖W[l]‖₁.</summary>
    public double L1 { get; init; }
}

/// <summary>
/// The tests' one float64 yardstick: an independent double-precision implementation of DESIGN §3 in plain loops, using
/// nothing from NetGen but its enums, written from the notes' formulas and not from the generated code.
/// <list type="bullet">
/// <item>Z[l] = A[l-1]·W[l]ᵀ + b[l], A[l] = g(Z[l]) (rows are samples); in training (masks given),
///       A[l] ← A[l] ⊙ D[l] / keep[l].</item>
/// <item>J = data cost (BCE from Z via softplus, CE via log-sum-exp, MSE ½‖a − y‖²) / m
///       + Σ_l (λ2[l]/2m)·‖W[l]‖²_F + (λ1[l]/2m)·‖W[l]‖₁; biases are never penalised.</item>
/// <item>The gradient by central differences of J (masks held fixed), and analytically by
///       <see cref="Backpropagate"/> (checked against the differences by the reference's own tests).</item>
/// </list>
/// Parameters use the generated <c>Parameters</c> layout W1, b1, W2, b2, … (W[l] row-major, n[l] × n[l-1]). X is
/// m × n[0] and Y is m × n[L], rows are samples.
/// Conv and pool layers (issue 14) read and write maps, kept here as each sample's channel planes c × h × w (PyTorch's
/// layout), except X, read as the contract gives it, h × w × c per sample. Conv: Z[f, oy, ox] = b[f] +
/// Σ_c,ky,kx W[f, c, ky, kx]·A[c, oy·s − top + ky, ox·s − left + kx] (zero outside), W (filters, c_in, kh, kw); max
/// pool the largest of each window, average pool its mean; a dense layer reads the map below flattened in (c, h, w)
/// order (nn.Flatten). Their gradients are taken by central differences only (<see cref="Backpropagate"/> is dense). Masks use the generated keepMasks layout: each dropout layer in
/// order, m × n[l] row-major, 0 or 1. An empty mask span means prediction: nothing is dropped.
/// </summary>
public sealed class ReferenceNetwork
{
    private readonly LayerSpec[] _layers;
    private readonly int[] _n;        // n[0..L]
    private readonly int[] _w, _b;    // 1-based offsets of W[l], b[l]
    private readonly int[] _maskAt;   // 1-based: offset per sample-count unit of D[l] in the masks (−1: no dropout)
    private readonly int[] _h, _wd, _c; // the map of layer l (0: the input): height, width, channels; dense: 1, 1, n[l]
    private readonly int[] _padTop, _padLeft; // a conv layer's zeros above and left of its input

    /// <summary>A network n[0] → layers, trained on <paramref name="loss"/>. Softmax only on the output layer, no dropout
    /// there, binary cross-entropy only after a sigmoid and cross-entropy only after a softmax.</summary>
    public ReferenceNetwork(int inputSize, Loss loss, params LayerSpec[] layers)
        : this((1, 1, inputSize), loss, layers)
    {
    }

    /// <summary>A network over an image input of (height, width, channels) whose first layers may be conv and pool
    /// layers (no conv or pool after a dense layer).</summary>
    public ReferenceNetwork((int Height, int Width, int Channels) input, Loss loss, params LayerSpec[] layers)
    {
        if (layers.Length == 0) throw new ArgumentException("at least one layer", nameof(layers));
        if (layers[^1].Keep is not null) throw new ArgumentException("no dropout on the output layer", nameof(layers));
        for (int l = 1; l < layers.Length; l++)
            if (layers[l - 1].Activation == Activation.Softmax)
                throw new ArgumentException("softmax only on the output layer", nameof(layers));
        if (loss == Loss.BinaryCrossEntropy && layers[^1].Activation != Activation.Sigmoid)
            throw new ArgumentException("binary cross-entropy needs a sigmoid output", nameof(layers));
        if (loss == Loss.CrossEntropy && layers[^1].Activation != Activation.Softmax)
            throw new ArgumentException("cross-entropy needs a softmax output", nameof(layers));
        _layers = layers;
        Loss = loss;
        int L = layers.Length;
        _n = new int[L + 1];
        _w = new int[L + 1];
        _b = new int[L + 1];
        _maskAt = new int[L + 1];
        _h = new int[L + 1];
        _wd = new int[L + 1];
        _c = new int[L + 1];
        _padTop = new int[L + 1];
        _padLeft = new int[L + 1];
        (_h[0], _wd[0], _c[0]) = input;
        _n[0] = input.Height * input.Width * input.Channels;
        int offset = 0, maskUnits = 0;
        for (int l = 1; l <= L; l++)
        {
            LayerSpec layer = layers[l - 1];
            int kh = layer.KernelHeight, kw = layer.KernelWidth, s = layer.Stride;
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                    (_h[l], _wd[l], _c[l]) = (1, 1, layer.Units);
                    break;
                case LayerKind.Conv2D:
                    if (layers.Take(l - 1).Any(b => b.Kind == LayerKind.Dense)) throw new ArgumentException("conv after dense");
                    int padH = layer.Same ? kh - 1 : 0, padW = layer.Same ? kw - 1 : 0;
                    _padTop[l] = padH / 2;
                    _padLeft[l] = padW / 2;
                    (_h[l], _wd[l], _c[l]) = ((_h[l - 1] + padH - kh) / s + 1, (_wd[l - 1] + padW - kw) / s + 1, layer.Units);
                    break;
                default:
                    if (layers.Take(l - 1).Any(b => b.Kind == LayerKind.Dense)) throw new ArgumentException("pool after dense");
                    (_h[l], _wd[l], _c[l]) = ((_h[l - 1] - kh) / s + 1, (_wd[l - 1] - kw) / s + 1, _c[l - 1]);
                    break;
            }
            if (_h[l] < 1 || _wd[l] < 1) throw new ArgumentException($"layer {l} has no output", nameof(layers));
            _n[l] = _h[l] * _wd[l] * _c[l];
            _w[l] = offset;
            offset += WeightCount(l);
            _b[l] = offset;
            offset += BiasCount(l);
            _maskAt[l] = -1;
            if (layers[l - 1].Keep is double keep)
            {
                if (!(keep > 0 && keep <= 1)) throw new ArgumentException($"keep {keep} of layer {l}", nameof(layers));
                _maskAt[l] = maskUnits;
                maskUnits += _n[l];
            }
        }
        ParameterCount = offset;
        MaskUnitsPerSample = maskUnits;
    }

    /// <summary>The loss.</summary>
    public Loss Loss { get; }

    /// <summary>n[0].</summary>
    public int InputSize => _n[0];

    /// <summary>n[L].</summary>
    public int OutputSize => _n[^1];

    /// <summary>L.</summary>
    public int LayerCount => _layers.Length;

    /// <summary>Σ n[l]·n[l-1] + n[l].</summary>
    public int ParameterCount { get; }

    /// <summary>Σ n[l] over the layers with dropout: the keepMasks length is m times this.</summary>
    public int MaskUnitsPerSample { get; }

    /// <summary>n[l] for l = 0..L.</summary>
    public int Size(int l) => _n[l];

    /// <summary>The floats of W[l]: n[l]·n[l-1] (dense), filters·c_in·kh·kw (conv), 0 (pool).</summary>
    public int WeightCount(int l) => _layers[l - 1].Kind switch
    {
        LayerKind.Dense => _n[l] * _n[l - 1],
        LayerKind.Conv2D => _c[l] * _c[l - 1] * _layers[l - 1].KernelHeight * _layers[l - 1].KernelWidth,
        _ => 0,
    };

    /// <summary>The floats of b[l]: n[l] (dense), filters (conv), 0 (pool).</summary>
    public int BiasCount(int l) => _layers[l - 1].Kind switch
    {
        LayerKind.Dense => _n[l],
        LayerKind.Conv2D => _c[l],
        _ => 0,
    };

    /// <summary>The map layer l writes (l = 0: the input) as (height, width, channels); a dense layer's is (1, 1, n[l]).</summary>
    public (int Height, int Width, int Channels) MapShape(int l) => (_h[l], _wd[l], _c[l]);

    /// <summary>The layer l (1-based).</summary>
    public LayerSpec Layer(int l) => _layers[l - 1];

    /// <summary>The offset of W[l] (1-based) in the parameter vector.</summary>
    public int WeightOffset(int l) => _w[l];

    /// <summary>The offset of b[l] (1-based) in the parameter vector.</summary>
    public int BiasOffset(int l) => _b[l];

    /// <summary>True when index is in some W[l] (not a bias).</summary>
    public bool IsWeight(int index)
    {
        for (int l = 1; l <= LayerCount; l++)
            if (index >= _w[l] && index < _b[l]) return true;
        return false;
    }

    /// <summary>The layer (1-based) that parameter <paramref name="index"/> belongs to.</summary>
    public int LayerOf(int index)
    {
        for (int l = LayerCount; l >= 1; l--)
            if (index >= _w[l]) return l;
        throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>"W2[1,3]" or "b1[4]".</summary>
    public string Describe(int index)
    {
        int l = LayerOf(index);
        if (index >= _b[l]) return $"b{l}[{index - _b[l]}]";
        int k = index - _w[l];
        if (_layers[l - 1].Kind == LayerKind.Conv2D)
        {
            int kh = _layers[l - 1].KernelHeight, kw = _layers[l - 1].KernelWidth, cIn = _c[l - 1];
            return $"W{l}[{k / (cIn * kh * kw)},{k / (kh * kw) % cIn},{k / kw % kh},{k % kw}]";
        }
        return $"W{l}[{k / _n[l - 1]},{k % _n[l - 1]}]";
    }

    /// <summary>Random 0/1 masks, each unit kept with its layer's probability (keepMasks layout).</summary>
    public double[] DrawMasks(Random rng, int m)
    {
        var masks = new double[m * MaskUnitsPerSample];
        for (int l = 1; l <= LayerCount; l++)
        {
            if (_layers[l - 1].Keep is not double keep) continue;
            int start = m * _maskAt[l];
            for (int t = 0; t < m * _n[l]; t++)
                masks[start + t] = rng.NextDouble() < keep ? 1.0 : 0.0;
        }
        return masks;
    }

    /// <summary>
    /// The forward pass: Z[l] and A[l] for l = 1..L (index 0 unused), m × n[l] each. With <paramref name="masks"/>
    /// (training) A[l] of every dropout layer is A ⊙ D / keep; without (prediction) nothing is dropped.
    /// </summary>
    public (double[][] Z, double[][] A) Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> X, int m,
        ReadOnlySpan<double> masks = default)
    {
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m));
        if (theta.Length != ParameterCount) throw new ArgumentException($"θ holds {theta.Length}, expected {ParameterCount}");
        if (X.Length != m * _n[0]) throw new ArgumentException($"X holds {X.Length}, expected {m} × {_n[0]}");
        bool training = !masks.IsEmpty;
        if (training && masks.Length != m * MaskUnitsPerSample)
            throw new ArgumentException($"masks hold {masks.Length}, expected {m} × {MaskUnitsPerSample}");
        int L = LayerCount;
        var Z = new double[L + 1][];
        var A = new double[L + 1][];
        double[] below = X.ToArray();
        for (int l = 1; l <= L; l++)
        {
            int n = _n[l], nBelow = _n[l - 1];
            LayerSpec layer = _layers[l - 1];
            var z = new double[m * n];
            var a = new double[m * n];
            if (layer.Kind != LayerKind.Dense)
            {
                MapForward(l, theta, below, z, m);
                if (layer.Activation == Activation.Softmax)
                    Softmax(z, a, m, n);
                else
                    Activate(layer, z, a);
            }
            for (int i = 0; i < m && layer.Kind == LayerKind.Dense; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double s = theta[_b[l] + j];
                    for (int k = 0; k < nBelow; k++)
                        s += theta[_w[l] + j * nBelow + k] * below[i * nBelow + k];
                    z[i * n + j] = s;
                }
                if (layer.Activation == Activation.Softmax)
                {
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < n; j++) max = Math.Max(max, z[i * n + j]);
                    double sum = 0;
                    for (int j = 0; j < n; j++) sum += a[i * n + j] = Math.Exp(z[i * n + j] - max);
                    for (int j = 0; j < n; j++) a[i * n + j] /= sum;
                }
            }
            if (layer.Kind == LayerKind.Dense && layer.Activation != Activation.Softmax) Activate(layer, z, a);
            if (training && layer.Keep is double keep)
            {
                int start = m * _maskAt[l];
                for (int t = 0; t < m * n; t++)
                {
                    double d = masks[start + t];
                    if (d != 0.0 && d != 1.0) throw new ArgumentException($"mask value {d}");
                    a[t] = a[t] * d / keep;
                }
            }
            Z[l] = z;
            A[l] = a;
            below = a;
        }
        return (Z, A);
    }

    /// <summary>Softmax over each sample's n values.</summary>
    private static void Softmax(double[] z, double[] a, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < n; j++) max = Math.Max(max, z[i * n + j]);
            double sum = 0;
            for (int j = 0; j < n; j++) sum += a[i * n + j] = Math.Exp(z[i * n + j] - max);
            for (int j = 0; j < n; j++) a[i * n + j] /= sum;
        }
    }

    /// <summary>A[l-1] at (channel, row, column) of sample i: X is h × w × c per sample, the maps above it c × h × w.</summary>
    private double Below(int l, double[] below, int i, int c, int y, int x)
        => l == 1
            ? below[i * _n[0] + (y * _wd[0] + x) * _c[0] + c]
            : below[i * _n[l - 1] + (c * _h[l - 1] + y) * _wd[l - 1] + x];

    /// <summary>Z[l] of a conv or pool layer, channel planes per sample, from the map below.</summary>
    private void MapForward(int l, ReadOnlySpan<double> theta, double[] below, double[] z, int m)
    {
        LayerSpec layer = _layers[l - 1];
        int kh = layer.KernelHeight, kw = layer.KernelWidth, s = layer.Stride;
        int h = _h[l - 1], w = _wd[l - 1], cIn = _c[l - 1], n = _n[l];
        for (int i = 0; i < m; i++)
            for (int f = 0; f < _c[l]; f++)
                for (int oy = 0; oy < _h[l]; oy++)
                    for (int ox = 0; ox < _wd[l]; ox++)
                    {
                        double value;
                        if (layer.Kind == LayerKind.Conv2D)
                        {
                            value = theta[_b[l] + f];
                            for (int c = 0; c < cIn; c++)
                                for (int ky = 0; ky < kh; ky++)
                                    for (int kx = 0; kx < kw; kx++)
                                    {
                                        int y = oy * s - _padTop[l] + ky, x = ox * s - _padLeft[l] + kx;
                                        if (y < 0 || y >= h || x < 0 || x >= w) continue; // zero padding
                                        value += theta[_w[l] + ((f * cIn + c) * kh + ky) * kw + kx] * Below(l, below, i, c, y, x);
                                    }
                        }
                        else
                        {
                            bool max = layer.Kind == LayerKind.MaxPool;
                            value = max ? double.NegativeInfinity : 0;
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    double v = Below(l, below, i, f, oy * s + ky, ox * s + kx);
                                    value = max ? Math.Max(value, v) : value + v / (kh * kw);
                                }
                        }
                        z[i * n + (f * _h[l] + oy) * _wd[l] + ox] = value;
                    }
    }

    /// <summary>a = g(z) element-wise (one switch per layer, not per element: the football runs take 30 000 passes).</summary>
    private static void Activate(LayerSpec layer, double[] z, double[] a)
    {
        switch (layer.Activation)
        {
            case Activation.Linear:
                for (int t = 0; t < z.Length; t++) a[t] = z[t];
                break;
            case Activation.Sigmoid:
                for (int t = 0; t < z.Length; t++) a[t] = 1.0 / (1.0 + Math.Exp(-z[t]));
                break;
            case Activation.Tanh:
                for (int t = 0; t < z.Length; t++) a[t] = Math.Tanh(z[t]);
                break;
            case Activation.Relu:
                for (int t = 0; t < z.Length; t++) a[t] = z[t] > 0 ? z[t] : 0.0;
                break;
            case Activation.LeakyRelu:
                for (int t = 0; t < z.Length; t++) a[t] = z[t] > 0 ? z[t] : layer.LeakySlope * z[t];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layer), layer.Activation, "not an element-wise activation");
        }
    }

    /// <summary>The data part of J (no penalty), from the output layer's Z and A.</summary>
    public double DataCost(ReadOnlySpan<double> theta, ReadOnlySpan<double> X, ReadOnlySpan<double> Y, int m,
        ReadOnlySpan<double> masks = default)
    {
        var (Z, A) = Forward(theta, X, m, masks);
        return DataCostOf(Z[LayerCount], A[LayerCount], Y, m);
    }

    private double DataCostOf(double[] z, double[] a, ReadOnlySpan<double> Y, int m)
    {
        int n = _n[LayerCount];
        if (Y.Length != m * n) throw new ArgumentException($"Y holds {Y.Length}, expected {m} × {n}");
        double sum = 0;
        switch (Loss)
        {
            case Loss.BinaryCrossEntropy:
                // −[y log σ(z) + (1 − y) log(1 − σ(z))] = y·softplus(−z) + (1 − y)·softplus(z)
                for (int t = 0; t < m * n; t++)
                    sum += Y[t] * Softplus(-z[t]) + (1.0 - Y[t]) * Softplus(z[t]);
                break;
            case Loss.CrossEntropy:
                for (int i = 0; i < m; i++)
                {
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < n; j++) max = Math.Max(max, z[i * n + j]);
                    double s = 0;
                    for (int j = 0; j < n; j++) s += Math.Exp(z[i * n + j] - max);
                    double logSum = max + Math.Log(s);
                    for (int j = 0; j < n; j++) sum -= Y[i * n + j] * (z[i * n + j] - logSum);
                }
                break;
            case Loss.MeanSquaredError:
                for (int t = 0; t < m * n; t++)
                {
                    double d = a[t] - Y[t];
                    sum += 0.5 * d * d;
                }
                break;
            default:
                throw new InvalidOperationException($"unknown loss {Loss}");
        }
        return sum / m;
    }

    /// <summary>Σ_l (λ2[l]/2m)·‖W[l]‖²_F + (λ1[l]/2m)·‖W[l]‖₁.</summary>
    public double Penalty(ReadOnlySpan<double> theta, int m)
    {
        double penalty = 0;
        for (int l = 1; l <= LayerCount; l++)
        {
            double squares = 0, magnitudes = 0;
            for (int k = _w[l]; k < _b[l]; k++)
            {
                squares += theta[k] * theta[k];
                magnitudes += Math.Abs(theta[k]);
            }
            penalty += _layers[l - 1].L2 / (2.0 * m) * squares + _layers[l - 1].L1 / (2.0 * m) * magnitudes;
        }
        return penalty;
    }

    /// <summary>J with the penalty; training mode (these masks) when <paramref name="masks"/> is not empty.</summary>
    public double Cost(ReadOnlySpan<double> theta, ReadOnlySpan<double> X, ReadOnlySpan<double> Y, int m,
        ReadOnlySpan<double> masks = default)
        => DataCost(theta, X, Y, m, masks) + Penalty(theta, m);

    private static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// dJ/dθ by central differences (J(θ + h·e_i) − J(θ − h·e_i)) / 2h with the masks fixed. Where J is smooth
    /// within h of θ the error is h²·J‴/6 plus rounding ε·|J|/h: ~1e-10 for h = 1e-5, far below float32's error.
    /// </summary>
    public double[] FiniteDifferenceGradient(ReadOnlySpan<double> theta, double[] X, double[] Y, int m, double[] masks, double h)
    {
        double[] baseTheta = theta.ToArray();
        var gradient = new double[baseTheta.Length];
        Parallel.For(0, baseTheta.Length,
            () => (double[])baseTheta.Clone(),
            (i, _, local) =>
            {
                double original = local[i];
                local[i] = original + h;
                double plus = Cost(local, X, Y, m, masks);
                local[i] = original - h;
                double minus = Cost(local, X, Y, m, masks);
                local[i] = original;
                gradient[i] = (plus - minus) / (2 * h);
                return local;
            },
            _ => { });
        return gradient;
    }

    /// <summary>dJ/dθ by central differences with nothing dropped (prediction mode); see the overload with masks.</summary>
    public double[] FiniteDifferenceGradient(ReadOnlySpan<double> theta, double[] X, double[] Y, int m, double h)
        => FiniteDifferenceGradient(theta, X, Y, m, Array.Empty<double>(), h);

    /// <summary>
    /// The analytic gradient (DESIGN §3, written from the notes, checked against <see cref="FiniteDifferenceGradient"/>
    /// by the reference's own tests) with the masks fixed; returns J. dZ[L] = A[L] − Y for sigmoid + BCE and
    /// softmax + CE; for MSE dA[L] = A[L] − Y through g′. Going down: dA[l] = dZ[l+1]·W[l+1], then ⊙ D[l]/keep where
    /// dropped, dZ[l] = dA[l] ⊙ g′(Z[l]) with g′ taken from Z; dW[l] = (1/m)·dZ[l]ᵀ·A[l-1] + (λ2/m)·W[l]
    /// + (λ1/2m)·sign(W[l]); db[l] = (1/m)·Σ_i dZ[l].
    /// </summary>
    public double Backpropagate(double[] theta, double[] X, double[] Y, int m, double[] masks, double[] gradient)
    {
        if (_layers.Any(layer => layer.Kind != LayerKind.Dense))
            throw new NotSupportedException("conv and pool gradients are taken by central differences only");
        var (Z, A) = Forward(theta, X, m, masks);
        bool training = masks.Length > 0;
        int L = LayerCount;
        if (gradient.Length != ParameterCount) throw new ArgumentException($"gradient holds {gradient.Length}, expected {ParameterCount}");
        double J = DataCostOf(Z[L], A[L], Y, m) + Penalty(theta, m);

        int nL = _n[L];
        var dZ = new double[m * nL];
        LayerSpec output = _layers[L - 1];
        bool matched = (Loss == Loss.BinaryCrossEntropy && output.Activation == Activation.Sigmoid)
                       || (Loss == Loss.CrossEntropy && output.Activation == Activation.Softmax);
        for (int t = 0; t < m * nL; t++) dZ[t] = A[L][t] - Y[t];
        if (!matched)
        {
            if (Loss != Loss.MeanSquaredError) throw new InvalidOperationException($"{Loss} with a {output.Activation} output");
            ApplyDerivative(output, Z[L], A[L], dZ, m, nL); // dA[L] = A − Y, then through g′
        }

        for (int l = L; l >= 1; l--)
        {
            int n = _n[l], nBelow = _n[l - 1];
            LayerSpec layer = _layers[l - 1];
            double[] below = l == 1 ? X : A[l - 1];
            var sums = new double[n * nBelow + n]; // Σ_i dZ[i, j]·A[i, k], then Σ_i dZ[i, j]
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double dz = dZ[i * n + j];
                    for (int k = 0; k < nBelow; k++) sums[j * nBelow + k] += dz * below[i * nBelow + k];
                    sums[n * nBelow + j] += dz;
                }
            for (int j = 0; j < n; j++)
            {
                gradient[_b[l] + j] = sums[n * nBelow + j] / m;
                for (int k = 0; k < nBelow; k++)
                {
                    double w = theta[_w[l] + j * nBelow + k];
                    gradient[_w[l] + j * nBelow + k] = sums[j * nBelow + k] / m + layer.L2 / m * w + layer.L1 / (2.0 * m) * Math.Sign(w);
                }
            }
            if (l == 1) break;

            var dA = new double[m * nBelow];
            for (int i = 0; i < m; i++)
                for (int k = 0; k < nBelow; k++)
                {
                    double s = 0;
                    for (int j = 0; j < n; j++) s += dZ[i * n + j] * theta[_w[l] + j * nBelow + k];
                    dA[i * nBelow + k] = s;
                }
            LayerSpec lower = _layers[l - 2];
            if (training && lower.Keep is double keep)
            {
                int start = m * _maskAt[l - 1];
                for (int t = 0; t < m * nBelow; t++) dA[t] = dA[t] * masks[start + t] / keep;
            }
            ApplyDerivative(lower, Z[l - 1], A[l - 1], dA, m, nBelow);
            dZ = dA;
        }
        return J;
    }

    /// <summary>d ← d ⊙ g′(z), g′ from Z (A may have been scaled by dropout); softmax through its Jacobian.</summary>
    private static void ApplyDerivative(LayerSpec layer, double[] z, double[] a, double[] d, int m, int n)
    {
        if (layer.Activation == Activation.Softmax)
        {
            for (int i = 0; i < m; i++)
            {
                double dot = 0;
                for (int j = 0; j < n; j++) dot += d[i * n + j] * a[i * n + j];
                for (int j = 0; j < n; j++) d[i * n + j] = a[i * n + j] * (d[i * n + j] - dot);
            }
            return;
        }
        switch (layer.Activation)
        {
            case Activation.Linear:
                break;
            case Activation.Sigmoid:
                for (int t = 0; t < m * n; t++)
                {
                    double s = 1.0 / (1.0 + Math.Exp(-z[t]));
                    d[t] *= s * (1.0 - s);
                }
                break;
            case Activation.Tanh:
                for (int t = 0; t < m * n; t++)
                {
                    double th = Math.Tanh(z[t]);
                    d[t] *= 1.0 - th * th;
                }
                break;
            case Activation.Relu:
                for (int t = 0; t < m * n; t++) d[t] = z[t] > 0 ? d[t] : 0.0;
                break;
            case Activation.LeakyRelu:
                for (int t = 0; t < m * n; t++) d[t] = z[t] > 0 ? d[t] : layer.LeakySlope * d[t];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layer), layer.Activation, "no derivative");
        }
    }

    /// <summary>
    /// Per sample, the smallest |z| over the units of ReLU and leaky-ReLU layers in the forward pass (training, with
    /// these masks, when they are given; +∞ if there is none). A central difference across such a kink is meaningless,
    /// so tests redraw samples that come too close to one. (The kink of the L1 penalty at w = 0 is the caller's to avoid.)
    /// </summary>
    public double[] SmallestKinkDistance(ReadOnlySpan<double> theta, ReadOnlySpan<double> X, int m,
        ReadOnlySpan<double> masks = default)
    {
        var (Z, A) = Forward(theta, X, m, masks);
        var result = new double[m];
        Array.Fill(result, double.PositiveInfinity);
        for (int l = 1; l <= LayerCount; l++)
        {
            if (_layers[l - 1].Kind == LayerKind.MaxPool)
            {
                // A max pool's kink: the two largest values of a window trading places.
                MaxPoolGaps(l, l == 1 ? X.ToArray() : A[l - 1], m, result);
                continue;
            }
            if (_layers[l - 1].Activation is not (Activation.Relu or Activation.LeakyRelu)) continue;
            int n = _n[l];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    result[i] = Math.Min(result[i], Math.Abs(Z[l][i * n + j]));
        }
        return result;
    }

    /// <summary>result[i] = min(result[i], the gap between the largest and second largest value of each window).</summary>
    private void MaxPoolGaps(int l, double[] below, int m, double[] result)
    {
        LayerSpec layer = _layers[l - 1];
        for (int i = 0; i < m; i++)
            for (int c = 0; c < _c[l]; c++)
                for (int oy = 0; oy < _h[l]; oy++)
                    for (int ox = 0; ox < _wd[l]; ox++)
                    {
                        double first = double.NegativeInfinity, second = double.NegativeInfinity;
                        for (int ky = 0; ky < layer.KernelHeight; ky++)
                            for (int kx = 0; kx < layer.KernelWidth; kx++)
                            {
                                double v = Below(l, below, i, c, oy * layer.Stride + ky, ox * layer.Stride + kx);
                                if (v > first) (first, second) = (v, first);
                                else if (v > second) second = v;
                            }
                        // Zeros tied at the top are no kink: a dropped unit, or a ReLU below its kink, stays 0 whatever
                        // a small step of one parameter does.
                        if (layer.KernelHeight * layer.KernelWidth > 1 && !(first == 0 && second == 0))
                            result[i] = Math.Min(result[i], first - second);
                    }
    }
}
