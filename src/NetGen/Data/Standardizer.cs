using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Feature standardisation, x ← (x − μ) / σ per input column, with μ and σ (the population deviation) taken from the
/// training set alone by <see cref="Fit"/> and then applied unchanged to the training, development and test sets, so
/// that nothing of the held-out data leaks into training.
/// </summary>
public sealed class Standardizer
{
    private readonly double[] _mean;
    private readonly double[] _deviation;

    /// <summary>A standardizer with the given per-feature means and deviations (e.g. ones saved from an earlier <see cref="Fit"/>).</summary>
    /// <exception cref="ArgumentException">The lengths differ or are 0, or a value is not finite, or a deviation is not positive.</exception>
    public Standardizer(ReadOnlySpan<double> mean, ReadOnlySpan<double> deviation)
    {
        if (mean.Length == 0 || mean.Length != deviation.Length)
            throw new ArgumentException($"mean and deviation must have the same length ≥ 1 (one per input), but have {mean.Length} and {deviation.Length}.", nameof(deviation));
        for (int j = 0; j < mean.Length; j++)
        {
            if (!double.IsFinite(mean[j]))
                throw new ArgumentException($"mean[{j}] = {mean[j]} is not finite.", nameof(mean));
            if (!double.IsFinite(deviation[j]) || deviation[j] <= 0)
                throw new ArgumentException($"deviation[{j}] = {deviation[j]} must be finite and positive.", nameof(deviation));
        }
        _mean = mean.ToArray();
        _deviation = deviation.ToArray();
    }

    /// <summary>The number of input features this standardizer expects.</summary>
    public int InputSize => _mean.Length;

    /// <summary>μ: the mean of each input feature over the training set.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>σ: the population deviation (divided by m) of each input feature over the training set; a feature that never varies has σ = 1.</summary>
    public ReadOnlySpan<double> Deviation => _deviation;

    /// <summary>
    /// Measures μ and σ of each input feature of <paramref name="train"/> (population deviation, in double precision; a
    /// zero deviation becomes 1, so a constant feature becomes 0). Fit on the training part only.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="train"/> has no samples, or an input is NaN or ±∞ (possible only
    /// if its array was changed after the <see cref="Dataset"/> was made, since the data set keeps it without copying): the
    /// message names the first such value's sample and feature.</exception>
    public static Standardizer Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("cannot fit a standardizer on a data set with no samples.", nameof(train));
        int n = train.InputSize, m = train.Count;
        ReadOnlySpan<float> x = train.X;
        // A non-finite input would make its feature's μ and σ NaN: name it here, where the caller can still find it.
        int bad = Dataset.FirstNonFinite(x);
        if (bad >= 0)
        {
            int feature = bad % n;
            string label = train.InputNames is { } names && feature < names.Count ? $" ('{names[feature]}')" : "";
            throw new ArgumentException(
                $"train, sample {bad / n}, feature {feature}{label} (X[{bad}]): {Dataset.Describe(x[bad])} is not a "
                + "finite number, so its mean and deviation would not be either (samples and features count from 0). "
                + "The Dataset refused "
                + "non-finite values when it was made, but keeps the arrays it was given: was one changed since?", nameof(train));
        }
        var mean = new double[n];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * n, n);
            for (int j = 0; j < n; j++)
                mean[j] += row[j];
        }
        for (int j = 0; j < n; j++)
            mean[j] /= m;
        var deviation = new double[n];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                double d = row[j] - mean[j];
                deviation[j] += d * d;
            }
        }
        for (int j = 0; j < n; j++)
        {
            double sigma = Math.Sqrt(deviation[j] / m);
            deviation[j] = sigma > 0 ? sigma : 1.0;
        }
        return new Standardizer(mean, deviation);
    }

    /// <summary>
    /// A new data set with the inputs of <paramref name="data"/> standardised by this standardizer's μ and σ (not refitted)
    /// and a copy of its targets; <paramref name="data"/> is left unchanged.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has a different number of inputs, or a standardised
    /// value is beyond float's range (a deviation far smaller than the data's spread): the message names it.</exception>
    public Dataset Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.InputSize != InputSize)
            throw new ArgumentException($"the standardizer was fitted on {InputSize} inputs, but the data set has {data.InputSize}.", nameof(data));
        var x = new float[data.X.Length];
        Apply(data.X, x, nameof(data));
        return new Dataset(x, data.Y.ToArray(), data.InputSize, data.OutputSize) { InputNames = data.InputNames, OutputNames = data.OutputNames };
    }

    /// <summary>
    /// destination[i·n + j] = (source[i·n + j] − μ[j]) / σ[j] for one sample or several, row after row (n =
    /// <see cref="InputSize"/>): the arithmetic of <see cref="Apply(Dataset)"/>, without allocating — for a service
    /// that standardises each request as it comes. <paramref name="destination"/> may be <paramref name="source"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A length is not a whole number of samples of <see cref="InputSize"/> floats,
    /// the two lengths differ, or a result is not a finite float (a NaN or ∞ in <paramref name="source"/>, or a deviation
    /// far below the data's spread): the message names the sample and feature, and nothing is written.</exception>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        int n = InputSize;
        if (source.Length == 0 || source.Length % n != 0)
            throw new ArgumentException($"source has {source.Length} floats; expected a whole number (≥ 1) of samples of "
                + $"{n} inputs.", nameof(source));
        if (destination.Length != source.Length)
            throw new ArgumentException($"destination has {destination.Length} floats; expected {source.Length}, as many "
                + "as source.", nameof(destination));
        Apply(source, destination, nameof(source));
    }

    /// <summary>The standardisation itself, lengths checked: every value is checked before any is written, so that a bad
    /// one leaves <paramref name="destination"/> as it was.</summary>
    private void Apply(ReadOnlySpan<float> source, Span<float> destination, string parameter)
    {
        int n = InputSize;
        for (int at = 0; at < source.Length; at++)
        {
            int j = at % n;
            // A NaN in the input, or a deviation far below the data's spread (one given to the constructor, or fitted
            // on another data set) that sends (x − μ)/σ past float's range: name the value instead of passing it on.
            if (!float.IsFinite((float)((source[at] - _mean[j]) / _deviation[j])))
                throw new ArgumentException(
                    $"sample {at / n}, feature {j}: (x − μ)/σ = ({Dataset.Describe(source[at])} − "
                    + $"{_mean[j].ToString(CultureInfo.InvariantCulture)}) / "
                    + $"{_deviation[j].ToString(CultureInfo.InvariantCulture)} is NaN or beyond float's range "
                    + $"(±{float.MaxValue.ToString(CultureInfo.InvariantCulture)}); expected finite inputs and a deviation "
                    + "of the data's scale. Nothing was changed.", parameter);
        }
        for (int at = 0; at < source.Length; at++)
        {
            int j = at % n;
            destination[at] = (float)((source[at] - _mean[j]) / _deviation[j]);
        }
    }
}
