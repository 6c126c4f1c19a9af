using System;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The safetensors header reader is written for netstandard2.0 too (the generator links it to check weight files at
/// build time), so it has its own JSON parser instead of System.Text.Json. It must accept exactly the JSON that
/// System.Text.Json accepts (and decodes): compared here on hand-picked edge cases and on thousands of mutations of a
/// real header.
/// </summary>
public sealed class SafetensorsHeaderTests
{
    /// <summary>A file of the header alone (no data); whether the reader found the header to be JSON.</summary>
    private static bool ReaderAcceptsJson(string header)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        SafetensorsHeader.Read(file, out string? error);
        return error is null || !error.StartsWith("the header is not valid JSON", StringComparison.Ordinal);
    }

    /// <summary>Whether System.Text.Json parses it and every string in it is text.</summary>
    private static bool SystemTextJsonAccepts(string header)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(header));
            Visit(doc.RootElement);
            return true;
        }
        catch (JsonException) { return false; }
        catch (InvalidOperationException) { return false; } // a lone surrogate in a string

        static void Visit(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty p in e.EnumerateObject()) { _ = p.Name; Visit(p.Value); }
                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in e.EnumerateArray()) Visit(item);
                    break;
                case JsonValueKind.String:
                    _ = e.GetString();
                    break;
            }
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData(" \t\r\n{ } \n")]
    [InlineData("{\"a\":[1,-0,2.5e-3,1E+2,0.0],\"b\":true,\"c\":false,\"d\":null,\"e\":\"\\u00e9\\n\\/\\\"\"}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":[1,]}")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":1.}")]
    [InlineData("{\"a\":.5}")]
    [InlineData("{\"a\":-}")]
    [InlineData("{\"a\":1e}")]
    [InlineData("{\"a\":+1}")]
    [InlineData("{\"a\":tru}")]
    [InlineData("{\"a\":True}")]
    [InlineData("{\"a\":\"x\\q\"}")]
    [InlineData("{\"a\":\"\\u12\"}")]
    [InlineData("{\"a\":\"\\ud800\"}")]
    [InlineData("{\"a\":\"\\ud83d\\ude00\"}")]
    [InlineData("{\"a\":\"tab\there\"}")]
    [InlineData("{/*c*/}")]
    [InlineData("{} {}")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":1}\u000c")]
    [InlineData("\ufeff{}")]
    [InlineData("")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    public void The_reader_accepts_the_JSON_System_Text_Json_accepts(string header)
        => Assert.Equal(SystemTextJsonAccepts(header), ReaderAcceptsJson(header));

    [Fact]
    public void Mutations_of_a_real_header_are_judged_as_System_Text_Json_judges_them()
    {
        const string Header =
            "{\"__metadata__\":{\"netgen.architecture\":\"3-4:Tanh-1:Sigmoid/BinaryCrossEntropy\"}," +
            "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}," +
            "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[48,64]}}";
        const string Alphabet = "{}[]\":,\\/ \t\r\n0123456789-+.eEtrufalsnbx\u0001";
        var random = new Random(12);
        int accepted = 0;
        for (int trial = 0; trial < 20_000; trial++)
        {
            var text = new StringBuilder(Header);
            int edits = 1 + random.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(text.Length);
                char c = Alphabet[random.Next(Alphabet.Length)];
                switch (random.Next(3))
                {
                    case 0: text[at] = c; break;
                    case 1: text.Insert(at, c); break;
                    default: text.Remove(at, 1); break;
                }
            }
            string mutated = text.ToString();
            bool expected = SystemTextJsonAccepts(mutated);
            Assert.True(expected == ReaderAcceptsJson(mutated), $"System.Text.Json {(expected ? "accepts" : "refuses")}: {mutated}");
            if (expected) accepted++;
        }
        Assert.InRange(accepted, 1000, 19_000); // both outcomes are exercised
    }
}
