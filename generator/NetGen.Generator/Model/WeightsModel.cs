using System;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Helpers;

namespace NetGen.Generator.Model;

/// <summary>Bytes that compare by content (a weights file can hold megabytes: compared as one array, not element by
/// element through a generic comparer), so that an unchanged file leaves the pipeline cached.</summary>
internal sealed class ByteData : IEquatable<ByteData>
{
    private readonly int _hash;

    public ByteData(byte[] bytes)
    {
        Bytes = bytes;
        // A cheap hash of the length and a sample of the bytes; equality compares them all.
        int hash = bytes.Length;
        int step = Math.Max(1, bytes.Length / 64);
        for (int i = 0; i < bytes.Length; i += step) hash = unchecked(hash * 31 + bytes[i]);
        _hash = hash;
    }

    public byte[] Bytes { get; }

    public bool Equals(ByteData? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (other._hash != _hash || other.Bytes.Length != Bytes.Length) return false;
        for (int i = 0; i < Bytes.Length; i++)
            if (Bytes[i] != other.Bytes[i]) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as ByteData);

    public override int GetHashCode() => _hash;
}

/// <summary>One NetGenWeights file as the build carried it (an additional text under obj/): the weights file's full
/// path, the Include as the project wrote it, and its bytes, or why they could not be decoded.</summary>
internal sealed record WeightsText(string FullPath, string Declared, ByteData? Bytes, string? Error);

/// <summary>The project's options for [Weights]: its directory (MSBuildProjectDirectory) and every listed weights file
/// (NetGenWeightsListed), normalised full paths.</summary>
internal sealed record WeightsOptions(string? ProjectDirectory, EquatableArray<string> Listed);

/// <summary>A diagnostic of the weights check, without a location: it is put on the [Weights] attribute when reported,
/// so that the check stays cached when the declaration merely moves.</summary>
internal sealed record WeightsFinding(DiagnosticDescriptor Descriptor, EquatableArray<string> Args);

/// <summary>The weights check of one network: its diagnostics and, when the file fits, the float32 parameters in the
/// network's order (W1, b1, W2, b2, …), with the tensor each layer's W and b came from (for the generated comments),
/// and the input scaling μ, σ when the file holds one (NetGen's SaveSafetensors(path, scaling)). No parameters (an
/// empty list) when none are compiled in.</summary>
internal sealed record WeightsResult(NetworkSpec Spec, EquatableArray<WeightsFinding> Findings,
    EquatableArray<float> Parameters, EquatableArray<string> Sources)
{
    public bool Compiled => Parameters.Count > 0;

    /// <summary>μ of the input scaling, one per input; empty when the file holds none.</summary>
    public EquatableArray<double> ScalingMean { get; init; } = EquatableArray<double>.Empty;

    /// <summary>σ of the input scaling, one per input; empty when the file holds none.</summary>
    public EquatableArray<double> ScalingDeviation { get; init; } = EquatableArray<double>.Empty;

    public bool Scaled => ScalingMean.Count > 0;
}
