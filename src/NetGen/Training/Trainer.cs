using System;

namespace NetGen;

/// <summary>Trains any generated network on a <see cref="Dataset"/>: mini-batches, an optimizer, early stopping on the
/// dev cost, progress after each epoch. Every buffer is allocated before the first step, so the steps allocate nothing.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="net"/> on <paramref name="train"/> as <paramref name="options"/> say, watching
    /// <paramref name="dev"/> when it is given. With <see cref="TrainingOptions.EarlyStopping"/>, the run stops once the dev
    /// cost stops improving and the parameters of the best epoch are put back.
    /// </summary>
    /// <exception cref="ArgumentException">A data set does not fit the network, or early stopping has no dev set.</exception>
    public static TrainingHistory Fit(INetwork net, Dataset train, Dataset? dev, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RequireFits(net, train, nameof(train));
        if (dev is not null) RequireFits(net, dev, nameof(dev));
        if (options.EarlyStopping is not null && (dev is null || dev.Count == 0))
            throw new ArgumentException("Early stopping watches the dev cost: give a dev set with at least one sample.", nameof(dev));
        if (train.Count == 0)
            throw new ArgumentException("The training set has no sample.", nameof(train));
        if (options.Augment is { } augment && augment.ImageSize != net.InputSize)
            throw new ArgumentException(
                $"The augmentation works on {augment.Height} × {augment.Width} × {augment.Channels} = {augment.ImageSize} floats per image, but the network ({net.Architecture}) takes {net.InputSize}.", nameof(options));

        int m = train.Count, n0 = net.InputSize, nL = net.OutputSize;
        int batch = options.BatchSize == 0 || options.BatchSize >= m ? m : options.BatchSize;
        bool fullBatch = batch == m;

        // Everything the steps need, allocated once.
        Span<float> parameters = net.Parameters;
        var gradients = new float[net.ParameterCount];
        var first = options.Optimizer == Optimizer.GradientDescent ? Array.Empty<float>() : new float[net.ParameterCount];
        var second = options.Optimizer == Optimizer.Adam ? new float[net.ParameterCount] : Array.Empty<float>();
        var best = options.EarlyStopping is null ? Array.Empty<float>() : new float[net.ParameterCount];
        var order = fullBatch ? Array.Empty<int>() : new int[m];
        var batchX = fullBatch ? Array.Empty<float>() : new float[batch * n0];
        var batchY = fullBatch ? Array.Empty<float>() : new float[batch * nL];
        var augmented = options.Augment is null ? Array.Empty<float>() : new float[batch * n0];
        var augmentRng = new Rng(options.ShuffleSeed ^ 0xA5A5_5A5A_C3C3_3C3CUL); // its own stream: shuffles stay as without it
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var rng = new Rng(options.ShuffleSeed);

        var history = new TrainingHistory(options.Epochs);
        double bestDev = double.PositiveInfinity;
        int sinceBest = 0, step = 0;
        ReadOnlySpan<float> x = train.X, y = train.Y;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (!fullBatch && options.Shuffle)
                Shuffle(order, ref rng);
            for (int start = 0; start < m; start += batch)
            {
                int size = Math.Min(batch, m - start);
                ReadOnlySpan<float> stepX = x, stepY = y;
                if (!fullBatch)
                {
                    Gather(x, order.AsSpan(start, size), n0, batchX);
                    Gather(y, order.AsSpan(start, size), nL, batchY);
                    stepX = batchX.AsSpan(0, size * n0);
                    stepY = batchY.AsSpan(0, size * nL);
                }
                if (options.Augment is { } augmentation)
                {
                    augmentation.Apply(stepX, augmented.AsSpan(0, size * n0), size, ref augmentRng);
                    stepX = augmented.AsSpan(0, size * n0);
                }
                net.ComputeGradients(stepX, stepY, size, gradients);
                step++;
                Update(parameters, gradients, first, second, step, options);
            }

            double trainCost = net.Cost(x, y, m);
            history.TrainCostList.Add(trainCost);
            bool isBest = false;
            if (dev is not null)
            {
                double devCost = net.Cost(dev.X, dev.Y, dev.Count);
                history.DevCostList.Add(devCost);
                // Patience counts epochs without an improvement of more than MinDelta; the parameters kept are those of
                // the lowest dev cost, however small its lead.
                double minDelta = options.EarlyStopping?.MinDelta ?? 0;
                sinceBest = devCost < bestDev - minDelta ? 0 : sinceBest + 1;
                if (devCost < bestDev)
                {
                    bestDev = devCost;
                    history.BestEpoch = epoch;
                    isBest = true;
                    if (best.Length > 0) parameters.CopyTo(best);
                }
            }
            else
                history.BestEpoch = epoch;

            options.Progress?.Report(new EpochReport(epoch, options.Epochs, trainCost, dev is null ? null : history.DevCostList[^1], isBest));

            if (options.EarlyStopping is { } stopping && sinceBest >= stopping.Patience)
            {
                history.StoppedEarly = epoch < options.Epochs;
                break;
            }
        }

        if (best.Length > 0)
            best.CopyTo(parameters); // the best dev cost stays in place
        return history;
    }

    private static void Update(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> first, Span<float> second, int step, TrainingOptions options)
    {
        switch (options.Optimizer)
        {
            case Optimizer.Momentum:
                Kernels.MomentumStep(parameters, gradients, first, options.LearningRate, options.Beta1);
                break;
            case Optimizer.Adam:
                Kernels.AdamStep(parameters, gradients, first, second, step, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon);
                break;
            default:
                Kernels.GradientDescent(parameters, gradients, options.LearningRate);
                break;
        }
    }

    /// <summary>Fisher–Yates with the run's seeded generator.</summary>
    private static void Shuffle(int[] order, ref Rng rng)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>Copies the rows <paramref name="rows"/> of a matrix with <paramref name="width"/> columns into <paramref name="destination"/>.</summary>
    private static void Gather(ReadOnlySpan<float> source, ReadOnlySpan<int> rows, int width, Span<float> destination)
    {
        for (int r = 0; r < rows.Length; r++)
            source.Slice(rows[r] * width, width).CopyTo(destination.Slice(r * width, width));
    }

    private static void RequireFits(INetwork net, Dataset data, string name)
    {
        if (data.InputSize != net.InputSize || data.OutputSize != net.OutputSize)
            throw new ArgumentException(
                $"{name} has {data.InputSize} features and {data.OutputSize} outputs per sample, but the network ({net.Architecture}) takes {net.InputSize} and gives {net.OutputSize}.", name);
    }
}
