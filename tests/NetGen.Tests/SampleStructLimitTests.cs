using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace NetGen.Tests;

/// <summary>The largest input with inline-array samples: 16 384 floats, 64 KiB.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Zeros, Seed = 71)]
[Input(16384)]
[Dense(1, Activation.Sigmoid)]
public partial class AtSampleLimitNet;

/// <summary>One float more: no Input/Output structs (NG0108, an info), Predict through spans only.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Zeros, Seed = 72)]
[Input(16385)]
[Dense(1, Activation.Sigmoid)]
public partial class AboveSampleLimitNet;

/// <summary>The probe's network: a 128 MiB Input struct made Predict(in Input) throw TypeLoadException. Never
/// constructed here (33 554 433 parameters); its type must load.</summary>
#pragma warning disable NG0108 // expected: this is the case it reports
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 73)]
[Input(33_554_432)]
[Dense(1, Activation.Sigmoid)]
public partial class ProbeHugeInputNet;
#pragma warning restore NG0108

/// <summary>Inline-array samples up to 16 384 floats; above, the span Predict alone, which works at any size.</summary>
public sealed class SampleStructLimitTests
{
    /// <summary>A float sum of n = 16 384 terms errs by at most about n·2⁻²⁴·Σ|terms| ≈ 16 384 · 6e-8 · 3.3 ≈ 3e-3 in z
    /// (the scalar kernel adds one term at a time; vector ones, in 16 partial sums, far less), and σ′ ≤ ¼.</summary>
    private const double Tolerance = 1e-3;

    [Fact]
    public void At_the_limit_Predict_on_inline_arrays_works_and_agrees_with_the_span_overload()
    {
        var net = new AtSampleLimitNet();
        net.W1.Fill(1e-4f);
        net.B1[0] = -1f;
        var x = new AtSampleLimitNet.Input();
        for (int i = 0; i < AtSampleLimitNet.InputSize; i++) x[i] = (i % 3) * 0.5f;
        AtSampleLimitNet.Output y = net.Predict(in x);
        float[] ySpan = new float[1];
        net.Predict(x, ySpan);
        Assert.Equal(ySpan[0], y[0]);
        // z = 1e-4 · Σ (i mod 3)/2 − 1, by hand: Σ over 16 384 samples of i mod 3 is 16 383 (5461 full cycles of 0+1+2, then 0).
        double z = (double)1e-4f * (5461 * 3 * 0.5 + 0) - 1;
        Assert.Equal(1 / (1 + Math.Exp(-z)), y[0], Tolerance);
    }

    [Fact]
    public void Above_the_limit_there_are_no_sample_structs_and_Predict_on_spans_works()
    {
        Assert.NotNull(typeof(AtSampleLimitNet).GetNestedType("Input"));
        Assert.Null(typeof(AboveSampleLimitNet).GetNestedType("Input"));
        Assert.Null(typeof(AboveSampleLimitNet).GetNestedType("Output"));
        Assert.Single(typeof(AboveSampleLimitNet).GetMethods(), m => m.Name == "Predict");

        var net = new AboveSampleLimitNet();
        net.W1.Fill(2e-4f);
        float[] x = Enumerable.Repeat(1f, AboveSampleLimitNet.InputSize).ToArray(), y = new float[1];
        net.Predict(x, y);
        double z = (double)2e-4f * 16385;
        Assert.Equal(1 / (1 + Math.Exp(-z)), y[0], Tolerance);
        Assert.Equal(1, net.PredictClass(x));
    }

    [Fact]
    public void The_probe_network_loads_with_only_the_span_Predict()
    {
        // Formerly: TypeLoadException once Predict(in Input) was touched (the inline array was 128 MiB).
        MethodInfo[] methods = typeof(ProbeHugeInputNet).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        MethodInfo predict = Assert.Single(methods, m => m.Name == "Predict");
        Assert.Equal(new[] { typeof(ReadOnlySpan<float>), typeof(Span<float>) }, predict.GetParameters().Select(p => p.ParameterType));
        // No Input/Output sample structs: the one public nested type is the frozen snapshot every network has.
        Assert.Equal(new[] { "Frozen" }, typeof(ProbeHugeInputNet).GetNestedTypes(BindingFlags.Public).Select(t => t.Name));
        Assert.Equal(33_554_432, ProbeHugeInputNet.InputSize);
    }
}
