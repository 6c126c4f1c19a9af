using System;
using NetGen.Tests.Reference;

namespace NetGen.Tests;

/// <summary>
/// A reproducible test problem for a <see cref="NetCase"/>: a network whose biases are set to random non-zero
/// values (so that a forward pass that forgot b would show), a batch X of standard normal inputs with no sample
/// within <see cref="KinkMargin"/> of a ReLU kink, and targets valid for the loss.
/// </summary>
public sealed class Problem
{
    /// <summary>
    /// Samples with a ReLU/leaky-ReLU pre-activation |z| below this are redrawn. A central difference moves one
    /// parameter by h = 1e-5, which moves any z by at most h·max(1, |a|)·max|W|^depth ≲ 1e-4 here, and the float32
    /// forward pass differs from the double one by ~1e-6, so neither the finite difference nor the network under
    /// test can straddle a kink.
    /// </summary>
    public const double KinkMargin = 1e-3;

    private Problem(NetCase @case, INetwork net, int m, float[] x, float[] y)
    {
        Case = @case;
        Net = net;
        M = m;
        X = x;
        Y = y;
    }

    public NetCase Case { get; }
    public INetwork Net { get; }
    public int M { get; }
    public float[] X { get; }
    public float[] Y { get; }

    /// <summary>The network's parameters, widened to double (exactly).</summary>
    public double[] Theta => ToDouble(Net.Parameters);
    public double[] Xd => ToDouble(X);
    public double[] Yd => ToDouble(Y);

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>The problem for case <paramref name="name"/> with batch size <paramref name="m"/> (deterministic).</summary>
    public static Problem Create(string name, int m)
    {
        NetCase c = NetCases.Get(name);
        ReferenceNetwork r = c.Reference;
        INetwork net = c.Create();
        var rng = new Random(StableHash(name) * 31 + m);

        Span<float> p = net.Parameters;
        for (int l = 1; l <= r.LayerCount; l++)
        {
            // Weights keep their initialisation, moved away from 0 where the L1 penalty has its kink.
            int wStart = r.WeightOffset(l), wCount = r.WeightCount(l);
            for (int k = wStart; k < wStart + wCount; k++)
                if (Math.Abs(p[k]) < 1e-2f)
                    p[k] = p[k] < 0 ? -1e-2f : 1e-2f;
            int bStart = r.BiasOffset(l);
            for (int j = 0; j < r.BiasCount(l); j++)
                p[bStart + j] = (float)(0.5 * Gaussian(rng));
        }

        int n0 = r.InputSize, nL = r.OutputSize;
        var X = new float[m * n0];
        for (int i = 0; i < X.Length; i++) X[i] = (float)Gaussian(rng);
        double[] theta = ToDouble(net.Parameters);
        for (int attempt = 0; ; attempt++)
        {
            double[] distance = r.SmallestKinkDistance(theta, ToDouble(X), m);
            bool clean = true;
            for (int i = 0; i < m; i++)
            {
                if (distance[i] >= KinkMargin) continue;
                clean = false;
                for (int k = 0; k < n0; k++) X[i * n0 + k] = (float)Gaussian(rng);
            }
            if (clean) break;
            if (attempt == 10_000) throw new InvalidOperationException($"{name}: could not draw samples away from the ReLU kinks.");
        }

        var Y = new float[m * nL];
        for (int i = 0; i < m; i++)
        {
            switch (c.Targets)
            {
                case TargetKind.Binary:
                    for (int j = 0; j < nL; j++) Y[i * nL + j] = rng.Next(2);
                    break;
                case TargetKind.OneHot:
                    Y[i * nL + rng.Next(nL)] = 1f;
                    break;
                case TargetKind.Real:
                    for (int j = 0; j < nL; j++) Y[i * nL + j] = (float)Gaussian(rng);
                    break;
                case TargetKind.Unit:
                    for (int j = 0; j < nL; j++) Y[i * nL + j] = (float)(0.05 + 0.9 * rng.NextDouble());
                    break;
                case TargetKind.Symmetric:
                    for (int j = 0; j < nL; j++) Y[i * nL + j] = (float)(-0.9 + 1.8 * rng.NextDouble());
                    break;
            }
        }
        return new Problem(c, net, m, X, Y);
    }

    /// <summary>A standard normal draw (Box–Muller) from <paramref name="rng"/>.</summary>
    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>FNV-1a of the name: string.GetHashCode is randomised per process.</summary>
    public static int StableHash(string s)
    {
        uint h = 2166136261;
        foreach (char ch in s) h = (h ^ ch) * 16777619;
        return (int)(h & 0x7FFFFF);
    }

    /// <summary>"W2[1,3]" or "b1[4]" for a parameter index, using the reference's layout.</summary>
    public static string Describe(ReferenceNetwork r, int index)
    {
        if (index >= 0 && index < r.ParameterCount) return r.Describe(index); // conv weights as W[f,c,ky,kx]
        for (int l = r.LayerCount; l >= 1; l--)
        {
            if (index >= r.BiasOffset(l)) return $"b{l}[{index - r.BiasOffset(l)}]";
            if (index >= r.WeightOffset(l))
            {
                int k = index - r.WeightOffset(l), cols = r.Size(l - 1);
                return $"W{l}[{k / cols},{k % cols}]";
            }
        }
        return $"#{index}";
    }
}
