using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// One faulty declaration per way of getting a declaration wrong: the NG#### it gets, its severity, where it points (the
/// line, and the text of the span: the attribute at fault or the class name), what its message names, and that no
/// source is generated for a declaration with an error (but is for one with only a warning).
/// </summary>
public class DiagnosticTests
{
    /// <summary>A faulty declaration and the one diagnostic it must get.</summary>
    /// <param name="Sources">The files (Source0.cs, Source1.cs, …).</param>
    /// <param name="File">The file the diagnostic points into.</param>
    /// <param name="LineMarker">A text found on exactly one line of that file: the line the diagnostic must start on.</param>
    /// <param name="SpanStartsWith">What the text of the diagnostic's span starts with.</param>
    /// <param name="MessageParts">Texts the message must contain (the shapes, sizes and names involved).</param>
    /// <param name="SpanIsExactly">When true, the span text must equal <paramref name="SpanStartsWith"/> (class names).</param>
    /// <param name="GeneratesNothing">For a warning on a class that is no network (NG0004): nothing is generated.</param>
    public sealed record Case(
        string[] Sources, string Id, DiagnosticSeverity Severity, int File, string LineMarker, string SpanStartsWith,
        string[] MessageParts, bool SpanIsExactly = false, bool GeneratesNothing = false);

    private static string Net(string attributes, string declaration = "public partial class Net;") =>
        "using NetGen;\n\nnamespace Tests;\n\n" + attributes.Trim() + "\n" + declaration + "\n";

    private const string ValidLayers = "[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]";

    private static Case Error(string source, string id, string lineMarker, string spanStartsWith, params string[] messageParts) =>
        new(new[] { source }, id, DiagnosticSeverity.Error, 0, lineMarker, spanStartsWith, messageParts);

    private static Case ClassError(string source, string id, string className, params string[] messageParts) =>
        new(new[] { source }, id, DiagnosticSeverity.Error, 0, " " + className, className, messageParts, SpanIsExactly: true);

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        // ---- NG00xx: the declaration ----
        ["NG0001 class not partial"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public class NotPartial;"), "NG0001", "NotPartial", "'NotPartial'", "partial"),
        ["NG0002 nested class"] = ClassError(
            Net("", "public partial class Outer\n{\n    [Network]\n    [Input(3)]\n    [Dense(1, Activation.Sigmoid)]\n    public partial class Inner;\n}"),
            "NG0002", "Inner", "'Inner'", "nested in 'Outer'"),
        ["NG0002 generic class"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public partial class GenericNet<T>;"), "NG0002", "GenericNet", "'GenericNet'", "generic"),
        ["NG0002 static class"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public static partial class StaticNet { }"), "NG0002", "StaticNet", "'StaticNet'", "static"),
        ["NG0002 abstract class"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public abstract partial class AbstractNet;"), "NG0002", "AbstractNet", "'AbstractNet'", "abstract"),
        ["NG0002 record class"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public partial record RecordNet;"), "NG0002", "RecordNet", "'RecordNet'", "record"),
        ["NG0002 file-local class"] = ClassError(
            Net("[Network]\n" + ValidLayers, "file partial class FileNet;"), "NG0002", "FileNet", "'FileNet'", "file-local", "another class"),
        ["NG0002 class named like a private generated method"] = ClassError(
            Net("[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]", "public partial class PredictInRegisters;"),
            "NG0002", "PredictInRegisters", "'PredictInRegisters'", "named like a member NetGen generates", "reserved: ", "_parameters", "s_inputShape"),
        ["NG0002 class named like the parameter field"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public partial class _parameters;"), "NG0002", "_parameters", "'_parameters'", "named like a member"),
        ["NG0002 class named like the input shape field"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public partial class s_inputShape;"), "NG0002", "s_inputShape", "'s_inputShape'", "named like a member"),
        ["NG0002 class named like a layer's weights"] = ClassError(
            Net("[Network]\n" + ValidLayers, "public partial class W2;"), "NG0002", "W2", "'W2'", "named like a member"),
        ["NG0003 layer attribute in another file"] = new(
            new[]
            {
                Net("[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]", "public partial class Split;"),
                Net("[Dense(4, Activation.Relu)]", "public partial class Split { }"),
            },
            "NG0003", DiagnosticSeverity.Error, 1, "[Dense(4", "Dense(4, Activation.Relu)", new[] { "[Dense]", "'Split'", "[Network]" }),
        ["NG0003 layer attribute on a second declaration in the same file"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]", "public partial class Split;\n\n[L2(0.5f)]\npublic partial class Split { }"),
            "NG0003", "[L2(", "L2(0.5f)", "[L2]", "'Split'"),

        ["NG0004 layer attributes without [Network]"] = new(
            new[] { Net("[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dropout(0.5f)]\n[Dense(1, Activation.Sigmoid)]", "public partial class Forgotten;") },
            "NG0004", DiagnosticSeverity.Warning, 0, " Forgotten", "Forgotten",
            new[] { "'Forgotten'", "[Input], [Dense], [Dropout]", "no [Network]", "no code", "add [Network(...)]" }, SpanIsExactly: true, GeneratesNothing: true),
        ["NG0004 a penalty alone"] = new(
            new[] { Net("[L2(0.1f)]", "public class NotANetwork { }") },
            "NG0004", DiagnosticSeverity.Warning, 0, " NotANetwork", "NotANetwork", new[] { "'NotANetwork'", "[L2]" }, SpanIsExactly: true, GeneratesNothing: true),
        ["NG0004 [Weights] alone"] = new(
            new[] { Net("[Weights(\"net.safetensors\")]", "public partial class Pretrained;") },
            "NG0004", DiagnosticSeverity.Warning, 0, " Pretrained", "Pretrained", new[] { "'Pretrained'", "has [Weights] but" },
            SpanIsExactly: true, GeneratesNothing: true),
        ["NG0005 field named like a layer's weights"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public float[] W1 = new float[12];\n}"),
            "NG0005", "public float[] W1", "W1", "field 'W1'", "of 'Net'", "the public property W1", "rename or remove"),
        ["NG0005 Predict with the generated signature"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public void Predict(System.ReadOnlySpan<float> x, System.Span<float> y) { }\n}"),
            "NG0005", "public void Predict", "Predict", "method 'Predict(ReadOnlySpan<float>, Span<float>)'",
            "the public method Predict(ReadOnlySpan<float>, Span<float>)"),
        ["NG0005 Predict on inline arrays"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public Output Predict(in Input x) => default;\n}"),
            "NG0005", "public Output Predict", "Predict", "method 'Predict(in Input)'", "the public method Predict(in Input)"),
        ["NG0005 InputSize as a property"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public int InputSize => 3;\n}"),
            "NG0005", "public int InputSize", "InputSize", "property 'InputSize'", "the public constant InputSize"),
        ["NG0005 Architecture as a constant"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public const string Architecture = \"mine\";\n}"),
            "NG0005", "Architecture =", "Architecture", "constant 'Architecture'", "the public constant Architecture"),
        ["NG0005 a Layers property of the user's"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public string[] Layers => new[] { \"mine\" };\n}"),
            "NG0005", "public string[] Layers", "Layers", "property 'Layers'", "the public property Layers"),
        ["NG0005 a field named like the layers' list"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    private static int s_layers;\n}"),
            "NG0005", "private static int s_layers", "s_layers", "field 's_layers'", "the private field s_layers"),
        ["NG0005 parameterless constructor"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public Net() { }\n}"),
            "NG0005", "public Net()", "Net", "constructor 'Net()'", "the public constructor Net()"),
        ["NG0005 seeded constructor"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public Net(ulong seed) { }\n}"),
            "NG0005", "public Net(ulong", "Net", "constructor 'Net(ulong)'", "the public constructor Net(ulong)"),
        ["NG0005 nested Input"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    public struct Input { }\n}"),
            "NG0005", "public struct Input", "Input", "nested type 'Input'", "the public struct Input"),
        ["NG0005 private helper name"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net\n{\n    private static void Forward() { }\n}"),
            "NG0005", "void Forward", "Forward", "method 'Forward()'", "the private method Forward"),
        ["NG0005 member inherited from the base class"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net : Base;\n\npublic abstract class Base\n{\n    public int OutputSize => 1;\n}"),
            "NG0005", ": Base", "Base", "property 'OutputSize' inherited from 'Base'", "the public constant OutputSize"),
        ["NG0006 base class without a parameterless constructor"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net : Base;\n\npublic abstract class Base\n{\n    protected Base(int size) { }\n}"),
            "NG0006", ": Base", "Base", "'Net'", "derives from 'Base'", "base()"),
        ["NG0006 base class with a private parameterless constructor"] = Error(
            Net("[Network]\n" + ValidLayers, "public partial class Net : Base;\n\npublic class Base\n{\n    private Base() { }\n    public Base(int size) { }\n}"),
            "NG0006", ": Base", "Base", "derives from 'Base'"),

        // ---- NG01xx: shapes ----
        ["NG0101 no input"] = Error(
            Net("[Network(Seed = 3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"), "NG0101", "[Network", "Network(Seed = 3)", "'Net'", "[Input(...)]", "n[0]"),
        ["NG0102 two inputs"] = Error(
            Net("[Network]\n[Input(3)]\n[Input(8, 8)]\n[Dense(1, Activation.Sigmoid)]"), "NG0102", "[Input(8", "Input(8, 8)", "'Net'", "[Input(3)]"),
        ["NG0103 no layer"] = Error(
            Net("[Network(Seed = 4)]\n[Input(3)]"), "NG0103", "[Network", "Network(Seed = 4)", "'Net'", "has no layer ([Dense], [Conv2D]"),
        ["NG0104 dense of 0 units"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(0, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"), "NG0104", "[Dense(0", "Dense(0, Activation.Relu)", "Layer 1", "size 0"),
        ["NG0104 input of size 0"] = Error(
            Net("[Network]\n[Input(0)]\n[Dense(1, Activation.Sigmoid)]"), "NG0104", "[Input(", "Input(0)", "input", "size 0"),
        ["NG0104 negative input dimension"] = Error(
            Net("[Network]\n[Input(4, -1)]\n[Dense(1, Activation.Sigmoid)]"), "NG0104", "[Input(", "Input(4, -1)", "Dimension 2", "4 × -1", "size -1"),
        ["NG0104 input with no dimension"] = Error(
            Net("[Network]\n[Input()]\n[Dense(1, Activation.Sigmoid)]"), "NG0104", "[Input(", "Input()", "[Input()]", "size 0"),
        ["NG0104 negative Inputs"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(1, Activation.Sigmoid, Inputs = -2)]"), "NG0104", "[Dense(", "Dense(1, Activation.Sigmoid, Inputs = -2)", "Inputs of layer 1", "-2"),
        ["NG0105 Inputs do not match the input"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Inputs = 5)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0105", "[Dense(4", "Dense(4, Activation.Relu, Inputs = 5)", "Layer 1", "Inputs = 5", "n[0] = 3", "4 × 5", "4 × 3"),
        ["NG0105 Inputs do not match the layer below"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid, Inputs = 3)]"),
            "NG0105", "[Dense(1", "Dense(1, Activation.Sigmoid, Inputs = 3)", "Layer 2", "Inputs = 3", "n[1] = 4", "1 × 3", "1 × 4"),
        ["NG0104 conv stride 0"] = Error(
            Net("[Network]\n[Input(6, 6)]\n[Conv2D(2, 3, Activation.Relu, Stride = 0)]\n[Dense(1, Activation.Sigmoid)]"), "NG0104", "[Conv2D(",
            "Conv2D(2, 3, Activation.Relu, Stride = 0)", "The stride of layer 1", "size 0"),
        ["NG0104 conv of no filter"] = Error(
            Net("[Network]\n[Input(6, 6)]\n[Conv2D(0, 3, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"), "NG0104", "[Conv2D(",
            "Conv2D(0, 3, Activation.Relu)", "The filters of layer 1", "size 0"),
        ["NG0104 pool window of -2"] = Error(
            Net("[Network]\n[Input(6, 6)]\n[AveragePool(-2)]\n[Dense(1, Activation.Sigmoid)]"), "NG0104", "[AveragePool(",
            "AveragePool(-2)", "The window of layer 1", "size -2"),
        ["NG0112 kernel larger than the input"] = Error(
            Net("[Network]\n[Input(4, 4, 1)]\n[Conv2D(2, 5, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"), "NG0112", "[Conv2D(",
            "Conv2D(2, 5, Activation.Relu)", "Layer 1, Conv2D(2, 5), has a 5 × 5 kernel, larger than its 4 × 4 × 1 input",
            "shapes so far: Input 4 × 4 × 1"),
        ["NG0112 kernel larger than the map below, after a pool"] = Error(
            Net("[Network]\n[Input(12, 12, 1)]\n[Conv2D(4, 3, Activation.Relu)]\n[MaxPool(2)]\n[Conv2D(8, 6, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0112", "[Conv2D(8", "Conv2D(8, 6, Activation.Relu)", "Layer 3, Conv2D(8, 6), has a 6 × 6 kernel, larger than its 5 × 5 × 4 input",
            "Input 12 × 12 × 1 → Conv2D(4, 3) → 10 × 10 × 4 → MaxPool(2) → 5 × 5 × 4"),
        ["NG0113 pool window larger than the map"] = Error(
            Net("[Network]\n[Input(3, 5, 2)]\n[MaxPool(4)]\n[Dense(1, Activation.Sigmoid)]"), "NG0113", "[MaxPool(",
            "MaxPool(4)", "Layer 1, MaxPool(4), pools windows of 4 × 4 over a 3 × 5 × 2 map", "Input 3 × 5 × 2"),
        ["NG0114 conv after a dense layer"] = Error(
            Net("[Network]\n[Input(8, 8)]\n[Dense(16, Activation.Relu)]\n[Conv2D(2, 3, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0114", "[Conv2D(", "Conv2D(2, 3, Activation.Relu)", "Layer 2, Conv2D(2, 3), follows the dense layer 1",
            "flat (n[1] = 16)"),
        ["NG0115 Inputs that disagree with the flattened map"] = Error(
            Net("[Network(Loss = Loss.CrossEntropy)]\n[Input(28, 28, 1)]\n[Conv2D(6, 5, Activation.Relu, Padding = Padding.Same)]\n[MaxPool(2)]\n" +
                "[Conv2D(16, 5, Activation.Relu)]\n[MaxPool(2)]\n[Dense(120, Activation.Relu, Inputs = 256)]\n[Dense(10, Activation.Softmax)]"),
            "NG0115", "[Dense(120", "Dense(120, Activation.Relu, Inputs = 256)",
            "Layer 5, Dense(120, Inputs = 256), expects 256 inputs, but the map below flattens to 5 × 5 × 16 = 400",
            "Input 28 × 28 × 1 → Conv2D(6, 5, Padding = Same) → 28 × 28 × 6 → MaxPool(2) → 14 × 14 × 6 → Conv2D(16, 5) → 10 × 10 × 16 → MaxPool(2) → 5 × 5 × 16"),
        ["NG0116 same padding with stride 2"] = Error(
            Net("[Network]\n[Input(8, 8)]\n[Conv2D(2, 3, Activation.Relu, Padding = Padding.Same, Stride = 2)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0116", "[Conv2D(", "Conv2D(2, 3, Activation.Relu, Padding = Padding.Same, Stride = 2)",
            "Layer 1, Conv2D(2, 3, Stride = 2, Padding = Same), asks for Padding.Same with Stride = 2"),
        ["NG0117 conv over a flat input"] = Error(
            Net("[Network]\n[Input(64)]\n[Conv2D(2, 3, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"), "NG0117", "[Conv2D(",
            "Conv2D(2, 3, Activation.Relu)", "Layer 1, Conv2D(2, 3), reads a feature map, but the input of 'Net' is [Input(64)]"),
        ["NG0106 huge layer"] = Error(
            Net("[Network(Seed = 5)]\n[Input(100000)]\n[Dense(100000, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]", "public partial class Huge;"),
            "NG0106", "[Dense(100000", "Dense(100000, Activation.Relu)",
            "The parameters of 'Huge' add up to 10000100000 floats by layer 1 (W1: 100000 × 100000, b1: 100000)",
            "more than the limit of 2147483591 floats that one array can hold"),
        ["NG0106 huge input"] = Error(
            Net("[Network]\n[Input(100000, 100000, 3)]\n[Dense(1, Activation.Sigmoid)]", "public partial class Photo;"),
            "NG0106", "[Input(", "Input(100000, 100000, 3)",
            "The input of 'Photo' (100000 × 100000 × 3) has 30000000000 floats, more than the limit of 2147483591 floats"),
        ["NG0107 input after a layer"] = Error(
            Net("[Network]\n[Dense(4, Activation.Relu)]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0107", "[Input(", "Input(3)", "after 1 [Dense]", "'Net'"),

        ["NG0108 input too large for inline arrays"] = new(
            new[] { Net("[Network]\n[Input(16385)]\n[Dense(1, Activation.Sigmoid)]", "public partial class Wide;") },
            "NG0108", DiagnosticSeverity.Info, 0, "[Input(", "Input(16385)",
            new[] { "The input of 'Wide' has 16385 floats", "more than the 16384", "no Input/Output structs nor Predict(in Input)",
                "Predict(ReadOnlySpan<float>, Span<float>) remains" }),
        ["NG0108 output too large for inline arrays"] = new(
            new[] { Net("[Network(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(20000, Activation.Linear)]", "public partial class Decoder;") },
            "NG0108", DiagnosticSeverity.Info, 0, "[Dense(", "Dense(20000, Activation.Linear)",
            new[] { "The output of 'Decoder' (layer 1) has 20000 floats", "16384" }),
        ["NG0109 layer name with a space"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Name = \"fc 1\")]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0109", "[Dense(4", "Dense(4, Activation.Relu, Name = \"fc 1\")", "Layer 1 has Name = \"fc 1\"",
            "holds whitespace (U+0020) at position 3", "<name>.weight, <name>.bias"),
        ["NG0109 empty layer name"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid, Name = \"\")]"),
            "NG0109", "[Dense(1", "Dense(1, Activation.Sigmoid, Name = \"\")", "Layer 2 has Name = \"\", which is empty"),
        ["NG0109 layer name with a quote"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Name = \"a\\\"b\")]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0109", "[Dense(4", "Dense(4, Activation.Relu, Name = ", "Layer 1 has Name = \"a\\\"b\"", "holds a quote (U+0022) at position 2"),
        ["NG0109 layer name with a tab"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Name = \"a\\tb\")]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0109", "[Dense(4", "Dense(4, Activation.Relu, Name = ", "Name = \"a\\u0009b\"", "holds whitespace (U+0009) at position 2"),
        ["NG0109 layer name ending with a dot"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Name = \"fc1.\")]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0109", "[Dense(4", "Dense(4, Activation.Relu, Name = \"fc1.\")", "starts or ends with '.'"),
        ["NG0110 two layers with one name"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Name = \"fc\")]\n[Dense(1, Activation.Sigmoid, Name = \"fc\")]"),
            "NG0110", "[Dense(1", "Dense(1, Activation.Sigmoid, Name = \"fc\")", "Layer 2 has Name = \"fc\", the name of layer 1 already"),
        ["NG0111 a name that is another layer's default"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid, Name = \"layers.0\")]"),
            "NG0111", "[Dense(1", "Dense(1, Activation.Sigmoid, Name = \"layers.0\")",
            "Layer 2 has Name = \"layers.0\", NetGen's default name of layer 1 (layers.{l-1})"),
        ["NG0111 a name that is a later layer's default"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Name = \"layers.1\")]\n[Dense(1, Activation.Sigmoid, Name = \"out\")]"),
            "NG0111", "[Dense(4", "Dense(4, Activation.Relu, Name = \"layers.1\")", "Layer 1 has Name = \"layers.1\", NetGen's default name of layer 2"),

        // ---- NG02xx: activations and losses ----
        ["NG0201 hidden softmax"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Softmax)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0201", "[Dense(4", "Dense(4, Activation.Softmax)", "Layer 1", "of 'Net'", "n[1] = 4", "Softmax"),
        ["NG0202 BCE with a tanh output"] = Error(
            Net("[Network(Loss = Loss.BinaryCrossEntropy)]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Tanh)]"),
            "NG0202", "[Dense(1", "Dense(1, Activation.Tanh)", "BinaryCrossEntropy", "Sigmoid", "layer 2", "n[2] = 1", "Tanh"),
        ["NG0202 CE with a sigmoid output"] = Error(
            Net("[Network(Loss = Loss.CrossEntropy)]\n[Input(3)]\n[Dense(3, Activation.Sigmoid)]"),
            "NG0202", "[Dense(3", "Dense(3, Activation.Sigmoid)", "CrossEntropy", "Softmax", "layer 1", "n[1] = 3", "Sigmoid"),
        ["NG0203 CE with a one-unit softmax"] = Error(
            Net("[Network(Loss = Loss.CrossEntropy)]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Softmax)]"),
            "NG0203", "[Dense(1", "Dense(1, Activation.Softmax)", "layer 2", "n[2] = 1", "at least 2"),
        ["NG0204 undefined activation"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, (Activation)42)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0204", "[Dense(4", "Dense(4, (Activation)42)", "Activation = 42", "NetGen.Activation"),
        ["NG0204 undefined loss"] = Error(
            Net("[Network(Loss = (Loss)9)]\n" + ValidLayers), "NG0204", "[Network", "Network(Loss = (Loss)9)", "Loss = 9", "NetGen.Loss"),
        ["NG0204 undefined network init"] = Error(
            Net("[Network(Init = (Init)77)]\n" + ValidLayers), "NG0204", "[Network", "Network(Init = (Init)77)", "Init = 77", "NetGen.Init"),
        ["NG0204 undefined layer init"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Init = (Init)77)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0204", "[Dense(4", "Dense(4, Activation.Relu, Init = (Init)77)", "Init = 77", "NetGen.Init"),
        ["NG0205 NaN leaky slope"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.LeakyRelu, LeakySlope = float.NaN)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0205", "[Dense(4", "Dense(4, Activation.LeakyRelu, LeakySlope = float.NaN)", "Layer 1", "NaN"),
        ["NG0205 infinite leaky slope"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.LeakyRelu)]\n[Dense(2, Activation.LeakyRelu, LeakySlope = float.PositiveInfinity)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0205", "[Dense(2", "Dense(2, Activation.LeakyRelu, LeakySlope = float.PositiveInfinity)", "Layer 2", "Infinity"),

        // ---- NG03xx: initialisation ----
        ["NG0301 zeros for the network"] = new(
            new[] { Net("[Network(Init = Init.Zeros)]\n" + ValidLayers) },
            "NG0301", DiagnosticSeverity.Warning, 0, "[Network", "Network(Init = Init.Zeros)", new[] { "Init.Zeros", "'Net'", "symmetry" }),
        ["NG0301 zeros for one layer"] = new(
            new[] { Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, Init = Init.Zeros)]\n[Dense(1, Activation.Sigmoid)]") },
            "NG0301", DiagnosticSeverity.Warning, 0, "[Dense(4", "Dense(4, Activation.Relu, Init = Init.Zeros)", new[] { "Init.Zeros", "hidden layer 1", "W1", "symmetry" }),
        ["NG0302 negative init scale"] = Error(
            Net("[Network(Init = Init.Normal, InitScale = -1f)]\n" + ValidLayers), "NG0302", "[Network", "Network(Init = Init.Normal, InitScale = -1f)", "InitScale = -1"),
        ["NG0302 zero init scale"] = Error(
            Net("[Network(InitScale = 0f)]\n" + ValidLayers), "NG0302", "[Network", "Network(InitScale = 0f)", "InitScale = 0"),
        ["NG0302 NaN init scale"] = Error(
            Net("[Network(InitScale = float.NaN)]\n" + ValidLayers), "NG0302", "[Network", "Network(InitScale = float.NaN)", "InitScale = NaN"),

        // ---- NG04xx: regularization ----
        ["NG0401 keep probability 0"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dropout(0f)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0401", "[Dropout(", "Dropout(0f)", "[Dropout(0)]", "greater than 0", "at most 1"),
        ["NG0401 keep probability above 1"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dropout(1.5f)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0401", "[Dropout(", "Dropout(1.5f)", "[Dropout(1.5)]"),
        ["NG0401 NaN keep probability"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dropout(float.NaN)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0401", "[Dropout(", "Dropout(float.NaN)", "[Dropout(NaN)]"),
        ["NG0402 dropout right after the input"] = Error(
            Net("[Network]\n[Input(3)]\n[Dropout(0.8f)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0402", "[Dropout(", "Dropout(0.8f)", "before the first layer"),
        ["NG0402 dropout after the output layer"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]\n[Dropout(0.8f)]"),
            "NG0402", "[Dropout(", "Dropout(0.8f)", "output layer 2", "n[2] = 1"),
        ["NG0402 two dropouts on one layer"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dropout(0.8f)]\n[Dropout(0.5f)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0402", "[Dropout(0.5", "Dropout(0.5f)", "second", "layer 1"),
        ["NG0403 negative L2"] = Error(
            Net("[Network]\n" + ValidLayers + "\n[L2(-1f)]"), "NG0403", "[L2(", "L2(-1f)", "L2", "-1"),
        ["NG0403 NaN L1"] = Error(
            Net("[Network]\n" + ValidLayers + "\n[L1(float.NaN)]"), "NG0403", "[L1(", "L1(float.NaN)", "L1", "NaN"),
        ["NG0403 negative per-layer L1"] = Error(
            Net("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu, L1 = -0.5f)]\n[Dense(1, Activation.Sigmoid)]"),
            "NG0403", "[Dense(4", "Dense(4, Activation.Relu, L1 = -0.5f)", "L1 of layer 1", "-0.5"),
        ["NG0404 L2 twice"] = Error(
            Net("[Network]\n" + ValidLayers + "\n[L2(0.1f)]\n[L2(0.2f)]"), "NG0404", "[L2(0.2", "L2(0.2f)", "[L2]", "'Net'"),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Declaration_gets_its_diagnostic(string name)
    {
        Case c = Cases[name];
        GeneratorRun run = GeneratorHarness.Run(c.Sources);
        run.AssertGeneratorDidNotFail();

        // Exactly the one expected NG diagnostic, and nothing else from the generator.
        Diagnostic diagnostic = AssertSingleDiagnostic(run, c.Id);

        Assert.Equal(c.Severity, diagnostic.Severity);
        Assert.Equal(c.Severity, diagnostic.Descriptor.DefaultSeverity);
        Assert.EndsWith("docs/diagnostics/" + c.Id + ".md", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);

        // Where it points.
        FileLinePositionSpan lineSpan = diagnostic.Location.GetLineSpan();
        Assert.Equal(GeneratorHarness.PathOf(c.File), lineSpan.Path);
        Assert.Equal(LineOf(c.Sources[c.File], c.LineMarker), lineSpan.StartLinePosition.Line + 1);
        string spanText = run.SpanText(diagnostic);
        if (c.SpanIsExactly)
            Assert.Equal(c.SpanStartsWith, spanText);
        else
            Assert.StartsWith(c.SpanStartsWith, spanText, StringComparison.Ordinal);

        // What it says.
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string part in c.MessageParts)
            Assert.True(message.Contains(part, StringComparison.Ordinal), "The message of " + c.Id + " does not name '" + part + "': " + message);

        // An error means no (half-written) source; a warning alone still generates the network.
        if (c.Severity == DiagnosticSeverity.Error)
        {
            Assert.True(run.GeneratedSources.IsEmpty,
                "Source was generated for a declaration with an error: " + string.Join(", ", run.GeneratedSources.Select(s => s.HintName)));
        }
        else if (c.GeneratesNothing)
        {
            Assert.Empty(run.GeneratedSources);
            Assert.DoesNotContain(run.OutputProblems(), d => d.Severity == DiagnosticSeverity.Error);
        }
        else
        {
            Assert.Equal(2, run.GeneratedSources.Length); // the network's two files
            var problems = run.OutputProblems();
            Assert.True(problems.Count == 0, "The warned-about network does not compile cleanly:" + Environment.NewLine + GeneratorRun.Describe(problems));
        }
    }

    [Fact]
    public void NG0106_page_quotes_the_message_of_its_own_example()
    {
        // The page's example, compiled: the message it quotes (the sum, the layer and the limit) is the one reported.
        string page = System.IO.File.ReadAllText(System.IO.Path.Combine(ReleaseTrackingTests.RepositoryRoot(), "docs", "diagnostics", "NG0106.md"));
        int start = page.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        string example = page.Substring(start, page.IndexOf("```", start, StringComparison.Ordinal) - start);
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n" + example);
        Diagnostic diagnostic = AssertSingleDiagnostic(run, "NG0106");
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("The parameters of 'PhotoNet' add up to 3010580000 floats by layer 1 (W1: 20000 × 150528, b1: 20000), " +
                     "more than the limit of 2147483591 floats that one array can hold", message);
        string quoted = page.Replace("\n> ", " ", StringComparison.Ordinal); // a quote's lines joined into one
        Assert.Contains(" " + message + "\n", quoted, StringComparison.Ordinal);
        Assert.Contains("2 147 483 591", page, StringComparison.Ordinal);
        Assert.DoesNotContain("(2 147 483 647) elements", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_released_descriptor_has_a_case()
    {
        // The NG05xx cases need a weights file beside the source: they are WeightsTests.Cases.
        IEnumerable<string> covered = Cases.Values.Select(c => c.Id).Concat(WeightsTests.Cases.Values.Select(c => c.Id)).Distinct();
        IEnumerable<string> released = ReleaseTrackingTests.ReadUnshippedRules().Select(r => r.Id).Where(id => id != "NG9999");
        Assert.Equal(released.OrderBy(id => id), covered.OrderBy(id => id));
    }

    [Fact]
    public void Warning_only_declaration_generates_a_compiling_network()
    {
        GeneratorRun run = GeneratorHarness.Run(Net("[Network(Init = Init.Zeros)]\n" + ValidLayers, "public partial class ZeroNet;"));
        Assert.Equal("NG0301", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Equal(GeneratorRun.FilesOf("Tests.ZeroNet"), run.HintNames);
        Assert.Contains("global::NetGen.Init.Zeros", run.Source("Tests.ZeroNet.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.OutputProblems());
    }

    [Theory]
    [InlineData("[Network(Init = Init.Zeros)]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]")]                                  // logistic regression
    [InlineData("[Network]\n[Input(3)]\n[Dense(4, Activation.Relu)]\n[Dense(1, Activation.Sigmoid, Init = Init.Zeros)]")]   // zero output layer
    [InlineData("[Network(Init = Init.Zeros)]\n[Input(3)]\n[Dense(4, Activation.Relu, Init = Init.He)]\n[Dense(1, Activation.Sigmoid)]")]
    public void Zero_weights_outside_hidden_layers_get_no_symmetry_warning(string attributes)
    {
        // The symmetry problem is that the units of one hidden layer stay identical; an output layer starts fine from 0.
        GeneratorRun run = GeneratorHarness.Run(Net(attributes));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(GeneratorRun.FilesOf("Tests.Net"), run.HintNames);
    }

    [Fact]
    public void Every_problem_of_a_declaration_is_reported_not_only_the_first()
    {
        // Two independent faults on two attributes: both are reported, each at its own attribute.
        GeneratorRun run = GeneratorHarness.Run(Net(
            "[Network(InitScale = -1f)]\n[Input(3)]\n[Dense(0, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]"));
        run.AssertGeneratorDidNotFail();
        Assert.Equal(new[] { "NG0104", "NG0302" }, run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Error_in_one_network_does_not_stop_another()
    {
        string source = Net("[Network]\n[Input(3)]\n[Dense(0, Activation.Relu)]\n[Dense(1, Activation.Sigmoid)]", "public partial class Broken;") +
                        "\n[Network]\n" + ValidLayers + "\npublic partial class Fine;\n";
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertGeneratorDidNotFail();
        Assert.Equal("NG0104", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Equal(GeneratorRun.FilesOf("Tests.Fine"), run.HintNames);
    }

    private static Diagnostic AssertSingleDiagnostic(GeneratorRun run, string id)
    {
        List<Diagnostic> all = run.GeneratorDiagnostics.ToList();
        Assert.True(all.Count == 1 && all[0].Id == id,
            "Expected exactly one " + id + ", the generator reported:" + Environment.NewLine + GeneratorRun.Describe(all));
        return all[0];
    }

    /// <summary>The 1-based line of the one line of <paramref name="source"/> that contains <paramref name="marker"/>.</summary>
    internal static int LineOf(string source, string marker)
    {
        string[] lines = source.Replace("\r\n", "\n").Split('\n');
        int[] hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(marker, StringComparison.Ordinal)).ToArray();
        Assert.True(hits.Length == 1, "The marker '" + marker + "' is on " + hits.Length + " lines of the test source, not on exactly one.");
        return hits[0] + 1;
    }
}
