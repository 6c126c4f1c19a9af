using System.Collections.Generic;

namespace NetGen;

/// <summary>What happened in a <see cref="Trainer.Fit"/> run, epoch by epoch.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(int epochs)
    {
        TrainCostList = new List<double>(epochs);
        DevCostList = new List<double>(epochs);
    }

    internal List<double> TrainCostList { get; }

    internal List<double> DevCostList { get; }

    /// <summary>J on the whole training set after each epoch (penalties included, no dropout).</summary>
    public IReadOnlyList<double> TrainCost => TrainCostList;

    /// <summary>J on the dev set after each epoch; empty without a dev set.</summary>
    public IReadOnlyList<double> DevCost => DevCostList;

    /// <summary>The epoch (from 1) with the lowest dev cost, or the last epoch without a dev set.</summary>
    public int BestEpoch { get; internal set; }

    /// <summary>True when early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The epochs actually trained.</summary>
    public int Epochs => TrainCostList.Count;
}
