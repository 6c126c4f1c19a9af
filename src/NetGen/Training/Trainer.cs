using System;
using System.Globalization;
using System.Numerics.Tensors;

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
    /// <remarks>
    /// The training cost of every step is checked (it is computed anyway). At the first one that is not finite, and when
    /// the cost of the whole training set after an epoch is not finite, the run stops, the parameters of the best finite
    /// epoch are put back (the lowest dev cost with a dev set, else the last finished epoch; the parameters given when
    /// no epoch finished) and <see cref="TrainingDivergedException"/> is thrown. No path leaves a non-finite parameter.
    /// <para>With mini-batches, the next epoch's shuffle and the gather of its first batch run on a thread-pool thread
    /// while the calling thread trains the current epoch, when more than one core may be used
    /// (<see cref="Parallelism.MaxDegreeOfParallelism"/> &gt; 1) and the training set has at least 2 048 samples (below
    /// that, handing the work over costs more than it saves); with a full batch and augmentation, the next epoch's
    /// augmented copy of the set is drawn there (from 65 536 input floats). If a mini-batch preparation is not done when
    /// its epoch begins (a machine with no core to spare), the rest of the run prepares on the calling thread, as with
    /// one core. The run is the same, bit for bit: the same
    /// generators are drawn from in the same order, and nothing is used before it is done. Progress is reported on the
    /// calling thread, and the other thread has finished when <c>Fit</c> returns or throws. The steps and the costs
    /// after each epoch use every core themselves: the network splits a large batch (see
    /// <see cref="Parallelism"/>).</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A data set does not fit the network or is empty, early stopping has no dev
    /// set, or the network's parameters are not all finite; nothing has changed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; nothing has changed.</exception>
    /// <exception cref="TrainingDivergedException">The training cost became NaN or ∞; the best finite parameters are
    /// back in place.</exception>
    public static TrainingHistory Fit(INetwork net, Dataset train, Dataset? dev, TrainingOptions options)
        => FitWith(net, train, dev, options,
            Parallelism.MaxDegreeOfParallelism > 1 ? FitOverlap.Overlapped : FitOverlap.Sequential);

    /// <summary>A run of at least this many training samples prepares its next epoch on another thread: below it, the
    /// shuffle and the first batch take less than handing them over does (a few µs).</summary>
    internal const int MinSamplesToOverlap = 2048;

    /// <summary>A full batch of at least this many input floats has its next epoch's augmentation drawn on another
    /// thread.</summary>
    internal const long MinFloatsToAugmentAhead = 1 << 16;

    /// <summary><see cref="Fit(INetwork, Dataset, Dataset?, TrainingOptions)"/> with the overlap chosen (the tests
    /// compare the ways; every one gives the same run, bit for bit).</summary>
    internal static TrainingHistory FitWith(INetwork net, Dataset train, Dataset? dev, TrainingOptions options,
        FitOverlap overlap) => FitWith(net, train, dev, options, overlap, out _);

    /// <summary>The same, telling how many epochs a pool thread prepared.</summary>
    internal static TrainingHistory FitWith(INetwork net, Dataset train, Dataset? dev, TrainingOptions options,
        FitOverlap overlap, out int preparedOnHelper)
    {
        preparedOnHelper = 0;
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RequireFits(net, train, nameof(train));
        if (dev is not null) RequireFits(net, dev, nameof(dev));
        if (dev is not null && dev.Count == 0)
            throw new ArgumentException(
                "The dev set has no sample: give one with at least one sample, or pass null to train without a dev set"
                + (options.EarlyStopping is null ? "." : " (early stopping needs one)."), nameof(dev));
        if (options.EarlyStopping is not null && dev is null)
            throw new ArgumentException("Early stopping watches the dev cost: give a dev set with at least one sample.", nameof(dev));
        if (train.Count == 0)
            throw new ArgumentException("The training set has no sample.", nameof(train));
        if (options.Augment is { } augment && augment.ImageSize != net.InputSize)
            throw new ArgumentException(
                $"The augmentation works on {augment.Height} × {augment.Width} × {augment.Channels} = {augment.ImageSize} floats per image, but the network ({net.Architecture}) takes {net.InputSize}.", nameof(options));
        Span<float> parameters = net.Parameters;
        RequireFinite(parameters, net);

        int m = train.Count, n0 = net.InputSize, nL = net.OutputSize;
        int batch = options.BatchSize == 0 || options.BatchSize >= m ? m : options.BatchSize;
        bool fullBatch = batch == m;

        // Everything the steps need, allocated once.
        var gradients = new float[net.ParameterCount];
        var first = options.Optimizer == Optimizer.GradientDescent ? Array.Empty<float>() : new float[net.ParameterCount];
        var second = options.Optimizer == Optimizer.Adam ? new float[net.ParameterCount] : Array.Empty<float>();
        // The parameters to fall back on: those given until an epoch finishes, then those of the best finite epoch so
        // far (the lowest finite dev cost; the last finished epoch while there is no such epoch). Early stopping puts
        // them back at the end; a divergence puts them back before it throws.
        var kept = parameters.ToArray();
        int keptEpoch = 0, bestDevEpoch = 0;
        // The mini-batches (or the augmented full batch). The next epoch's order and first batch (or augmented set) are
        // prepared during this epoch, on another thread when the run is large enough to gain, else here between the
        // epochs. The costs after an epoch need no other thread: each is split across the cores by the network itself
        // (Parallelism) when its set is large enough to gain.
        bool helperOnly = overlap == FitOverlap.HelperOnly;
        bool batched = !fullBatch || options.Augment is not null;
        bool prepareAhead = batched && overlap != FitOverlap.Sequential
            && (helperOnly || (fullBatch ? (long)m * n0 >= MinFloatsToAugmentAhead : m >= MinSamplesToOverlap));
        EpochPreparation? helper = batched
            ? new EpochPreparation(net, train, batch, options.Shuffle, options.ShuffleSeed, options.Augment,
                helperOnly)
            : null;

        // The lists grow with the epochs actually run: Epochs may be int.MaxValue ("until early stopping ends it").
        var history = new TrainingHistory(Math.Min(options.Epochs, InitialHistoryCapacity));
        double bestDev = double.PositiveInfinity;
        int sinceBest = 0, step = 0;
        ReadOnlySpan<float> x = train.X, y = train.Y;

        try
        {
            if (batched)
                helper!.Prepare();
            // Counted so that Epochs = int.MaxValue ends after its last epoch instead of wrapping around.
            for (int epoch = 1; ; epoch++)
            {
                bool last = epoch == options.Epochs;
                if (batched)
                {
                    // Waits for the preparation of this epoch. A mini-batch preparation is a small part of an epoch: if
                    // a pool thread has not finished it in a whole epoch, the machine has no core to spare (the thread
                    // was descheduled), and waiting for it again would only hold this thread up: prepare here from now.
                    if (!helper!.BeginEpoch() && !fullBatch && !helperOnly)
                        prepareAhead = false;
                    if (prepareAhead && !last)
                        helper.Post(); // the next one's, during this one
                }
                for (int start = 0; start < m; start += batch)
                {
                    int size = Math.Min(batch, m - start);
                    ReadOnlySpan<float> stepX = x, stepY = y;
                    if (batched)
                        helper!.Batch(start, size, out stepX, out stepY);
                    float cost = net.ComputeGradients(stepX, stepY, size, gradients);
                    step++;
                    if (!float.IsFinite(cost))
                        throw Diverged(parameters, kept, keptEpoch, history, options, epoch, step, cost, afterEpoch: false);
                    Update(parameters, gradients, first, second, step, options);
                }

                double trainCost = net.Cost(x, y, m);
                // A finite cost with a non-finite parameter is possible (a weight at −∞ into a ReLU that stays off), and
                // such a parameter must not be kept: one scan of the parameters per epoch, cheap beside the epoch.
                if (!double.IsFinite(trainCost) || Dataset.FirstNonFinite(parameters) >= 0)
                    throw Diverged(parameters, kept, keptEpoch, history, options, epoch, step, trainCost, afterEpoch: true);
                history.TrainCostList.Add(trainCost);
                bool isBest = false;
                double? devReport = null;
                if (dev is not null)
                {
                    double devCost = net.Cost(dev.X, dev.Y, dev.Count);
                    history.DevCostList.Add(devCost);
                    devReport = devCost;
                    // Only a finite dev cost competes; a NaN or ∞ one counts as no improvement. Patience counts epochs
                    // without an improvement of more than MinDelta; the parameters kept are those of the lowest dev
                    // cost, however small its lead.
                    bool finite = double.IsFinite(devCost);
                    double minDelta = options.EarlyStopping?.MinDelta ?? 0;
                    sinceBest = finite && devCost < bestDev - minDelta ? 0 : sinceBest + 1;
                    if (finite && devCost < bestDev)
                    {
                        bestDev = devCost;
                        bestDevEpoch = epoch;
                        isBest = true;
                    }
                }
                if (isBest || bestDevEpoch == 0)
                {
                    parameters.CopyTo(kept);
                    keptEpoch = epoch;
                }
                // The epoch whose parameters early stopping puts back; otherwise the lowest finite dev cost, or the last
                // epoch.
                history.BestEpoch = bestDevEpoch > 0 ? bestDevEpoch : epoch;

                options.Progress?.Report(new EpochReport(epoch, options.Epochs, trainCost, devReport, isBest));

                if (options.EarlyStopping is { } stopping && sinceBest >= stopping.Patience)
                {
                    history.StoppedEarly = epoch < options.Epochs;
                    break;
                }
                if (last)
                    break;
                if (batched && !prepareAhead)
                    helper!.Prepare();
            }
        }
        finally
        {
            // No other thread may touch the buffers or read the parameters once the run is over, however it ends.
            if (helper is not null)
            {
                helper.Quiesce();
                preparedOnHelper = helper.RunOnHelper;
            }
        }

        if (options.EarlyStopping is not null)
        {
            kept.CopyTo(parameters); // the best dev cost stays in place (the last epoch when no dev cost was finite)
            history.BestEpoch = keptEpoch;
        }
        return history;
    }

    /// <summary>The lists' first capacity: enough for most runs without growing, small whatever Epochs is.</summary>
    private const int InitialHistoryCapacity = 256;

    /// <summary>Describes what was not finite, puts back the kept parameters and builds the exception, with advice.</summary>
    private static TrainingDivergedException Diverged(Span<float> parameters, float[] kept, int keptEpoch,
        TrainingHistory history, TrainingOptions options, int epoch, int step, double cost, bool afterEpoch)
    {
        string found;
        if (!afterEpoch)
            found = string.Create(CultureInfo.InvariantCulture, $"the training cost of step {step} was {cost}");
        else if (!double.IsFinite(cost))
            found = string.Create(CultureInfo.InvariantCulture,
                $"the cost of the whole training set after the epoch was {cost}");
        else
        {
            int i = 0;
            while (float.IsFinite(parameters[i])) i++;
            found = string.Create(CultureInfo.InvariantCulture,
                $"parameter [{i}] became {parameters[i]} (the cost was still {cost})");
        }
        kept.CopyTo(parameters);
        history.BestEpoch = keptEpoch;
        string restored = keptEpoch == 0
            ? "The parameters the network was given are back in place."
            : $"The parameters of epoch {keptEpoch}, the best finite one, are back in place.";
        return new TrainingDivergedException(epoch, step, cost, history, string.Create(CultureInfo.InvariantCulture,
            $"Training diverged in epoch {epoch}: {found}. {restored} Try a smaller learning rate (it was "
            + $"{options.LearningRate} with {options.Optimizer}), and check the data and its scaling: extreme values, or "
            + $"features of very different ranges (standardize them, e.g. with Standardizer), make the steps explode."));
    }

    /// <summary>True when no value is NaN or ∞ (TensorPrimitives answers false for an empty span).</summary>
    /// <summary>Refuses a network whose parameters are not all finite: training would only spread the NaN.</summary>
    private static void RequireFinite(ReadOnlySpan<float> parameters, INetwork net)
    {
        int i = Dataset.FirstNonFinite(parameters);
        if (i < 0) return;
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"The network's parameter [{i}] is {parameters[i]} ({net.Architecture}): training needs finite parameters to "
            + $"start from; initialise the network again or load finite ones."), nameof(net));
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

    private static void RequireFits(INetwork net, Dataset data, string name)
    {
        if (data.InputSize != net.InputSize || data.OutputSize != net.OutputSize)
            throw new ArgumentException(
                $"{name} has {data.InputSize} features and {data.OutputSize} outputs per sample, but the network ({net.Architecture}) takes {net.InputSize} and gives {net.OutputSize}.", name);
    }
}
