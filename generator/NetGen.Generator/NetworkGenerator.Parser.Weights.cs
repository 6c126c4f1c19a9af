using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Parser
    {
        private const string WeightsAttributeName = "NetGen.WeightsAttribute";

        /// <summary>[Weights(path)]: the path as written, relative to the project directory, and where it is
        /// written.</summary>
        internal sealed record WeightsArguments(string Path, LocationInfo? Location);

        /// <summary>The class's [Weights], or null when it has none or its path is unusable (reported: NG0508; a broken
        /// argument is the compiler's to report and sets <paramref name="brokenArgument"/>).</summary>
        private static WeightsArguments? ParseWeights(INamedTypeSymbol symbol, List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken, ref bool brokenArgument)
        {
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() != WeightsAttributeName) continue;
                LocationInfo? location = LocationInfo.From(attribute.ApplicationSyntaxReference, cancellationToken);
                if (attribute.ConstructorArguments.Length != 1 ||
                    attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error)
                {
                    brokenArgument = true;
                    return null;
                }
                string? path = attribute.ConstructorArguments[0].Value as string;
                string? why = WeightsPathProblem(path);
                if (why is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidWeightsPath, location,
                        path is null ? "null" : "\"" + path + "\"", why));
                    return null;
                }
                return new WeightsArguments(path!, location);
            }
            return null;
        }

        /// <summary>Why a [Weights] path cannot name a file, or null: it must be non-empty, without control characters
        /// or characters no file name may hold, and not end in a separator.</summary>
        private static string? WeightsPathProblem(string? path)
        {
            if (path is null || path.Trim().Length == 0) return "it is empty";
            foreach (char c in path)
            {
                if (char.IsControl(c)) return "it holds a control character (U+" + ((int)c).ToString("X4") + ")";
                if (c is '"' or '<' or '>' or '|' or '*' or '?')
                    return "it holds '" + c + "', which no file name may hold";
            }
            char last = path[path.Length - 1];
            if (last is '/' or '\\') return "it ends with a separator: it names a folder, not a file";
            return null;
        }
    }
}
