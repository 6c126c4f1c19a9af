using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>
/// The one <c>RepositoryUrl</c> of Directory.Build.props reaches everything made from it: the nuspec's repository and
/// project URLs (with the license expression, description, tags and readme), the packed README's links and images (all
/// absolute), and the help link of a diagnostic the generator reports in a consumer's build.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageMetadataTests
{
    readonly PackageFixture _fixture;

    public PackageMetadataTests(PackageFixture fixture) => _fixture = fixture;

    /// <summary>RepositoryUrl as Directory.Build.props declares it.</summary>
    string RepositoryUrl()
    {
        XDocument props = XDocument.Load(Path.Combine(_fixture.RepoRoot, "Directory.Build.props"));
        string[] urls = props.Descendants("RepositoryUrl").Select(e => e.Value.Trim()).ToArray();
        Assert.True(urls.Length == 1, $"Directory.Build.props must declare RepositoryUrl exactly once; it has {urls.Length}");
        Assert.Matches("^https://[^\\s\"]+[^/]$", urls[0]);
        return urls[0];
    }

    static string ReadEntry(ZipArchive zip, string name)
    {
        ZipArchiveEntry? entry = zip.Entries.SingleOrDefault(e => e.FullName == name)
            ?? zip.Entries.SingleOrDefault(e => name == "*.nuspec" && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        Assert.True(entry is not null, $"the package has no {name}: [{string.Join(", ", zip.Entries.Select(e => e.FullName))}]");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public void Package_nuspec_has_the_repository_url_and_the_metadata()
    {
        string url = RepositoryUrl();
        using ZipArchive zip = ZipFile.OpenRead(_fixture.Package);
        string nuspec = ReadEntry(zip, "*.nuspec");
        XDocument doc = XDocument.Parse(nuspec);
        XNamespace ns = doc.Root!.Name.Namespace;
        XElement metadata = doc.Root.Element(ns + "metadata")!;
        string? Field(string name) => metadata.Element(ns + name)?.Value;

        XElement? repository = metadata.Element(ns + "repository");
        Assert.True(repository is not null, "the nuspec has no <repository>\n" + nuspec);
        Assert.Equal(url, (string?)repository.Attribute("url"));
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal(url, Field("projectUrl"));
        XElement? license = metadata.Element(ns + "license");
        Assert.True(license is not null, "the nuspec has no <license>\n" + nuspec);
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.Contains("neural network", Field("description") ?? "");
        string[] tags = (Field("tags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("neural-network", tags);
        Assert.Contains("source-generator", tags);
        Assert.Equal("README.md", Field("readme"));
    }

    /// <summary>Every Markdown link or image, HTML src/href and reference definition outside code, with its line.</summary>
    static List<(int Line, string Target, bool Image)> Links(string markdown)
    {
        var inline = new Regex(@"`+[^`]*`+|(?<![\\\]])(?<bang>!?)\[(?<text>(?:`[^`]*`|[^\]`])*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)|\b(?<attr>src|href)=""(?<value>[^""]+)""");
        var definition = new Regex(@"^ {0,3}\[[^\]]+\]:\s*(?<target>\S+)");
        var links = new List<(int, string, bool)>();
        string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
        string? fence = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (fence is null && (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)))
            {
                fence = trimmed[..3];
                continue;
            }
            if (fence is not null)
            {
                if (trimmed.StartsWith(fence, StringComparison.Ordinal)) fence = null;
                continue;
            }
            Match d = definition.Match(lines[i]);
            if (d.Success)
            {
                links.Add((i + 1, d.Groups["target"].Value, false));
                continue;
            }
            foreach (Match m in inline.Matches(lines[i]))
            {
                if (m.Groups["target"].Success)
                    links.Add((i + 1, m.Groups["target"].Value, m.Groups["bang"].Value == "!"));
                else if (m.Groups["attr"].Success)
                    links.Add((i + 1, m.Groups["value"].Value, m.Groups["attr"].Value == "src"));
            }
        }
        return links;
    }

    /// <summary>The contents of the fenced blocks, which the rewrite must leave as they are.</summary>
    static string[] FencedBlocks(string markdown) =>
        Regex.Matches(markdown.Replace("\r\n", "\n"), @"^```[^\n]*\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => m.Value).ToArray();

    [Fact]
    public void Packed_readme_has_only_absolute_links_and_images_under_the_repository_url()
    {
        string url = RepositoryUrl();
        string source = File.ReadAllText(Path.Combine(_fixture.RepoRoot, "README.md"));
        using ZipArchive zip = ZipFile.OpenRead(_fixture.Package);
        string packed = ReadEntry(zip, "README.md");

        var absolute = new Regex(@"^(?:[A-Za-z][A-Za-z0-9+.\-]*:|//)");
        List<(int Line, string Target, bool Image)> sourceLinks = Links(source), packedLinks = Links(packed);
        // Not vacuous: the repository's README has relative links and an image, which the package must not keep.
        Assert.Contains(sourceLinks, l => l.Image && !absolute.IsMatch(l.Target));
        Assert.Contains(sourceLinks, l => !l.Image && !absolute.IsMatch(l.Target) && !l.Target.StartsWith('#'));

        var problems = new List<string>();
        foreach (var (line, target, image) in packedLinks)
            if (!absolute.IsMatch(target))
                problems.Add($"packed README line {line}: relative {(image ? "image" : "link")} '{target}'");
        Assert.True(sourceLinks.Count == packedLinks.Count,
            $"README.md has {sourceLinks.Count} links and images, the packed one {packedLinks.Count}");
        for (int i = 0; i < sourceLinks.Count && i < packedLinks.Count; i++)
        {
            var (line, target, image) = sourceLinks[i];
            string got = packedLinks[i].Target;
            if (absolute.IsMatch(target))
            {
                if (got != target) problems.Add($"line {line}: the absolute '{target}' became '{got}'");
                continue;
            }
            string path = target.TrimStart('/');
            string expected = target.StartsWith('#') ? $"{url}/blob/main/README.md{target}"
                : image ? $"{url}/raw/main/{path}"
                : $"{url}/{(path.EndsWith('/') ? "tree" : "blob")}/main/{path}";
            if (got != expected)
                problems.Add($"line {line}: '{target}' became '{got}', expected '{expected}'");
            string file = Path.Combine(_fixture.RepoRoot, path.Split('#')[0]);
            if (!target.StartsWith('#') && !File.Exists(file) && !Directory.Exists(file))
                problems.Add($"line {line}: '{target}' names nothing in the repository");
        }
        Assert.Equal(FencedBlocks(source), FencedBlocks(packed));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Generated_diagnostic_help_link_starts_with_the_repository_url()
    {
        string url = RepositoryUrl();
        string app = _fixture.CreateConsumer("HelpLinkApp");
        string log = Path.Combine(app, "build.sarif");
        DotNetResult build = DotNet.Run(app,
            ["build", "-c", "Release", $"-p:ErrorLog={log}", "-tl:off", "-nodeReuse:false", "-p:UseSharedCompilation=false"]);
        Assert.True(build.ExitCode == 0, "The help-link consumer did not build.\n" + build.Describe());
        Assert.Contains("NG0301", build.Output);
        Assert.True(File.Exists(log), $"the build wrote no error log {log}\n" + build.Describe());

        string sarif = File.ReadAllText(log);
        string[] links = Regex.Matches(sarif, "\"helpUri\"\\s*:\\s*\"(?<uri>[^\"]+)\"").Select(m => m.Groups["uri"].Value)
            .Where(u => u.Contains("NG0", StringComparison.Ordinal)).Distinct().ToArray();
        string expected = $"{url}/blob/main/docs/diagnostics/NG0301.md";
        Assert.True(links.Contains(expected), $"the error log has no help link {expected}; NetGen's: [{string.Join(", ", links)}]\n{sarif}");
        Assert.True(File.Exists(Path.Combine(_fixture.RepoRoot, "docs", "diagnostics", "NG0301.md")), "the help link's page is missing");
        foreach (string link in links)
            Assert.StartsWith(url + "/", link);
    }
}
