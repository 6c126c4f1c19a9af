using System;
using System.Text;

namespace NetGen.Generator.Helpers;

/// <summary>Writes C# text with indentation (like System.Text.Json's generator's SourceWriter).</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();

    public int Indentation { get; set; }

    public SourceWriter WriteLine(string text)
    {
        if (text.Length == 0)
        {
            _builder.Append('\n');
            return this;
        }
        foreach (string line in text.Split('\n'))
        {
            if (line.Length > 0)
                for (int i = 0; i < Indentation; i++) _builder.Append(IndentUnit);
            _builder.Append(line.TrimEnd('\r')).Append('\n');
        }
        return this;
    }

    public SourceWriter WriteLine() => WriteLine("");

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed.</summary>
    public Block Open(string header)
    {
        WriteLine(header);
        WriteLine("{");
        Indentation++;
        return new Block(this);
    }

    public readonly struct Block : IDisposable
    {
        private readonly SourceWriter _writer;
        public Block(SourceWriter writer) => _writer = writer;
        public void Dispose()
        {
            _writer.Indentation--;
            _writer.WriteLine("}");
        }
    }

    public override string ToString() => _builder.ToString();
}
