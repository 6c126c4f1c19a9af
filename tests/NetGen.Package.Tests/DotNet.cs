using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace NetGen.Package.Tests;

/// <summary>The result of one <c>dotnet</c> invocation: its exit code and its stdout and stderr, interleaved.</summary>
public sealed record DotNetResult(string Command, string WorkingDirectory, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>A text for an assertion message: the command, where it ran, its exit code and everything it printed.</summary>
    public string Describe() =>
        $"`{Command}` in {WorkingDirectory} exited with {ExitCode} after {Elapsed.TotalSeconds:F1} s. Output:{Environment.NewLine}{Output}";
}

/// <summary>Runs the .NET CLI the way a consumer would, isolated from the test host's MSBuild environment.</summary>
public static class DotNet
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Variables that <c>dotnet test</c> sets for its own MSBuild and that must not leak into a nested build.</summary>
    static readonly string[] InheritedToRemove =
    [
        "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly",
        "MSBUILDNOINPROCNODE", "_MSBUILDTLENABLED", "VSTEST_HOST_DEBUG", "VSTEST_RUNNER_DEBUG",
    ];

    /// <summary>The <c>dotnet</c> executable that runs these tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    static string Executable
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
        }
    }

    /// <summary>
    /// Runs <c>dotnet args…</c> in <paramref name="workingDirectory"/>, waits at most <paramref name="timeout"/> (then kills
    /// the process tree it started and reports a failure), and returns everything it printed.
    /// </summary>
    public static DotNetResult Run(string workingDirectory, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);

        foreach (string name in InheritedToRemove)
            info.Environment.Remove(name);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        // No process may outlive the command and hold our pipes open: no MSBuild node reuse, no compiler server.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["UseSharedCompilation"] = "false";
        info.Environment["NUGET_XMLDOC_MODE"] = "skip";

        string command = "dotnet " + string.Join(' ', args);
        var output = new StringBuilder();
        var gate = new object();
        var clock = Stopwatch.StartNew();

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        TimeSpan limit = timeout ?? DefaultTimeout;
        if (!process.WaitForExit(limit))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            string partial;
            lock (gate) partial = output.ToString();
            throw new TimeoutException(
                $"`{command}` in {workingDirectory} did not finish within {limit.TotalMinutes:F0} min and was killed. Output so far:{Environment.NewLine}{partial}");
        }
        // Drain the asynchronous output handlers (bounded: a stray grandchild holding our pipe must not hang the run).
        System.Threading.Tasks.Task.Run(() => process.WaitForExit()).Wait(TimeSpan.FromSeconds(30));
        clock.Stop();

        string text;
        lock (gate) text = output.ToString();
        return new DotNetResult(command, workingDirectory, process.ExitCode, text, clock.Elapsed);
    }
}
