using System;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>
/// Packs src/NetGen once per test run into a temporary feed, with a version of its own
/// (<c>0.0.0-test…</c>) so that the NuGet cache can never hand a consumer a stale package.
/// The pack runs in a clean copy of the repository (no bin/ or obj/) so that it neither races with the
/// solution build that <c>dotnet test</c> may be running beside it nor leaves anything in the work tree.
/// On dispose it deletes the temporary folders and the package's folder in the global packages cache.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    static readonly string[] SkippedDirectories = ["bin", "obj", ".git", ".vs", ".idea", "TestResults", "node_modules", "netgen-out"];

    readonly Lazy<DotNetResult> _pack;

    public PackageFixture()
    {
        RepoRoot = FindRepoRoot();
        Version = $"0.0.0-test{DateTime.UtcNow:yyyyMMddHHmmss}{Guid.NewGuid():N}"[..40];
        TempRoot = Path.Combine(Path.GetTempPath(), "netgen-package-tests", Version);
        Feed = Path.Combine(TempRoot, "feed");
        Directory.CreateDirectory(Feed);
        // Stop MSBuild's upward search for Directory.Build.* here: the consumers see only what a real consumer would.
        File.WriteAllText(Path.Combine(TempRoot, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(TempRoot, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(TempRoot, "Directory.Packages.props"), "<Project />\n");
        _pack = new Lazy<DotNetResult>(PackOnce, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The folder that holds NetGen.sln.</summary>
    public string RepoRoot { get; }

    /// <summary>The unique version of this run's package.</summary>
    public string Version { get; }

    /// <summary>A per-run temporary folder: feed/, repo/ and the consumers.</summary>
    public string TempRoot { get; }

    /// <summary>The local package source the consumers restore NetGen from.</summary>
    public string Feed { get; }

    /// <summary>The packed .nupkg (packs on first use; a failed pack fails every test that needs it, with its output).</summary>
    public string Package
    {
        get
        {
            DotNetResult pack = _pack.Value;
            string path = Path.Combine(Feed, $"NetGen.{Version}.nupkg");
            Assert.True(File.Exists(path), $"dotnet pack did not write {path}. Feed holds [{string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}].\n{pack.Describe()}");
            return path;
        }
    }

    /// <summary>The pack's output, for messages.</summary>
    public DotNetResult PackResult => _pack.Value;

    DotNetResult PackOnce()
    {
        string copy = Path.Combine(TempRoot, "repo");
        CopyTree(RepoRoot, copy);
        DotNetResult pack = DotNet.Run(copy,
        [
            "pack", Path.Combine("src", "NetGen", "NetGen.csproj"), "-c", "Release", "-o", Feed, $"-p:Version={Version}",
            "-tl:off", "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ]);
        Assert.True(pack.ExitCode == 0, "dotnet pack src/NetGen failed.\n" + pack.Describe());
        return pack;
    }

    /// <summary>Creates <c>TempRoot/name</c> from the template in Consumers/<paramref name="name"/>, with the package version filled in
    /// and a nuget.config that restores NetGen from the temporary feed only and everything else from nuget.org.</summary>
    public string CreateConsumer(string name)
    {
        _ = Package; // the feed must hold the package first
        string source = Path.Combine(RepoRoot, "tests", "NetGen.Package.Tests", "Consumers", name);
        Assert.True(Directory.Exists(source), $"missing consumer template {source}");
        string target = Path.Combine(TempRoot, name);
        if (Directory.Exists(target))
            Directory.Delete(target, recursive: true);
        CopyTree(source, target);

        string project = Path.Combine(target, name + ".csproj");
        string text = File.ReadAllText(project);
        Assert.Contains("$NETGEN_VERSION$", text);
        File.WriteAllText(project, text.Replace("$NETGEN_VERSION$", Version));
        WriteNuGetConfig(target);
        return target;
    }

    /// <summary>Copies examples/<paramref name="name"/> to <c>TempRoot/name</c> with the nuget.config of
    /// <see cref="CreateConsumer"/>: an example that takes the package when built with
    /// <c>-p:NetGenVersion=</c><see cref="Version"/> (its project references apply without it).</summary>
    public string CreateConsumerFromExample(string name)
    {
        _ = Package;
        string source = Path.Combine(RepoRoot, "examples", name);
        Assert.True(Directory.Exists(source), $"missing example {source}");
        string target = Path.Combine(TempRoot, name);
        if (Directory.Exists(target))
            Directory.Delete(target, recursive: true);
        CopyTree(source, target);
        WriteNuGetConfig(target);
        return target;
    }

    /// <summary>A nuget.config that restores NetGen from the temporary feed only and everything else from nuget.org.</summary>
    void WriteNuGetConfig(string target)
    {
        File.WriteAllText(Path.Combine(target, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="netgen-test" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="netgen-test">
                  <package pattern="NetGen" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }

    public void Dispose()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cached = Path.Combine(packages, "netgen");
        TryDelete(Path.Combine(cached, Version.ToLowerInvariant()));
        try
        {
            if (Directory.Exists(cached) && !Directory.EnumerateFileSystemEntries(cached).Any())
                Directory.Delete(cached);
        }
        catch (IOException) { }
        if (Environment.GetEnvironmentVariable("NETGEN_KEEP_TEMP") != "1")
            TryDelete(TempRoot);
    }

    static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No NetGen.sln above {AppContext.BaseDirectory}.");
    }

    static void CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        foreach (string dir in Directory.GetDirectories(source))
        {
            string name = Path.GetFileName(dir);
            if (!SkippedDirectories.Contains(name, StringComparer.OrdinalIgnoreCase))
                CopyTree(dir, Path.Combine(target, name));
        }
    }
}
