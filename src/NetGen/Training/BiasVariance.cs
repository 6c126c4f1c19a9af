using System;
using System.Globalization;

namespace NetGen;

/// <summary>The reading of a train/dev error pair (the notes' chapter 2, "bias and variance").</summary>
public enum Verdict
{
    /// <summary>Low avoidable bias and low variance: the network fits the training set about as well as the base
    /// error allows, and does as well on the dev set.</summary>
    Good = 0,

    /// <summary>High avoidable bias, low variance: the network under-fits the training set.</summary>
    HighBias = 1,

    /// <summary>Low avoidable bias, high variance: the network fits the training set but not the dev set (over-fits).</summary>
    HighVariance = 2,

    /// <summary>Both: it under-fits the training set and does worse still on the dev set.</summary>
    HighBiasAndVariance = 3,
}

/// <summary>The outcome of <see cref="BiasVariance.Diagnose(double, double, double)"/>.</summary>
/// <param name="Verdict">Which of bias and variance is high.</param>
/// <param name="AvoidableBias">train error − base error (a fraction; negative when the training error is below the base error).</param>
/// <param name="Variance">dev error − train error (a fraction; negative when the dev error is below the training error).</param>
/// <param name="Advice">What to try next, as in the notes' "basic recipe for machine learning".</param>
public sealed record Diagnosis(Verdict Verdict, double AvoidableBias, double Variance, string Advice)
{
    /// <summary>True when the avoidable bias is above the threshold the diagnosis used.</summary>
    public bool HighBias => Verdict is Verdict.HighBias or Verdict.HighBiasAndVariance;

    /// <summary>True when the variance is above the threshold the diagnosis used.</summary>
    public bool HighVariance => Verdict is Verdict.HighVariance or Verdict.HighBiasAndVariance;
}

/// <summary>
/// Reads a training and a dev error the way the notes do (chapter 2, "bias / variance" and "basic recipe for machine
/// learning"): the <b>avoidable bias</b> is train error − base error, the <b>variance</b> is dev error − train error,
/// and each is called high when it exceeds a threshold.
/// </summary>
/// <remarks>
/// <para>
/// <b>Thresholds.</b> Both gaps are compared with one absolute threshold, <see cref="DefaultThreshold"/> = 0.02
/// (2 percentage points): a gap strictly greater than it is high. Errors are fractions (0.01 is 1 %).
/// </para>
/// <para>
/// Why absolute and why 2 points: the notes read the gaps in percentage points against the base (Bayes / human-level)
/// error, not as ratios — a relative rule would call 0.5 % / 1 % "high variance" (the dev error is twice the training
/// error) where the notes call it good. In the classic readings every gap is either at most 1 point (both gaps of 0.5 %/1 %, the variance
/// of 15 %/16 %, the bias of 1 %/11 %) or at least 10 points (the variance of 1 %/11 %, the bias of 15 %/16 %, both of 15 %/30 %), so any threshold in [1, 10) points
/// reads them as the notes do; 2 points sits near the low end because a gap of a few points is already worth acting
/// on, yet it is above the noise of a typical dev set: with 1 000 dev samples at a 5 % error rate the error's standard
/// error is ≈ 0.7 points, so 2 points is about three standard errors. With a small dev set, pass a larger threshold
/// to <see cref="Diagnose(double, double, double, double)"/>.
/// </para>
/// <para>The classic readings with base error 0 (<see cref="Diagnose(double, double, double)"/>):</para>
/// <list type="table">
/// <listheader><term>train / dev</term><description>verdict</description></listheader>
/// <item><term>1 % / 11 %</term><description><see cref="Verdict.HighVariance"/> (bias 1, variance 10 points)</description></item>
/// <item><term>15 % / 16 %</term><description><see cref="Verdict.HighBias"/> (bias 15, variance 1)</description></item>
/// <item><term>15 % / 30 %</term><description><see cref="Verdict.HighBiasAndVariance"/> (bias 15, variance 15)</description></item>
/// <item><term>0.5 % / 1 %</term><description><see cref="Verdict.Good"/> (bias 0.5, variance 0.5)</description></item>
/// </list>
/// <para>
/// With a base error of 15 % (a task that even people get wrong 15 % of the time, e.g. blurry images), 15 % / 16 % is
/// <see cref="Verdict.Good"/>: the avoidable bias is 0 and the variance 1 point, so the network is as good as can be
/// expected — the notes' point that "high bias" is relative to the base error.
/// </para>
/// <para>
/// A training error below the base error, or a dev error below the training error, gives a negative gap; that is never
/// high (it happens by chance on small sets, or when the base error is an over-estimate).
/// </para>
/// </remarks>
public static class BiasVariance
{
    /// <summary>The default threshold, 0.02 (2 percentage points): a gap strictly above it is high.</summary>
    public const double DefaultThreshold = 0.02;

    /// <summary>Diagnoses a train/dev error pair with the <see cref="DefaultThreshold"/> of 2 percentage points.</summary>
    /// <param name="trainError">The error on the training set, a fraction in [0, 1].</param>
    /// <param name="devError">The error on the dev (hold-out) set, a fraction in [0, 1].</param>
    /// <param name="baseError">The base (Bayes or human-level) error, a fraction in [0, 1]; 0 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">An error is NaN or outside [0, 1].</exception>
    public static Diagnosis Diagnose(double trainError, double devError, double baseError = 0)
        => Diagnose(trainError, devError, baseError, DefaultThreshold);

    /// <summary>Diagnoses a train/dev error pair: each gap is high when strictly greater than <paramref name="threshold"/>.</summary>
    /// <param name="trainError">The error on the training set, a fraction in [0, 1].</param>
    /// <param name="devError">The error on the dev (hold-out) set, a fraction in [0, 1].</param>
    /// <param name="baseError">The base (Bayes or human-level) error, a fraction in [0, 1].</param>
    /// <param name="threshold">The largest gap (a fraction in [0, 1)) that is still low.</param>
    /// <exception cref="ArgumentOutOfRangeException">An error is NaN or outside [0, 1], or the threshold is NaN or outside [0, 1).</exception>
    public static Diagnosis Diagnose(double trainError, double devError, double baseError, double threshold)
    {
        CheckFraction(trainError, nameof(trainError));
        CheckFraction(devError, nameof(devError));
        CheckFraction(baseError, nameof(baseError));
        if (double.IsNaN(threshold) || threshold < 0 || threshold >= 1)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a fraction in [0, 1) (0.02 is 2 percentage points).");

        double bias = trainError - baseError;
        double variance = devError - trainError;
        bool highBias = bias > threshold;
        bool highVariance = variance > threshold;
        Verdict verdict = (highBias, highVariance) switch
        {
            (false, false) => Verdict.Good,
            (true, false) => Verdict.HighBias,
            (false, true) => Verdict.HighVariance,
            _ => Verdict.HighBiasAndVariance,
        };
        return new Diagnosis(verdict, bias, variance, Advise(verdict, bias, variance, threshold));
    }

    private static void CheckFraction(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a fraction in [0, 1] (0.01 is 1 %), but is {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    private static string Points(double gap) => (gap * 100).ToString("0.##", CultureInfo.InvariantCulture) + " points";

    private const string BiasRemedy = "try a bigger network (more hidden units or more layers), train longer (or with a better optimizer such as Adam), or another architecture";
    private const string VarianceRemedy = "get more training data, add regularization (L2, dropout), or try another architecture";

    private static string Advise(Verdict verdict, double bias, double variance, double threshold)
    {
        string gaps = $"avoidable bias {Points(bias)}, variance {Points(variance)}, threshold {Points(threshold)}";
        return verdict switch
        {
            Verdict.Good => $"Low bias and low variance ({gaps}): the network fits the training set about as well as the base error allows and does as well on the dev set. Confirm on the test set.",
            Verdict.HighBias => $"High bias ({gaps}): the network under-fits the training set. To reduce bias: {BiasRemedy}. More data or more regularization will not help here.",
            Verdict.HighVariance => $"High variance ({gaps}): the network fits the training set but not the dev set (it over-fits). To reduce variance: {VarianceRemedy}.",
            _ => $"High bias and high variance ({gaps}): the network under-fits the training set and does worse still on the dev set. First reduce the bias: {BiasRemedy}; then, once the training error is acceptable, reduce the variance: {VarianceRemedy}.",
        };
    }
}
