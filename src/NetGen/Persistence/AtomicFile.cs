using System;
using System.IO;

namespace NetGen;

/// <summary>Replaces a file atomically: the bytes go to a temporary file in the same folder, are flushed to disk, and
/// the temporary file is then renamed over the target, so that a reader sees either the old file or the new one whole.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through a temporary file.
    /// <paramref name="wrap"/> (tests only) wraps the temporary file's stream, e.g. to fail midway.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, Func<Stream, Stream>? wrap = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
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
}
