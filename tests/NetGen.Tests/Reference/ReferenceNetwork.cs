using System;
using System.Threading.Tasks;

namespace NetGen.Tests.Reference;

/// <summary>One dense layer of a <see cref="ReferenceNetwork"/>: n[l] units and the activation g[l].</summary>
public readonly record struct LayerSpec(int Units, Activation Activation, double LeakySlope = 0.01);

/// <summary>
/// An independent double-precision implementation of DESIGN §3, written with plain loops and nothing from
/// NetGen but its enums: the forward pass, the cost J (BCE, CE, MSE, with the L2/L1 penalties) and the
/// gradient by central finite differences of that cost.
/// <para>
/// Parameters use the generated <c>Parameters</c> layout: W1, b1, W2, b2, …; W[l] row-major with shape
/// (n[l], n[l-1]). X is m × n[0] and Y is m × n[L], rows are samples.
/// </para>
/// </summary>
public sealed class ReferenceNetwork
{
    private readonly LayerSpec[] _layers;
    private readonly int[] _sizes;      // n[0..L]
    private readonly int[] _wOffset;    // 1-based: offset of W[l]
    private readonly int[] _bOffset;    // 1-based: offset of b[l]

    /// <summary>A network n[0] → layers, trained on <paramref name="loss"/>, with optional L2 and L1 strengths λ.</summary>
    public ReferenceNetwork(int inputSize, Loss loss, LayerSpec[] layers, double l2 = 0, double l1 = 0)
    {
        if (layers.Length == 0) throw new ArgumentException("at least one layer", nameof(layers));
        _layers = layers;
        Loss = loss;
        L2 = l2;
        L1 = l1;
        _sizes = new int[layers.Length + 1];
        _sizes[0] = inputSize;
        for (int l = 1; l <= layers.Length; l++)
            _sizes[l] = layers[l - 1].Units;
        _wOffset = new int[layers.Length + 1];
        _bOffset = new int[layers.Length + 1];
        int offset = 0;
        for (int l = 1; l <= layers.Length; l++)
        {
            _wOffset[l] = offset;
            offset += _sizes[l] * _sizes[l - 1];
            _bOffset[l] = offset;
            offset += _sizes[l];
        }
        ParameterCount = offset;
        for (int l = 1; l < layers.Length; l++)
            if (layers[l - 1].Activation == Activation.Softmax)
                throw new ArgumentException("softmax only on the output layer", nameof(layers));
    }

    /// <summary>The loss.</summary>
    public Loss Loss { get; }

    /// <summary>λ of the L2 penalty (λ/2m)·Σ‖W[l]‖²_F.</summary>
    public double L2 { get; }

    /// <summary>λ of the L1 penalty (λ/2m)·Σ‖W[l]‖₁.</summary>
    public double L1 { get; }

    /// <summary>n[0].</summary>
    public int InputSize => _sizes[0];

    /// <summary>n[L].</summary>
    public int OutputSize => _sizes[^1];

    /// <summary>L.</summary>
    public int LayerCount => _layers.Length;

    /// <summary>Σ n[l]·n[l-1] + n[l].</summary>
    public int ParameterCount { get; }

    /// <summary>n[l] for l = 0..L.</summary>
    public int Size(int l) => _sizes[l];

    /// <summary>The layer l (1-based).</summary>
    public LayerSpec Layer(int l) => _layers[l - 1];

    /// <summary>The offset of W[l] (1-based) in the parameter vector.</summary>
    public int WeightOffset(int l) => _wOffset[l];

    /// <summary>The offset of b[l] (1-based) in the parameter vector.</summary>
    public int BiasOffset(int l) => _bOffset[l];

    /// <summary>
    /// The forward pass: Z[l] and A[l] for l = 1..L (index 0 of both is unused; A[0] would be X), each m × n[l], rows are samples.
    /// </summary>
    public (double[][] Z, double[][] A) Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> X, int m)
    {
        CheckShapes(theta.Length, X.Length, m);
        int L = _layers.Length;
        var Z = new double[L + 1][];
        var A = new double[L + 1][];
        double[] previous = X.ToArray();
        for (int l = 1; l <= L; l++)
        {
            int n = _sizes[l], nPrev = _sizes[l - 1];
            var z = new double[m * n];
            var a = new double[m * n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double s = theta[_bOffset[l] + j];
                    for (int k = 0; k < nPrev; k++)
                        s += theta[_wOffset[l] + j * nPrev + k] * previous[i * nPrev + k];
                    z[i * n + j] = s;
                }
                Activate(_layers[l - 1], z.AsSpan(i * n, n), a.AsSpan(i * n, n));
            }
            Z[l] = z;
            A[l] = a;
            previous = a;
        }
        return (Z, A);
    }

    private static void Activate(LayerSpec layer, ReadOnlySpan<double> z, Span<double> a)
    {
        switch (layer.Activation)
        {
            case Activation.Linear:
                for (int j = 0; j < z.Length; j++) a[j] = z[j];
                break;
            case Activation.Sigmoid:
                for (int j = 0; j < z.Length; j++) a[j] = 1.0 / (1.0 + Math.Exp(-z[j]));
                break;
            case Activation.Tanh:
                for (int j = 0; j < z.Length; j++) a[j] = Math.Tanh(z[j]);
                break;
            case Activation.Relu:
                for (int j = 0; j < z.Length; j++) a[j] = z[j] > 0 ? z[j] : 0.0;
                break;
            case Activation.LeakyRelu:
                for (int j = 0; j < z.Length; j++) a[j] = z[j] > 0 ? z[j] : layer.LeakySlope * z[j];
                break;
            case Activation.Softmax:
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < z.Length; j++) max = Math.Max(max, z[j]);
                double sum = 0;
                for (int j = 0; j < z.Length; j++) sum += a[j] = Math.Exp(z[j] - max);
                for (int j = 0; j < z.Length; j++) a[j] /= sum;
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(layer), layer.Activation, "unknown activation");
        }
    }

    /// <summary>The cost J of DESIGN §3 on a batch, with the penalty terms, in double precision.</summary>
    public double Cost(ReadOnlySpan<double> theta, ReadOnlySpan<double> X, ReadOnlySpan<double> Y, int m)
    {
        var (Z, A) = Forward(theta, X, m);
        int L = _layers.Length, n = _sizes[L];
        if (Y.Length != m * n) throw new ArgumentException($"Y must hold {m} × {n} values, has {Y.Length}", nameof(Y));
        double[] z = Z[L], a = A[L];
        double sum = 0;
        switch (Loss)
        {
            case Loss.BinaryCrossEntropy:
                if (_layers[L - 1].Activation != Activation.Sigmoid)
                    throw new InvalidOperationException("binary cross-entropy needs a sigmoid output");
                // −[y log σ(z) + (1−y) log(1−σ(z))] = y·softplus(−z) + (1−y)·softplus(z): the same number, finite when saturated.
                for (int t = 0; t < m * n; t++)
                    sum += Y[t] * Softplus(-z[t]) + (1.0 - Y[t]) * Softplus(z[t]);
                break;
            case Loss.CrossEntropy:
                if (_layers[L - 1].Activation != Activation.Softmax)
                    throw new InvalidOperationException("cross-entropy needs a softmax output");
                for (int i = 0; i < m; i++)
                {
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < n; j++) max = Math.Max(max, z[i * n + j]);
                    double s = 0;
                    for (int j = 0; j < n; j++) s += Math.Exp(z[i * n + j] - max);
                    double logSum = max + Math.Log(s);
                    for (int j = 0; j < n; j++)
                        sum -= Y[i * n + j] * (z[i * n + j] - logSum); // y·log softmax(z)
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
        double J = sum / m;
        if (L2 != 0 || L1 != 0)
        {
            double squares = 0, absolutes = 0;
            for (int l = 1; l <= L; l++)
                for (int k = 0; k < _sizes[l] * _sizes[l - 1]; k++)
                {
                    double w = theta[_wOffset[l] + k];
                    squares += w * w;
                    absolutes += Math.Abs(w);
                }
            J += L2 / (2.0 * m) * squares + L1 / (2.0 * m) * absolutes;
        }
        return J;
    }

    private static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// dJ/dθ by central differences (J(θ + h·e_i) − J(θ − h·e_i)) / 2h of <see cref="Cost"/> for every parameter.
    /// With J smooth near θ the error is h²·J‴/6 (≈1e-10 for h = 1e-5 and J‴ = O(1)) plus the rounding
    /// ε·|J|/h (≈1e-11): far below the float32 error of the code under test.
    /// </summary>
    public double[] FiniteDifferenceGradient(ReadOnlySpan<double> theta, double[] X, double[] Y, int m, double h)
    {
        double[] baseTheta = theta.ToArray();
        var gradient = new double[baseTheta.Length];
        Parallel.For(0, baseTheta.Length,
            () => (double[])baseTheta.Clone(),
            (i, _, local) =>
            {
                double original = local[i];
                local[i] = original + h;
                double plus = Cost(local, X, Y, m);
                local[i] = original - h;
                double minus = Cost(local, X, Y, m);
                local[i] = original;
                gradient[i] = (plus - minus) / (2 * h);
                return local;
            },
            _ => { });
        return gradient;
    }

    /// <summary>
    /// For each sample, the smallest |z| over the units of the layers whose activation has a kink at 0 (ReLU,
    /// leaky ReLU); +∞ when there is none. Finite differences across a kink are meaningless, so tests redraw
    /// samples that come too close to one. (The kink of the L1 penalty at w = 0 is the caller's to avoid.)
    /// </summary>
    public double[] SmallestKinkDistance(ReadOnlySpan<double> theta, ReadOnlySpan<double> X, int m)
    {
        var (Z, _) = Forward(theta, X, m);
        var result = new double[m];
        Array.Fill(result, double.PositiveInfinity);
        for (int l = 1; l <= _layers.Length; l++)
        {
            if (_layers[l - 1].Activation is not (Activation.Relu or Activation.LeakyRelu))
                continue;
            int n = _sizes[l];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    result[i] = Math.Min(result[i], Math.Abs(Z[l][i * n + j]));
        }
        return result;
    }

    private void CheckShapes(int thetaLength, int xLength, int m)
    {
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m), m, "m ≥ 1");
        if (thetaLength != ParameterCount)
            throw new ArgumentException($"θ must hold {ParameterCount} values, has {thetaLength}");
        if (xLength != m * _sizes[0])
            throw new ArgumentException($"X must hold {m} × {_sizes[0]} values, has {xLength}");
    }
}
