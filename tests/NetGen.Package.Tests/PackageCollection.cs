using Xunit;

namespace NetGen.Package.Tests;

/// <summary>The test classes that use the packed package share one <see cref="PackageFixture"/>: the package is packed once
/// per run, and their consumers build one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    /// <summary>The collection's name, for <c>[Collection(PackageCollection.Name)]</c>.</summary>
    public const string Name = "Package";
}
