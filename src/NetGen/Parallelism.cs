using System;
using System.Threading;

namespace NetGen;

/// <summary>How many cores NetGen's batch work may use: <c>PredictBatch</c>, <c>Cost</c>, <c>ComputeGradients</c>,
/// <c>TrainStep</c> (and so <see cref="Trainer.Fit"/>) and a frozen network's <c>PredictBatch</c> split a large batch
/// into shards of samples, one per core, and reduce the gradients in a fixed order.</summary>
/// <remarks>
/// <para>A batch of m samples runs as S = min(<see cref="MaxDegreeOfParallelism"/>, m / 32, m·w / 2²⁰) contiguous
/// shards, w being the multiply-adds of one sample's forward pass (each generated network knows its own): a batch too
/// small to gain is never split and runs the plain single-thread code. Each shard runs that same code over its own
/// samples, in its own part of the batch workspace, on persistent background workers (created on first use; the calling
/// thread runs a shard too); nothing is allocated per call.</para>
/// <para>The partition depends only on m, w and this setting, never on which cores are free, and the shards' gradients
/// are reduced in the fixed order of the shards, so for a given number of shards the results are the same on every run
/// (dropout masks too: they are drawn before the split, shard by shard). A different
/// <see cref="MaxDegreeOfParallelism"/> may change the last bits of the gradients (a sum in another order), never their
/// meaning.</para>
/// <para><see cref="Augmentation.Apply"/> splits a large batch of images the same way, with the same images and final
/// <see cref="Rng"/> state for any setting.</para>
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
