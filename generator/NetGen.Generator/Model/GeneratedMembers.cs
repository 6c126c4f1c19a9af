using System.Collections.Generic;

namespace NetGen.Generator.Model;

/// <summary>One member that the generated half of a network class declares.</summary>
/// <param name="Name">Its metadata name (".ctor" for a constructor, "NetGen.INetwork.X" for an explicit implementation).</param>
/// <param name="Description">How a diagnostic names it: "the public method Predict(ReadOnlySpan&lt;float&gt;, Span&lt;float&gt;)".</param>
/// <param name="Signature">For a public method or a constructor: its parameter types as
/// <see cref="GeneratedMembers.TypeKey"/> writes them, so that a user overload with other parameters is allowed.
/// Null for every other member, whose name alone clashes.</param>
internal sealed record GeneratedMember(string Name, string Description, string[]? Signature = null);

/// <summary>
/// Every member the emitter writes into a network class, by name, decided from the spec with the emitter's own
/// predicates: the parser checks the user's members (and the class name) against this one list, and a test compares
/// it with the members of the generated code, so that the two cannot drift apart.
/// </summary>
internal static class GeneratedMembers
{
    private const string ReadOnlySpan = "System.ReadOnlySpan<float>", Span = "System.Span<float>";

    public static List<GeneratedMember> Of(NetworkSpec spec)
    {
        var members = new List<GeneratedMember>();
        void Add(string name, string description) => members.Add(new GeneratedMember(name, description + " " + name));
        void Method(string name, params string[] parameters) => members.Add(new GeneratedMember(name,
            "the public method " + name + "(" + string.Join(", ", Short(parameters)) + ")", parameters));

        // Constants, the input shape and the parameter block.
        foreach (string name in new[] { "InputSize", "OutputSize", "LayerCount", "ParameterCount", "DefaultSeed", "Architecture", "Loss" })
            Add(name, "the public constant");
        Add("InputShape", "the public property");
        Add("s_inputShape", "the private field");
        if (spec.InputShape.Count is 2 or 3)
        {
            Add("InputHeight", "the public constant");
            Add("InputWidth", "the public constant");
            if (spec.InputShape.Count == 3) Add("InputChannels", "the public constant");
        }
        foreach (LayerSpec layer in spec.Layers)
        {
            if (!layer.HasParameters) continue; // a pool has no W or b
            foreach (string part in new[] { "W", "B" })
            {
                Add(part + layer.Index + "Offset", "the private constant");
                Add(part + layer.Index + "Length", "the private constant");
                Add(part + layer.Index, "the public property");
            }
        }
        Add("_parameters", "the private field");
        Add("_gradients", "the private field");
        if (spec.HasDropout) Add("_dropoutRng", "the private field");
        Add("Parameters", "the public property");
        Add("Layers", "the public property");
        Add("s_layers", "the private field");
        foreach (string name in new[] { "InputSize", "OutputSize", "LayerCount", "ParameterCount", "Architecture", "Loss" })
            members.Add(new GeneratedMember("NetGen.INetwork." + name, "the explicit implementation of INetwork." + name));

        if (spec.WeightsPath is not null)
        {
            Add("PretrainedParameters", "the private property");
            Add("PretrainedScaling", "the public property");
            Add("Pretrained", "the public property");
            Add("s_pretrained", "the private field");
        }

        // Construction.
        members.Add(new GeneratedMember(".ctor", "the public constructor " + spec.ClassName + "()", new string[0]));
        members.Add(new GeneratedMember(".ctor", "the public constructor " + spec.ClassName + "(ulong)", new[] { "ulong" }));

        // One sample.
        Method("Predict", ReadOnlySpan, Span);
        if (spec.HasSampleStructs)
        {
            Add("Input", "the public struct");
            Add("Output", "the public struct");
            Method("Predict", "in " + TypeKeyOfNested(spec, "Input"));
        }
        if (spec.IsClassifier) Method("PredictClass", ReadOnlySpan);
        if (NetworkPlan.Of(spec).PredictsInRegisters)
        {
            Add("PredictInRegisters", "the private method");
            Add("PredictLayerByLayer", "the private method");
        }

        // Batches and training.
        Method("PredictBatch", ReadOnlySpan, Span, "int");
        Add("PredictBatchWith", "the private method");
        Method("Cost", ReadOnlySpan, ReadOnlySpan, "int");
        Method("ComputeGradients", ReadOnlySpan, ReadOnlySpan, "int", Span);
        if (spec.HasDropout) Method("ComputeGradients", ReadOnlySpan, ReadOnlySpan, "int", Span, ReadOnlySpan);
        Method("TrainStep", ReadOnlySpan, ReadOnlySpan, "int", "float");
        foreach (string name in new[] { "Backpropagate", "Forward", "CostOf", "CostSum", "Region", "GradientsThenStep" })
            Add(name, "the private method");
        if (spec.HasPenalty) Add("AddPenaltyGradients", "the private method");
        // The batch split across cores.
        Add("WorkPerSample", "the internal constant");
        Add("ShardWork", "the private class");
        Add("_shardWork", "the private field");
        Add("_partials", "the private field");
        foreach (LayerSpec layer in spec.Layers)
        {
            Add("Layer" + layer.Index + "Forward", "the private method");
            Add("Layer" + layer.Index + "ForwardOne", "the private method");
            Add("Layer" + layer.Index + "Backward", "the private method");
        }
        if (spec.HasMaps)
        {
            foreach (LayerSpec layer in spec.Layers)
                if (layer.IsMap) Add((layer.Kind == LayerKind.Conv2D ? "s_conv" : "s_pool") + layer.Index, "the private field");
            Add("ScratchLength", "the private method");
            Add("s_predictFloats", "the private field");
            Add("_workspaceSamples", "the private field");
            Add("_workspaceShards", "the private field");
        }
        Add("WorkspacePerSample", "the private constant");
        Add("_workspace", "the private field");
        Add("Workspace", "the private method");
        Add("Buffers", "the private struct");

        // The frozen form.
        Method("Freeze");
        Add("Frozen", "the public class");
        return members;
    }

    /// <summary>A parameter as a signature compares it: "in " for any by-reference kind (C# cannot overload on in, ref
    /// or out alone), then the type with its namespaces and no alias ("System.Span&lt;float&gt;", "int").</summary>
    public static string TypeKey(bool byReference, string typeDisplay) => (byReference ? "in " : "") + typeDisplay;

    private static string TypeKeyOfNested(NetworkSpec spec, string nested) => spec.FullName + "." + nested;

    private static IEnumerable<string> Short(string[] parameters)
    {
        foreach (string parameter in parameters)
        {
            string text = parameter.Replace("System.", "");
            int dot = text.LastIndexOf('.');
            yield return dot < 0 ? text : (text.StartsWith("in ", System.StringComparison.Ordinal) ? "in " : "") + text.Substring(dot + 1);
        }
    }
}
