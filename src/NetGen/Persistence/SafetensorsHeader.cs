#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen;

// This file compiles for netstandard2.0 as well as net10.0 (no spans, no System.Text.Json, no .NET-10-only API), so
// that the generator can link it as source and check a weight file's bytes at build time with the very rules
// LoadSafetensors applies at run time.

/// <summary>One entry of a safetensors header: a tensor's dtype, shape and byte range [Begin, End) in the data
/// section.</summary>
internal sealed record TensorEntry(string Name, string Dtype, long[] Shape, long Begin, long End);

/// <summary>
/// The header of a safetensors file, read and checked as the safetensors reference library does: an 8-byte
/// little-endian length N, then N bytes of UTF-8 JSON, an object whose <c>__metadata__</c> (at most one) maps strings
/// to strings and whose other entries (each name once) are tensors with a string dtype, a shape of non-negative
/// integers and data_offsets [begin, end]; the tensors' byte ranges must tile the data section that follows. Every
/// fault is a message (<see cref="Read"/>'s error), never an exception.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The largest header read: 100 MiB.</summary>
    public const int MaxHeaderLength = 100 << 20;

    private SafetensorsHeader(Dictionary<string, string>? metadata, List<TensorEntry> entries, int dataStart, int dataLength)
    {
        Metadata = metadata;
        Entries = entries;
        DataStart = dataStart;
        DataLength = dataLength;
    }

    /// <summary>The <c>__metadata__</c> entries, or null when the header has none.</summary>
    public Dictionary<string, string>? Metadata { get; }

    /// <summary>The tensors, in header order.</summary>
    public List<TensorEntry> Entries { get; }

    /// <summary>Where the data section starts in the file: 8 + N.</summary>
    public int DataStart { get; }

    /// <summary>The bytes of the data section.</summary>
    public int DataLength { get; }

    /// <summary>Reads and checks the header of <paramref name="file"/>; null with <paramref name="error"/> (a clause
    /// such as "the header is not valid UTF-8 (…); it is corrupted or not safetensors.") when it is not valid.</summary>
    public static SafetensorsHeader? Read(byte[] file, out string? error)
    {
        error = null;
        if (file.Length < 8)
        {
            error = "the file has " + file.Length + " bytes, too few for the 8-byte header length of a safetensors file; "
                + "it is truncated or not safetensors.";
            return null;
        }
        ulong headerLength = 0;
        for (int i = 7; i >= 0; i--) headerLength = (headerLength << 8) | file[i];
        if (headerLength > (ulong)(file.Length - 8) || headerLength > MaxHeaderLength)
        {
            error = "the first 8 bytes give a header of " + headerLength.ToString(CultureInfo.InvariantCulture)
                + " bytes, but the file has only " + (file.Length - 8) + " bytes after them; it is truncated or not safetensors.";
            return null;
        }
        int length = (int)headerLength;
        int bad = FirstInvalidUtf8(file, 8, length);
        if (bad >= 0)
        {
            int at = Math.Min(bad, 8 + length - 1);
            error = "the header is not valid UTF-8 (byte " + at + " of the file is 0x"
                + file[at].ToString("X2", CultureInfo.InvariantCulture) + "); it is corrupted or not safetensors.";
            return null;
        }
        string text = Encoding.UTF8.GetString(file, 8, length);

        Json root;
        try
        {
            root = new JsonParser(text).ParseDocument();
        }
        catch (FormatException ex)
        {
            error = "the header is not valid JSON (" + ex.Message + "); this is not safetensors or it is corrupted.";
            return null;
        }
        if (root.Kind != "Object")
        {
            error = "the header is JSON " + root.Kind + ", not an object; this is not safetensors.";
            return null;
        }

        var entries = new List<TensorEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        foreach (KeyValuePair<string, Json> property in root.Properties!)
        {
            if (property.Key == "__metadata__")
            {
                if (metadata is not null)
                {
                    error = "the header has \"__metadata__\" twice; it is corrupted.";
                    return null;
                }
                metadata = ReadMetadata(property.Value, ref error);
                if (metadata is null) return null;
                continue;
            }
            TensorEntry? entry = ReadEntry(property.Key, property.Value, ref error);
            if (entry is null) return null;
            if (!names.Add(entry.Name))
            {
                error = "the header names the tensor \"" + entry.Name + "\" twice.";
                return null;
            }
            entries.Add(entry);
        }
        int dataLength = file.Length - 8 - length;
        error = CheckRanges(entries, dataLength);
        return error is null ? new SafetensorsHeader(metadata, entries, 8 + length, dataLength) : null;
    }

    /// <summary>The header's <c>__metadata__</c>: an object mapping strings to strings, each key once.</summary>
    private static Dictionary<string, string>? ReadMetadata(Json value, ref string? error)
    {
        if (value.Kind != "Object")
        {
            error = "the header's \"__metadata__\" is JSON " + value.Kind + ", not an object of strings.";
            return null;
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, Json> entry in value.Properties!)
        {
            if (entry.Value.Kind != "String")
            {
                error = "the metadata entry \"" + entry.Key + "\" is JSON " + entry.Value.Kind
                    + ", not a string (safetensors metadata maps strings to strings).";
                return null;
            }
            if (metadata.ContainsKey(entry.Key))
            {
                error = "the metadata names \"" + entry.Key + "\" twice.";
                return null;
            }
            metadata.Add(entry.Key, entry.Value.Text!);
        }
        return metadata;
    }

    /// <summary>One tensor entry: an object with a string dtype, a shape of non-negative integers and data_offsets
    /// [begin, end] of non-negative integers, each given once (other keys are ignored, as safetensors does).</summary>
    private static TensorEntry? ReadEntry(string name, Json t, ref string? error)
    {
        const string Form = "a tensor is {\"dtype\": string, \"shape\": [non-negative integers], \"data_offsets\": [begin, end]}";
        if (t.Kind != "Object")
        {
            error = "the header's entry \"" + name + "\" is JSON " + t.Kind + ", not a tensor; " + Form + ".";
            return null;
        }
        string? dtype = null;
        long[]? shape = null, offsets = null;
        foreach (KeyValuePair<string, Json> field in t.Properties!)
        {
            switch (field.Key)
            {
                case "dtype":
                    if (dtype is not null) { error = "the tensor \"" + name + "\" gives its dtype twice."; return null; }
                    if (field.Value.Kind != "String")
                    {
                        error = "the tensor \"" + name + "\" has the dtype " + field.Value.Raw + ", not a string; " + Form + ".";
                        return null;
                    }
                    dtype = field.Value.Text!;
                    break;
                case "shape":
                    if (shape is not null) { error = "the tensor \"" + name + "\" gives its shape twice."; return null; }
                    shape = Integers(field.Value);
                    if (shape is null)
                    {
                        error = "the tensor \"" + name + "\" has the shape " + field.Value.Raw
                            + ", not an array of non-negative integers; " + Form + ".";
                        return null;
                    }
                    break;
                case "data_offsets":
                    if (offsets is not null) { error = "the tensor \"" + name + "\" gives its data_offsets twice."; return null; }
                    offsets = Integers(field.Value);
                    if (offsets is null || offsets.Length != 2)
                    {
                        error = "the tensor \"" + name + "\" has the data_offsets " + field.Value.Raw
                            + ", not [begin, end] with non-negative integers; " + Form + ".";
                        return null;
                    }
                    break;
            }
        }
        if (dtype is null || shape is null || offsets is null)
        {
            error = "the header's entry \"" + name + "\" has no "
                + (dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets") + "; " + Form + ".";
            return null;
        }
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /// <summary>The elements of a JSON array of non-negative integers (an integer is written without fraction or
    /// exponent and fits 64 bits), or null when it is something else.</summary>
    private static long[]? Integers(Json value)
    {
        if (value.Kind != "Array") return null;
        var numbers = new long[value.Items!.Count];
        for (int i = 0; i < numbers.Length; i++)
        {
            Json item = value.Items[i];
            if (item.Kind != "Number" || !TryInt64(item.Raw, out long v) || v < 0) return null;
            numbers[i] = v;
        }
        return numbers;
    }

    private static bool TryInt64(string raw, out long value)
    {
        value = 0;
        int i = raw.Length > 0 && raw[0] == '-' ? 1 : 0;
        if (i == raw.Length) return false;
        ulong magnitude = 0;
        for (; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c < '0' || c > '9') return false;
            if (magnitude > (ulong.MaxValue - 9) / 10) return false;
            magnitude = magnitude * 10 + (ulong)(c - '0');
        }
        bool negative = raw[0] == '-';
        if (negative ? magnitude > (ulong)long.MaxValue + 1 : magnitude > long.MaxValue) return false;
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>The tensors' byte ranges must lie in the data section and tile it: sorted by offset, each begins where
    /// the previous one ends (no overlap, no gap) and the last ends with the file — the rule of the safetensors
    /// library. Null when they do, else why not.</summary>
    private static string? CheckRanges(List<TensorEntry> entries, int dataLength)
    {
        foreach (TensorEntry t in entries)
        {
            if (t.Begin > t.End)
                return "the tensor \"" + t.Name + "\" has the data_offsets [" + t.Begin + ", " + t.End
                    + "), which end before they begin; the file is corrupted.";
            if (t.End > dataLength)
                return "the tensor \"" + t.Name + "\" has the data_offsets [" + t.Begin + ", " + t.End
                    + "), outside the data section [0, " + dataLength + ") that follows the header; the file is truncated or corrupted.";
        }
        // By offsets, ties in header order, so that a message names the tensors the same way every time.
        var order = new int[entries.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (x, y) => entries[x].Begin != entries[y].Begin ? entries[x].Begin.CompareTo(entries[y].Begin)
            : entries[x].End != entries[y].End ? entries[x].End.CompareTo(entries[y].End) : x.CompareTo(y));
        long covered = 0;
        TensorEntry? previous = null;
        foreach (int index in order)
        {
            TensorEntry t = entries[index];
            if (t.Begin < covered)
                return "the tensors \"" + previous!.Name + "\" [" + previous.Begin + ", " + previous.End + ") and \"" + t.Name
                    + "\" [" + t.Begin + ", " + t.End + ") overlap in the data section; the file is corrupted.";
            if (t.Begin > covered)
                return "the data section's bytes [" + covered + ", " + t.Begin + ") belong to no tensor; the file is corrupted.";
            covered = t.End;
            previous = t;
        }
        if (covered != dataLength)
            return "the data section has " + dataLength + " bytes, but its tensors end at byte " + covered + "; "
                + (dataLength - covered) + " bytes belong to no tensor, so the file is corrupted.";
        return null;
    }

    /// <summary>The index in <paramref name="bytes"/> of the first byte of [start, start + length) that does not start
    /// a valid UTF-8 sequence (overlong forms, surrogates and code points above U+10FFFF are invalid), or −1.</summary>
    private static int FirstInvalidUtf8(byte[] bytes, int start, int length)
    {
        int end = start + length, i = start;
        while (i < end)
        {
            byte b = bytes[i];
            if (b < 0x80) { i++; continue; }
            int count; int min; int code;
            if ((b & 0xE0) == 0xC0) { count = 1; min = 0x80; code = b & 0x1F; }
            else if ((b & 0xF0) == 0xE0) { count = 2; min = 0x800; code = b & 0x0F; }
            else if ((b & 0xF8) == 0xF0) { count = 3; min = 0x10000; code = b & 0x07; }
            else return i;
            if (i + count > end - 1) return i; // the sequence runs past the header
            for (int k = 1; k <= count; k++)
            {
                byte c = bytes[i + k];
                if ((c & 0xC0) != 0x80) return i;
                code = (code << 6) | (c & 0x3F);
            }
            if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
            i += count + 1;
        }
        return -1;
    }

    /// <summary>A JSON value: its kind as System.Text.Json names it (Object, Array, String, Number, True, False, Null),
    /// its text as written, and its contents.</summary>
    private sealed class Json
    {
        public string Kind = "";
        /// <summary>The value as written, shortened to 40 characters for a message.</summary>
        public string Raw = "";
        /// <summary>A string's value.</summary>
        public string? Text;
        public List<KeyValuePair<string, Json>>? Properties;
        public List<Json>? Items;
    }

    /// <summary>A strict RFC 8259 parser (no comments, no trailing commas, depth at most 64, strings without control
    /// characters or lone surrogates), as System.Text.Json reads a header by default.</summary>
    private sealed class JsonParser(string text)
    {
        private const int MaxDepth = 64;
        private int _at;

        public Json ParseDocument()
        {
            SkipWhitespace();
            if (_at >= text.Length) throw Fail("the header holds no JSON value");
            Json value = ParseValue(0);
            SkipWhitespace();
            if (_at < text.Length) throw Fail("'" + Show(text[_at]) + "' after the end of the JSON value");
            return value;
        }

        private FormatException Fail(string what)
            => new(what + " at character " + _at.ToString(CultureInfo.InvariantCulture) + " of the header");

        private static string Show(char c) => c < 0x20 || c == 0x7F ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString();

        private void SkipWhitespace()
        {
            while (_at < text.Length && (text[_at] == ' ' || text[_at] == '\t' || text[_at] == '\n' || text[_at] == '\r')) _at++;
        }

        private Json ParseValue(int depth)
        {
            if (_at >= text.Length) throw Fail("the header ends where a value should be");
            int start = _at;
            Json value;
            switch (text[_at])
            {
                case '{': value = ParseObject(depth + 1); break;
                case '[': value = ParseArray(depth + 1); break;
                case '"': value = new Json { Kind = "String", Text = ParseString() }; break;
                case 't': Literal("true"); value = new Json { Kind = "True" }; break;
                case 'f': Literal("false"); value = new Json { Kind = "False" }; break;
                case 'n': Literal("null"); value = new Json { Kind = "Null" }; break;
                default:
                    if (text[_at] == '-' || (text[_at] >= '0' && text[_at] <= '9')) { ParseNumber(); value = new Json { Kind = "Number" }; }
                    else throw Fail("'" + Show(text[_at]) + "' where a value should be");
                    break;
            }
            value.Raw = text.Substring(start, _at - start);
            if (value.Raw.Length > 40) value.Raw = value.Raw.Substring(0, 40) + "…";
            return value;
        }

        private void Literal(string word)
        {
            if (string.CompareOrdinal(text, _at, word, 0, word.Length) != 0) throw Fail("an invalid literal (expected " + word + ")");
            _at += word.Length;
        }

        private Json ParseObject(int depth)
        {
            if (depth > MaxDepth) throw Fail("nesting deeper than " + MaxDepth);
            _at++; // {
            var properties = new List<KeyValuePair<string, Json>>();
            SkipWhitespace();
            if (_at < text.Length && text[_at] == '}') { _at++; return new Json { Kind = "Object", Properties = properties }; }
            while (true)
            {
                SkipWhitespace();
                if (_at >= text.Length || text[_at] != '"') throw Fail("a property name should start here");
                string name = ParseString();
                SkipWhitespace();
                if (_at >= text.Length || text[_at] != ':') throw Fail("':' should follow a property name");
                _at++;
                SkipWhitespace();
                properties.Add(new KeyValuePair<string, Json>(name, ParseValue(depth)));
                SkipWhitespace();
                if (_at >= text.Length) throw Fail("the header ends inside an object");
                if (text[_at] == ',') { _at++; continue; }
                if (text[_at] == '}') { _at++; return new Json { Kind = "Object", Properties = properties }; }
                throw Fail("'" + Show(text[_at]) + "' where ',' or '}' should be");
            }
        }

        private Json ParseArray(int depth)
        {
            if (depth > MaxDepth) throw Fail("nesting deeper than " + MaxDepth);
            _at++; // [
            var items = new List<Json>();
            SkipWhitespace();
            if (_at < text.Length && text[_at] == ']') { _at++; return new Json { Kind = "Array", Items = items }; }
            while (true)
            {
                SkipWhitespace();
                items.Add(ParseValue(depth));
                SkipWhitespace();
                if (_at >= text.Length) throw Fail("the header ends inside an array");
                if (text[_at] == ',') { _at++; continue; }
                if (text[_at] == ']') { _at++; return new Json { Kind = "Array", Items = items }; }
                throw Fail("'" + Show(text[_at]) + "' where ',' or ']' should be");
            }
        }

        private void ParseNumber()
        {
            if (text[_at] == '-') _at++;
            if (_at >= text.Length || !IsDigit(text[_at])) throw Fail("a number without digits");
            if (text[_at] == '0') _at++;
            else while (_at < text.Length && IsDigit(text[_at])) _at++;
            if (_at < text.Length && text[_at] == '.')
            {
                _at++;
                if (_at >= text.Length || !IsDigit(text[_at])) throw Fail("a number without digits after its '.'");
                while (_at < text.Length && IsDigit(text[_at])) _at++;
            }
            if (_at < text.Length && (text[_at] == 'e' || text[_at] == 'E'))
            {
                _at++;
                if (_at < text.Length && (text[_at] == '+' || text[_at] == '-')) _at++;
                if (_at >= text.Length || !IsDigit(text[_at])) throw Fail("a number without digits in its exponent");
                while (_at < text.Length && IsDigit(text[_at])) _at++;
            }
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        /// <summary>A string's value; a lone surrogate (from a \u escape) is refused: it is no text.</summary>
        private string ParseString()
        {
            _at++; // "
            var value = new StringBuilder();
            while (true)
            {
                if (_at >= text.Length) throw Fail("the header ends inside a string");
                char c = text[_at++];
                if (c == '"') break;
                if (c < 0x20) { _at--; throw Fail("the control character " + Show(c) + " inside a string"); }
                if (c != '\\') { value.Append(c); continue; }
                if (_at >= text.Length) throw Fail("the header ends inside an escape");
                char e = text[_at++];
                switch (e)
                {
                    case '"': value.Append('"'); break;
                    case '\\': value.Append('\\'); break;
                    case '/': value.Append('/'); break;
                    case 'b': value.Append('\b'); break;
                    case 'f': value.Append('\f'); break;
                    case 'n': value.Append('\n'); break;
                    case 'r': value.Append('\r'); break;
                    case 't': value.Append('\t'); break;
                    case 'u':
                        if (_at + 4 > text.Length) throw Fail("a \\u escape without four hex digits");
                        int code = 0;
                        for (int k = 0; k < 4; k++)
                        {
                            int h = HexValue(text[_at + k]);
                            if (h < 0) throw Fail("a \\u escape without four hex digits");
                            code = code * 16 + h;
                        }
                        _at += 4;
                        value.Append((char)code);
                        break;
                    default:
                        _at--;
                        throw Fail("the invalid escape \\" + Show(e));
                }
            }
            string s = value.ToString();
            for (int i = 0; i < s.Length; i++)
            {
                if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
                if (char.IsSurrogate(s[i]))
                    throw Fail("a string that is not valid text (the lone surrogate U+"
                        + ((int)s[i]).ToString("X4", CultureInfo.InvariantCulture) + ")");
            }
            return s;
        }

        private static int HexValue(char c)
            => c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
