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
        var correct = new CorrectCounter();
        ForEachChunk(net, data, ref correct);
        return (double)correct.Count / data.Count;
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
        int k = net.OutputSize == 1 ? 2 : net.OutputSize;
        var counter = new ConfusionCounter(new int[k, k]);
        ForEachChunk(net, data, ref counter);
        return counter.Matrix;
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
        var sum = new SquaredErrors();
        ForEachChunk(net, data, ref sum);
        return sum.Total / ((double)data.Count * net.OutputSize);
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
        int nL = net.OutputSize, m = data.Count;
        // Per output: the mean of y, then SS_res and SS_tot (two passes over y: no cancellation in Σy² − m·ȳ²).
        double[] sums = ArrayPool<double>.Shared.Rent(3 * nL);
        try
        {
            var r2 = new SumsOfSquares(sums, nL);
            r2.Mean.Clear();
            r2.Residual.Clear();
            r2.Total.Clear();
            ReadOnlySpan<float> y = data.Y;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < nL; j++)
                    r2.Mean[j] += y[i * nL + j];
            for (int j = 0; j < nL; j++)
                r2.Mean[j] /= m;

            ForEachChunk(net, data, ref r2);

            double score = 0;
            for (int j = 0; j < nL; j++)
                score += r2.Total[j] > 0 ? 1 - r2.Residual[j] / r2.Total[j] : r2.Residual[j] == 0 ? 1 : 0;
            return score / nL;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>What a metric does with each chunk of predictions ŷ beside its targets y (both rows of n[L]).</summary>
    private interface IChunkVisitor
    {
        void Visit(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int outputs);
    }

    /// <summary>Runs <paramref name="data"/> through <see cref="INetwork.PredictBatch"/> in chunks of at most
    /// <see cref="ChunkSize"/> samples, in one pooled buffer, and hands each chunk to <paramref name="visitor"/> (a
    /// struct: the call is direct, no delegate or virtual call).</summary>
    private static void ForEachChunk<TVisitor>(INetwork net, Dataset data, ref TVisitor visitor)
        where TVisitor : struct, IChunkVisitor
    {
        int n0 = net.InputSize, nL = net.OutputSize, m = data.Count;
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
                visitor.Visit(predicted, y.Slice(start * nL, size * nL), nL);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private readonly struct ConfusionCounter(int[,] matrix) : IChunkVisitor
    {
        public int[,] Matrix { get; } = matrix;

        public void Visit(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int outputs)
        {
            for (int i = 0; i < predicted.Length; i += outputs)
                Matrix[Dataset.ClassOfRow(target.Slice(i, outputs)), Dataset.ClassOfRow(predicted.Slice(i, outputs))]++;
        }
    }

    private struct CorrectCounter : IChunkVisitor
    {
        public long Count;

        public void Visit(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int outputs)
        {
            for (int i = 0; i < predicted.Length; i += outputs)
                if (Dataset.ClassOfRow(target.Slice(i, outputs)) == Dataset.ClassOfRow(predicted.Slice(i, outputs)))
                    Count++;
        }
    }

    private struct SquaredErrors : IChunkVisitor
    {
        public double Total;

        public void Visit(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int outputs)
        {
            for (int j = 0; j < predicted.Length; j++)
            {
                double d = (double)predicted[j] - target[j];
                Total += d * d;
            }
        }
    }

    /// <summary>Per output j: ȳ_j (filled before the pass), SS_res and SS_tot, in three slices of one pooled array.</summary>
    private readonly struct SumsOfSquares(double[] sums, int outputs) : IChunkVisitor
    {
        public Span<double> Mean => sums.AsSpan(0, outputs);
        public Span<double> Residual => sums.AsSpan(outputs, outputs);
        public Span<double> Total => sums.AsSpan(2 * outputs, outputs);

        public void Visit(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int outputs)
        {
            Span<double> mean = Mean, residual = Residual, total = Total;
            for (int i = 0; i < predicted.Length; i += outputs)
                for (int j = 0; j < outputs; j++)
                {
                    double t = target[i + j];
                    double r = predicted[i + j] - t, c = t - mean[j];
                    residual[j] += r * r;
                    total[j] += c * c;
                }
        }
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
