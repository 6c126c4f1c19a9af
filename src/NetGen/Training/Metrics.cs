using System;
using System.Buffers;

namespace NetGen;

/// <summary>
/// How well a trained network does on a <see cref="Dataset"/>: accuracy and confusion matrix for classifiers, mean
/// squared error and R² for regression. Each works on any <see cref="INetwork"/>, runs the samples through
/// <see cref="INetwork.PredictBatch"/> in chunks of at most <see cref="ChunkSize"/> (one pooled buffer per call, nothing
/// allocated per sample) and accumulates in double.
/// </summary>
/// <remarks>
/// The class of a row (prediction or target) is the rule <see cref="Dataset.Split"/> stratifies by
/// (<see cref="Dataset.ClassOf"/>): the index of the largest output, the first on a tie, or for a single output 1 when
/// it is above 0.5 and 0 otherwise. The batch methods share the network's workspace: do not call these while another
/// thread uses the same instance's batch methods.
/// </remarks>
public static class Metrics
{
    /// <summary>The most samples given to one <see cref="INetwork.PredictBatch"/> call; bounds the buffer and the
    /// network's batch workspace whatever the size of the data set.</summary>
    public const int ChunkSize = 256;

    /// <summary>The fraction of samples whose predicted class is their true class (see <see cref="Metrics"/> for the
    /// class rule): the trace of <see cref="ConfusionMatrix"/> over <see cref="Dataset.Count"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="net"/> or <paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The data set does not fit the network, or it has no sample.</exception>
    public static double Accuracy(INetwork net, Dataset data)
    {
        Require(net, data, 1, nameof(Accuracy));
        int n0 = net.InputSize, nL = net.OutputSize, m = data.Count;
        int chunk = Math.Min(ChunkSize, m);
        float[] buffer = ArrayPool<float>.Shared.Rent(chunk * nL);
        try
        {
            long correct = 0;
            ReadOnlySpan<float> x = data.X, y = data.Y;
            for (int start = 0; start < m; start += chunk)
            {
                int size = Math.Min(chunk, m - start);
                Span<float> predicted = buffer.AsSpan(0, size * nL);
                net.PredictBatch(x.Slice(start * n0, size * n0), predicted, size);
                ReadOnlySpan<float> target = y.Slice(start * nL, size * nL);
                for (int i = 0; i < size; i++)
                    if (ClassOfRow(predicted.Slice(i * nL, nL)) == ClassOfRow(target.Slice(i * nL, nL)))
                        correct++;
            }
            return (double)correct / m;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The confusion matrix C, k × k with k = <see cref="INetwork.OutputSize"/> (or 2 for a single output): C[t, p]
    /// counts the samples of true class t predicted as class p (rows the true class, columns the predicted, as
    /// scikit-learn's <c>confusion_matrix</c>). The entries sum to <see cref="Dataset.Count"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="net"/> or <paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The data set does not fit the network, or it has no sample.</exception>
    public static int[,] ConfusionMatrix(INetwork net, Dataset data)
    {
        Require(net, data, 1, nameof(ConfusionMatrix));
        int n0 = net.InputSize, nL = net.OutputSize, m = data.Count;
        int k = nL == 1 ? 2 : nL;
        var matrix = new int[k, k];
        int chunk = Math.Min(ChunkSize, m);
        float[] buffer = ArrayPool<float>.Shared.Rent(chunk * nL);
        try
        {
            ReadOnlySpan<float> x = data.X, y = data.Y;
            for (int start = 0; start < m; start += chunk)
            {
                int size = Math.Min(chunk, m - start);
                Span<float> predicted = buffer.AsSpan(0, size * nL);
                net.PredictBatch(x.Slice(start * n0, size * n0), predicted, size);
                ReadOnlySpan<float> target = y.Slice(start * nL, size * nL);
                for (int i = 0; i < size; i++)
                    matrix[ClassOfRow(target.Slice(i * nL, nL)), ClassOfRow(predicted.Slice(i * nL, nL))]++;
            }
            return matrix;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The plain mean of (ŷ − y)² over every output of every sample: Σ_i Σ_j (ŷ_ij − y_ij)² / (m·n[L]). Unlike the
    /// <see cref="Loss.MeanSquaredError"/> cost it has no ½ and no penalty terms (scikit-learn's
    /// <c>mean_squared_error</c> with its default uniform average over the outputs).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="net"/> or <paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The data set does not fit the network, or it has no sample.</exception>
    public static double MeanSquaredError(INetwork net, Dataset data)
    {
        Require(net, data, 1, nameof(MeanSquaredError));
        int n0 = net.InputSize, nL = net.OutputSize, m = data.Count;
        int chunk = Math.Min(ChunkSize, m);
        float[] buffer = ArrayPool<float>.Shared.Rent(chunk * nL);
        try
        {
            double sum = 0;
            ReadOnlySpan<float> x = data.X, y = data.Y;
            for (int start = 0; start < m; start += chunk)
            {
                int size = Math.Min(chunk, m - start);
                Span<float> predicted = buffer.AsSpan(0, size * nL);
                net.PredictBatch(x.Slice(start * n0, size * n0), predicted, size);
                ReadOnlySpan<float> target = y.Slice(start * nL, size * nL);
                for (int j = 0; j < predicted.Length; j++)
                {
                    double d = (double)predicted[j] - target[j];
                    sum += d * d;
                }
            }
            return sum / ((double)m * nL);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The coefficient of determination R² = 1 − SS_res / SS_tot of each output j, with SS_res = Σ_i (ŷ_ij − y_ij)² and
    /// SS_tot = Σ_i (y_ij − ȳ_j)² around that output's own mean ȳ_j, averaged uniformly over the outputs — scikit-learn's
    /// <c>r2_score</c> with its default <c>multioutput='uniform_average'</c>. For one output it is 1 − MSE / Var(y)
    /// (population variance). 1 is a perfect fit, 0 is no better than predicting ȳ, and it can be negative. As
    /// scikit-learn does (<c>force_finite=True</c>), an output whose targets never vary counts 1 if it is predicted
    /// exactly and 0 otherwise.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="net"/> or <paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The data set does not fit the network, or it has fewer than 2 samples
    /// (R² is not defined for one).</exception>
    public static double RSquared(INetwork net, Dataset data)
    {
        Require(net, data, 2, nameof(RSquared));
        int n0 = net.InputSize, nL = net.OutputSize, m = data.Count;
        int chunk = Math.Min(ChunkSize, m);
        // Per output: the mean of y, then SS_res and SS_tot (two passes over y: no cancellation in Σy² − m·ȳ²).
        double[] sums = ArrayPool<double>.Shared.Rent(3 * nL);
        float[] buffer = ArrayPool<float>.Shared.Rent(chunk * nL);
        try
        {
            Span<double> mean = sums.AsSpan(0, nL), residual = sums.AsSpan(nL, nL), total = sums.AsSpan(2 * nL, nL);
            sums.AsSpan(0, 3 * nL).Clear();
            ReadOnlySpan<float> x = data.X, y = data.Y;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < nL; j++)
                    mean[j] += y[i * nL + j];
            for (int j = 0; j < nL; j++)
                mean[j] /= m;

            for (int start = 0; start < m; start += chunk)
            {
                int size = Math.Min(chunk, m - start);
                Span<float> predicted = buffer.AsSpan(0, size * nL);
                net.PredictBatch(x.Slice(start * n0, size * n0), predicted, size);
                ReadOnlySpan<float> target = y.Slice(start * nL, size * nL);
                for (int i = 0; i < size; i++)
                    for (int j = 0; j < nL; j++)
                    {
                        double t = target[i * nL + j];
                        double r = predicted[i * nL + j] - t, c = t - mean[j];
                        residual[j] += r * r;
                        total[j] += c * c;
                    }
            }

            double score = 0;
            for (int j = 0; j < nL; j++)
                score += total[j] > 0 ? 1 - residual[j] / total[j] : residual[j] == 0 ? 1 : 0;
            return score / nL;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>The class rule of <see cref="Dataset.ClassOf"/> on one row of outputs.</summary>
    private static int ClassOfRow(ReadOnlySpan<float> row)
    {
        if (row.Length == 1)
            return row[0] > 0.5f ? 1 : 0;
        int best = 0;
        for (int j = 1; j < row.Length; j++)
            if (row[j] > row[best])
                best = j;
        return best;
    }

    private static void Require(INetwork net, Dataset data, int leastSamples, string metric)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(data);
        if (data.InputSize != net.InputSize || data.OutputSize != net.OutputSize)
            throw new ArgumentException(
                $"Metrics.{metric}: the network ({net.Architecture}) takes {net.InputSize} features and gives {net.OutputSize} "
                + $"outputs per sample, but the data set has {data.InputSize} features and {data.OutputSize} outputs.", nameof(data));
        if (data.Count < leastSamples)
            throw new ArgumentException(
                $"Metrics.{metric} needs at least {leastSamples} sample{(leastSamples == 1 ? "" : "s")}"
                + (leastSamples > 1 ? " (R² is not defined for fewer)" : "") + $", but the data set has {data.Count}.", nameof(data));
    }
}
