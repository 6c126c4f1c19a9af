using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Package.Tests;

/// <summary>
/// The README's C# compiles as shown, against the packed package: every block fenced <c>```csharp</c> becomes a project
/// of its own (top-level statements are one per project), made from Consumers/ReadmeApp — the settings of
/// <c>dotnet new console</c>, implicit usings on — with the data files it names (<c>"data/…"</c>) copied beside it, and
/// all of them build in one <c>dotnet build</c> of one solution (one restore). A block with top-level statements is an
/// executable and is then run (exit code 0); one with declarations only is a library.
/// <para>
/// Convention: a block fenced <c>```csharp excerpt</c> is an excerpt of generated code, shown to be read and not compiled;
/// GitHub and nuget.org still highlight it as C# (they read the first word). Every other C# block must compile.
/// </para>
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ReadmeTests
{
    readonly PackageFixture _fixture;
    readonly ITestOutputHelper _output;

    public ReadmeTests(PackageFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    /// <summary>One fenced C# block: the README line of its first line of code, its code, and whether it is an excerpt.</summary>
    public sealed record CodeBlock(int FirstLine, string Code, bool Excerpt);

    /// <summary>The <c>```csharp</c> blocks of a Markdown text, in order (other languages are left out).</summary>
    public static List<CodeBlock> CSharpBlocks(string markdown)
    {
        var blocks = new List<CodeBlock>();
        string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = Regex.Match(lines[i], @"^\s{0,3}(?<fence>```+|~~~+)\s*(?<info>.*)$");
            if (!open.Success)
                continue;
            string fence = open.Groups["fence"].Value;
            string[] info = open.Groups["info"].Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int start = i + 1, end = start;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith(fence, StringComparison.Ordinal))
                end++;
            if (info.Length > 0 && info[0] is "csharp" or "cs" or "c#")
                blocks.Add(new CodeBlock(start + 1, string.Join("\n", lines[start..end]) + "\n", info.Skip(1).Contains("excerpt")));
            i = end;
        }
        return blocks;
    }

    /// <summary>True when the code has top-level statements: its first line that is not blank, a comment or a using
    /// directive does not begin a declaration.</summary>
    public static bool HasTopLevelStatements(string code)
    {
        foreach (string raw in code.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal) || Regex.IsMatch(line, @"^(global\s+)?using\s+[\w.=\s]+;$"))
                continue;
            return !Regex.IsMatch(line, @"^(\[|namespace\b|(public|internal|private|file|static|sealed|abstract|partial|readonly|unsafe|ref)\b|(class|record|struct|interface|enum|delegate)\b)");
        }
        return false;
    }

    [Fact]
    public void Readme_csharp_blocks_compile_against_the_package()
    {
        string readme = File.ReadAllText(Path.Combine(_fixture.RepoRoot, "README.md"));
        List<CodeBlock> all = CSharpBlocks(readme);
        CodeBlock[] blocks = all.Where(b => !b.Excerpt).ToArray();
        Assert.True(blocks.Length >= 3, $"README.md has {blocks.Length} C# blocks to compile; expected the introduction, the workflow and the augmentation examples");

        string root = _fixture.CreateConsumer("ReadmeApp");
        string template = File.ReadAllText(Path.Combine(root, "ReadmeApp.csproj"));
        File.Delete(Path.Combine(root, "ReadmeApp.csproj")); // only the block projects below, each in its own folder
        var solution = new StringBuilder("<Solution>\n");
        var names = new Dictionary<string, CodeBlock>();
        var executables = new List<string>();
        foreach (CodeBlock block in blocks)
        {
            string name = $"Line{block.FirstLine}";
            names[name] = block;
            string folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            bool executable = HasTopLevelStatements(block.Code);
            if (executable)
                executables.Add(name);
            string project = template.Replace("$OUTPUT_TYPE$", executable ? "Exe" : "Library");
            // [Weights("models/x")]: the reader lists the file as NetGenWeights, as the README says; the file is the
            // repository's trained model of that name (examples/NetGen.Serve/models/).
            foreach (Match weights in Regex.Matches(block.Code, "\\[Weights\\(\"(?<path>models/[^\"]+)\"\\)\\]"))
            {
                string relative = weights.Groups["path"].Value;
                string source = Path.Combine(_fixture.RepoRoot, "examples", "NetGen.Serve", relative);
                Assert.True(File.Exists(source), $"README line {block.FirstLine}: [Weights] names {relative}, which is not in examples/NetGen.Serve");
                string target = Path.Combine(folder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target, overwrite: true);
                project = project.Replace("</Project>",
                    $"  <ItemGroup><NetGenWeights Include=\"{relative}\" /></ItemGroup>\n</Project>");
            }
            File.WriteAllText(Path.Combine(folder, name + ".csproj"), project);
            File.WriteAllText(Path.Combine(folder, "Program.cs"), block.Code); // line n of the file is README line FirstLine + n − 1
            foreach (Match data in Regex.Matches(block.Code, "\"(?<path>data/[^\"]+)\""))
            {
                string relative = data.Groups["path"].Value;
                string source = Path.Combine(_fixture.RepoRoot, relative);
                Assert.True(File.Exists(source), $"README line {block.FirstLine}: the block names {relative}, which is not in the repository");
                string target = Path.Combine(folder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target, overwrite: true);
            }
            solution.Append($"  <Project Path=\"{name}/{name}.csproj\" />\n");
        }
        solution.Append("</Solution>\n");
        File.WriteAllText(Path.Combine(root, "Readme.slnx"), solution.ToString());

        DotNetResult build = DotNet.Run(root, ["build", "Readme.slnx", "-c", "Release", "-tl:off", "-nodeReuse:false", "-p:UseSharedCompilation=false"]);
        _output.WriteLine($"{blocks.Length} blocks ({all.Count - blocks.Length} excerpts left out), build {build.Elapsed.TotalSeconds:F1} s");

        // file(line,col): error|warning ID: message [project]
        var diagnostic = new Regex(@"(?<file>[^\s(]+)\((?<line>\d+),(?<col>\d+)\)\s*:\s*(?<sev>error|warning)\s+(?<id>\w+)\s*:\s*(?<msg>.*?)(?:\s+\[[^\]]+\])?\s*$",
            RegexOptions.Multiline);
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in diagnostic.Matches(build.Output))
        {
            string id = m.Groups["id"].Value;
            bool fatal = m.Groups["sev"].Value == "error" || id.StartsWith("NG", StringComparison.Ordinal) || id is "CS8784" or "CS8785";
            string project = Path.GetFileName(Path.GetDirectoryName(m.Groups["file"].Value)) ?? "";
            string where = names.TryGetValue(project, out CodeBlock? block) && Path.GetFileName(m.Groups["file"].Value) == "Program.cs"
                ? $"README.md line {block.FirstLine + int.Parse(m.Groups["line"].Value) - 1}"
                : m.Groups["file"].Value + $"({m.Groups["line"].Value})";
            string text = $"{where}: {m.Groups["sev"].Value} {id}: {m.Groups["msg"].Value}";
            if (fatal)
                problems.Add(text);
            else
                _output.WriteLine("(allowed) " + text);
        }
        Assert.True(problems.Count == 0 && build.ExitCode == 0,
            "README.md's C# does not compile as shown:\n  " + string.Join("\n  ", problems) + "\n\n" + build.Describe());

        // Each block with top-level statements runs to its end (from its own folder, where its data files are).
        foreach (string name in executables)
        {
            string folder = Path.Combine(root, name);
            string dll = Path.Combine(folder, "bin", "Release", "net10.0", name + ".dll");
            DotNetResult run = DotNet.Run(folder, [dll]);
            _output.WriteLine($"{name}: exit {run.ExitCode}, {run.Elapsed.TotalSeconds:F1} s");
            Assert.True(run.ExitCode == 0, $"The README block at line {names[name].FirstLine} failed when run.\n" + run.Describe());
            // A synchronous IProgress reports every epoch before Fit returns: no report after what follows Fit.
            string[] lines = run.Output.Split('\n');
            int lastReport = Array.FindLastIndex(lines, l => Regex.IsMatch(l, @"^\d+/\d+ J = "));
            int firstAfter = Array.FindIndex(lines, l => l.StartsWith("test accuracy", StringComparison.Ordinal));
            if (lastReport >= 0 && firstAfter >= 0)
                Assert.True(lastReport < firstAfter, $"The README block at line {names[name].FirstLine} printed a progress report after Fit returned.\n" + run.Describe());
        }
    }

    [Fact]
    public void Readme_block_extraction_reads_fences_and_top_level_statements()
    {
        const string markdown = "text\n```csharp\nusing NetGen;\nvar a = 1;\n```\n```sh\nls\n```\n```csharp excerpt\nprivate void F() { }\n```\n"
            + "```csharp\n// a declaration\n[Network]\npublic partial class N;\n```\n";
        List<CodeBlock> blocks = CSharpBlocks(markdown);
        Assert.Equal(3, blocks.Count);
        Assert.Equal(3, blocks[0].FirstLine);
        Assert.Equal("using NetGen;\nvar a = 1;\n", blocks[0].Code);
        Assert.False(blocks[0].Excerpt);
        Assert.True(blocks[1].Excerpt);
        Assert.Equal(13, blocks[2].FirstLine);
        Assert.True(HasTopLevelStatements(blocks[0].Code));
        Assert.False(HasTopLevelStatements(blocks[2].Code));
        Assert.False(HasTopLevelStatements("using NetGen;\n\npublic static class C { }\n"));
        Assert.True(HasTopLevelStatements("using NetGen;\n\nConsole.WriteLine();\n\npublic static class C { }\n"));
    }
}
