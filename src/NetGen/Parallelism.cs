using System;
using System.Threading;

namespace NetGen;

/// <summary>How many cores NetGen's batch work may use: <c>PredictBatch</c>, <c>Cost</c>, <c>ComputeGradients</c>,
/// <c>TrainStep</c> (and so <see cref="Trainer.Fit"/>) and a frozen network's <c>PredictBatch</c> split a large batch
/// into shards of samples, one per core, and reduce the gradients in a fixed order.</summary>
/// <remarks>
/// <para>A batch too small to gain is never split, so a small batch runs as on one thread. For a given number of
/// shards the results are the same on every run; a different <see cref="MaxDegreeOfParallelism"/> may change the
/// last bits of the gradients (a sum in another order), never their meaning.</para>
/// <para>The setting is global to the process and read at the start of each call.</para>
/// </remarks>
public static class Parallelism
{
    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>The most cores a call may use: by default <see cref="Environment.ProcessorCount"/>; 1 gives the plain
    /// single-thread path.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1; the setting is unchanged.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref s_maxDegreeOfParallelism);
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    "MaxDegreeOfParallelism must be at least 1 (1 runs every call on the calling thread); it is "
                    + $"unchanged at {MaxDegreeOfParallelism}.");
            Volatile.Write(ref s_maxDegreeOfParallelism, value);
        }
    }
}
