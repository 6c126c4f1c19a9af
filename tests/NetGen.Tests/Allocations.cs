using System;

namespace NetGen.Tests;

/// <summary>How the allocation tests measure.</summary>
internal static class Allocations
{
    /// <summary>
    /// Bytes allocated on this thread by <paramref name="run"/>: the least of three runs (stopping at 0). Code that
    /// allocates on every call shows in every run; the runtime's own one-off work on this thread (a method tiered up
    /// late, as happens in a full parallel run or with intrinsics off) shows in one at most, and is not what is measured.
    /// </summary>
    public static long LeastOfThree(Action run) => Least(run, 3);

    /// <summary>Bytes allocated on this thread by <paramref name="run"/>: the least of <paramref name="attempts"/> runs
    /// (stopping at 0), for runs long enough that a loaded machine often puts a one-off of the runtime in three.</summary>
    public static long Least(Action run, int attempts)
    {
        long least = long.MaxValue;
        for (int attempt = 0; attempt < attempts && least > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            run();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
