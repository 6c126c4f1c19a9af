using System;
using System.IO;

namespace NetGen.Tests;

// The networks and helpers of the persistence tests (ParameterFileTests, SafetensorsTests, ScalingPersistenceTests,
// AtomicFileTests), in a file of their own so that the restricted-intrinsics test projects, which leave
// ParameterFileTests out, still compile the others.

/// <summary>The network the persistence tests save and load: W1 4×3, b1 4, W2 1×4, b2 1 (21 parameters).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 5)]
[Input(3)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class PersistNet;

/// <summary>A foreign architecture: W1 5×3, b1 5, W2 1×5, b2 1.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 6)]
[Input(3)]
[Dense(5, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class PersistOtherNet;

/// <summary>The same shapes as <see cref="PersistNet"/> but another activation: the parameters mean something else.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 7)]
[Input(3)]
[Dense(4, Activation.LeakyRelu, LeakySlope = 0.1f)]
[Dense(1, Activation.Sigmoid)]
public partial class PersistTwinNet;

/// <summary>A temporary folder per test class instance, deleted afterwards.</summary>
public sealed class PersistTempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "netgen-persist-" + Guid.NewGuid().ToString("N"));
    public PersistTempFolder() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

/// <summary>A stream that accepts <c>limit</c> bytes and then fails, as a full disk or a crash would midway through a save.</summary>
internal sealed class PersistFailingStream(Stream inner, long limit) : Stream
{
    private long _written;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, limit - _written);
        inner.Write(buffer[..n]);
        inner.Flush();
        _written += n;
        if (n < buffer.Length) throw new IOException($"simulated failure after {_written} bytes");
    }
}
