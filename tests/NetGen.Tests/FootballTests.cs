using System;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Regularization;

/// <summary>
/// The football data and the published starting point (data/README.md, "football"): X 211 × 2 and 200 × 2 (rows are
/// samples), W1/W2/W3 from reg_W*.csv, biases 0, and the published fixed dropout masks transposed into the
/// keepMasks layout (D1 m × 20, then D2 m × 3).
/// </summary>
public static class FootballData
{
    public const float LearningRate = 0.3f;
    public const int Iterations = 30_000;

    public static readonly (float[] X, float[] Y, int M, int Features) Train = TestData.ReadFeaturesAndLabel("football/football_train.csv");
    public static readonly (float[] X, float[] Y, int M, int Features) Test = TestData.ReadFeaturesAndLabel("football/football_test.csv");

    /// <summary>The published masks are features × samples (20 × 211 and 3 × 211); keepMasks wants m × n[l] per layer.</summary>
    public static float[] PublishedMasks()
    {
        int m = Train.M;
        var (d1, r1, c1) = TestData.ReadMatrix("football/reg_dropout_D1.csv");
        var (d2, r2, c2) = TestData.ReadMatrix("football/reg_dropout_D2.csv");
        if ((r1, c1, r2, c2) != (20, m, 3, m))
            throw new InvalidOperationException($"the masks are {r1} × {c1} and {r2} × {c2}, expected 20 × {m} and 3 × {m}");
        var masks = new float[m * 23];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < 20; j++) masks[i * 20 + j] = (float)d1[j * m + i];
            for (int j = 0; j < 3; j++) masks[m * 20 + i * 3 + j] = (float)d2[j * m + i];
        }
        return masks;
    }

    /// <summary>Parameters = (reg_W1, 0, reg_W2, 0, reg_W3, 0): W1 at 0 (20 × 2), b1 at 40, W2 at 60 (3 × 20), b2 at 120, W3 at 123, b3 at 126.</summary>
    public static void LoadStart(Span<float> parameters)
    {
        if (parameters.Length != 127) throw new ArgumentException($"the football net has 127 parameters, not {parameters.Length}");
        parameters.Clear();
        TestData.CopyMatrixInto("football/reg_W1.csv", parameters.Slice(0, 40), 20, 2);
        TestData.CopyMatrixInto("football/reg_W2.csv", parameters.Slice(60, 60), 3, 20);
        TestData.CopyMatrixInto("football/reg_W3.csv", parameters.Slice(123, 3), 1, 3);
    }

    /// <summary>How many of m samples have (prediction &gt; 0.5) == (y &gt; 0.5).</summary>
    public static int Correct(INetwork net, float[] X, float[] Y, int m)
    {
        var predictions = new float[m];
        net.PredictBatch(X, predictions, m);
        int correct = 0;
        for (int i = 0; i < m; i++)
            if ((predictions[i] > 0.5f) == (Y[i] > 0.5f)) correct++;
        return correct;
    }

    /// <summary>Every how many iterations <see cref="Result.Trace"/> holds the cost.</summary>
    public const int TraceEvery = 100;

    /// <summary>
    /// The result of one 30 000-step run: the cost returned at iterations 0, 10 000, 20 000 (before that step), the
    /// accuracies, and the cost every <see cref="TraceEvery"/> iterations.
    /// </summary>
    public sealed record Result(double Cost0, double Cost10000, double Cost20000, int TrainCorrect, int TestCorrect, long Milliseconds, double[] Trace)
    {
        public override string ToString() =>
            $"cost @0 {Cost0:F10}, @10 000 {Cost10000:F10}, @20 000 {Cost20000:F10}, train {TrainCorrect}/{Train.M}, test {TestCorrect}/{Test.M}, {Milliseconds} ms";
    }

    /// <summary>Runs 30 000 full-batch steps; <paramref name="step"/> returns the cost before its update.</summary>
    public static Result Run(INetwork net, Func<float> step)
    {
        LoadStart(net.Parameters);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var trace = new double[Iterations / TraceEvery];
        for (int i = 0; i < Iterations; i++)
        {
            float cost = step();
            if (i % TraceEvery == 0) trace[i / TraceEvery] = cost;
        }
        return new Result(trace[0], trace[10_000 / TraceEvery], trace[20_000 / TraceEvery], Correct(net, Train.X, Train.Y, Train.M),
            Correct(net, Test.X, Test.Y, Test.M), clock.ElapsedMilliseconds, trace);
    }

    /// <summary>
    /// The same run in double precision with <see cref="ReferenceNetwork"/>: θ from the weight files as printed,
    /// X as printed, plain gradient descent on its analytic gradient.
    /// </summary>
    public static Result RunReference(double l2, bool dropout)
    {
        double? keep = dropout ? 0.86 : null;
        var r = new ReferenceNetwork(2, Loss.BinaryCrossEntropy,
            new LayerSpec(20, Activation.Relu) { Keep = keep, L2 = l2 }, new LayerSpec(3, Activation.Relu) { Keep = keep, L2 = l2 },
            new LayerSpec(1, Activation.Sigmoid) { L2 = l2 });
        var theta = new double[127];
        TestData.ReadMatrix("football/reg_W1.csv").Values.CopyTo(theta, 0);
        TestData.ReadMatrix("football/reg_W2.csv").Values.CopyTo(theta, 60);
        TestData.ReadMatrix("football/reg_W3.csv").Values.CopyTo(theta, 123);
        var (X, Y, m) = ExactTable("football/football_train.csv");
        var (Xt, Yt, mt) = ExactTable("football/football_test.csv");
        double[] masks = dropout ? Widen(PublishedMasks()) : Array.Empty<double>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gradient = new double[127];
        var trace = new double[Iterations / TraceEvery];
        for (int i = 0; i < Iterations; i++)
        {
            double cost = r.Backpropagate(theta, X, Y, m, masks, gradient);
            for (int k = 0; k < 127; k++) theta[k] -= 0.3 * gradient[k];
            if (i % TraceEvery == 0) trace[i / TraceEvery] = cost;
        }
        return new Result(trace[0], trace[10_000 / TraceEvery], trace[20_000 / TraceEvery], CorrectReference(r, theta, X, Y, m),
            CorrectReference(r, theta, Xt, Yt, mt), clock.ElapsedMilliseconds, trace);
    }

    private static int CorrectReference(ReferenceNetwork r, double[] theta, double[] X, double[] Y, int m)
    {
        double[] a = r.Forward(theta, X, m, default).A[3];
        int correct = 0;
        for (int i = 0; i < m; i++)
            if ((a[i] > 0.5) == (Y[i] > 0.5)) correct++;
        return correct;
    }

    /// <summary>A table x1,x2,y read as double (the printed decimals, which a float cannot hold exactly).</summary>
    public static (double[] X, double[] Y, int M) ExactTable(string relative)
    {
        double[][] rows = TestData.ReadRows(relative, skipHeader: true);
        var X = new double[rows.Length * 2];
        var Y = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            X[2 * i] = rows[i][0];
            X[2 * i + 1] = rows[i][1];
            Y[i] = rows[i][2];
        }
        return (X, Y, rows.Length);
    }

    public static double[] Widen(ReadOnlySpan<float> values) => MaskedGradients.Widen(values);

    /// <summary>The largest |library − reference| of the traced cost up to iteration <paramref name="until"/> (inclusive).</summary>
    public static double Divergence(Result library, Result reference, int until)
    {
        double worst = 0;
        for (int t = 0; t <= until / TraceEvery; t++) worst = Math.Max(worst, Math.Abs(library.Trace[t] - reference.Trace[t]));
        return worst;
    }

    public static string Profile(Result library, Result reference)
    {
        var parts = new System.Collections.Generic.List<string>();
        foreach (int until in new[] { 100, 500, 1000, 1500, 2000, 5000, 10_000, 20_000, 29_900 })
            parts.Add($"≤{until}: {Divergence(library, reference, until):E1}");
        return "max |float32 − float64| of the cost, " + string.Join(", ", parts);
    }
}

// One class (and so one xunit collection) per run: the three runs train concurrently. Each class fixture trains the
// generated network once (float32) and the independent double reference once (float64, the same 30 000 steps), and the
// facts read their numbers.
//
// What the numbers can and cannot promise (measured 2026-11-27 on two sets of kernels that order the float32 sums
// differently: the scalar/TensorPrimitives kernels of commit 5d56065 and the register-blocked Vector512 ones of da0e36a):
// - float64 (ReferenceNetwork) reproduces every published cost to its 10 printed digits and every accuracy exactly.
// - float32 tracks float64 to ≤ 3e-8 in cost through iteration 1000 in all three runs, on both kernels. Between
//   iterations 1100 and 2000 a discrete event (presumably a ReLU unit changing side for some sample) turns the rounding into a
//   jump of 3e-3 (no penalty), 2e-3 (dropout) or 3e-5 (L2), after which the trajectories stay apart.
// - Moving one weight of W1 by one ulp (80 runs per kernel, each of the 40 weights up and down) spreads the costs
//   over: no penalty @10 000 0.1560–0.1661, @20 000 0.1364–0.1461 (max |Δ| from the table 7.3e-3 / 7.6e-3); L2 max
//   |Δ| 2.1e-5 / 9.2e-5; dropout max |Δ| 3.5e-4 / 1.4e-4; train accuracy no penalty 199–201, L2 198, dropout 195–198;
//   test accuracy 183, 186, 190–191.
// - The unperturbed float32 runs: no penalty 0.1573422 / 0.1391181 (5d56065) and 0.1650349 / 0.1392448 (da0e36a);
//   L2 0.2685001 / 0.2681351 and 0.2684811 / 0.2681305; dropout 0.0610889 / 0.0606336 and 0.0611935 / 0.0605303.
// So the costs at 10 000 and 20 000 are held to what float32 can promise from one ulp of rounding: no penalty 1e-2
// (data/README.md's own rule for it; the README's bands 0.157–0.164 / 0.137–0.142 exclude the blocked kernels' 0.1650
// and 16–30 % of the 1-ulp runs), L2 1.5e-4 and dropout 5e-4 (the README's 5e-5 and the brief's 1e-4 for dropout
// exclude correct runs: the blocked kernels give |Δ| 1.8e-4 on dropout, the 1-ulp runs up to 9.2e-5 on L2), dropout
// train accuracy 2 samples. The tight check of the training itself is the tracking of the float64 run through
// iteration 1000 to 1e-6: a wrong λ, mask, scale or update shows there by orders of magnitude.

/// <summary>The bounds every run is held to, with the published row.</summary>
public sealed record FootballExpectation(string Name, double Cost0, double Cost10000, double Cost20000, int Train, int Test,
    double LateTolerance, int TrainSlack, int TestSlack)
{
    /// <summary>The cost at iteration 0 is exact: float32 within 1e-5 (data/README.md).</summary>
    public const double StartTolerance = 1e-5;

    /// <summary>float32 against float64 through <see cref="TrackedUntil"/>: measured ≤ 3e-8 on two kernels.</summary>
    public const double TrackingTolerance = 1e-6;

    public const int TrackedUntil = 1000;

    public void Check(FootballData.Result library, FootballData.Result reference, ITestOutputHelper output)
    {
        output.WriteLine($"{Name} float32: {library}");
        output.WriteLine($"{Name} float64: {reference}");
        output.WriteLine($"{Name} published: cost @0 {Cost0:F10}, @10 000 {Cost10000:F10}, @20 000 {Cost20000:F10}, train {Train}/211, test {Test}/200");
        output.WriteLine(FootballData.Profile(library, reference));

        // The reference is the published computation: every number of the row, to 1e-8 and exactly.
        Assert.Equal(Cost0, reference.Cost0, 1e-8);
        Assert.Equal(Cost10000, reference.Cost10000, 1e-8);
        Assert.Equal(Cost20000, reference.Cost20000, 1e-8);
        Assert.Equal(Train, reference.TrainCorrect);
        Assert.Equal(Test, reference.TestCorrect);

        // The generated network: exact at the start, on the float64 trajectory through iteration 1000 …
        Assert.InRange(library.Cost0, Cost0 - StartTolerance, Cost0 + StartTolerance);
        for (int t = 0; t <= TrackedUntil / FootballData.TraceEvery; t++)
        {
            double difference = Math.Abs(library.Trace[t] - reference.Trace[t]);
            Assert.True(difference <= TrackingTolerance,
                $"iteration {t * FootballData.TraceEvery}: float32 cost {library.Trace[t]:F10}, float64 {reference.Trace[t]:F10} (|Δ| {difference:E2})");
        }
        // … and, where rounding has been amplified, within what one ulp of it spreads.
        Assert.InRange(library.Cost10000, Cost10000 - LateTolerance, Cost10000 + LateTolerance);
        Assert.InRange(library.Cost20000, Cost20000 - LateTolerance, Cost20000 + LateTolerance);
        Assert.InRange(library.TrainCorrect, Train - TrainSlack, Train + TrainSlack);
        Assert.InRange(library.TestCorrect, Test - TestSlack, Test + TestSlack);
    }
}

/// <summary>The no-penalty run: TrainStep, 30 000 steps at α = 0.3.</summary>
public sealed class FootballNoPenaltyRun
{
    /// <summary>The run at each of <see cref="ParallelismCollection.Counts"/> threads.</summary>
    public System.Collections.Generic.Dictionary<int, FootballData.Result> Results { get; } = new();
    public FootballData.Result Reference { get; } = FootballData.RunReference(0.0, false);

    public FootballNoPenaltyRun()
    {
        foreach (int threads in ParallelismCollection.Counts)
            Results[threads] = ParallelismCollection.With(threads, () =>
            {
                var net = new FootballBaselineNet();
                var (X, Y, m, _) = FootballData.Train;
                return FootballData.Run(net, () => net.TrainStep(X, Y, m, FootballData.LearningRate));
            });
    }
}

[Collection(ParallelismCollection.Name)]
public sealed class FootballNoPenaltyTests(FootballNoPenaltyRun run, ITestOutputHelper output) : IClassFixture<FootballNoPenaltyRun>
{
    [Theory]
    [MemberData(nameof(ParallelismCollection.ThreadCounts), MemberType = typeof(ParallelismCollection))]
    public void Reproduces_the_published_no_penalty_run(int threads) =>
        new FootballExpectation("no penalty", 0.6557412523, 0.1632998753, 0.1385164242, 200, 183, LateTolerance: 1e-2, TrainSlack: 1, TestSlack: 1)
            .Check(run.Results[threads], run.Reference, output);
}

/// <summary>The L2 run, λ = 0.7: TrainStep, 30 000 steps at α = 0.3.</summary>
public sealed class FootballL2Run
{
    /// <summary>The run at each of <see cref="ParallelismCollection.Counts"/> threads.</summary>
    public System.Collections.Generic.Dictionary<int, FootballData.Result> Results { get; } = new();
    public FootballData.Result Reference { get; } = FootballData.RunReference(0.7, false);

    public FootballL2Run()
    {
        foreach (int threads in ParallelismCollection.Counts)
            Results[threads] = ParallelismCollection.With(threads, () =>
            {
                var net = new FootballWeightDecayNet();
                var (X, Y, m, _) = FootballData.Train;
                return FootballData.Run(net, () => net.TrainStep(X, Y, m, FootballData.LearningRate));
            });
    }
}

[Collection(ParallelismCollection.Name)]
public sealed class FootballL2Tests(FootballL2Run run, ITestOutputHelper output) : IClassFixture<FootballL2Run>
{
    [Theory]
    [MemberData(nameof(ParallelismCollection.ThreadCounts), MemberType = typeof(ParallelismCollection))]
    public void Reproduces_the_published_L2_run(int threads) =>
        new FootballExpectation("L2 0.7", 0.6974484493, 0.2684918873, 0.2680916337, 198, 186, LateTolerance: 1.5e-4, TrainSlack: 1, TestSlack: 1)
            .Check(run.Results[threads], run.Reference, output);
}

/// <summary>The dropout run, keep 0.86 on both hidden layers, the published masks at every step: ComputeGradients(keepMasks) + GradientDescent.</summary>
public sealed class FootballDropoutRun
{
    /// <summary>The run at each of <see cref="ParallelismCollection.Counts"/> threads (the keepMasks overload runs on
    /// the calling thread alone: the same bits at both).</summary>
    public System.Collections.Generic.Dictionary<int, FootballData.Result> Results { get; } = new();
    public FootballData.Result Reference { get; } = FootballData.RunReference(0.0, true);

    public FootballDropoutRun()
    {
        foreach (int threads in ParallelismCollection.Counts)
            Results[threads] = ParallelismCollection.With(threads, () =>
            {
                var net = new FootballKeep86Net();
                var (X, Y, m, _) = FootballData.Train;
                float[] masks = FootballData.PublishedMasks();
                var gradients = new float[FootballKeep86Net.ParameterCount];
                return FootballData.Run(net, () =>
                {
                    float cost = net.ComputeGradients(X, Y, m, gradients, masks);
                    Kernels.GradientDescent(net.Parameters, gradients, FootballData.LearningRate);
                    return cost;
                });
            });
    }
}

[Collection(ParallelismCollection.Name)]
public sealed class FootballDropoutTests(FootballDropoutRun run, ITestOutputHelper output) : IClassFixture<FootballDropoutRun>
{
    // Late tolerance 5e-4, not the README's 5e-5 nor the 1e-4 first set from the lead engineer's measurements (this
    // library 0.061089 / 0.060634, |Δ| 7.2e-5 / 5.2e-5; an independent float32 re-implementation with sequential
    // summation 0.0612476, 2.3e-4 off; one with double accumulators 0.0609983 / 0.0606282; float64 to 1e-10): the
    // register-blocked kernels give 0.0611935 (|Δ| 1.8e-4) and one ulp on one starting weight moves @10 000 by up to
    // 3.5e-4 (see the comment above FootballExpectation). Train accuracy: 195–198 over those runs, so 2 samples.
    [Theory]
    [MemberData(nameof(ParallelismCollection.ThreadCounts), MemberType = typeof(ParallelismCollection))]
    public void Reproduces_the_published_dropout_run_with_its_fixed_masks(int threads) =>
        new FootballExpectation("dropout", 0.6543912405, 0.0610169866, 0.0605824358, 196, 190, LateTolerance: 5e-4, TrainSlack: 2, TestSlack: 1)
            .Check(run.Results[threads], run.Reference, output);
}

/// <summary>
/// The double reference against the published iteration-0 costs of the three runs (10 digits): this checks the
/// reference itself (BCE, the L2 term, the masks' layout and the 1/keep scaling) before other tests lean on it.
/// </summary>
public sealed class FootballReferenceRegularizationTests
{
    private static ReferenceNetwork Reference(double l2, double? keep) => new(2, Loss.BinaryCrossEntropy,
        new LayerSpec(20, Activation.Relu) { Keep = keep, L2 = l2 }, new LayerSpec(3, Activation.Relu) { Keep = keep, L2 = l2 },
            new LayerSpec(1, Activation.Sigmoid) { L2 = l2 });

    private static double[] Widen(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    [Theory]
    [InlineData(0.0, false, 0.6557412523)]
    [InlineData(0.7, false, 0.6974484493)]
    [InlineData(0.0, true, 0.6543912405)]
    public void The_reference_reproduces_the_published_costs_at_iteration_0(double l2, bool dropout, double published)
    {
        var theta = new float[127];
        FootballData.LoadStart(theta);
        var (X, Y, m, _) = FootballData.Train;
        // The weight files hold more digits than a float; the published runs used them as float64.
        double[] thetaExact = new double[127];
        var (w1, _, _) = TestData.ReadMatrix("football/reg_W1.csv");
        var (w2, _, _) = TestData.ReadMatrix("football/reg_W2.csv");
        var (w3, _, _) = TestData.ReadMatrix("football/reg_W3.csv");
        w1.CopyTo(thetaExact, 0);
        w2.CopyTo(thetaExact, 60);
        w3.CopyTo(thetaExact, 123);
        double[] masks = dropout ? Widen(FootballData.PublishedMasks()) : Array.Empty<double>();
        // The data files' inputs are printed with 6 decimals, so the inputs are exact in double but not in float:
        // read them as double for the 1e-9 check.
        double[][] rows = TestData.ReadRows("football/football_train.csv", skipHeader: true);
        var Xd = new double[m * 2];
        var Yd = new double[m];
        for (int i = 0; i < m; i++)
        {
            Xd[2 * i] = rows[i][0];
            Xd[2 * i + 1] = rows[i][1];
            Yd[i] = rows[i][2];
        }
        double J = Reference(l2, dropout ? 0.86 : null).Cost(thetaExact, Xd, Yd, m, masks);
        Assert.Equal(published, J, 1e-9);
        // From the float32 parameters and inputs the network sees, the reference stays within the 1e-5 the
        // generated code is held to.
        double Jf = Reference(l2, dropout ? 0.86 : null).Cost(Widen(theta), Widen(X), Widen(Y), m, masks);
        Assert.Equal(published, Jf, 1e-5);
    }
}
