using System;
using System.Buffers.Binary;
using System.Text;

namespace NetGen;

/// <summary>
/// The few pieces of the protobuf wire format that an ONNX model needs, written by hand so that the package keeps no
/// dependency: varints (wire type 0), 32-bit fixed values (wire type 5) and length-delimited fields (wire type 2:
/// strings, bytes, nested messages). A small nested message is written into a writer of its own and then appended
/// whole, since its length prefix must come before it; a tensor's float data, the bulk of a model, is written once,
/// straight into its place (<see cref="WriteMessageStart"/>, <see cref="FloatsFieldLength"/>).
/// </summary>
internal sealed class ProtoWriter
{
    private const int Varint = 0, LengthDelimited = 2, Fixed32 = 5;

    private byte[] _buffer;
    private int _length;

    public ProtoWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>The number of bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far, without a copy.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>An int64, int32 or enum field. A negative value takes ten bytes: protobuf encodes it as its 64-bit
    /// two's complement (so Softmax's axis = −1 is nine 0xFF bytes and a final 0x01).</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, Varint);
        WriteRawVarint(unchecked((ulong)value));
    }

    /// <summary>A float field: four bytes, IEEE 754 little-endian.</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);
    }

    /// <summary>A string field, UTF-8.</summary>
    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field (or a nested message already encoded).</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, LengthDelimited);
        WriteRawVarint((ulong)value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>A nested message.</summary>
    public void WriteMessage(int field, ProtoWriter message) => WriteBytes(field, message.Written);

    /// <summary>The tag and length of a nested message of <paramref name="length"/> bytes whose fields the caller
    /// writes next, into this writer.</summary>
    public void WriteMessageStart(int field, long length)
    {
        WriteTag(field, LengthDelimited);
        WriteRawVarint(checked((ulong)length));
    }

    /// <summary>The bytes of a nested message field whose content is <paramref name="length"/> bytes.</summary>
    public static long MessageLength(int field, long length)
        => VarintLength(((ulong)(uint)field << 3) | LengthDelimited) + VarintLength((ulong)length) + length;

    /// <summary>Appends bytes as they are (fields encoded elsewhere).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>The bytes that <see cref="WriteFloatsLittleEndian"/> writes for <paramref name="count"/>
    /// floats.</summary>
    public static long FloatsFieldLength(int field, int count) => MessageLength(field, (long)count * sizeof(float));

    /// <summary>A bytes field holding <paramref name="values"/> as float32 little-endian, converted in place.</summary>
    public void WriteFloatsLittleEndian(int field, ReadOnlySpan<float> values)
    {
        WriteTag(field, LengthDelimited);
        WriteRawVarint((ulong)values.Length * sizeof(float));
        Span<byte> target = Reserve(checked(values.Length * sizeof(float)));
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(target.Slice(i * sizeof(float), sizeof(float)), values[i]);
    }

    private void WriteTag(int field, int wireType) => WriteRawVarint((ulong)(((uint)field << 3) | (uint)wireType));

    private static int VarintLength(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    private void WriteRawVarint(ulong value)
    {
        Span<byte> bytes = stackalloc byte[10];
        int n = 0;
        while (value >= 0x80)
        {
            bytes[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        bytes[n++] = (byte)value;
        bytes.Slice(0, n).CopyTo(Reserve(n));
    }

    /// <summary>Grows the buffer if needed and returns the next <paramref name="count"/> bytes, counted as
    /// written.</summary>
    private Span<byte> Reserve(int count)
    {
        int needed = checked(_length + count);
        if (needed > _buffer.Length)
        {
            int grown = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, needed));
            Array.Resize(ref _buffer, grown);
        }
        Span<byte> span = _buffer.AsSpan(_length, count);
        _length = needed;
        return span;
    }
}
