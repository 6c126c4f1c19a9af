using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// Every NG#### in the generator's DiagnosticDescriptors is released (AnalyzerReleases.Unshipped.md, same severity and
/// category), has a help link to docs/diagnostics/&lt;id&gt;.md, and that page exists in the repository.
/// </summary>
public class ReleaseTrackingTests
{
    public sealed record Rule(string Id, string Category, DiagnosticSeverity Severity, string Notes);

    /// <summary>The descriptors, read by reflection (the class is internal to the generator).</summary>
    public static IReadOnlyList<DiagnosticDescriptor> Descriptors()
    {
        Type? type = typeof(NetworkGenerator).Assembly.GetType("NetGen.Generator.Diagnostics.DiagnosticDescriptors");
        Assert.NotNull(type);
        return type!.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "NetGen.sln")))
                return directory.FullName;
        throw new InvalidOperationException("NetGen.sln not found above " + AppContext.BaseDirectory);
    }

    private static string ReleasesPath(string name) => Path.Combine(RepositoryRoot(), "generator", "NetGen.Generator", name);

    /// <summary>The rows of the "New Rules" tables of a release file: <c>Rule ID | Category | Severity | Notes</c>.</summary>
    public static IReadOnlyList<Rule> ReadRules(string path)
    {
        var rules = new List<Rule>();
        var row = new Regex(@"^\s*(NG\d{4})\s*\|\s*([^|]+?)\s*\|\s*(\w+)\s*\|\s*(.*?)\s*$");
        foreach (string line in File.ReadAllLines(path))
        {
            Match match = row.Match(line);
            if (!match.Success) continue;
            Assert.True(Enum.TryParse(match.Groups[3].Value, out DiagnosticSeverity severity), "Unknown severity in: " + line);
            rules.Add(new Rule(match.Groups[1].Value, match.Groups[2].Value, severity, match.Groups[4].Value));
        }
        return rules;
    }

    public static IReadOnlyList<Rule> ReadUnshippedRules() => ReadRules(ReleasesPath("AnalyzerReleases.Unshipped.md"));

    [Fact]
    public void Descriptors_are_found()
    {
        IReadOnlyList<DiagnosticDescriptor> descriptors = Descriptors();
        Assert.True(descriptors.Count >= 17, "Only " + descriptors.Count + " descriptors found by reflection.");
        Assert.Contains(descriptors, d => d.Id == "NG0001");
        Assert.Contains(descriptors, d => d.Id == "NG9999");
    }

    [Fact]
    public void Descriptor_ids_are_unique_and_well_formed()
    {
        IReadOnlyList<DiagnosticDescriptor> descriptors = Descriptors();
        Assert.All(descriptors, d => Assert.Matches(@"^NG\d{4}$", d.Id));
        List<string> duplicates = descriptors.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "Duplicate ids: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void Every_descriptor_is_listed_in_the_unshipped_release_with_its_severity_and_category()
    {
        Dictionary<string, Rule> rules = ReadUnshippedRules().ToDictionary(r => r.Id);
        Assert.NotEmpty(rules);
        foreach (DiagnosticDescriptor descriptor in Descriptors())
        {
            Assert.True(rules.TryGetValue(descriptor.Id, out Rule? rule), descriptor.Id + " is missing from AnalyzerReleases.Unshipped.md");
            Assert.True(descriptor.DefaultSeverity == rule!.Severity,
                descriptor.Id + ": the descriptor's severity is " + descriptor.DefaultSeverity + ", the release file says " + rule.Severity);
            Assert.True(descriptor.Category == rule.Category,
                descriptor.Id + ": the descriptor's category is " + descriptor.Category + ", the release file says " + rule.Category);
        }
    }

    [Fact]
    public void Every_released_rule_has_a_descriptor()
    {
        HashSet<string> ids = Descriptors().Select(d => d.Id).ToHashSet();
        IEnumerable<Rule> released = ReadUnshippedRules().Concat(ReadRules(ReleasesPath("AnalyzerReleases.Shipped.md")));
        Assert.All(released, rule => Assert.True(ids.Contains(rule.Id), rule.Id + " is released but no descriptor has it."));
    }

    [Fact]
    public void Every_descriptor_is_enabled_and_has_a_help_link_to_its_page()
    {
        Assert.All(Descriptors(), d =>
        {
            Assert.True(d.IsEnabledByDefault, d.Id + " is disabled by default");
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()), d.Id + " has no title");
            Assert.False(string.IsNullOrWhiteSpace(d.MessageFormat.ToString()), d.Id + " has no message");
            Assert.True(Uri.TryCreate(d.HelpLinkUri, UriKind.Absolute, out _), d.Id + "'s help link is not an absolute URI: " + d.HelpLinkUri);
            Assert.EndsWith("docs/diagnostics/" + d.Id + ".md", d.HelpLinkUri, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_descriptor_has_a_docs_page()
    {
        string directory = Path.Combine(RepositoryRoot(), "docs", "diagnostics");
        List<string> missing = Descriptors().Select(d => d.Id).Where(id => !File.Exists(Path.Combine(directory, id + ".md"))).ToList();
        Assert.True(missing.Count == 0, "No page docs/diagnostics/<id>.md for: " + string.Join(", ", missing));
        Assert.All(Descriptors(), d =>
        {
            string page = File.ReadAllText(Path.Combine(directory, d.Id + ".md"));
            Assert.True(page.Contains(d.Id, StringComparison.Ordinal), "docs/diagnostics/" + d.Id + ".md does not mention " + d.Id);
        });
    }
}
