using System;

namespace NetGen;

/// <summary>
/// Thrown by <see cref="Trainer.Fit"/> when the training cost stops being a finite number (NaN or ∞): the run diverged.
/// Before it is thrown the network gets back the parameters of the best finite epoch (the lowest dev cost when there is
/// a dev set, else the last finished epoch), or the parameters it was given when no epoch finished: every parameter is
/// finite afterwards, and <see cref="TrainingHistory.BestEpoch"/> of <see cref="History"/> says which epoch they are.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    internal TrainingDivergedException(int epoch, int step, double cost, TrainingHistory history, string message)
        : base(message)
    {
        Epoch = epoch;
        Step = step;
        Cost = cost;
        History = history;
    }

    /// <summary>The epoch (from 1) in which the cost was first not finite.</summary>
    public int Epoch { get; }

    /// <summary>The step (from 1, counted over the whole run like Adam's t) whose training cost was first not finite;
    /// when it was the cost of the whole training set at the end of <see cref="Epoch"/>, that epoch's last step.</summary>
    public int Step { get; }

    /// <summary>The cost found: NaN or ∞; finite only in the rare run where a parameter became NaN or ∞ while the cost
    /// of the training set stayed finite (the message names the parameter).</summary>
    public double Cost { get; }

    /// <summary>
    /// The run up to the last finished epoch: its costs, and as <see cref="TrainingHistory.BestEpoch"/> the epoch whose
    /// parameters were put back (0 when no epoch had finished and the network has the parameters it was given).
    /// </summary>
    public TrainingHistory History { get; }
}
