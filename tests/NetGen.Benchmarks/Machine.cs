using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Benchmarks;

/// <summary>What the numbers were measured on.</summary>
public static class Machine
{
    public static string Cpu
    {
        get
        {
            try
            {
                string[] lines = File.ReadAllLines("/proc/cpuinfo");
                string? model = lines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
                string? mhz = lines.FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
                int logical = lines.Count(l => l.StartsWith("processor", StringComparison.Ordinal));
                return $"{model ?? "unknown"}{(mhz is null ? "" : $" @ {double.Parse(mhz, System.Globalization.CultureInfo.InvariantCulture):0} MHz")}, {logical} logical CPU(s) in /proc/cpuinfo";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"{RuntimeInformation.ProcessArchitecture} (no /proc/cpuinfo)";
            }
        }
    }

    public static string Simd =>
        string.Join(" ", new[]
        {
            Avx2.IsSupported ? "AVX2" : null,
            Fma.IsSupported ? "FMA" : null,
            Avx512F.IsSupported ? "AVX-512F" : null,
            Vector512.IsHardwareAccelerated ? "Vector512 accelerated" : "Vector512 not accelerated",
        }.Where(s => s is not null));

    /// <summary>The 1-, 5- and 15-minute load averages, or null where /proc/loadavg is not there.</summary>
    public static double[]? LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return [.. parts.Take(3).Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>cpu0's caches from /sys/devices/system/cpu/cpu0/cache/index*: level, type, size and the CPUs that share
    /// each (e.g. "L2 Unified 1024K, CPUs 0"), innermost first; empty where sysfs does not say.</summary>
    public static string[] Caches()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        try
        {
            if (!Directory.Exists(root)) return [];
            var caches = new System.Collections.Generic.List<(int Level, string Text)>();
            foreach (string index in Directory.GetDirectories(root, "index*"))
            {
                string Read(string name)
                {
                    string path = Path.Combine(index, name);
                    return File.Exists(path) ? File.ReadAllText(path).Trim() : "?";
                }
                string level = Read("level");
                string shared = Read("shared_cpu_list");
                caches.Add((int.TryParse(level, out int l) ? l : 99,
                            $"L{level} {Read("type")} {Read("size")}, shared by CPUs {shared}"));
            }
            return [.. caches.OrderBy(c => c.Level).ThenBy(c => c.Text, StringComparer.Ordinal).Select(c => c.Text)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static void Print(TextWriter w)
    {
        w.WriteLine($"CPU:     {Cpu}");
        w.WriteLine($"Cores:   Environment.ProcessorCount = {Environment.ProcessorCount}; SIMD: {Simd}");
        w.WriteLine($".NET:    {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}), {RuntimeInformation.OSDescription}");
        w.WriteLine($"ONNX:    ONNX Runtime {OnnxRunner.Version} (CPU provider, 1 intra-op and 1 inter-op thread, sequential, all graph optimizations)");
        w.WriteLine($"GC:      {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {(AppContext.TryGetSwitch("System.GC.Concurrent", out bool c) ? c.ToString().ToLowerInvariant() : "default")}; tiered PGO {Environment.GetEnvironmentVariable("DOTNET_TieredPGO") ?? "default"}");
    }

    /// <summary>
    /// What one core does with independent fused multiply-adds (12 chains of Vector512, or of Vector256 without
    /// AVX-512), in GFLOP/s: the best of a few batches. For comparison with the 112 GFLOP/s the issue states.
    /// </summary>
    public static (double GFlops, string How) MeasureFmaThroughput()
    {
        const int iterations = 2_000_000;
        bool wide = Vector512.IsHardwareAccelerated;
        double flopsPerIteration = 12.0 * 2 * (wide ? Vector512<float>.Count : Vector256<float>.Count);
        double best = 0;
        float sink = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 0.4)
        {
            long t0 = Stopwatch.GetTimestamp();
            sink += wide ? Fma512(iterations) : Fma256(iterations);
            double seconds = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
            best = Math.Max(best, flopsPerIteration * iterations / seconds / 1e9);
        }
        GC.KeepAlive(sink);
        return (best, wide ? "Vector512, 12 independent FMA chains" : "Vector256, 12 independent FMA chains");
    }

    /// <summary>
    /// How fast one core reads <paramref name="floats"/> floats over and over (a multiply-add per float against a small
    /// vector, eight independent sums): best of many passes, in GB/s. For net C's W1 (784 × 128 floats, 401 KB, more
    /// than L1 holds) it is the floor of a one-sample Predict, which must read every weight once.
    /// </summary>
    public static double MeasureStreamBandwidth(int floats)
    {
        var data = new float[floats];
        for (int i = 0; i < floats; i++) data[i] = 1e-3f * (i % 7);
        double best = 0;
        float sink = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 0.3)
        {
            long t0 = Stopwatch.GetTimestamp();
            sink += Stream(data);
            double seconds = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
            best = Math.Max(best, floats * 4.0 / seconds / 1e9);
        }
        GC.KeepAlive(sink);
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Stream(float[] data)
    {
        ref float w = ref data[0];
        var x = Vector512.Create(1.5f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        int n = data.Length - data.Length % 128;
        for (int k = 0; k < n; k += 128)
        {
            nuint at = (nuint)k;
            c0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at), x, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at + 16), x, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at + 32), x, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at + 48), x, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at + 64), x, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at + 80), x, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at + 96), x, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at + 112), x, c7);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Fma512(int n)
    {
        var a = Vector512.Create(1.0000001f);
        var b = Vector512.Create(1e-7f);
        // Twelve different starting values: equal chains would be merged by the JIT into one.
        Vector512<float> c0 = Vector512.Create(1.00f), c1 = Vector512.Create(1.01f), c2 = Vector512.Create(1.02f), c3 = Vector512.Create(1.03f),
            c4 = Vector512.Create(1.04f), c5 = Vector512.Create(1.05f), c6 = Vector512.Create(1.06f), c7 = Vector512.Create(1.07f),
            c8 = Vector512.Create(1.08f), c9 = Vector512.Create(1.09f), c10 = Vector512.Create(1.10f), c11 = Vector512.Create(1.11f);
        for (int i = 0; i < n; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b);
            c2 = Vector512.FusedMultiplyAdd(c2, a, b); c3 = Vector512.FusedMultiplyAdd(c3, a, b);
            c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b);
            c8 = Vector512.FusedMultiplyAdd(c8, a, b); c9 = Vector512.FusedMultiplyAdd(c9, a, b);
            c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Fma256(int n)
    {
        var a = Vector256.Create(1.0000001f);
        var b = Vector256.Create(1e-7f);
        // Twelve different starting values: equal chains would be merged by the JIT into one.
        Vector256<float> c0 = Vector256.Create(1.00f), c1 = Vector256.Create(1.01f), c2 = Vector256.Create(1.02f), c3 = Vector256.Create(1.03f),
            c4 = Vector256.Create(1.04f), c5 = Vector256.Create(1.05f), c6 = Vector256.Create(1.06f), c7 = Vector256.Create(1.07f),
            c8 = Vector256.Create(1.08f), c9 = Vector256.Create(1.09f), c10 = Vector256.Create(1.10f), c11 = Vector256.Create(1.11f);
        for (int i = 0; i < n; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b);
            c2 = Vector256.FusedMultiplyAdd(c2, a, b); c3 = Vector256.FusedMultiplyAdd(c3, a, b);
            c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b);
            c8 = Vector256.FusedMultiplyAdd(c8, a, b); c9 = Vector256.FusedMultiplyAdd(c9, a, b);
            c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
