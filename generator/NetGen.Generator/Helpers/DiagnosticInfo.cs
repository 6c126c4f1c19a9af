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

    public Diagnostic ToDiagnostic()
    {
        var args = new object[MessageArgs.Count];
        for (int i = 0; i < args.Length; i++) args[i] = MessageArgs[i];
        return Diagnostic.Create(Descriptor, Location?.ToLocation(), args);
    }
}
