using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Helpers;

/// <summary>A <see cref="Location"/> as plain data (file, span, lines), so that it can live in a cached model.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxReference? reference, System.Threading.CancellationToken cancellationToken)
        => reference is null ? null : From(reference.GetSyntax(cancellationToken).GetLocation());
}
