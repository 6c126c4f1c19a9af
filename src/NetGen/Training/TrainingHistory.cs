using System.Collections.Generic;

namespace NetGen;

/// <summary>What happened in a <see cref="Trainer.Fit"/> run, epoch by epoch.</summary>
public sealed class TrainingHistory
{
    /// <param name="capacity">The lists' first capacity; they grow with the epochs actually run.</param>
    internal TrainingHistory(int capacity)
    {
        TrainCostList = new List<double>(capacity);
        DevCostList = new List<double>(capacity);
    }

    internal List<double> TrainCostList { get; }

    internal List<double> DevCostList { get; }

    /// <summary>J on the whole training set after each epoch (penalties included, no dropout).</summary>
    public IReadOnlyList<double> TrainCost => TrainCostList;

    /// <summary>J on the dev set after each epoch; empty without a dev set. A NaN or ∞ here never counts as the best.</summary>
    public IReadOnlyList<double> DevCost => DevCostList;

    /// <summary>
    /// The epoch (from 1) with the lowest finite dev cost, or the last epoch without a dev set or without a finite dev
    /// cost: ≥ 1 whenever an epoch ran. With early stopping, and after a <see cref="TrainingDivergedException"/>, it is the
    /// epoch whose parameters the network has; 0 only in a diverged run's history when no epoch had finished.
    /// </summary>
    public int BestEpoch { get; internal set; }

    /// <summary>True when early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The epochs actually trained.</summary>
    public int Epochs => TrainCostList.Count;
}
