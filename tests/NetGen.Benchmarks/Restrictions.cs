using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Runtime.Intrinsics;

namespace NetGen.Benchmarks;

/// <summary>
/// Net A's PredictBatch and TrainStep (the narrow batch path) under each restriction of the JIT's instruction sets:
/// quick mode runs itself again as a child process with one environment variable set, since the JIT reads them once at
/// start-up. The child checks its outputs against ONNX Runtime as the main run does, and prints one line the parent reads.
/// </summary>
public static class Restrictions
{
    /// <summary>The argument that makes the program the child: measure net A under the inherited restriction.</summary>
    public const string ChildArgument = "--net-a-restricted";

    private const int ChildBatches = 61;
    private const double TieringSeconds = 1.5;

    private static readonly (string Name, string? Variable)[] Hosts =
    [
        ("full", null),
        ("DOTNET_EnableAVX512=0", "DOTNET_EnableAVX512"),
        ("DOTNET_EnableAVX=0", "DOTNET_EnableAVX"),
        ("DOTNET_EnableHWIntrinsic=0", "DOTNET_EnableHWIntrinsic"),
    ];

    /// <summary>The child's side: one line, "widest predictNs trainNs agreement".</summary>
    public static int RunChild(TextWriter w)
    {
        QuickMode.TryRaisePriority();
        using Fixture<NetA> f = Cases.NetA();
        var batch = new NetAPredictBatchCall(f.Net, f.X, f.Predictions, Cases.NetABatch);
        var train = new NetATrainStepCall(f.Net, f.X, f.Y, Cases.NetABatch, f.LearningRate);
        // A fresh process: give the JIT's tiering time to finish (the main run has the earlier cases for that), or the
        // first batches time tier-0 code.
        Harness.WarmUp(ref batch, TieringSeconds);
        f.RestoreParameters();
        Harness.WarmUp(ref train, TieringSeconds);
        Series p = Harness.Single(ref batch, ChildBatches);
        Series t = Harness.Single(ref train, ChildBatches, f.RestoreParameters);
        f.RestoreParameters();
        string widest = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256"
            : Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ChildArgument} {widest} {p.MedianNs:R} {t.MedianNs:R} {(f.Agreement.Passed ? "agree" : "DISAGREE")}"));
        return f.Agreement.Passed ? 0 : 1;
    }

    /// <summary>The parent's side: a child per restriction, then the table; false when a child failed or disagreed.</summary>
    public static bool Print(TextWriter w, Func<double, string> time)
    {
        w.WriteLine();
        w.WriteLine($"Net A's narrow batch path under each restriction of the instruction sets (a child process each, {ChildBatches} batches):");
        var results = new List<(string Host, string Widest, double Predict, double Train, string Agreement)>();
        bool ok = true;
        foreach (var (name, variable) in Hosts)
        {
            string? line = RunOne(variable, out string error);
            string[] parts = line?.Split(' ') ?? [];
            if (parts.Length != 5)
            {
                w.WriteLine($"  !!! {name}: the child failed: {error}");
                ok = false;
                continue;
            }
            results.Add((name, parts[1], double.Parse(parts[2], CultureInfo.InvariantCulture),
                double.Parse(parts[3], CultureInfo.InvariantCulture), parts[4]));
            ok &= parts[4] == "agree";
        }
        var scalar = results.Find(r => r.Widest == "scalar");
        w.WriteLine("  restriction                | widest vector | PredictBatch | × scalar | TrainStep | × scalar | vs ONNX");
        w.WriteLine("  ---------------------------+---------------+--------------+----------+-----------+----------+--------");
        foreach (var r in results)
        {
            string px = scalar.Widest is null ? "—" : $"{scalar.Predict / r.Predict:0.0}×";
            string tx = scalar.Widest is null ? "—" : $"{scalar.Train / r.Train:0.0}×";
            w.WriteLine($"  {r.Host,-26} | {r.Widest,13} | {time(r.Predict),12} | {px,8} | {time(r.Train),9} | {tx,8} | {r.Agreement}");
        }
        return ok;
    }

    private static string? RunOne(string? variable, out string error)
    {
        string process = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(process) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet NetGen.Benchmarks.dll` the process is the dotnet host: give it the assembly again.
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add(ChildArgument);
        if (variable is not null) start.Environment[variable] = "0";
        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        string stderr = child.StandardError.ReadToEnd();
        child.WaitForExit();
        error = $"exit code {child.ExitCode}; {stderr.Trim()}";
        foreach (string line in output.Split('\n'))
            if (line.StartsWith(ChildArgument, StringComparison.Ordinal))
                return line.Trim();
        return null;
    }
}
