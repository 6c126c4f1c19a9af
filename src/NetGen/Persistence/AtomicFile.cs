using System;
using System.IO;

namespace NetGen;

/// <summary>Replaces a file atomically: the bytes go to a temporary file in the same folder, are flushed to disk, and
/// the temporary file is then renamed over the target, so that a reader sees either the old file or the new one whole.</summary>
/// <remarks>
/// <para>
/// The temporary file is named <c>.{name}.{32 hex digits}.tmp</c> beside the target <c>{name}</c>. A save that fails
/// with an exception deletes its own; one killed midway (power cut, <c>kill -9</c>) cannot, so each save of a file
/// also removes the temporary files that earlier, interrupted saves of the same file left behind.
/// </para>
/// <para>
/// <b>Which leftovers are removed.</b> Only files of exactly that form for the same target name, and only when both
/// hold: (1) the file was last written at least <see cref="StaleAfter"/> (10 minutes) ago — a save in progress writes
/// its temporary file continuously and renames it within moments of the last write; and (2) it can be opened with
/// <see cref="FileShare.None"/> — a save in progress, in this or another process, holds its temporary file open that way
/// (an exclusive <c>flock</c> on Linux and macOS, a share-none handle on Windows), so a save suspended in the middle of
/// writing keeps its file however old it is. The one window left is a save stopped for more than 10 minutes between
/// closing its temporary file and renaming it: that save then fails with an <see cref="IOException"/> and leaves the
/// target as it was; it never corrupts a file. Cleaning is best effort: a leftover that cannot be removed (permissions,
/// a file in use) is left, and the save itself is not affected.
/// </para>
/// </remarks>
internal static class AtomicFile
{
    /// <summary>How long ago a leftover temporary file must have been last written for a save to remove it.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through a temporary file, after removing the
    /// stale temporary files of earlier interrupted saves of the same file (see the remarks of <see cref="AtomicFile"/>).
    /// <paramref name="wrap"/> (tests only) wraps the temporary file's stream, e.g. to fail midway.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, Func<Stream, Stream>? wrap = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        // First, so that the space of orphans is free before the new copy is written.
        RemoveStaleTemporaryFiles(full);
        string temp = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Stream stream = wrap is null ? file : wrap(file);
                // In pieces, so that a failure (disk full, a test's hook) can happen midway.
                const int Chunk = 1 << 16;
                for (int offset = 0; offset < bytes.Length; offset += Chunk)
                    stream.Write(bytes.Slice(offset, Math.Min(Chunk, bytes.Length - offset)));
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Removes the stale temporary files of earlier saves of <paramref name="path"/> (the rule is in the remarks
    /// of <see cref="AtomicFile"/>) and returns how many it removed; never throws for a file it cannot inspect or remove.</summary>
    internal static int RemoveStaleTemporaryFiles(string path)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        string name = Path.GetFileName(full);
        if (folder is null || name.Length == 0) return 0;
        string prefix = "." + name + ".";
        // The pattern only narrows the listing; a name with wildcard characters lists every *.tmp and is matched below.
        string pattern = name.AsSpan().IndexOfAny('*', '?') >= 0 ? "*.tmp" : prefix + "*.tmp";
        var options = new EnumerationOptions
        {
            AttributesToSkip = 0,   // the default skips hidden files, and on Unix every name that starts with '.' is hidden
            IgnoreInaccessible = true,
            RecurseSubdirectories = false,
            MatchType = MatchType.Simple,
        };
        int removed = 0;
        DateTime now = DateTime.UtcNow;
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(folder, pattern, options))
            {
                if (!IsTemporaryName(Path.GetFileName(candidate), prefix)) continue;
                try
                {
                    if (now - File.GetLastWriteTimeUtc(candidate) < StaleAfter) continue;
                    // A save in progress holds its file open with FileShare.None: this open then fails and the file stays.
                    using (new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1)) { }
                    File.Delete(candidate);
                    removed++;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return removed;
    }

    /// <summary>True for "{prefix}{32 lowercase hex digits}.tmp", the name <see cref="Write"/> gives its temporary files.</summary>
    private static bool IsTemporaryName(string fileName, string prefix)
    {
        const string Suffix = ".tmp";
        StringComparison comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (fileName.Length != prefix.Length + 32 + Suffix.Length
            || !fileName.StartsWith(prefix, comparison) || !fileName.EndsWith(Suffix, StringComparison.Ordinal))
            return false;
        foreach (char c in fileName.AsSpan(prefix.Length, 32))
            if (!char.IsAsciiHexDigitLower(c)) return false;
        return true;
    }
}
