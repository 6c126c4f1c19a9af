using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests;

/// <summary>Issue 11: a save killed midway leaves a <c>.{name}.{guid}.tmp</c> file (up to 23 MB) that nothing removed; the
/// next save of the same file now removes the stale ones, and only those.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly PersistTempFolder _folder = new();
    public void Dispose() => _folder.Dispose();

    /// <summary>A leftover as <see cref="AtomicFile.Write"/> names its temporary files, last written <paramref name="age"/> ago.</summary>
    private string Plant(string target, TimeSpan age, string? guid = null)
    {
        string path = _folder.File("." + target + "." + (guid ?? Guid.NewGuid().ToString("N")) + ".tmp");
        File.WriteAllBytes(path, new byte[4096]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    private string[] Files() => Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void ASaveRemovesTheStaleTemporaryFilesOfItsOwnTargetOnly()
    {
        TimeSpan old = TimeSpan.FromHours(1);
        string stale = Plant("net.ngp", old);
        string staleToo = Plant("net.ngp", AtomicFile.StaleAfter + TimeSpan.FromMinutes(1));
        string fresh = Plant("net.ngp", TimeSpan.Zero);                                       // a save in progress
        string recent = Plant("net.ngp", AtomicFile.StaleAfter - TimeSpan.FromMinutes(1));    // not yet stale
        string otherTarget = Plant("other.ngp", old);
        string prefixOfName = Plant("net", old);                                                // ".net.{guid}.tmp"
        string notAGuid = Plant("net.ngp", old, guid: "not-a-guid-but-32-characters-lon");
        string upperCase = Plant("net.ngp", old, guid: Guid.NewGuid().ToString("N").ToUpperInvariant());
        string noDot = _folder.File("net.ngp." + Guid.NewGuid().ToString("N") + ".tmp");
        File.WriteAllBytes(noDot, [1]);
        File.SetLastWriteTimeUtc(noDot, DateTime.UtcNow - old);

        string path = _folder.File("net.ngp");
        var net = new PersistNet(3);
        net.SaveParameters(path);

        string[] expected = new[] { "net.ngp", fresh, recent, otherTarget, prefixOfName, notAGuid, upperCase, noDot }
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(expected, Files());
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleToo));
        var loaded = new PersistNet(4);
        loaded.LoadParameters(path);
        Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());

        // The same for an export to safetensors, which saves through the same path.
        string tensors = _folder.File("net.safetensors");
        string staleExport = Plant("net.safetensors", old);
        net.SaveSafetensors(tensors);
        Assert.False(File.Exists(staleExport));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public void AnOldTemporaryFileStillHeldOpenByASaveIsKept()
    {
        // A save suspended midway (another process, or a paused thread) holds its file open with FileShare.None.
        string held = Plant("net.ngp", TimeSpan.FromHours(2));
        string path = _folder.File("net.ngp");
        using (var writer = new FileStream(held, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            new PersistNet(3).SaveParameters(path);
            Assert.True(File.Exists(held));
            Assert.Equal(0, AtomicFile.RemoveStaleTemporaryFiles(path));
        }
        File.SetLastWriteTimeUtc(held, DateTime.UtcNow - TimeSpan.FromHours(2));
        // Released and still old: the save was killed after all; the next save removes it.
        Assert.Equal(1, AtomicFile.RemoveStaleTemporaryFiles(path));
        Assert.Equal(new[] { "net.ngp" }, Files());
    }

    [Fact]
    public void CleaningNeverFailsASave()
    {
        // A folder of the leftover form is not a file: it is neither removed nor in the way.
        string path = _folder.File("net.ngp");
        string folderNamedLikeALeftover = _folder.File(".net.ngp." + Guid.NewGuid().ToString("N") + ".tmp");
        Directory.CreateDirectory(folderNamedLikeALeftover);
        Directory.SetLastWriteTimeUtc(folderNamedLikeALeftover, DateTime.UtcNow - TimeSpan.FromDays(1));
        new PersistNet(3).SaveParameters(path);
        Assert.True(Directory.Exists(folderNamedLikeALeftover));
        Assert.Equal(0, AtomicFile.RemoveStaleTemporaryFiles(_folder.File("missing-folder/net.ngp")));
    }
}
