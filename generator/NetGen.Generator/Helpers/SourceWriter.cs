using System;
using System.Text;

namespace NetGen.Generator.Helpers;

/// <summary>
/// Writes C# text with indentation (like System.Text.Json's generator's SourceWriter), in lines of at most
/// <see cref="MaxLineLength"/> characters: a longer comment wraps at its spaces, a longer line's trailing comment moves
/// to a line of its own above it, and longer code breaks at the argument boundaries of its outermost calls that
/// make it fit, continued 4 columns further in. Nothing breaks inside a string literal or a quoted attribute value,
/// nor a comment inside a short parenthesis ("max(0, Z1)", "(Z1 > 0)").
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";

    /// <summary>The longest line written, where it can be broken.</summary>
    public const int MaxLineLength = 120;
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
            string content = line.TrimEnd('\r');
            if (content.Length == 0)
            {
                _builder.Append('\n');
                continue;
            }
            var indent = new StringBuilder();
            for (int i = 0; i < Indentation; i++) indent.Append(IndentUnit);
            WriteWrapped(indent.ToString(), content);
        }
        return this;
    }

    private void WriteWrapped(string indent, string content)
    {
        if (indent.Length + content.Length <= MaxLineLength)
        {
            _builder.Append(indent).Append(content).Append('\n');
            return;
        }
        string trimmed = content.TrimStart();
        if (trimmed.StartsWith("//", StringComparison.Ordinal))
        {
            string prefix = trimmed.StartsWith("/// ", StringComparison.Ordinal) ? "/// " : "// ";
            WrapWords(indent + prefix, trimmed.Substring(prefix.Length), indent + prefix);
            return;
        }
        int comment = TrailingComment(content);
        if (comment > 0)
        {
            WriteWrapped(indent, content.Substring(comment + 1).TrimStart());
            WriteWrapped(indent, content.Substring(0, comment).TrimEnd());
            return;
        }
        // Code: continued one level in from the line's own start.
        string rest = indent + content.Substring(0, content.Length - trimmed.Length) + IndentUnit;
        // A call whose arguments fit one line of their own: break after its opening parenthesis.
        int open = FirstOpenParenthesis(content);
        if (open > 0 && indent.Length + open + 1 <= MaxLineLength && rest.Length + content.Length - open - 1 <= MaxLineLength)
        {
            _builder.Append(indent).Append(content, 0, open + 1).Append('\n');
            _builder.Append(rest).Append(content, open + 1, content.Length - open - 1).Append('\n');
            return;
        }
        // Else break after a comma or an opening parenthesis, or before a + or |, outside literals, filling each line —
        // at the argument boundaries of the outermost calls that make the lines fit: a break inside a nested call (one
        // argument split over two lines) only when no shallower set of breaks is enough.
        var breaks = new System.Collections.Generic.List<(int At, int Depth)>();
        for (int i = 0, quote = 0, depth = 0; i < content.Length; i++)
        {
            char c = content[i];
            if (c == '\\' && quote != 0) { i++; continue; }
            if (c == '"') quote = quote == 0 ? 1 : 0;
            if (quote != 0) continue;
            if (c == ')') depth--;
            else if (c == '(')
            {
                depth++;
                // After a call's "(" (not a grouping one: "((a + b) + c)" breaks before its + signs instead).
                if (i > 0 && (char.IsLetterOrDigit(content[i - 1]) || content[i - 1] is '_' or '>' or ']') &&
                    i + 1 < content.Length && content[i + 1] != ')')
                    breaks.Add((i + 1, depth));
            }
            else if (c == ',' && i + 1 < content.Length && content[i + 1] == ' ') breaks.Add((i + 2, depth));
            else if (c == ' ' && i + 2 < content.Length && (content[i + 1] == '+' || content[i + 1] == '|') && content[i + 2] == ' ')
                breaks.Add((i + 1, depth));
        }
        int deepest = 0;
        foreach ((_, int depth) in breaks) deepest = Math.Max(deepest, depth);
        for (int allowed = 0; allowed <= deepest; allowed++)
        {
            var lines = Fill(indent, rest, content, breaks, allowed);
            if (allowed < deepest && !AllFit(lines)) continue;
            foreach (string line in lines) _builder.Append(line).Append('\n');
            return;
        }
        _builder.Append(indent).Append(content).Append('\n');
    }

    private static bool AllFit(System.Collections.Generic.List<string> lines)
    {
        foreach (string line in lines)
            if (line.Length > MaxLineLength) return false;
        return true;
    }

    /// <summary>The lines of <paramref name="content"/> filled greedily, broken only at the breaks no deeper than
    /// <paramref name="allowed"/> (a break leaves out the space it stands on).</summary>
    private static System.Collections.Generic.List<string> Fill(string indent, string rest, string content,
        System.Collections.Generic.List<(int At, int Depth)> breaks, int allowed)
    {
        var lines = new System.Collections.Generic.List<string>();
        int start = 0, lastBreak = -1;
        string current = indent;
        var points = new System.Collections.Generic.List<int>();
        foreach ((int at, int depth) in breaks)
            if (depth <= allowed) points.Add(at);
        points.Add(content.Length);
        foreach (int breakAt in points)
        {
            // The piece up to this break point: if it no longer fits, end the line at the previous break point.
            int pieceEnd = breakAt == content.Length ? breakAt : (content[breakAt - 1] == ' ' ? breakAt - 1 : breakAt);
            if (current.Length + (pieceEnd - start) > MaxLineLength && lastBreak > start)
            {
                int lineEnd = content[lastBreak - 1] == ' ' ? lastBreak - 1 : lastBreak;
                lines.Add(current + content.Substring(start, lineEnd - start));
                start = lastBreak;
                current = rest;
            }
            lastBreak = breakAt;
        }
        lines.Add(current + content.Substring(start));
        return lines;
    }

    /// <summary>The longest parenthesis of a comment kept on one line ("max(0, Z1)" stays whole).</summary>
    private const int ShortParenthesis = 24;

    /// <summary>Words (split at spaces outside quotes and short parentheses) filled into lines that each start with a
    /// prefix.</summary>
    private void WrapWords(string firstPrefix, string text, string prefix)
    {
        // The spaces inside a short parenthesis do not split words: a formula is not cut at "max(0," and "Z1)".
        var inShort = new bool[text.Length];
        var opened = new System.Collections.Generic.Stack<int>();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') opened.Push(i);
            else if (text[i] == ')' && opened.Count > 0)
            {
                int open = opened.Pop();
                if (i - open + 1 <= ShortParenthesis)
                    for (int k = open; k < i; k++) inShort[k] = true;
            }
        }
        var words = new System.Collections.Generic.List<string>();
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '"') quoted = !quoted;
            if (text[i] == ' ' && !quoted && !inShort[i])
            {
                if (i > start) words.Add(text.Substring(start, i - start));
                start = i + 1;
            }
        }
        if (start < text.Length) words.Add(text.Substring(start));
        var line = new StringBuilder(firstPrefix);
        int lineStart = firstPrefix.Length;
        foreach (string word in words)
        {
            if (line.Length > lineStart && line.Length + 1 + word.Length > MaxLineLength)
            {
                _builder.Append(line).Append('\n');
                line.Clear().Append(prefix);
                lineStart = prefix.Length;
            }
            if (line.Length > lineStart) line.Append(' ');
            line.Append(word);
        }
        _builder.Append(line).Append('\n');
    }

    /// <summary>The first "(" outside string literals that opens a non-empty argument list, or -1.</summary>
    private static int FirstOpenParenthesis(string content)
    {
        for (int i = 0, quote = 0; i + 1 < content.Length; i++)
        {
            char c = content[i];
            if (c == '\\' && quote != 0) { i++; continue; }
            if (c == '"') quote = quote == 0 ? 1 : 0;
            if (quote == 0 && c == '(' && content[i + 1] != ')') return i;
        }
        return -1;
    }

    /// <summary>The index of the "//" that starts a trailing comment outside string literals, or -1.</summary>
    private static int TrailingComment(string content)
    {
        for (int i = 0, quote = 0; i + 1 < content.Length; i++)
        {
            char c = content[i];
            if (c == '\\' && quote != 0) { i++; continue; }
            if (c == '"') quote = quote == 0 ? 1 : 0;
            if (quote == 0 && c == '/' && content[i + 1] == '/' && i > 0 && content[i - 1] == ' ')
                return i - 1;
        }
        return -1;
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
            // No blank line before a closing brace (the last member of a block writes one after itself).
            StringBuilder text = _writer._builder;
            if (text.Length >= 2 && text[text.Length - 1] == '\n' && text[text.Length - 2] == '\n')
                text.Length--;
            _writer.Indentation--;
            _writer.WriteLine("}");
        }
    }

    public override string ToString() => _builder.ToString();
}
