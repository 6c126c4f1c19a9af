using NetGen.Generator.Helpers;

namespace NetGen.Generator.Model;

/// <summary>Everything the emitter needs to write one network, as plain data that compares by value.</summary>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="ClassName">The partial class.</param>
/// <param name="InputShape">The declared input shape; the network sees its product, n[0].</param>
/// <param name="UsesAliases">Whether the generated file may name Span, Kernels… through its own using aliases: false
/// when the class (or a base class) or its namespace has a member of such a name, which would win over the alias.</param>
/// <param name="WeightsPath">The path of <c>[Weights(path)]</c> as written (relative to the project directory), or null:
/// the parameterless constructor then starts from the parameters compiled in from that file.</param>
internal sealed record NetworkSpec(
    string? Namespace,
    string ClassName,
    EquatableArray<int> InputShape,
    EquatableArray<LayerSpec> Layers,
    Loss Loss,
    ulong Seed,
    float InitScale,
    bool UsesAliases = true,
    string? WeightsPath = null)
{
    public int InputSize => Layers[0].Inputs;

    public int OutputSize => Layers[Layers.Count - 1].Units;

    public int ParameterCount
    {
        get
        {
            int count = 0;
            foreach (LayerSpec layer in Layers) count += layer.WeightCount + layer.BiasCount;
            return count;
        }
    }

    /// <summary>Whether some layer is a conv or pool layer: the batch then keeps samples as rows, each a map's channel
    /// planes.</summary>
    public bool HasMaps
    {
        get
        {
            foreach (LayerSpec layer in Layers) if (layer.IsMap) return true;
            return false;
        }
    }

    /// <summary>The input's channels as the first map layer reads them: the last of [Input(h, w, c)], 1 for (h, w).</summary>
    public int InputChannels => InputShape.Count == 3 ? InputShape[2] : 1;

    public bool HasDropout
    {
        get
        {
            foreach (LayerSpec layer in Layers) if (layer.HasDropout) return true;
            return false;
        }
    }

    public bool HasPenalty
    {
        get
        {
            foreach (LayerSpec layer in Layers) if (layer.L2 > 0f || layer.L1 > 0f) return true;
            return false;
        }
    }

    /// <summary>
    /// The most floats an <c>Input</c> or <c>Output</c> inline-array struct may hold: 16 384 floats, 64 KiB. A sample
    /// struct lives on the stack (a local, a by-value return and its copy), and a thread's stack is 1 MiB on Windows
    /// and 1.5 MiB for .NET threads on Linux: at 64 KiB a few of them stay far from that, while the runtime refuses an
    /// inline array of 1 MiB or more outright (TypeLoadException). Larger networks predict through spans only.
    /// </summary>
    public const int SampleStructLimit = 16 * 1024;

    /// <summary>Whether the <c>Input</c>/<c>Output</c> structs and <c>Predict(in Input)</c> are generated.</summary>
    public bool HasSampleStructs => InputSize <= SampleStructLimit && OutputSize <= SampleStructLimit;

    /// <summary>
    /// A classifier gets <c>PredictClass</c>: a softmax output of two or more classes, or one sigmoid unit (the
    /// probability of class 1). A regression output (linear, tanh, ReLU) or several sigmoid units (multi-label, where
    /// a sample may belong to several classes at once) get none.
    /// </summary>
    public bool IsClassifier
    {
        get
        {
            LayerSpec output = Layers[Layers.Count - 1];
            return (output.Activation == Activation.Softmax && output.Units >= 2) ||
                   (output.Activation == Activation.Sigmoid && output.Units == 1);
        }
    }

    public string FullName => Namespace is null ? ClassName : Namespace + "." + ClassName;
}

/// <summary>The parser's result for one [Network] class: a spec when the declaration is valid, and its diagnostics.</summary>
internal sealed record NetworkModel(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
