using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace NetGen.Benchmarks;

/// <summary>
/// `--serve NETGEN_BINARY ONNX_BINARY`: the two published web services of examples/NetGen.Serve (NetGen, NativeAOT)
/// and examples/NetGen.Serve.Onnx (ONNX Runtime) side by side: size on disk, start-up to first answer, requests per
/// second and peak memory. The services run one after the other, alternated (the first of a round is the second of the
/// next), on the same machine as this client, which measures its own CPU time per request so that its share is known.
/// </summary>
/// <remarks>
/// The load client is the smallest one that keeps HTTP/1.1 connections alive: one thread and one socket per
/// connection, a request prepared once as bytes, and a response read by its Content-Length or its chunks; each
/// connection sends its next request when the previous answer is complete (closed loop, like wrk).
/// </remarks>
public static class ServeMode
{
    const double WarmUpSeconds = 1, MeasureSeconds = 3;

    sealed record Service(string Name, string Binary)
    {
        public readonly List<double> StartMs = [], FirstRssMb = [], PeakRssMb = [];
        public readonly Dictionary<string, List<Load>> Loads = [];
    }

    /// <summary>One closed-loop measurement: requests answered per second, and CPU µs per request on each side.</summary>
    readonly record struct Load(double PerSecond, double ClientCpuUs, double ServerCpuUs);

    sealed record LoadCase(string Name, string Path, string Body, int Connections, int Samples);

    public static int Run(string[] args, TextWriter w)
    {
        int at = Array.IndexOf(args, "--serve");
        string[] rest = args[(at + 1)..];
        if (rest.Length < 2 || !File.Exists(rest[0]) || !File.Exists(rest[1]))
        {
            Console.Error.WriteLine("--serve needs the two published binaries, NetGen's then ONNX Runtime's, for example\n"
                + "  dotnet publish examples/NetGen.Serve -c Release -r linux-x64 -o /tmp/serve/netgen\n"
                + "  dotnet publish examples/NetGen.Serve.Onnx -c Release -r linux-x64 -o /tmp/serve/onnx\n"
                + "  dotnet run -c Release --project tests/NetGen.Benchmarks -- --serve /tmp/serve/netgen/NetGen.Serve "
                + "/tmp/serve/onnx/NetGen.Serve.Onnx [--rounds 5]\n"
                + $"found: {string.Join(' ', rest)}");
            return 2;
        }
        int rounds = 5, starts = 9;
        if (!Option(rest, "--rounds", ref rounds) || !Option(rest, "--starts", ref starts))
            return 2;
        starts = Math.Max(starts, rounds);
        var services = new[] { new Service("NetGen (NativeAOT)", Path.GetFullPath(rest[0])),
                               new Service("ONNX Runtime (NativeAOT)", Path.GetFullPath(rest[1])) };

        string one = Body(Sample), batch = "{\"x\":[" + string.Join(',', Enumerable.Repeat("[" + Numbers(Sample) + "]", 64)) + "]}";
        LoadCase[] cases =
        [
            new("GET / (no model), 8 conn.", "/", "", 8, 0),
            new("1 sample, 1 conn.", "/predict", one, 1, 1),
            new("1 sample, 8 conn.", "/predict", one, 8, 1),
            new("64 samples, 1 conn.", "/predict", batch, 1, 64),
            new("64 samples, 8 conn.", "/predict", batch, 8, 64),
        ];

        w.WriteLine("NetGen.Serve and NetGen.Serve.Onnx side by side: alternated rounds, client on the same machine");
        w.WriteLine(new string('=', 100));
        w.WriteLine("Command: dotnet run -c Release --project tests/NetGen.Benchmarks -- " + string.Join(' ', args));
        Machine.Print(w);
        double[]? load = Machine.LoadAverage();
        if (load is not null)
            w.WriteLine($"Load:    {string.Join(", ", load.Select(l => F(l, "0.00")))} (1, 5, 15 min) on {Environment.ProcessorCount} cores"
                + (load[0] > Environment.ProcessorCount - 1 ? "  <-- BUSY MACHINE: other processes compete for the cores" : ""));
        w.WriteLine($"Method:  {rounds} rounds; in each, both services are started one after the other (the first of a round is the second of the");
        w.WriteLine("         next), each timed from Process.Start to its first answer to GET / (polled every 2 ms); then each load below");
        w.WriteLine($"         runs on one, then on the other, {WarmUpSeconds:0} s unmeasured and {MeasureSeconds:0} s measured; then their peak RSS (VmHWM) is read and they stop.");
        w.WriteLine($"         {starts - rounds} more alternated starts of each after the rounds, for start-up only ({starts} in all).");
        w.WriteLine("         One start of each, before round 1, is not counted (it fills the page cache): it checks that both services");
        w.WriteLine("         answer the 569 samples of data/sklearn/breast_cancer.csv alike and refuse bad requests with the same 400s.");
        w.WriteLine();

        // Sizes: the binary, what ships beside it (native libraries, models), and the whole folder without debug files.
        w.WriteLine("Size on disk (publish folder; *.dbg, *.pdb and *.xml are debugging and docs files, not counted):");
        foreach (Service s in services)
        {
            string folder = Path.GetDirectoryName(s.Binary)!;
            long binary = new FileInfo(s.Binary).Length;
            FileInfo[] files = new DirectoryInfo(folder).GetFiles("*", SearchOption.AllDirectories)
                .Where(f => f.Extension is not (".dbg" or ".pdb" or ".xml")).ToArray();
            long native = files.Where(f => f.Name.EndsWith(".so", StringComparison.Ordinal)).Sum(f => f.Length);
            long total = files.Sum(f => f.Length);
            FileInfo[] libraries = files.Where(f => f.Name.EndsWith(".so", StringComparison.Ordinal)).ToArray();
            string beside = libraries.Length == 0 ? "no native library"
                : $"native libraries {Mb(native)} ({string.Join(", ", libraries.Select(f => $"{f.Name} {Mb(f.Length)}"))})";
            w.WriteLine($"  {s.Name,-26} binary {Mb(binary)}, {beside}, total {Mb(total)} in {files.Length} files "
                + $"({string.Join(", ", files.Select(f => Path.GetRelativePath(folder, f.FullName)))})");
        }
        w.WriteLine();

        var first = new List<(int, string?)[]>();
        foreach (Service s in services)
        {
            using Process server = Started(s, out _);
            first.Add(AgreementAnswers(Port(server)));
            Stop(server);
        }
        string? disagreement = Disagreement(first[0], first[1], out double worstAbsolute, out double worstRelative);
        if (disagreement is not null)
        {
            w.WriteLine(new string('!', 100));
            w.WriteLine($"THE SERVICES DISAGREE: {disagreement}");
            w.WriteLine(new string('!', 100));
            return 1;
        }
        w.WriteLine($"Agreement: both answer the {Samples().Count} samples within 1e-5 relative (+ 1e-7) with the same classes, and give the same 400s");
        w.WriteLine($"           (largest difference of P: {worstAbsolute:0.0e0} absolute, {worstRelative:0.0e0} relative to ONNX Runtime's P where it is ≥ 0.01).");
        w.WriteLine();
        for (int round = 0; round < rounds; round++)
        {
            // Both services run at once (an idle one costs nothing), so that each load alternates between them
            // within seconds: the machine's other work then weighs on both alike.
            Service[] order = round % 2 == 0 ? services : [services[1], services[0]];
            var servers = new Dictionary<Service, Process>();
            try
            {
                foreach (Service s in order)
                {
                    servers[s] = Started(s, out double ms);
                    s.StartMs.Add(ms);
                    s.FirstRssMb.Add(Rss(servers[s], "VmRSS:"));
                    w.Write($"round {round + 1}: {s.Name} started in {ms:0.0} ms; ");
                }
                foreach (LoadCase c in cases)
                    foreach (Service s in order)
                    {
                        Process server = servers[s];
                        Measure(Port(server), c, WarmUpSeconds, server);
                        Load l = Measure(Port(server), c, MeasureSeconds, server);
                        (s.Loads.TryGetValue(c.Name, out List<Load>? list) ? list : s.Loads[c.Name] = []).Add(l);
                    }
                foreach (Service s in order)
                    s.PeakRssMb.Add(Rss(servers[s], "VmHWM:"));
            }
            finally
            {
                foreach (Process server in servers.Values)
                {
                    Stop(server);
                    server.Dispose();
                }
            }
            w.WriteLine();
        }
        for (int start = rounds; start < starts; start++)
            foreach (Service s in start % 2 == 0 ? services : services.Reverse())
            {
                using Process server = Started(s, out double ms);
                s.StartMs.Add(ms);
                s.FirstRssMb.Add(Rss(server, "VmRSS:"));
                Stop(server);
            }
        w.WriteLine();

        var table = new List<string[]> { new[] { "", services[0].Name, services[1].Name, "NetGen / ORT" } };
        table.Add(Row("start-up to first answer, ms", services, s => s.StartMs, lowerIsBetter: true));
        table.Add(Row("RSS at first answer, MB", services, s => s.FirstRssMb, lowerIsBetter: true));
        table.Add(Row("peak RSS after the loads, MB", services, s => s.PeakRssMb, lowerIsBetter: true));
        foreach (LoadCase c in cases)
        {
            table.Add(Row($"{c.Name}: requests/s", services, s => s.Loads[c.Name].Select(l => l.PerSecond).ToList(), false));
            if (c.Samples > 1)
                table.Add(Row($"{c.Name}: samples/s", services, s => s.Loads[c.Name].Select(l => l.PerSecond * c.Samples).ToList(), false));
            table.Add(Row($"{c.Name}: server CPU µs/request", services, s => s.Loads[c.Name].Select(l => l.ServerCpuUs).ToList(), true));
            table.Add(Row($"{c.Name}: client CPU µs/request", services, s => s.Loads[c.Name].Select(l => l.ClientCpuUs).ToList(), true));
        }
        int[] widths = Enumerable.Range(0, 4).Select(i => table.Max(row => row[i].Length)).ToArray();
        foreach (string[] row in table)
            w.WriteLine(string.Join("  ", row.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))));
        w.WriteLine();
        w.WriteLine("Medians [min–max] of the rounds. Ratios are NetGen's median over ONNX Runtime's (for times and memory, ORT over NetGen,");
        w.WriteLine("so > 1 always means NetGen is better). CPU µs/request: process CPU time (user + system) over the measured seconds / requests;");
        w.WriteLine($"client and server share the machine's {Environment.ProcessorCount} cores, so a client that costs c µs of a request's c + s leaves the server the rest.");
        return 0;
    }

    static bool Option(string[] args, string name, ref int value)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return true;
        if (i + 1 < args.Length && int.TryParse(args[i + 1], out value) && value >= 1) return true;
        Console.Error.WriteLine($"{name} needs a positive number; found {(i + 1 < args.Length ? args[i + 1] : "nothing")}");
        return false;
    }

    /// <summary>The 30 raw features of every row of data/sklearn/breast_cancer.csv (header "569,30,malignant,benign").</summary>
    static List<float[]> Samples()
    {
        string? project = typeof(ServeMode).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NetGen.Benchmarks.ProjectDirectory")?.Value;
        string csv = Path.Combine(project ?? ".", "..", "..", "data", "sklearn", "breast_cancer.csv");
        return File.ReadLines(csv).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Take(30).Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
    }

    /// <summary>The answers (status, body) of one service to every sample in one batch, then to bad requests.</summary>
    static (int, string?)[] AgreementAnswers(int port)
    {
        List<float[]> samples = Samples();
        float[] good = samples[0];
        string[] bodies =
        [
            "{\"x\":[" + string.Join(',', samples.Select(x => "[" + Numbers(x) + "]")) + "]}",
            "{\"x\":[" + Numbers(good[..29]) + "]}",
            "{\"x\":[" + Numbers(good[..29]) + ",\"7\"]}",
            "{\"x\":[" + Numbers(good[..29]) + ",1e39]}",
            "{\"x\":[[" + Numbers(good) + "],[1,2]]}",
            "{\"y\":[1]}",
            "not json",
            "{\"x\":[" + string.Join(',', Enumerable.Repeat("[" + Numbers(good) + "]", 1025)) + "]}",
        ];
        using var connection = new Connection(port);
        return bodies.Select(b => connection.Send(Request("/predict", b), keepBody: true)).ToArray();
    }

    /// <summary>Null when NetGen's answers <paramref name="a"/> and ONNX Runtime's <paramref name="b"/> agree: the
    /// probabilities within 1e-5 relative + 1e-7 (float32 sums in another order, and MLAS's sigmoid), the classes
    /// wherever P is not within 1e-5 of 0.5, and the refusals word for word.</summary>
    static string? Disagreement((int Status, string? Body)[] a, (int Status, string? Body)[] b,
        out double worstAbsolute, out double worstRelative)
    {
        worstAbsolute = worstRelative = 0;
        if (a[0].Status != 200 || b[0].Status != 200)
            return $"the batch of every sample: {a[0].Status} {a[0].Body} / {b[0].Status} {b[0].Body}";
        using var ja = System.Text.Json.JsonDocument.Parse(a[0].Body!);
        using var jb = System.Text.Json.JsonDocument.Parse(b[0].Body!);
        var pa = ja.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        var pb = jb.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        if (pa.Length != pb.Length) return $"{pa.Length} predictions / {pb.Length}";
        for (int i = 0; i < pa.Length; i++)
        {
            double p = pa[i].GetProperty("probability").GetDouble(), q = pb[i].GetProperty("probability").GetDouble();
            worstAbsolute = Math.Max(worstAbsolute, Math.Abs(p - q));
            if (Math.Abs(q) >= 0.01) worstRelative = Math.Max(worstRelative, Math.Abs(p - q) / Math.Abs(q));
            if (Math.Abs(p - q) > 1e-5 * Math.Abs(q) + 1e-7)
                return $"sample {i}: P = {p} (NetGen) and {q} (ONNX Runtime)";
            if (Math.Abs(q - 0.5) > 1e-5 && pa[i].GetProperty("class").GetInt32() != pb[i].GetProperty("class").GetInt32())
                return $"sample {i}: class {pa[i].GetProperty("class")} (NetGen) and {pb[i].GetProperty("class")} (ONNX Runtime)";
        }
        for (int i = 1; i < a.Length; i++)
            if (a[i].Status != 400 || a[i] != b[i])
                return $"bad request {i}: {a[i].Status} {a[i].Body} (NetGen) and {b[i].Status} {b[i].Body} (ONNX Runtime)";
        return null;
    }

    /// <summary>The first sample of data/sklearn/breast_cancer.csv, the one the README's curl sends.</summary>
    static readonly float[] Sample =
    [
        17.99f, 10.38f, 122.8f, 1001f, 0.1184f, 0.2776f, 0.3001f, 0.1471f, 0.2419f, 0.07871f, 1.095f, 0.9053f, 8.589f,
        153.4f, 0.006399f, 0.04904f, 0.05373f, 0.01587f, 0.03003f, 0.006193f, 25.38f, 17.33f, 184.6f, 2019f, 0.1622f,
        0.6656f, 0.7119f, 0.2654f, 0.4601f, 0.1189f,
    ];

    static string Body(float[] x) => "{\"x\":[" + Numbers(x) + "]}";

    static string Numbers(float[] x) => string.Join(',', x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    static string[] Row(string what, Service[] s, Func<Service, List<double>> values, bool lowerIsBetter)
    {
        double a = Median(values(s[0])), b = Median(values(s[1]));
        string ratio = lowerIsBetter ? $"{b / a:0.00}×" : $"{a / b:0.00}×";
        return [what, Cell(values(s[0])), Cell(values(s[1])), ratio];
    }

    static string Cell(List<double> v)
    {
        string format = v.Max() >= 1000 ? "0" : v.Max() >= 100 ? "0" : "0.0";
        return $"{F(Median(v), format)} [{F(v.Min(), format)}–{F(v.Max(), format)}]";
    }

    static double Median(List<double> v)
    {
        double[] sorted = v.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    static string Mb(long bytes) => bytes >= 100_000 ? $"{bytes / 1e6:0.0} MB" : $"{bytes / 1e3:0.0} KB";

    static readonly Dictionary<int, int> Ports = [];

    /// <summary>The services running now, stopped if this process ends early (an exception, Ctrl+C, a closed pipe).</summary>
    static readonly HashSet<Process> Running = [];

    static ServeMode()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => StopAll();
        Console.CancelKeyPress += (_, _) => StopAll();
    }

    static void StopAll()
    {
        lock (Running)
            foreach (Process p in Running.ToArray())
                try { p.Kill(); } catch (InvalidOperationException) { /* already gone */ }
    }

    static int Port(Process p) => Ports[p.Id];

    /// <summary>Starts the service on a free port and waits for its first answer to <c>GET /</c>, polled every 2 ms:
    /// <paramref name="ms"/> is the time from <see cref="Process.Start()"/> to that answer.</summary>
    static Process Started(Service s, out double ms)
    {
        int port = FreePort();
        var start = new ProcessStartInfo(s.Binary, ["--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(s.Binary)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var clock = Stopwatch.StartNew();
        Process p = Process.Start(start)!;
        lock (Running) Running.Add(p);
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"{s.Name}: {e.Data}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        byte[] get = Request("/", "");
        while (true)
        {
            try
            {
                using var client = new Connection(port);
                (int status, _) = client.Send(get);
                if (status != 200) throw new InvalidOperationException($"{s.Name}: GET / answered {status}");
                ms = clock.Elapsed.TotalMilliseconds;
                Ports[p.Id] = port;
                return p;
            }
            catch (SocketException) when (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(2);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                Stop(p);
                throw new InvalidOperationException($"{s.Name} never answered GET / ({e.Message})", e);
            }
        }
    }

    static void Stop(Process p)
    {
        if (!p.HasExited)
        {
            p.Kill();
            p.WaitForExit(10_000);
        }
        lock (Running) Running.Remove(p);
    }

    /// <summary><paramref name="c"/>'s connections send their request again and again for <paramref name="seconds"/>;
    /// every answer must be a 200.</summary>
    static Load Measure(int port, LoadCase c, double seconds, Process server)
    {
        byte[] request = Request(c.Path, c.Body);
        var connections = Enumerable.Range(0, c.Connections).Select(_ => new Connection(port)).ToArray();
        foreach (Connection connection in connections) connection.Send(request); // connected and answering
        long count = 0;
        string? failure = null;
        using var go = new ManualResetEventSlim();
        long stopAt = 0;
        var threads = connections.Select(connection => new Thread(() =>
        {
            long mine = 0;
            go.Wait();
            try
            {
                while (Stopwatch.GetTimestamp() < Volatile.Read(ref stopAt))
                {
                    (int status, string? body) = connection.Send(request);
                    if (status != 200) { failure ??= $"{c.Name}: {status} {body}"; break; }
                    mine++;
                }
            }
            catch (Exception e) { failure ??= $"{c.Name}: {e.Message}"; }
            Interlocked.Add(ref count, mine);
        }) { IsBackground = true }).ToArray();
        foreach (Thread t in threads) t.Start();

        TimeSpan clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        double serverCpu = CpuSeconds(server);
        long begin = Stopwatch.GetTimestamp();
        Volatile.Write(ref stopAt, begin + (long)(seconds * Stopwatch.Frequency));
        go.Set();
        foreach (Thread t in threads) t.Join();
        double elapsed = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        double clientUs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalSeconds * 1e6;
        double serverUs = (CpuSeconds(server) - serverCpu) * 1e6;
        foreach (Connection connection in connections) connection.Dispose();
        if (failure is not null) throw new InvalidOperationException(failure);
        return new Load(count / elapsed, clientUs / count, serverUs / count);
    }

    /// <summary>User + system CPU seconds of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of
    /// 1/100 s on Linux).</summary>
    static double CpuSeconds(Process p)
    {
        string stat = File.ReadAllText($"/proc/{p.Id}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>A line of /proc/PID/status in MB ("VmRSS:", now; "VmHWM:", the peak).</summary>
    static double Rss(Process p, string key)
    {
        string line = File.ReadLines($"/proc/{p.Id}/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024 / 1e6;
    }

    static byte[] Request(string path, string body)
        => Encoding.ASCII.GetBytes(body.Length == 0
            ? $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            : $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
              + $"{Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>One keep-alive HTTP/1.1 connection: send a request, read its whole answer (by Content-Length, or by
    /// chunks up to the last one), and give the status (and the body when it is not a 200).</summary>
    sealed class Connection : IDisposable
    {
        readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        readonly byte[] _buffer = new byte[1 << 16];
        int _start, _end;

        public Connection(int port) => _socket.Connect(IPAddress.Loopback, port);

        public (int Status, string? Body) Send(byte[] request, bool keepBody = false)
        {
            _socket.Send(request);
            _start = _end = 0;
            int headerEnd;
            while ((headerEnd = IndexOf("\r\n\r\n"u8, _start)) < 0) Fill();
            string head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
            int status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
            _start = headerEnd + 4;
            var body = status == 200 && !keepBody ? null : new StringBuilder();
            int length = ContentLength(head);
            if (length >= 0)
                Skip(length, body);
            else
            {
                // Transfer-Encoding: chunked — size in hex, CRLF, data, CRLF; a size of 0 ends the answer.
                while (true)
                {
                    int lineEnd;
                    while ((lineEnd = IndexOf("\r\n"u8, _start)) < 0) Fill();
                    int size = int.Parse(Encoding.ASCII.GetString(_buffer, _start, lineEnd - _start), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    _start = lineEnd + 2;
                    Skip(size, body);
                    Skip(2, null); // the CRLF after the chunk's data
                    if (size == 0) break;
                }
            }
            if (_start != _end) throw new IOException("the server sent more than one answer");
            return (status, body?.ToString());
        }

        static int ContentLength(string head)
        {
            foreach (string line in head.Split("\r\n"))
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    return int.Parse(line.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
            return -1;
        }

        void Skip(int count, StringBuilder? keep)
        {
            while (_end - _start < count)
            {
                int have = _end - _start;
                keep?.Append(Encoding.UTF8.GetString(_buffer, _start, have));
                count -= have;
                _start = _end = 0;
                Fill();
            }
            keep?.Append(Encoding.UTF8.GetString(_buffer, _start, count));
            _start += count;
        }

        int IndexOf(ReadOnlySpan<byte> what, int from)
        {
            int i = _buffer.AsSpan(from, _end - from).IndexOf(what);
            return i < 0 ? -1 : from + i;
        }

        void Fill()
        {
            if (_end == _buffer.Length)
            {
                if (_start == 0) throw new IOException("an answer's head is longer than the buffer");
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            int n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (n == 0) throw new IOException("the server closed the connection");
            _end += n;
        }

        public void Dispose() => _socket.Dispose();
    }
}
