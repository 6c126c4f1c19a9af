using System;
using System.IO;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace NetGen.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/NetGen.Benchmarks -- --quick         the tables of issues 4 and 15, in a few minutes
/// dotnet run -c Release --project tests/NetGen.Benchmarks -- --cores         the quick mode's issue-15 table alone (1 and
///     all cores)
/// dotnet run -c Release --project tests/NetGen.Benchmarks -- --conv-kernels  the quick mode's LeNet-5 kernel cases alone
/// dotnet run -c Release --project tests/NetGen.Benchmarks -- --full-table    every BenchmarkDotNet class with the job
///     of <see cref="FullTableJob"/> (≈ 16 minutes on the 2-core machine of issue 15)
/// dotnet run -c Release --project tests/NetGen.Benchmarks -- --filter '*'    every BenchmarkDotNet class (any BenchmarkDotNet option works)
/// dotnet run -c Release --project tests/NetGen.Benchmarks -- --serve NETGEN_BINARY ONNX_BINARY   the two published
///     web services (examples/NetGen.Serve, examples/NetGen.Serve.Onnx) side by side
/// </summary>
public static class Program
{
    /// <summary>The job of <c>--full-table</c>: one launch, 10 warm-up and 30 measured iterations of BenchmarkDotNet's
    /// default 0.5 s. Measured on 2026-12-03 on the 2-core machine at a load average of 14–30: the host's build took
    /// 66 s; NetAPredict and NetAPredictBatch211 (6 benchmarks) then took 187 s, LeNet5TrainStep64 (2) 31 s. At ≈ 31 s
    /// a benchmark (noise stretches the 0.5 s iterations to ≈ 0.7 s) the 30 benchmarks take ≈ 16 minutes with the
    /// build, less on a quiet machine. BenchmarkDotNet's default job stops once its error is small enough, which on a
    /// shared machine can take 100 iterations a benchmark.</summary>
    public static Job FullTableJob => Job.Default.WithLaunchCount(1).WithWarmupCount(10).WithIterationCount(30)
        .WithId("FullTable");

    public static int Main(string[] args)
    {
        if (args.Contains(Restrictions.ChildArgument))
        {
            // The child times the one-thread path, as the quick mode's other issue-4 rows do.
            Parallelism.MaxDegreeOfParallelism = 1;
            return Restrictions.RunChild(Console.Out);
        }
        if (args.Contains("--serve"))
            return ServeMode.Run(args, Console.Out);
        if (args.Contains("--conv-kernels"))
        {
            (double fma, string how) = Machine.MeasureFmaThroughput();
            Console.WriteLine($"FMA: measured {fma:0.0} GFLOP/s on one core ({how})");
            ConvKernels.Run(Console.Out, fma);
            return 0;
        }
        if (args.Contains("--fit"))
            return QuickMode.RunFit(Console.Out);
        if (args.Contains("--cores"))
            return QuickMode.RunCores(Console.Out);
        if (args.Contains("--quick"))
        {
            if (args.Length > 1)
                Console.Error.WriteLine($"--quick takes no other option; ignoring: {string.Join(' ', args.Where(a => a != "--quick"))}");
            return QuickMode.Run(Console.Out);
        }
        // BenchmarkDotNet builds a host project that references this one, which it finds by searching the current
        // directory: start from this project's folder (known at build time), and keep the artifacts in it.
        string? project = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NetGen.Benchmarks.ProjectDirectory")?.Value;
        IConfig config = DefaultConfig.Instance;
        if (project is not null && File.Exists(Path.Combine(project, "NetGen.Benchmarks.csproj")))
        {
            Directory.SetCurrentDirectory(project);
            config = config.WithArtifactsPath(Path.Combine(project, "BenchmarkDotNet.Artifacts"));
        }
        if (args.Contains("--full-table"))
        {
            // Median and Min beside the mean: on a shared machine the mean carries the other processes' bursts.
            config = ManualConfig.Create(config).AddJob(FullTableJob)
                .AddColumn(StatisticColumn.Median, StatisticColumn.Min);
            args = [.. args.Contains("--filter") ? [] : new[] { "--filter", "*" }, .. args.Where(a => a != "--full-table")];
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
