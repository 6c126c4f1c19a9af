using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace NetGen.Generator.Tests;

/// <summary>
/// Compares generated text with <c>Snapshots/&lt;name&gt;.g.cs</c> in this project's source tree. Run with
/// <c>NETGEN_ACCEPT=1</c> to write (or rewrite) the snapshots, then review them in the diff before committing.
/// </summary>
internal static class SnapshotAssert
{
    public const string AcceptVariable = "NETGEN_ACCEPT";

    /// <summary>How many differing lines a failure shows.</summary>
    private const int MaxShownDifferences = 16;

    /// <summary>Snapshots/ beside this file in the source tree; found from the test binaries' folder when the build
    /// mapped source paths (a deterministic CI build may record /_/ instead of the real path).</summary>
    public static string SnapshotDirectory { get; } = FindSnapshotDirectory();

    private static string FindSnapshotDirectory()
    {
        string? projectDirectory = Path.GetDirectoryName(ThisFile());
        if (projectDirectory is not null && File.Exists(Path.Combine(projectDirectory, "NetGen.Generator.Tests.csproj")))
            return Path.Combine(projectDirectory, "Snapshots");
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "NetGen.Generator.Tests");
            if (File.Exists(Path.Combine(candidate, "NetGen.Generator.Tests.csproj")))
                return Path.Combine(candidate, "Snapshots");
        }
        throw new InvalidOperationException("Cannot find the test project's folder from '" + ThisFile() + "' or '" + AppContext.BaseDirectory + "'.");
    }

    public static string PathOf(string name) => Path.Combine(SnapshotDirectory, name + ".g.cs");

    /// <summary>The stored snapshot's text (line endings normalised).</summary>
    public static string Read(string name) => Normalize(File.ReadAllText(PathOf(name)));

    /// <summary>True when NETGEN_ACCEPT=1 (never on CI: a CI run must compare, not rewrite).</summary>
    public static bool Accepting =>
        Environment.GetEnvironmentVariable(AcceptVariable) == "1" &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Matches(string name, string actual)
    {
        string path = PathOf(name);
        string normalizedActual = Normalize(actual);

        if (Accepting)
        {
            Directory.CreateDirectory(SnapshotDirectory);
            File.WriteAllText(path, normalizedActual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return;
        }

        if (!File.Exists(path))
            throw new XunitException(
                "The snapshot '" + path + "' does not exist." + Environment.NewLine + HowToAccept() +
                Environment.NewLine + "Generated text (" + CountLines(normalizedActual) + " lines) begins:" + Environment.NewLine +
                Head(normalizedActual, 20));

        string expected = Normalize(File.ReadAllText(path));
        if (expected == normalizedActual) return;

        throw new XunitException(
            "The generated source differs from the snapshot '" + path + "'." + Environment.NewLine +
            Diff(expected, normalizedActual) + Environment.NewLine + HowToAccept());
    }

    /// <summary>Line endings as \n, so that a checkout with CRLF compares equal.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>A readable line diff: the first differing lines, each with its 1-based line number, "-" for the
    /// snapshot (expected) and "+" for the generated text (actual), found with a longest-common-subsequence alignment so
    /// that an inserted or removed line does not make every following line differ.</summary>
    public static string Diff(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        var text = new StringBuilder();
        text.Append("Expected (snapshot) ").Append(e.Length).Append(" lines, actual (generated) ").Append(a.Length).Append(" lines.")
            .Append(Environment.NewLine);

        // Trim the common head and tail, then align the middle by LCS.
        int head = 0;
        while (head < e.Length && head < a.Length && e[head] == a[head]) head++;
        int tail = 0;
        while (tail < e.Length - head && tail < a.Length - head && e[e.Length - 1 - tail] == a[a.Length - 1 - tail]) tail++;
        int n = e.Length - head - tail, m = a.Length - head - tail;

        var lines = new System.Collections.Generic.List<string>();
        if ((long)n * m <= 4_000_000)
        {
            var lcs = new int[n + 1, m + 1];
            for (int i = n - 1; i >= 0; i--)
                for (int j = m - 1; j >= 0; j--)
                    lcs[i, j] = e[head + i] == a[head + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && e[head + x] == a[head + y]) { x++; y++; }
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1])) { lines.Add(Line('-', head + x, e[head + x])); x++; }
                else { lines.Add(Line('+', head + y, a[head + y])); y++; }
            }
        }
        else
        {
            for (int i = 0; i < n; i++) lines.Add(Line('-', head + i, e[head + i]));
            for (int j = 0; j < m; j++) lines.Add(Line('+', head + j, a[head + j]));
        }

        for (int i = 0; i < Math.Min(lines.Count, MaxShownDifferences); i++)
            text.Append(lines[i]).Append(Environment.NewLine);
        if (lines.Count > MaxShownDifferences)
            text.Append("… and ").Append(lines.Count - MaxShownDifferences).Append(" more differing lines.").Append(Environment.NewLine);
        return text.ToString();
    }

    private static string Line(char sign, int index, string line) =>
        (sign == '-' ? "- expected line " : "+ actual line   ") + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(4) + ": " + line;

    private static string HowToAccept() =>
        "If the new output is right, accept it with: NETGEN_ACCEPT=1 dotnet test tests/NetGen.Generator.Tests " +
        "(then review the snapshot diff in git before committing).";

    private static int CountLines(string text) => text.Split('\n').Length;

    private static string Head(string text, int lines)
    {
        string[] all = text.Split('\n');
        return string.Join(Environment.NewLine, all, 0, Math.Min(lines, all.Length));
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
