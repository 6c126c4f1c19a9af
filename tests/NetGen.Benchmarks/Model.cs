using System;

namespace NetGen.Benchmarks;

/// <summary>One dense layer as both sides see it: W (Units × Inputs, row-major), then b (Units), in the
/// parameter block of the generated network (W1, b1, W2, b2, …).</summary>
public readonly record struct LayerSpec(int Inputs, int Units, Activation Activation)
{
    public int WeightCount => Inputs * Units;
    public int ParameterCount => Inputs * Units + Units;
}

/// <summary>A plain double-precision forward pass over a parameter block: the referee of the agreement check.</summary>
public static class Reference
{
    /// <summary>Checks that <paramref name="layers"/> describe <paramref name="net"/>'s parameter block.</summary>
    public static void CheckLayout(INetwork net, LayerSpec[] layers)
    {
        int count = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            if (l > 0 && layers[l].Inputs != layers[l - 1].Units)
                throw new InvalidOperationException($"layer {l + 1}: {layers[l].Inputs} inputs after {layers[l - 1].Units} units");
            count += layers[l].ParameterCount;
        }
        if (net.LayerCount != layers.Length || net.InputSize != layers[0].Inputs || net.OutputSize != layers[^1].Units
            || net.ParameterCount != count)
            throw new InvalidOperationException(
                $"{net.GetType().Name} ({net.Architecture}, {net.ParameterCount} parameters) does not match the benchmark's layer list ({count} parameters).");
    }

    /// <summary>y = network(x) for one sample, in double.</summary>
    public static void Forward(LayerSpec[] layers, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<double> y)
    {
        double[] a = new double[x.Length];
        for (int i = 0; i < x.Length; i++) a[i] = x[i];
        int offset = 0;
        foreach (LayerSpec layer in layers)
        {
            ReadOnlySpan<float> W = p.Slice(offset, layer.WeightCount);
            ReadOnlySpan<float> b = p.Slice(offset + layer.WeightCount, layer.Units);
            offset += layer.ParameterCount;
            var z = new double[layer.Units];
            for (int j = 0; j < layer.Units; j++)
            {
                double s = b[j];
                for (int k = 0; k < layer.Inputs; k++) s += (double)W[j * layer.Inputs + k] * a[k];
                z[j] = s;
            }
            Activate(layer.Activation, z);
            a = z;
        }
        a.CopyTo(y);
    }

    private static void Activate(Activation g, double[] z)
    {
        switch (g)
        {
            case Activation.Linear: break;
            case Activation.Relu: for (int i = 0; i < z.Length; i++) z[i] = Math.Max(0, z[i]); break;
            case Activation.Sigmoid: for (int i = 0; i < z.Length; i++) z[i] = 1 / (1 + Math.Exp(-z[i])); break;
            case Activation.Tanh: for (int i = 0; i < z.Length; i++) z[i] = Math.Tanh(z[i]); break;
            case Activation.Softmax:
            {
                double max = double.NegativeInfinity, sum = 0;
                foreach (double v in z) max = Math.Max(max, v);
                for (int i = 0; i < z.Length; i++) sum += z[i] = Math.Exp(z[i] - max);
                for (int i = 0; i < z.Length; i++) z[i] /= sum;
                break;
            }
            default: throw new NotSupportedException($"the benchmarks do not use {g}");
        }
    }
}
