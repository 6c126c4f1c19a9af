using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Package.Tests;

/// <summary>
/// Proves that the NetGen NuGet package works for a real consumer: it holds the runtime and the generator,
/// a project that references only the package gets generated networks that reproduce the published flower
/// table and the football regularization table (no penalty, L2, dropout) without allocating, and a faulty
/// declaration fails the consumer's build at the attribute at fault; and the training workflow (split, Trainer.Fit with
/// Adam and early stopping, bias and variance, saved parameters) runs from the package alone on the breast cancer data.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed partial class PackageConsumerTests
{
    readonly PackageFixture _fixture;
    readonly ITestOutputHelper _output;

    public PackageConsumerTests(PackageFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    static readonly string[] BuildFlags = ["-tl:off", "-nodeReuse:false", "-p:UseSharedCompilation=false"];

    [Fact]
    public void Package_holds_the_runtime_and_the_generator()
    {
        string package = _fixture.Package;
        using ZipArchive zip = ZipFile.OpenRead(package);
        string[] entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToArray();
        string listing = $"{Path.GetFileName(package)} holds:\n  " + string.Join("\n  ", entries.OrderBy(e => e, StringComparer.Ordinal));

        Assert.True(entries.Contains("lib/net10.0/NetGen.dll"), "no lib/net10.0/NetGen.dll\n" + listing);
        Assert.True(entries.Contains("analyzers/dotnet/cs/NetGen.Generator.dll"), "no analyzers/dotnet/cs/NetGen.Generator.dll\n" + listing);
        Assert.False(entries.Any(e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("NetGen.Generator.dll", StringComparison.Ordinal)),
            "the generator must ship as an analyzer only, never as a lib/ reference\n" + listing);
        Assert.True(zip.GetEntry("analyzers/dotnet/cs/NetGen.Generator.dll")!.Length > 0, "the packed generator is empty\n" + listing);

        // The nuspec: our version, the runtime's one dependency, and no dependency on the (unpublished) generator project.
        ZipArchiveEntry nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspecEntry.Open());
        string nuspec = reader.ReadToEnd();
        XDocument doc = XDocument.Parse(nuspec);
        XNamespace ns = doc.Root!.Name.Namespace;
        Assert.Equal(_fixture.Version, doc.Root.Element(ns + "metadata")!.Element(ns + "version")!.Value);
        string[] dependencies = doc.Descendants(ns + "dependency").Select(d => (string)d.Attribute("id")!).ToArray();
        Assert.True(dependencies.Contains("System.Numerics.Tensors"), "nuspec lacks the System.Numerics.Tensors dependency\n" + nuspec);
        Assert.False(dependencies.Any(d => d.Contains("Generator", StringComparison.OrdinalIgnoreCase)), "nuspec depends on the generator project\n" + nuspec);
    }

    /// <summary>Training accuracy of the published planar-flower table (2-n_h-1, tanh/sigmoid, 5000 steps at α = 1.2).</summary>
    static readonly Dictionary<int, double> PublishedAccuracy = new()
    {
        [1] = 67.5,
        [2] = 67.25,
        [3] = 90.75,
        [4] = 90.5,
        [5] = 91.25,
    };

    [Fact]
    public void Flower_consumer_reproduces_the_published_table_and_allocates_nothing()
    {
        string app = _fixture.CreateConsumer("FlowerApp");
        string data = Path.Combine(app, "data");
        Directory.CreateDirectory(data);
        string flower = Path.Combine(_fixture.RepoRoot, "data", "flower");
        File.Copy(Path.Combine(flower, "flower.csv"), Path.Combine(data, "flower.csv"));
        foreach (int nh in PublishedAccuracy.Keys)
            foreach (string w in new[] { "W1", "W2" })
                File.Copy(Path.Combine(flower, $"planar_nh{nh}_{w}.csv"), Path.Combine(data, $"planar_nh{nh}_{w}.csv"));

        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The flower consumer did not build.\n" + build.Describe());
        Assert.True(!Regex.IsMatch(build.Output, @"(warning|error) (NG\d{4}|CS8784|CS8785)"),
            "The flower consumer's build reported a NetGen diagnostic or a generator failure.\n" + build.Describe());

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, "The flower consumer failed.\n" + run.Describe());
        Assert.Contains("done", run.Output);

        var problems = new List<string>();
        Dictionary<string, string> lines = ParseReport(run.Output);
        foreach ((int nh, double expected) in PublishedAccuracy)
        {
            if (!lines.TryGetValue($"accuracy {nh}", out string? text))
                problems.Add($"n_h = {nh}: no accuracy line");
            else if (double.Parse(text, CultureInfo.InvariantCulture) != expected)
                problems.Add($"n_h = {nh}: accuracy {text} %, published {expected.ToString(CultureInfo.InvariantCulture)} %");
        }
        foreach (string what in new[] { "predict", "trainstep" })
        {
            if (!lines.TryGetValue($"allocated {what}", out string? bytes))
                problems.Add($"no 'allocated {what}' line");
            else if (bytes != "0")
                problems.Add($"1000 {what} calls allocated {bytes} bytes (expected 0)");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + run.Describe());
    }

    [Fact]
    public void Cat_consumer_reproduces_the_published_two_layer_result()
    {
        string app = _fixture.CreateConsumer("CatApp");
        string data = Path.Combine(app, "data");
        Directory.CreateDirectory(data);
        foreach (string file in Directory.GetFiles(Path.Combine(_fixture.RepoRoot, "data", "catvnoncat")))
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));

        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The cat consumer did not build.\n" + build.Describe());
        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, "The cat consumer failed.\n" + run.Describe());
        Assert.Contains("done", run.Output);

        // The published float64 costs; float32 follows them to 2e-7 through iteration 700, and at 2400 one-ulp changes of
        // the start spread it over 2e-4 (tests/NetGen.Tests/CatTests.cs has the measurements), hence 1e-3 there.
        var expected = new (string Line, double Value, double Tolerance)[]
        {
            ("cost 0", 0.6930497357, 1e-6), ("cost 100", 0.6464320953, 1e-6), ("cost 2400", 0.0485547856, 1e-3),
        };
        var problems = new List<string>();
        Dictionary<string, string> lines = ParseReport(run.Output);
        foreach (var (line, value, tolerance) in expected)
        {
            if (!lines.TryGetValue(line, out string? text)) problems.Add($"no '{line}' line");
            else if (Math.Abs(double.Parse(text, CultureInfo.InvariantCulture) - value) > tolerance)
                problems.Add($"{line}: {text}, published {value.ToString(CultureInfo.InvariantCulture)} (± {tolerance})");
        }
        if (!lines.TryGetValue("correct train", out string? train) || train != "209") problems.Add($"train: {train ?? "missing"}/209, published 209/209");
        if (!lines.TryGetValue("correct test", out string? test) || int.Parse(test) is < 35 or > 37) problems.Add($"test: {test ?? "missing"}/50, published 36/50 (0.72)");
        if (!lines.TryGetValue("allocated augment", out string? bytes) || bytes != "0") problems.Add($"200 augmented batches allocated {bytes ?? "?"} bytes (expected 0)");
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + run.Describe());
    }

    /// <summary>One published football run (data/README.md, "football"): the costs at iterations 0, 10 000 and 20 000, how close a
    /// float32 run must come after iteration 0 (iteration 0 itself within 1e-5), and the correct counts (within one sample).</summary>
    sealed record FootballRun(string Name, string Title, double Cost0, double Cost10000, double Cost20000, double Tolerance, int Train, int Test);

    // The published table is float64. After iteration 0 a float32 run follows it only as far as its rounding lets it, and
    // which way it rounds depends on the SIMD path the JIT picks for the machine (the same package gives other numbers with
    // DOTNET_EnableAVX2=0 or DOTNET_EnableHWIntrinsic=0). Measured with this package on an AVX-512 machine, by moving ONE
    // starting weight by one ulp (W1[0,0] ±, W2[0,0], W3[0] ±, W1[5,0]): no penalty @10 000 0.1573–0.1650, @20 000
    // 0.1380–0.1450; dropout @10 000 0.061039–0.061219 (up to 2.0e-4 from the table), @20 000 0.060530–0.060626; L2 stays
    // within 5e-5; every accuracy within one sample. The tolerances below are what float32 itself can promise.
    static readonly FootballRun[] FootballRuns =
    [
        // Chaotic after iteration 0: data/README.md says "compare it within 1e-2". (Its narrower "lands between 0.157 and
        // 0.164 / 0.137 and 0.142" is not a float32 promise: this package gives 0.16503 / 0.13924 here, and a one-ulp change
        // of one starting weight gives 0.1450 at 20 000.)
        new("plain", "no penalty", 0.6557412523, 0.1632998753, 0.1385164242, 1e-2, 200, 183),
        // Stable, but 1e-4 rather than data/README.md's 5e-5: every float32 run here jumps from 3e-6 to 3.7e-5 off the
        // float64 table between iterations 1 500 and 2 000 (tests/NetGen.Tests' L2 run prints the gap), and which way
        // the rest rounds decides how far it ends: 4.2e-5 off @20 000 before the activations' g and g′ were fused into
        // the product kernels (issue 15), 5.3e-5 after; the same run's float64 reference is 1e-10 from the table.
        new("l2", "L2 λ = 0.7", 0.6974484493, 0.2684918873, 0.2680916337, 1e-4, 198, 186),
        // 3e-4, not the README's 5e-5: one-ulp changes of the start spread float32 over 2.0e-4 at 10 000 (this package gives
        // 0.0611935, 1.8e-4 off), and an independent float32 re-implementation is 2.3e-4 off (see the comment in
        // tests/NetGen.Tests/FootballRegularizationTests.cs); float64 reproduces the table to 1e-10.
        new("dropout", "dropout keep 0.86 (published masks)", 0.6543912405, 0.0610169866, 0.0605824358, 3e-4, 196, 190),
    ];

    [Fact]
    public void Football_consumer_reproduces_the_published_regularization_table_and_allocates_nothing()
    {
        string app = _fixture.CreateConsumer("FootballApp");
        string data = Path.Combine(app, "data");
        Directory.CreateDirectory(data);
        string football = Path.Combine(_fixture.RepoRoot, "data", "football");
        foreach (string file in new[] { "football_train.csv", "football_test.csv", "reg_W1.csv", "reg_W2.csv", "reg_W3.csv", "reg_dropout_D1.csv", "reg_dropout_D2.csv" })
            File.Copy(Path.Combine(football, file), Path.Combine(data, file));

        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The football consumer did not build.\n" + build.Describe());
        Assert.True(!Regex.IsMatch(build.Output, @"(warning|error) (NG\d{4}|CS8784|CS8785)"),
            "The football consumer's build reported a NetGen diagnostic or a generator failure.\n" + build.Describe());

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, "The football consumer failed.\n" + run.Describe());
        Assert.Contains("done", run.Output);
        _output.WriteLine($"build {build.Elapsed.TotalSeconds:F1} s, run {run.Elapsed.TotalSeconds:F1} s\n{run.Output}");

        var problems = new List<string>();
        Dictionary<string, string> lines = ParseReport(run.Output);
        double? Number(string key)
        {
            if (lines.TryGetValue(key, out string? text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                return value;
            problems.Add($"no '{key} <number>' line");
            return null;
        }
        void InRange(string key, string what, double low, double high)
        {
            if (Number(key) is double value && !(value >= low && value <= high))
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: {value:R}, expected within [{low:R}, {high:R}]"));
        }

        InRange("samples train", "training samples", 211, 211);
        InRange("samples test", "test samples", 200, 200);

        foreach (FootballRun r in FootballRuns)
        {
            InRange($"cost {r.Name} 0", $"{r.Title}: cost @0", r.Cost0 - 1e-5, r.Cost0 + 1e-5);
            InRange($"cost {r.Name} 10000", $"{r.Title}: cost @10 000", r.Cost10000 - r.Tolerance, r.Cost10000 + r.Tolerance);
            InRange($"cost {r.Name} 20000", $"{r.Title}: cost @20 000", r.Cost20000 - r.Tolerance, r.Cost20000 + r.Tolerance);
            InRange($"correct {r.Name} train", $"{r.Title}: train correct (of 211)", r.Train - 1, r.Train + 1);
            InRange($"correct {r.Name} test", $"{r.Title}: test correct (of 200)", r.Test - 1, r.Test + 1);
        }

        // Two nets that differ only by [L2(0.7f)], same parameters: J(λ) − J(0) = (λ/2m)·Σ‖W‖² and g(λ) − g(0) = (λ/m)·W, 0 on biases.
        InRange("identity cost", "Cost: max |J(λ) − J(0) − (λ/2m)·Σ‖W‖²|", 0, 1e-6);
        InRange("identity trainingcost", "ComputeGradients: max |J(λ) − J(0) − (λ/2m)·Σ‖W‖²|", 0, 1e-6);
        InRange("identity weights", "max |g(λ) − g(0) − (λ/m)·W| over the weights", 0, 1e-6);
        InRange("identity biases", "max |g(λ) − g(0)| over the biases", 0, 1e-6);
        InRange("identity penalty min", "the smallest penalty term checked (a vacuous check otherwise)", 1e-3, double.MaxValue);

        foreach (string what in new[] { "dropout trainstep", "dropout masked" })
        {
            if (!lines.TryGetValue($"allocated {what}", out string? bytes))
                problems.Add($"no 'allocated {what}' line");
            else if (bytes != "0")
                problems.Add($"1000 {what} calls allocated {bytes} bytes (expected 0)");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + run.Describe());
    }

    /// <summary>
    /// Issue 5's "done when", from outside the repository: a consumer of the package alone splits the breast cancer data
    /// 60/20/20, trains 30-16-1 with Adam and early stopping that stops on its own and leaves the best dev cost in place,
    /// reaches ≥ 90 % test accuracy, reads bias and variance, saves and reloads its parameters bit for bit (NetGen's format
    /// and safetensors), and refuses damaged, truncated and foreign files without changing a parameter.
    /// </summary>
    [Fact]
    public void Breast_cancer_consumer_trains_with_early_stopping_and_saves_and_reloads_its_parameters()
    {
        string app = _fixture.CreateConsumer("BreastCancerApp");
        string data = Path.Combine(app, "data");
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(_fixture.RepoRoot, "data", "sklearn", "breast_cancer.csv"), Path.Combine(data, "breast_cancer.csv"));

        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The breast cancer consumer did not build.\n" + build.Describe());
        Assert.True(!Regex.IsMatch(build.Output, @"(warning|error) (NG\d{4}|CS8784|CS8785)"),
            "The breast cancer consumer's build reported a NetGen diagnostic or a generator failure.\n" + build.Describe());

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        Assert.True(run.ExitCode == 0, "The breast cancer consumer failed.\n" + run.Describe());
        Assert.Contains("done", run.Output);
        _output.WriteLine($"build {build.Elapsed.TotalSeconds:F1} s, run {run.Elapsed.TotalSeconds:F1} s\n{run.Output}");

        var problems = new List<string>();
        Dictionary<string, string> lines = ParseReport(run.Output);
        string? Text(string key)
        {
            if (lines.TryGetValue(key, out string? text))
                return text;
            problems.Add($"no '{key} …' line");
            return null;
        }
        double? Number(string key)
        {
            if (Text(key) is not string text)
                return null;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                return value;
            problems.Add($"'{key}' is '{text}', not a number");
            return null;
        }
        void Expect(string key, string what, string expected)
        {
            if (Text(key) is string text && text != expected)
                problems.Add($"{what}: '{text}', expected '{expected}'");
        }
        void InRange(string key, string what, double low, double high)
        {
            if (Number(key) is double value && !(value >= low && value <= high))
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: {value:R}, expected within [{low:R}, {high:R}]"));
        }

        // 569 samples (212 malignant, 357 benign), 60/20/20 by largest remainder: 341.4 → 341, 113.8 → 114, 113.8 → 114.
        Expect("samples all", "samples", "569");
        Expect("features", "features", "30");
        Expect("samples train", "training samples", "341");
        Expect("samples dev", "dev samples", "114");
        Expect("samples test", "test samples", "114");
        InRange("standardized max abs mean", "the largest |mean| of a standardised training feature", 0, 1e-5);

        // It stopped on its own, well before the limit, and said so in every way.
        Expect("stopped early", "TrainingHistory.StoppedEarly", "True");
        Expect("history lengths consistent", "one TrainCost and one DevCost per epoch", "True");
        double? max = Number("epochs max"), epochs = Number("epochs run"), best = Number("epochs best"), patience = Number("patience");
        if (max is double mx && epochs is double ep && best is double be && patience is double pa)
        {
            if (!(ep < mx))
                problems.Add($"trained {ep} epochs of {mx}: early stopping did not stop the run");
            if (!(be >= 1 && be <= ep && ep - be <= pa))
                problems.Add($"best epoch {be} of {ep} run with patience {pa}: expected 1 ≤ best ≤ run and run − best ≤ patience");
            Expect("progress reports", "EpochReports received", ep.ToString(CultureInfo.InvariantCulture));
            Expect("progress last best epoch", "the last EpochReport with IsBest", be.ToString(CultureInfo.InvariantCulture));
            Expect("dev cost lowest epoch", "the epoch of the lowest dev cost in the history", be.ToString(CultureInfo.InvariantCulture));
        }

        // The best parameters were put back: the dev cost now is exactly the lowest one in the history, and the last epoch's
        // was higher (so Fit had something to restore; with the best epoch last, this check would be vacuous).
        double? lowest = Number("dev cost lowest"), after = Number("dev cost after fit"), last = Number("dev cost last epoch");
        if (lowest is double lo && after is double af && lo != af)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"dev cost after Fit {af:R} is not the lowest dev cost of the history {lo:R}: the best parameters were not restored"));
        if (lowest is double low && last is double la && !(la > low))
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the last epoch's dev cost {la:R} is not above the lowest {low:R}: the run ended at its best epoch, so restoring the best parameters was not exercised"));

        InRange("accuracy test", "test accuracy", 0.90, 1);
        InRange("accuracy train", "train accuracy", 0.90, 1);
        InRange("accuracy dev", "dev accuracy", 0.90, 1);

        // The verdict is BiasVariance's reading of these errors with its documented 2-point threshold.
        if (Number("error train") is double trainError && Number("error dev") is double devError)
        {
            bool highBias = trainError > 0.02, highVariance = devError - trainError > 0.02;
            string expected = (highBias, highVariance) switch
            {
                (false, false) => "Good",
                (true, false) => "HighBias",
                (false, true) => "HighVariance",
                _ => "HighBiasAndVariance",
            };
            Expect("verdict", string.Create(CultureInfo.InvariantCulture, $"verdict for train error {trainError:R}, dev error {devError:R}"), expected);
            InRange("bias", "Diagnosis.AvoidableBias (train error − 0)", trainError - 1e-12, trainError + 1e-12);
            InRange("variance", "Diagnosis.Variance (dev − train error)", devError - trainError - 1e-12, devError - trainError + 1e-12);
        }
        InRange("advice length", "Diagnosis.Advice length", 1, double.MaxValue);

        // Saved and reloaded bit for bit, into an instance that started elsewhere.
        foreach (string format in new[] { "ngp", "safetensors" })
        {
            Expect($"roundtrip {format} differing bits", $"{format}: parameters whose bits differ after the round trip", "0");
            InRange($"roundtrip {format} fresh differed", $"{format}: parameters that differed before the load (else the check is vacuous)", 1, double.MaxValue);
            if (Text($"roundtrip {format} test accuracy") is string reloaded && Text("accuracy test") is string original && reloaded != original)
                problems.Add($"{format}: the reloaded net's test accuracy {reloaded} is not the trained net's {original}");
        }
        Expect("safetensors tensors", "safetensors tensor names", "layers.0.weight,layers.0.bias,layers.1.weight,layers.1.bias");
        Expect("safetensors architecture", "safetensors netgen.architecture", "30-16:Relu-1:Sigmoid/BinaryCrossEntropy");

        // Damaged, truncated and foreign files are refused, and nothing changes.
        foreach (string file in new[] { "damaged", "truncated", "foreign shapes", "foreign activation", "safetensors foreign shapes", "safetensors truncated" })
        {
            Expect($"refuse {file}", $"loading the {file} file threw", "InvalidDataException");
            Expect($"refuse {file} unchanged", $"the parameters after the {file} file was refused are unchanged", "True");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + run.Describe());
    }

    /// <summary>Every diagnostic the faulty consumer must show; NG0301 is a warning, the others are errors.</summary>
    static readonly string[] RequiredIds = ["NG0001", "NG0101", "NG0103", "NG0104", "NG0105", "NG0201", "NG0202", "NG0203", "NG0003", "NG0301",
                                           "NG0107", "NG0401", "NG0402", "NG0403", "NG0404",
                                           "NG0112", "NG0113", "NG0114", "NG0115", "NG0116", "NG0117"];
    static readonly HashSet<string> WarningIds = ["NG0301"];

    [Fact]
    public void Faulty_consumer_fails_to_build_at_each_attribute_at_fault()
    {
        string app = _fixture.CreateConsumer("FaultyApp");
        string programPath = Path.Combine(app, "Program.cs");
        string[] program = File.ReadAllLines(programPath);

        // Expectations come from the "// expect NG####" markers, so the line numbers are never hard-coded.
        var expected = new List<Diagnostic>();
        var marker = new Regex(@"//\s*expect\s+(NG\d{4})\b");
        for (int i = 0; i < program.Length; i++)
            foreach (Match m in marker.Matches(program[i]))
                expected.Add(new Diagnostic(i + 1, 0, WarningIds.Contains(m.Groups[1].Value) ? "warning" : "error", m.Groups[1].Value, ""));
        foreach (string id in RequiredIds)
            Assert.True(expected.Any(e => e.Id == id), $"Consumers/FaultyApp/Program.cs has no '// expect {id}' marker");

        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode != 0, "The faulty consumer built, but it must fail.\n" + build.Describe());

        List<Diagnostic> reported = ParseDiagnostics(build.Output, "Program.cs");
        var problems = new List<string>();
        foreach (Diagnostic want in expected)
        {
            string source = program[want.Line - 1].Trim();
            Diagnostic[] sameId = reported.Where(r => r.Id == want.Id && r.Line == want.Line).ToArray();
            if (sameId.Length == 0)
            {
                string elsewhere = string.Join(", ", reported.Where(r => r.Id == want.Id).Select(r => $"line {r.Line}"));
                problems.Add($"missing {want.Severity} {want.Id} at line {want.Line} `{source}`" +
                             (elsewhere.Length > 0 ? $" (reported at {elsewhere} instead)" : " (not reported at all)"));
                continue;
            }
            foreach (Diagnostic got in sameId)
            {
                if (got.Severity != want.Severity)
                    problems.Add($"{want.Id} at line {want.Line} is a {got.Severity}, expected a {want.Severity}");
                if (!ColumnIsAtFault(program[want.Line - 1], want.Id, got.Column))
                    problems.Add($"{want.Id} at line {want.Line} col {got.Column} is not at {(want.Id == "NG0001" ? "the class name" : "the attribute")}: `{source}`");
            }
        }
        foreach (Diagnostic got in reported.Where(r => r.Id.StartsWith("NG", StringComparison.Ordinal)))
            if (!expected.Any(e => e.Id == got.Id && e.Line == got.Line))
                problems.Add($"unexpected {got.Severity} {got.Id} at line {got.Line}: {got.Message}");

        // Only NetGen's diagnostics in Program.cs may fail the build: no C# error (no half-written code), no crashed generator.
        foreach (Diagnostic got in ParseDiagnostics(build.Output, fileName: null))
            if ((got.Severity == "error" && !got.Id.StartsWith("NG", StringComparison.Ordinal)) || got.Id is "CS8784" or "CS8785"
                || (got.Id.StartsWith("NG", StringComparison.Ordinal) && Path.GetFileName(got.File) != "Program.cs"))
                problems.Add($"unexpected {got.Severity} {got.Id} in {got.File}({got.Line},{got.Column}): {got.Message}");

        Assert.True(problems.Count == 0,
            string.Join("\n", problems) + "\n\nReported in Program.cs:\n  " +
            string.Join("\n  ", reported.Select(r => $"({r.Line},{r.Column}) {r.Severity} {r.Id}: {r.Message}")) +
            "\n\n" + build.Describe());
    }

    /// <summary>NG0001 belongs on the class name; every other diagnostic inside the [ … ] of the attribute on that line.</summary>
    static bool ColumnIsAtFault(string line, string id, int column)
    {
        int index = column - 1;
        if (id == "NG0001")
        {
            Match name = Regex.Match(line, @"\bclass\s+(\w+)");
            return name.Success && index == name.Groups[1].Index;
        }
        int open = line.IndexOf('[');
        int close = line.LastIndexOf(']');
        return open >= 0 && close > open && index >= open && index <= close;
    }

    sealed record Diagnostic(int Line, int Column, string Severity, string Id, string Message, string File = "");

    // MSBuild's canonical format: /path/Program.cs(12,2): error NG0104: message [/path/App.csproj]
    static readonly Regex CanonicalDiagnostic = new(
        @"^\s*(?<file>[^\s(][^(]*?)\((?<line>\d+),(?<col>\d+)(?:,\d+,\d+)?\)\s*:\s*(?<sev>error|warning)\s+(?<id>[A-Za-z]+\d+)\s*:\s*(?<msg>.*?)(?:\s+\[[^\]]+\])?\s*$",
        RegexOptions.Multiline);

    // Diagnostics without a source location: CSC : warning CS8785: Generator 'X' failed to generate source …
    static readonly Regex UnlocatedDiagnostic = new(
        @"^\s*(?<file>[^\s:(][^:(]*?)\s*:\s*(?<sev>error|warning)\s+(?<id>[A-Za-z]+\d+)\s*:\s*(?<msg>.*?)(?:\s+\[[^\]]+\])?\s*$");

    /// <summary>The distinct diagnostics in a build log (MSBuild repeats them in its summary), optionally of one file name only.</summary>
    static List<Diagnostic> ParseDiagnostics(string output, string? fileName)
    {
        var seen = new HashSet<(string, int, int, string, string)>();
        var result = new List<Diagnostic>();
        foreach (string raw in output.Split('\n'))
        {
            string text = raw.TrimEnd('\r');
            Match m = CanonicalDiagnostic.Match(text);
            bool located = m.Success;
            if (!located)
            {
                m = UnlocatedDiagnostic.Match(text);
                if (!m.Success || fileName is not null)
                    continue;
            }
            string file = m.Groups["file"].Value.Trim();
            if (fileName is not null && !string.Equals(Path.GetFileName(file), fileName, StringComparison.Ordinal))
                continue;
            var d = new Diagnostic(
                located ? int.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture) : 0,
                located ? int.Parse(m.Groups["col"].Value, CultureInfo.InvariantCulture) : 0,
                m.Groups["sev"].Value, m.Groups["id"].Value, m.Groups["msg"].Value, file);
            if (seen.Add((d.File, d.Line, d.Column, d.Severity, d.Id)))
                result.Add(d);
        }
        return result;
    }

    /// <summary>"key value" lines of the flower, football and breast cancer consumers, keyed by everything before the last space.</summary>
    static Dictionary<string, string> ParseReport(string output)
    {
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in output.Split('\n'))
        {
            string line = raw.Trim();
            int space = line.LastIndexOf(' ');
            if (space > 0)
                lines[line[..space]] = line[(space + 1)..];
        }
        return lines;
    }
}
