using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Helpers;

/// <summary>A diagnostic as data: the descriptor (a static singleton, so reference equality is value equality),
/// where it points and the message arguments.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args)
    {
        var texts = new string[args.Length];
        for (int i = 0; i < args.Length; i++)
            texts[i] = System.Convert.ToString(args[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor, location, texts.ToEquatableArray());
    }

    /// <summary>The diagnostic, located in <paramref name="compilation"/>'s own syntax tree where the file is part of it:
    /// only such a location lets <c>#pragma warning disable</c> and .editorconfig severities apply.</summary>
    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        var args = new object[MessageArgs.Count];
        for (int i = 0; i < args.Length; i++) args[i] = MessageArgs[i];
        Microsoft.CodeAnalysis.Location? location = null;
        if (Location is not null)
        {
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == Location.FilePath)
                {
                    location = Microsoft.CodeAnalysis.Location.Create(tree, Location.TextSpan);
                    break;
                }
            }
            location ??= Location.ToLocation();
        }
        return Diagnostic.Create(Descriptor, location, args);
    }
}
