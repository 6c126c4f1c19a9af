using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>
/// Issue 13, item 1, the build side: each <c>NetGenWeights</c> file reaches the generator as a text additional file
/// (Roslyn refuses binary ones), re-encoded when, and only when, the file changes. From a consumer of the packed
/// package (Consumers/WeightsApp).
/// </summary>
public sealed partial class PackageConsumerTests
{
    [Fact]
    public void NetGenWeights_files_reach_the_compiler_as_text_with_their_path_and_follow_every_change()
    {
        string app = _fixture.CreateConsumer("WeightsApp");
        byte[] first = [0x08, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 0xFF, 0x00, 0x80, 0x7F, 0x3F, 0x80];
        byte[] other = [1, 2, 3];
        WriteFile(Path.Combine(app, "models", "net.safetensors"), first);
        WriteFile(Path.Combine(app, "other", "net.safetensors"), other);

        Dictionary<string, (string Declared, byte[] Bytes, string TextFile)> seen = BuildAndRead(app);
        string models = Path.Combine(app, "models", "net.safetensors"), others = Path.Combine(app, "other", "net.safetensors");
        Assert.Equal(2, seen.Count);
        Assert.Equal(first, seen[models].Bytes);
        Assert.Equal("models/net.safetensors", seen[models].Declared);
        Assert.Equal(other, seen[others].Bytes);
        Assert.NotEqual(seen[models].TextFile, seen[others].TextFile); // one name, two folders, two text files
        Assert.StartsWith(Path.Combine(app, "obj"), seen[models].TextFile); // under obj/, never beside the sources

        // Every listed file, present or not, is named to the generator (so that it can tell "not listed" from
        // "listed but absent").
        string listed = EditorConfigValue(app, "build_property.NetGenWeightsListed");
        Assert.Equal(new[] { models, others, Path.Combine(app, "missing.safetensors") }, listed.Split(';'));

        // Change one file: its text follows; the other's is not written again.
        DateTime otherWritten = File.GetLastWriteTimeUtc(seen[others].TextFile);
        byte[] second = [.. first, 0x42];
        WriteFile(models, second);
        File.SetLastWriteTimeUtc(models, DateTime.UtcNow.AddSeconds(2));
        seen = BuildAndRead(app);
        Assert.Equal(second, seen[models].Bytes);
        Assert.Equal(otherWritten, File.GetLastWriteTimeUtc(seen[others].TextFile));
    }

    static void WriteFile(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Builds, then reads the generated editorconfig's AdditionalFiles sections that carry NetGenWeights:
    /// the weights file's full path → (the Include as written, the decoded bytes, the text file).</summary>
    Dictionary<string, (string Declared, byte[] Bytes, string TextFile)> BuildAndRead(string app)
    {
        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The weights consumer did not build.\n" + build.Describe());

        var result = new Dictionary<string, (string, byte[], string)>(StringComparer.Ordinal);
        string? section = null, weights = null, declared = null;
        void Flush()
        {
            if (section is null || weights is null) return;
            string[] lines = File.ReadAllText(section).Split('\n');
            Assert.StartsWith("netgen-weights 1 ", lines[0]);
            byte[] bytes = Convert.FromBase64String(lines[1]);
            Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[0]["netgen-weights 1 ".Length..]);
            result[weights] = (declared!, bytes, section);
        }
        foreach (string line in File.ReadAllLines(EditorConfig(app)))
        {
            if (line.StartsWith('['))
            {
                Flush();
                section = line[1..^1]; weights = declared = null;
            }
            else if (line.StartsWith("build_metadata.AdditionalFiles.NetGenWeights = ", StringComparison.Ordinal))
                weights = line[(line.IndexOf('=') + 2)..];
            else if (line.StartsWith("build_metadata.AdditionalFiles.NetGenWeightsDeclared = ", StringComparison.Ordinal))
                declared = line[(line.IndexOf('=') + 2)..];
        }
        Flush();
        return result;
    }

    static string EditorConfig(string app)
        => Directory.GetFiles(Path.Combine(app, "obj", "Release"), "*.GeneratedMSBuildEditorConfig.editorconfig",
            SearchOption.AllDirectories).Single();

    static string EditorConfigValue(string app, string key)
    {
        string prefix = key + " = ";
        string? line = File.ReadAllLines(EditorConfig(app)).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"no '{key}' in the generated editorconfig");
        return line![prefix.Length..];
    }
}
