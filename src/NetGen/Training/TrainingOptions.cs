using System;
using System.Globalization;

namespace NetGen;

/// <summary>How <see cref="Trainer.Fit"/> updates the parameters from their gradients.</summary>
public enum Optimizer
{
    /// <summary>θ ← θ − α·dθ.</summary>
    GradientDescent = 0,
    /// <summary>v ← β·v + (1 − β)·dθ; θ ← θ − α·v (the notes' exponentially weighted average of the gradients).</summary>
    Momentum = 1,
    /// <summary>m ← β₁·m + (1 − β₁)·dθ; v ← β₂·v + (1 − β₂)·dθ²; θ ← θ − α·m̂ / (√v̂ + ε) with the bias corrections
    /// m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).</summary>
    Adam = 2,
}

/// <summary>Stop when the dev cost has not improved by more than <paramref name="MinDelta"/> for
/// <paramref name="Patience"/> epochs in a row, and put back the parameters of the best epoch.</summary>
/// <param name="Patience">Epochs without improvement before stopping (at least 1).</param>
/// <param name="MinDelta">The least decrease of the dev cost that counts as an improvement (at least 0).</param>
public sealed record EarlyStopping(int Patience, double MinDelta = 0);

/// <summary>What <see cref="Trainer.Fit"/> reports after each epoch.</summary>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="Epochs">The most epochs this run will train.</param>
/// <param name="TrainCost">J on the whole training set after the epoch (penalties included, no dropout).</param>
/// <param name="DevCost">J on the dev set after the epoch, or null without a dev set.</param>
/// <param name="IsBest">True when this epoch has the best dev cost so far.</param>
public readonly record struct EpochReport(int Epoch, int Epochs, double TrainCost, double? DevCost, bool IsBest);

/// <summary>The settings of one training run.</summary>
public sealed class TrainingOptions
{
    /// <summary>Passes over the training set (at least 1).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Samples per step; 0 means the whole training set (full-batch gradient descent).</summary>
    public int BatchSize { get; init; }

    /// <summary>α, the step size.</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>The update rule.</summary>
    public Optimizer Optimizer { get; init; } = Optimizer.GradientDescent;

    /// <summary>β (Momentum) or β₁ (Adam).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>β₂ (Adam).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>ε (Adam).</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>Stop on the dev cost and restore the best parameters; needs a dev set.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Shuffle the training samples before each epoch (mini-batches only).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed of the shuffles: the same seed gives the same run.</summary>
    public ulong ShuffleSeed { get; init; } = 1;

    /// <summary>Told about every epoch as it ends (e.g. a progress bar).</summary>
    public IProgress<EpochReport>? Progress { get; init; }

    /// <summary>Data augmentation applied afresh to every training batch (never to the data set itself, never to the dev
    /// set); its image size must be the network's <see cref="INetwork.InputSize"/>.</summary>
    public Augmentation? Augment { get; init; }

    /// <summary>Throws, naming the option, what it must be and what it is, before anything trains.</summary>
    internal void Validate()
    {
        if (Epochs < 1)
            throw Invalid(nameof(Epochs), Epochs, "at least 1 (the passes over the training set)");
        if (BatchSize < 0)
            throw Invalid(nameof(BatchSize), BatchSize, "0 (the whole training set) or a positive number of samples");
        if (!(LearningRate > 0f) || !float.IsFinite(LearningRate))
            throw Invalid(nameof(LearningRate), LearningRate, "a finite step size > 0, such as 0.01");
        if (!(Beta1 >= 0f && Beta1 < 1f))
            throw Invalid(nameof(Beta1), Beta1, "in [0, 1), such as 0.9");
        if (!(Beta2 >= 0f && Beta2 < 1f))
            throw Invalid(nameof(Beta2), Beta2, "in [0, 1), such as 0.999");
        if (!(Epsilon > 0f) || !float.IsFinite(Epsilon))
            throw Invalid(nameof(Epsilon), Epsilon, "finite and > 0, such as 1e-8");
        if (!Enum.IsDefined(Optimizer))
            throw Invalid(nameof(Optimizer), Optimizer, "GradientDescent, Momentum or Adam");
        if (EarlyStopping is { } stopping)
        {
            if (stopping.Patience < 1)
                throw Invalid(nameof(EarlyStopping), stopping.Patience, "at least 1 (epochs without improvement)", ".Patience");
            if (!(stopping.MinDelta >= 0) || !double.IsFinite(stopping.MinDelta))
                throw Invalid(nameof(EarlyStopping), stopping.MinDelta, "finite and ≥ 0", ".MinDelta");
        }
    }

    private static ArgumentOutOfRangeException Invalid(string option, object value, string expected, string member = "")
        => new(option, value, string.Create(CultureInfo.InvariantCulture,
            $"TrainingOptions.{option}{member} must be {expected}, but is {value}."));
}
