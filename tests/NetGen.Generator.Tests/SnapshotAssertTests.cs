using System.IO;
using Xunit;
using Xunit.Sdk;

namespace NetGen.Generator.Tests;

/// <summary>The snapshot helper itself: it must fail on a difference and on a missing file, and say where.</summary>
public class SnapshotAssertTests
{
    [Fact]
    public void Diff_names_the_inserted_line_and_the_changed_line()
    {
        string diff = SnapshotAssert.Diff("a\nb\nc\nd", "a\nb\nX\nc\nD");
        Assert.Contains("+ actual line      3: X", diff);
        Assert.Contains("- expected line    4: d", diff);
        Assert.Contains("+ actual line      5: D", diff);
        Assert.DoesNotContain(": c", diff);
        Assert.Contains("Expected (snapshot) 4 lines, actual (generated) 5 lines.", diff);
    }

    [Fact]
    public void Line_endings_do_not_matter()
    {
        Assert.Equal("a\nb\n", SnapshotAssert.Normalize("a\r\nb\r\n"));
        Assert.Equal("a\nb\n", SnapshotAssert.Normalize("a\rb\n"));
    }

    [Fact]
    public void Missing_snapshot_fails_with_how_to_accept()
    {
        if (SnapshotAssert.Accepting) return; // accepting would write the file this test needs to be missing
        var failure = Assert.Throws<XunitException>(() => SnapshotAssert.Matches("Does.Not.Exist", "// text\n"));
        Assert.Contains("does not exist", failure.Message);
        Assert.Contains("NETGEN_ACCEPT=1", failure.Message);
        Assert.False(File.Exists(SnapshotAssert.PathOf("Does.Not.Exist")));
    }

    [Fact]
    public void Changed_text_fails_with_a_line_diff_and_crlf_text_passes()
    {
        if (SnapshotAssert.Accepting) return; // accepting would overwrite the snapshot with the altered text
        string path = SnapshotAssert.PathOf("Samples.ShallowNet");
        Assert.True(File.Exists(path), path);
        string snapshot = File.ReadAllText(path);

        SnapshotAssert.Matches("Samples.ShallowNet", snapshot.Replace("\n", "\r\n"));

        string altered = snapshot.Replace("public const int InputSize = 3;", "public const int InputSize = 4;");
        Assert.NotEqual(snapshot, altered);
        var failure = Assert.Throws<XunitException>(() => SnapshotAssert.Matches("Samples.ShallowNet", altered));
        Assert.Contains("- expected line", failure.Message);
        Assert.Contains("InputSize = 3;", failure.Message);
        Assert.Contains("+ actual line", failure.Message);
        Assert.Contains("InputSize = 4;", failure.Message);
        Assert.Contains("NETGEN_ACCEPT=1", failure.Message);
    }
}
