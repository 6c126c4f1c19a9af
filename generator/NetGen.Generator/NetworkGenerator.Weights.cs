using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>
    /// [Weights]: the NetGenWeights files as the package's build step carries them (NetGen.targets: a text additional
    /// file per weights file, "netgen-weights 1 &lt;byte count&gt;\n&lt;base64&gt;\n", with the weights file's full path
    /// as item metadata), matched with a network's [Weights] path and checked against its layers with the rules
    /// LoadSafetensors applies at run time (SafetensorsHeader, TensorNames). No file I/O: the bytes come from the
    /// compiler.
    /// </summary>
    internal static class WeightsStep
    {
        /// <summary>The most parameters compiled in: 1 048 576 (4 MiB of float32). Above it a build of the literal
        /// costs tens of seconds and gigabytes of compiler memory (see NG0507): the network loads its file at run
        /// time.</summary>
        public const int MaxCompiledParameters = 1 << 20;

        private const string MetadataKey = "build_metadata.AdditionalFiles.NetGenWeights";
        private const string DeclaredKey = "build_metadata.AdditionalFiles.NetGenWeightsDeclared";
        private const string ProjectDirectoryKey = "build_property.MSBuildProjectDirectory";
        private const string ListedKey = "build_property.NetGenWeightsListed";
        private const string Magic = "netgen-weights 1 ";

        /// <summary>The weights file an additional text stands for, decoded; null for any other additional
        /// file.</summary>
        public static WeightsText? ReadText(AdditionalText text, AnalyzerConfigOptionsProvider options,
            CancellationToken cancellationToken)
        {
            AnalyzerConfigOptions fileOptions = options.GetOptions(text);
            if (!fileOptions.TryGetValue(MetadataKey, out string? fullPath) || string.IsNullOrWhiteSpace(fullPath))
                return null;
            fileOptions.TryGetValue(DeclaredKey, out string? declared);
            string path = Normalize(fullPath!);
            string? content = text.GetText(cancellationToken)?.ToString();
            string? error = null;
            byte[]? bytes = content is null ? null : Decode(content, out error);
            if (content is null) error = "the build's encoding " + text.Path + " could not be read";
            return new WeightsText(path, string.IsNullOrEmpty(declared) ? path : declared!,
                bytes is null ? null : new ByteData(bytes), bytes is null ? error : null);
        }

        /// <summary>The bytes of NetGenEncodeWeights's text, or null with why it is not such a text.</summary>
        internal static byte[]? Decode(string content, out string? error)
        {
            error = null;
            int newline = content.IndexOf('\n');
            string first = (newline < 0 ? content : content.Substring(0, newline)).TrimEnd('\r');
            if (!first.StartsWith(Magic, StringComparison.Ordinal) ||
                !long.TryParse(first.Substring(Magic.Length), NumberStyles.None, CultureInfo.InvariantCulture,
                    out long count))
            {
                error = "its build-time encoding does not start with \"" + Magic + "<byte count>\" (NetGen's " +
                    "build step writes it under obj/netgen-weights/; rebuild)";
                return null;
            }
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(newline < 0 ? "" : content.Substring(newline + 1).Trim());
            }
            catch (FormatException)
            {
                error = "its build-time encoding under obj/netgen-weights/ is not valid base64 (rebuild)";
                return null;
            }
            if (bytes.LongLength != count)
            {
                error = "its build-time encoding holds " + bytes.Length + " bytes but announces " + count +
                    " (rebuild)";
                return null;
            }
            return bytes;
        }

        public static WeightsOptions ReadOptions(AnalyzerConfigOptionsProvider provider)
        {
            AnalyzerConfigOptions global = provider.GlobalOptions;
            string? directory = global.TryGetValue(ProjectDirectoryKey, out string? d) && !string.IsNullOrWhiteSpace(d)
                ? d : null;
            var listed = new List<string>();
            if (global.TryGetValue(ListedKey, out string? list) && list is not null)
                foreach (string item in list.Split(';'))
                    if (item.Trim().Length > 0) listed.Add(Normalize(item.Trim()));
            return new WeightsOptions(directory is null ? null : Normalize(directory), listed.ToEquatableArray());
        }

        /// <summary>A path with '/' separators and no "." or ".." segments (no file system is asked).</summary>
        internal static string Normalize(string path)
        {
            string p = path.Replace('\\', '/');
            string root = "";
            if (p.StartsWith("//", StringComparison.Ordinal)) root = "//";
            else if (p.StartsWith("/", StringComparison.Ordinal)) root = "/";
            else if (p.Length >= 2 && p[1] == ':') root = p.Substring(0, 2) + "/";
            var segments = new List<string>();
            foreach (string segment in p.Substring(Math.Min(root.Length, p.Length)).Split('/'))
            {
                if (segment.Length == 0 || segment == ".") continue;
                if (segment == ".." && segments.Count > 0 && segments[segments.Count - 1] != "..")
                    segments.RemoveAt(segments.Count - 1);
                else if (segment != ".." || root.Length == 0) segments.Add(segment);
            }
            return root + string.Join("/", segments);
        }

        /// <summary>[Weights]'s path resolved against the project directory (as it stands when rooted).</summary>
        internal static string Resolve(string? projectDirectory, string path)
        {
            string p = path.Replace('\\', '/');
            bool rooted = p.StartsWith("/", StringComparison.Ordinal) || (p.Length >= 2 && p[1] == ':');
            return Normalize(rooted || projectDirectory is null ? p : projectDirectory + "/" + p);
        }

        private static bool SamePath(string a, string b)
            // Drive-letter paths are Windows paths, whose names ignore letter case.
            => string.Equals(a, b,
                a.Length >= 2 && a[1] == ':' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

        /// <summary>The check of one network's [Weights] file; never throws (an unexpected failure is
        /// NG9999).</summary>
        public static WeightsResult Check(NetworkSpec spec, ImmutableArray<WeightsText> texts, WeightsOptions options)
        {
            var findings = new List<WeightsFinding>();
            try
            {
                return CheckCore(spec, texts, options, findings);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                findings.Add(Finding(DiagnosticDescriptors.GeneratorFailure, spec.ClassName,
                    exception.GetType().Name + ": " + exception.Message.TrimEnd('.')));
                return Empty(spec, findings);
            }
        }

        private static WeightsResult Empty(NetworkSpec spec, List<WeightsFinding> findings)
            => new(spec, findings.ToEquatableArray(), EquatableArray<float>.Empty, EquatableArray<string>.Empty);

        private static WeightsFinding Finding(DiagnosticDescriptor descriptor, params object[] args)
        {
            var texts = new string[args.Length];
            for (int i = 0; i < args.Length; i++)
                texts[i] = Convert.ToString(args[i], CultureInfo.InvariantCulture) ?? "";
            return new WeightsFinding(descriptor, texts.ToEquatableArray());
        }

        private static WeightsResult CheckCore(NetworkSpec spec, ImmutableArray<WeightsText> texts, WeightsOptions options,
            List<WeightsFinding> findings)
        {
            string declared = spec.WeightsPath!;
            string full = Resolve(options.ProjectDirectory, declared);
            string fileName = full.Substring(full.LastIndexOf('/') + 1);

            WeightsText? text = null;
            foreach (WeightsText candidate in texts)
                if (SamePath(candidate.FullPath, full)) { text = candidate; break; }
            if (text is null)
            {
                bool listed = false;
                foreach (string item in options.Listed) listed |= SamePath(item, full);
                findings.Add(listed ? Finding(DiagnosticDescriptors.WeightsFileMissing, declared, full)
                    : Finding(DiagnosticDescriptors.WeightsNotListed, declared));
                return Empty(spec, findings);
            }
            if (text.Bytes is null)
            {
                findings.Add(Finding(DiagnosticDescriptors.WeightsFileInvalid, declared, fileName,
                    text.Error ?? "it could not be decoded"));
                return Empty(spec, findings);
            }
            byte[] file = text.Bytes.Bytes;
            SafetensorsHeader? header = SafetensorsHeader.Read(file, out string? headerError);
            if (header is null)
            {
                findings.Add(Finding(DiagnosticDescriptors.WeightsFileInvalid, declared, fileName,
                    headerError!.TrimEnd('.')));
                return Empty(spec, findings);
            }

            // The layers with parameters, in order: a conv layer's W is (filters, c_in, kh, kw), PyTorch's
            // Conv2d.weight, a dense layer's (n[l], n[l-1]); pool layers hold no tensors. matchOf[l-1] is layer l's
            // place among them (−1 for a pool), so that an nn.Sequential's modules map onto them in order whatever
            // gaps its ReLU, MaxPool and Flatten modules leave in its numbering.
            var layers = new List<TensorLayer>();
            var matchOf = new int[spec.Layers.Count];
            foreach (LayerSpec layer in spec.Layers)
            {
                matchOf[layer.Index - 1] = layer.HasParameters ? layers.Count : -1;
                if (!layer.HasParameters) continue;
                MapShape? map = layer.Map;
                int[] shape = layer.Kind == LayerKind.Conv2D
                    ? new[] { map!.OutChannels, map.InChannels, map.KernelHeight, map.KernelWidth }
                    : new[] { layer.Units, layer.Inputs };
                layers.Add(new TensorLayer(layer.Index, layer.TensorName, shape, layer.BiasCount));
            }
            var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (TensorEntry entry in header.Entries)
            {
                infos[entry.Name] = new TensorInfo(entry.Name, entry.Dtype, entry.Shape);
                entries[entry.Name] = entry;
            }
            MatchedLayer[]? matched = TensorNames.Match(layers, infos, fileName, out string? matchError);
            if (matched is null)
            {
                findings.Add(Finding(DiagnosticDescriptors.WeightsDoNotFit, matchError!, declared, spec.ClassName));
                return Empty(spec, findings);
            }

            // Every tensor's bytes must be exactly its elements (the header reader checks only that ranges tile).
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (MatchedLayer m in matched)
            {
                foreach (TensorInfo tensor in new[] { m.Weight, m.Bias })
                {
                    used.Add(tensor.Name);
                    if (TensorNames.ByteLengthProblem(entries[tensor.Name]) is { } problem)
                    {
                        findings.Add(Finding(DiagnosticDescriptors.WeightsFileInvalid, declared, fileName, problem));
                        return Empty(spec, findings);
                    }
                }
            }

            // NetGen's input scaling, saved with the parameters (SaveSafetensors(path, scaling)): compiled in too.
            double[]? mean = null, deviation = null;
            if (entries.ContainsKey(TensorNames.ScalingMean) || entries.ContainsKey(TensorNames.ScalingDeviation))
            {
                int inputs = spec.Layers[0].Inputs;
                // The first fault only: a scaling of another width would otherwise be reported twice.
                mean = ReadScaling(entries, TensorNames.ScalingMean, inputs, file, header.DataStart, declared, fileName,
                    spec.ClassName, findings);
                deviation = mean is null ? null : ReadScaling(entries, TensorNames.ScalingDeviation, inputs, file,
                    header.DataStart, declared, fileName, spec.ClassName, findings);
                if (mean is null || deviation is null) return Empty(spec, findings);
                used.Add(TensorNames.ScalingMean);
                used.Add(TensorNames.ScalingDeviation);
            }

            var unused = new List<string>();
            foreach (TensorEntry entry in header.Entries)
                if (!used.Contains(entry.Name))
                    unused.Add(entry.Name + " " + entry.Dtype + " " + TensorNames.Shape(entry.Shape));
            if (unused.Count > 0)
            {
                const int Shown = 8;
                string list = string.Join(", ", unused.GetRange(0, Math.Min(Shown, unused.Count))) +
                    (unused.Count > Shown ? ", … (" + (unused.Count - Shown) + " more)" : "");
                findings.Add(Finding(DiagnosticDescriptors.UnusedTensors, fileName, unused.Count,
                    unused.Count == 1 ? "" : "s", spec.ClassName, list));
            }

            if (spec.ParameterCount > MaxCompiledParameters)
            {
                findings.Add(Finding(DiagnosticDescriptors.WeightsTooLarge, spec.ClassName, spec.ParameterCount,
                    4L * spec.ParameterCount, MaxCompiledParameters, declared));
                return Empty(spec, findings);
            }

            // The parameters in the network's order, where the plan puts each layer's W and b.
            NetworkPlan plan = NetworkPlan.Of(spec);
            var parameters = new float[spec.ParameterCount];
            var sources = new List<string>();
            foreach (LayerPlan layer in plan.Layers)
            {
                if (matchOf[layer.Index - 1] < 0) continue;                           // a pool: no parameters
                MatchedLayer m = matched[matchOf[layer.Index - 1]];
                string l = layer.Index.ToString(CultureInfo.InvariantCulture);
                if (!Read(entries[m.Weight.Name], file, header.DataStart, parameters, layer.WeightOffset, "W" + l,
                        layer.Index, fileName, findings) |
                    !Read(entries[m.Bias.Name], file, header.DataStart, parameters, layer.BiasOffset, "b" + l,
                        layer.Index, fileName, findings))
                    continue;
                sources.Add(m.Weight.Name + " (" + m.Weight.Dtype + ")");
                sources.Add(m.Bias.Name + " (" + m.Bias.Dtype + ")");
            }
            foreach (WeightsFinding finding in findings)
                if (finding.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) return Empty(spec, findings);
            return new WeightsResult(spec, findings.ToEquatableArray(),
                ImmutableArray.Create(parameters).ToEquatableArray(), sources.ToEquatableArray())
            {
                ScalingMean = mean is null ? EquatableArray<double>.Empty : mean.ToEquatableArray(),
                ScalingDeviation = deviation is null ? EquatableArray<double>.Empty : deviation.ToEquatableArray(),
            };
        }

        /// <summary>One tensor of the input scaling: F64 [n[0]] of finite values (σ &gt; 0), as
        /// <c>Standardizer</c> needs them; null (with a finding) when it is absent or not so.</summary>
        private static double[]? ReadScaling(Dictionary<string, TensorEntry> entries, string name, int inputs, byte[] file,
            int dataStart, string declared, string fileName, string className, List<WeightsFinding> findings)
        {
            string needed = name + " F64 [" + inputs.ToString(CultureInfo.InvariantCulture) + "]";
            if (!entries.TryGetValue(name, out TensorEntry? entry))
            {
                findings.Add(Finding(DiagnosticDescriptors.WeightsDoNotFit, fileName + " holds the other half of an " +
                    "input scaling but not " + needed + " (a scaling is scaling.mean and scaling.deviation together)",
                    declared, className));
                return null;
            }
            long bytes = 8L * inputs;
            if (entry.Dtype != "F64" || entry.Shape.Length != 1 || entry.Shape[0] != inputs
                || entry.End - entry.Begin != bytes)
            {
                findings.Add(Finding(DiagnosticDescriptors.WeightsDoNotFit, name + " is " + entry.Dtype + " " +
                    TensorNames.Shape(entry.Shape) + " in " + fileName + ", but the input scaling needs " + needed,
                    declared, className));
                return null;
            }
            var values = new double[inputs];
            int at = dataStart + (int)entry.Begin;
            for (int i = 0; i < inputs; i++, at += 8)
            {
                double d = TensorNames.Float64(file, at);
                bool deviation = name == TensorNames.ScalingDeviation;
                if (double.IsNaN(d) || double.IsInfinity(d) || (deviation && !(d > 0)))
                {
                    string shown = double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "+∞" : "−∞")
                        : d.ToString("R", CultureInfo.InvariantCulture);
                    findings.Add(Finding(DiagnosticDescriptors.WeightsDoNotFit, name + "[" + i + "] is " + shown +
                        " in " + fileName + ", but the input scaling needs finite means and deviations > 0",
                        declared, className));
                    return null;
                }
                values[i] = d;
            }
            return values;
        }

        /// <summary>One tensor into <paramref name="parameters"/> at <paramref name="offset"/>: F32 as is, F16 and
        /// BF16 exactly, F64 rounded to the nearest float32. False (with NG0505) at its first value that is not
        /// finite.</summary>
        private static bool Read(TensorEntry t, byte[] file, int dataStart, float[] parameters, int offset, string what,
            int layer, string fileName, List<WeightsFinding> findings)
        {
            int size = TensorNames.ElementSize(t.Dtype);
            int count = (int)((t.End - t.Begin) / size);
            int at = dataStart + (int)t.Begin;
            for (int i = 0; i < count; i++, at += size)
            {
                float value = TensorNames.ElementToSingle(t.Dtype, file, at);
                // A finite double too large for float32 is named as such, not as the ∞ it rounds to.
                string? beyond = null;
                if (t.Dtype == "F64" && TensorNames.Float64(file, at) is double d && !double.IsNaN(d) && !double.IsInfinity(d))
                    beyond = d.ToString("R", CultureInfo.InvariantCulture) + " (beyond float32's range)";
                if (float.IsNaN(value) || float.IsInfinity(value))
                {
                    string shown = beyond ?? (float.IsNaN(value) ? "NaN" : value > 0 ? "+∞" : "−∞");
                    findings.Add(Finding(DiagnosticDescriptors.NonFiniteWeight, t.Name, i, shown, fileName, what,
                        layer));
                    return false;
                }
                parameters[offset + i] = value;
            }
            return true;
        }

        /// <summary>Reports a network's weights findings on its [Weights] attribute, found in this compilation (so that
        /// #pragma and .editorconfig apply), or on no location if the attribute cannot be found.</summary>
        public static void Report(SourceProductionContext context, WeightsResult result, Compilation compilation)
        {
            if (result.Findings.Count == 0) return;
            Location? location = null;
            INamedTypeSymbol? type = compilation.GetTypeByMetadataName(result.Spec.FullName);
            if (type is not null)
            {
                foreach (AttributeData attribute in type.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() == "NetGen.WeightsAttribute" &&
                        attribute.ApplicationSyntaxReference is { } reference)
                    {
                        location = reference.GetSyntax(context.CancellationToken).GetLocation();
                        break;
                    }
                }
            }
            foreach (WeightsFinding finding in result.Findings)
            {
                var args = new object[finding.Args.Count];
                for (int i = 0; i < args.Length; i++) args[i] = finding.Args[i];
                context.ReportDiagnostic(Diagnostic.Create(finding.Descriptor, location, args));
            }
        }
    }
}
