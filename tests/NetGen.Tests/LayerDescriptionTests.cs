using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace NetGen.Tests;

/// <summary>Layers named as a PyTorch model's modules: fc1.weight, fc1.bias, out.weight, out.bias.</summary>
[Network(Loss = Loss.CrossEntropy, Seed = 8)]
[Input(4)]
[Dense(16, Activation.Relu, Name = "fc1")]
[Dense(3, Activation.Softmax, Name = "out")]
public partial class NamedIrisNet;

/// <summary>The iris shape with NetGen's default names: 4 → 16 (ReLU) → 3 (softmax).</summary>
[Network(Loss = Loss.CrossEntropy, Seed = 9)]
[Input(4)]
[Dense(16, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class IrisShapeNet;

/// <summary>Three layers, the middle one named, with dropout and a leaky slope: 5 → 6 (leaky 0.2, keep 0.75) → 4 → 2.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 10)]
[Input(5)]
[Dense(6, Activation.LeakyRelu, LeakySlope = 0.2f)]
[Dropout(0.75f)]
[Dense(4, Activation.Tanh, Name = "encoder.fc2")]
[Dense(2, Activation.Linear)]
public partial class MixedNamesNet;

/// <summary>Issue 12 item 5: the generated class describes its layers, and that description agrees with what the
/// declaration says and with the generated constants and parameter views.</summary>
public sealed class LayerDescriptionTests
{
    /// <summary>(l, name, n[l-1], n[l], g, slope, keep) per layer, from the declarations above and in Networks.cs.</summary>
    private static void AssertLayers(INetwork net, params (int Index, string Name, int In, int Out, Activation G, float Slope, float Keep)[] expected)
    {
        IReadOnlyList<LayerDescription> layers = net.Layers;
        Assert.Equal(expected.Length, layers.Count);
        Assert.Equal(net.LayerCount, layers.Count);
        // The parameter views W1, B1… are their own generated code: fill Parameters with 0, 1, 2, … and each view's first
        // element is its offset, its length its size.
        float[] saved = net.Parameters.ToArray();
        for (int i = 0; i < net.ParameterCount; i++) net.Parameters[i] = i;
        int offset = 0;
        for (int l = 0; l < expected.Length; l++)
        {
            var e = expected[l];
            LayerDescription d = layers[l];
            Assert.Equal(LayerKind.Dense, d.Kind);
            Assert.Equal(e.Index, d.Index);
            Assert.Equal(e.Name, d.Name);
            Assert.Equal(e.In, d.InputSize);
            Assert.Equal(e.Out, d.OutputSize);
            Assert.Equal(e.G, d.Activation);
            if (e.G == Activation.LeakyRelu) Assert.Equal(e.Slope, d.LeakySlope);
            Assert.Equal(e.Keep, d.KeepProbability);
            Assert.Equal([e.Out, e.In], d.WeightShape.ToArray());
            Assert.Equal(e.Out * e.In, d.WeightLength);
            Assert.Equal(e.Out, d.BiasLength);
            // W1, b1, W2, b2, … one after the other (hand count from the sizes).
            Assert.Equal(offset, d.WeightOffset);
            Assert.Equal(offset + e.Out * e.In, d.BiasOffset);
            offset += e.Out * e.In + e.Out;
            (ArraySegment<float> w, ArraySegment<float> b) = View(net, e.Index);
            Assert.Equal(d.WeightOffset, (int)w[0]);
            Assert.Equal(d.WeightLength, w.Count);
            Assert.Equal(d.BiasOffset, (int)b[0]);
            Assert.Equal(d.BiasLength, b.Count);
        }
        Assert.Equal(net.ParameterCount, offset);
        Assert.Equal(net.InputSize, layers[0].InputSize);
        Assert.Equal(net.OutputSize, layers[^1].OutputSize);
        saved.CopyTo(net.Parameters);
    }

    /// <summary>The generated W{l} and B{l} views as the private constants they are made of (a Span property cannot be
    /// read through reflection), over the parameter array.</summary>
    private static (ArraySegment<float> W, ArraySegment<float> B) View(INetwork net, int l)
    {
        var type = net.GetType();
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic;
        float[] parameters = (float[])type.GetField("_parameters", Private | System.Reflection.BindingFlags.Instance)!.GetValue(net)!;
        int Const(string name) => (int)type.GetField(name, Private | System.Reflection.BindingFlags.Static)!.GetRawConstantValue()!;
        return (new(parameters, Const($"W{l}Offset"), Const($"W{l}Length")), new(parameters, Const($"B{l}Offset"), Const($"B{l}Length")));
    }

    [Fact]
    public void Layers_agree_with_the_declarations_and_the_constants()
    {
        AssertLayers(new PersistNet(1),
            (1, "layers.0", 3, 4, Activation.Tanh, 0, 1f),
            (2, "layers.1", 4, 1, Activation.Sigmoid, 0, 1f));
        AssertLayers(new LeakyReluSoftmaxNet(1),
            (1, "layers.0", 4, 6, Activation.LeakyRelu, 0.1f, 1f),
            (2, "layers.1", 6, 4, Activation.Softmax, 0, 1f));
        AssertLayers(new DeepSoftmaxNet(1),
            (1, "layers.0", 5, 8, Activation.Relu, 0, 1f),
            (2, "layers.1", 8, 6, Activation.Tanh, 0, 1f),
            (3, "layers.2", 6, 5, Activation.LeakyRelu, 0.01f, 1f), // the attribute's default slope
            (4, "layers.3", 5, 3, Activation.Softmax, 0, 1f));
        AssertLayers(new WideSoftmaxNet(1),
            (1, "layers.0", 70, 40, Activation.Relu, 0, 1f),
            (2, "layers.1", 40, 17, Activation.Tanh, 0, 1f),
            (3, "layers.2", 17, 3, Activation.Softmax, 0, 1f));
        AssertLayers(new Regularization.DropoutTwinNet(1),
            (1, "layers.0", 3, 6, Activation.Tanh, 0, 0.7f),
            (2, "layers.1", 6, 4, Activation.Relu, 0, 0.5f),
            (3, "layers.2", 4, 2, Activation.Sigmoid, 0, 1f));
        AssertLayers(new Regularization.FootballKeep86Net(1), // the football net, 2-20-3-1, keep 0.86 on layers 1 and 2
            (1, "layers.0", 2, 20, Activation.Relu, 0, 0.86f),
            (2, "layers.1", 20, 3, Activation.Relu, 0, 0.86f),
            (3, "layers.2", 3, 1, Activation.Sigmoid, 0, 1f));
        AssertLayers(new MixedNamesNet(1),
            (1, "layers.0", 5, 6, Activation.LeakyRelu, 0.2f, 0.75f),
            (2, "encoder.fc2", 6, 4, Activation.Tanh, 0, 1f),
            (3, "layers.2", 4, 2, Activation.Linear, 0, 1f));
        AssertLayers(new NamedIrisNet(1),
            (1, "fc1", 4, 16, Activation.Relu, 0, 1f),
            (2, "out", 16, 3, Activation.Softmax, 0, 1f));
    }

    [Fact]
    public void Layers_is_one_read_only_list_that_a_get_does_not_allocate()
    {
        INetwork a = new MixedNamesNet(1), b = new MixedNamesNet(2);
        Assert.Same(a.Layers, a.Layers);
        Assert.Same(a.Layers, b.Layers); // static: built once per class
        _ = a.Layers;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) _ = a.Layers;
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        // Not an array a caller could cast back and overwrite.
        Assert.False(a.Layers is LayerDescription[]);
        Assert.Throws<NotSupportedException>(() => ((IList<LayerDescription>)a.Layers)[0] = a.Layers[1]);
    }

    [Fact]
    public void The_factory_refuses_what_no_layer_can_be()
    {
        LayerDescription Make(int index = 1, int inputs = 3, float keep = 1f, int weightOffset = 0, string name = "fc")
            => LayerDescription.Dense(index, name, inputs, 2, Activation.Relu, 0.01f, keep, weightOffset, 6);
        Assert.Equal(1f, Make().KeepProbability);
        Assert.Equal(0.5f, Make(keep: 0.5f).KeepProbability);
        foreach (float keep in new[] { 0f, -0.5f, 1.5f, float.NaN })
            Assert.Equal("keepProbability", Assert.Throws<ArgumentOutOfRangeException>(() => Make(keep: keep)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => Make(index: 0)).ParamName);
        Assert.Equal("inputSize", Assert.Throws<ArgumentOutOfRangeException>(() => Make(inputs: 0)).ParamName);
        Assert.Equal("weightOffset", Assert.Throws<ArgumentOutOfRangeException>(() => Make(weightOffset: -1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Make(name: null!));
    }

    [Fact]
    public void ToString_names_the_layer()
        => Assert.Equal("layer 2 (encoder.fc2): dense 6 → 4, Tanh", new MixedNamesNet(1).Layers[1].ToString());
}
