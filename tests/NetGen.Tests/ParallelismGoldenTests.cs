using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests;

/// <summary>The tests that set <see cref="Parallelism.MaxDegreeOfParallelism"/>, a global: one collection, run
/// alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ParallelismCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Parallelism (sets the global knob)";

    /// <summary>The thread counts the published-result tests run at: 1 and every core.</summary>
    public static int[] Counts => System.Environment.ProcessorCount > 1
        ? new[] { 1, System.Environment.ProcessorCount }
        : new[] { 1 };

    /// <summary><see cref="Counts"/> as theory data.</summary>
    public static TheoryData<int> ThreadCounts()
    {
        var data = new TheoryData<int>();
        foreach (int threads in Counts) data.Add(threads);
        return data;
    }

    /// <summary>Runs <paramref name="body"/> with <see cref="Parallelism.MaxDegreeOfParallelism"/> at
    /// <paramref name="threads"/>, then puts the knob back.</summary>
    public static T With<T>(int threads, System.Func<T> body)
    {
        int before = Parallelism.MaxDegreeOfParallelism;
        try
        {
            Parallelism.MaxDegreeOfParallelism = threads;
            return body();
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = before;
        }
    }
}

/// <summary>
/// MaxDegreeOfParallelism = 1 is the plain single-thread path of before issue 15, bit for bit: 20 training steps of
/// three networks (columns, rows and conv layouts, each with dropout and penalties) give the parameters and costs that
/// main gave before the batch was split (commit bcc7954, the same test run there: the checksums below are its output;
/// re-recorded at 02a3a11, the branch that fused g′ into the products and moved the costs to float, without
/// the split).
/// The penalties' gradients now come after the backward pass instead of inside each layer's: the same float operations.
/// </summary>
[Collection(ParallelismCollection.Name)]
public sealed class ParallelismGoldenTests(ITestOutputHelper output)
{
    // Recorded with AVX-512 (the kernels' widest path; other widths sum in another order and give other bits). A
    // kernel change that alters the float operations of the single-thread path changes these too: re-record them
    // from that change's parent, never from the parallel code itself.
    [Avx512Theory]
    [InlineData("columns", 0x17E87E65DD0C848DUL, 0x4F9370420C06A8E2UL)]
    [InlineData("rows", 0x5C51DF0C5F80E819UL, 0xB7B34F42D46390FDUL)]
    [InlineData("conv", 0x97E25A3728FA9B7CUL, 0x4FD609FAD8996202UL)]
    public void One_thread_trains_bit_for_bit_as_before(string kind, ulong parameters, ulong costs)
    {
        int before = Parallelism.MaxDegreeOfParallelism;
        try
        {
            Parallelism.MaxDegreeOfParallelism = 1;
            (INetwork net, int m) = kind switch
            {
                "columns" => ((INetwork)new ParColumnsNet(), 4096),
                "rows" => (new ParRowsNet(), 512),
                _ => (new ParConvNet(), 1024),
            };
            (ulong p, ulong c) = ParallelData.Train(net, m, steps: 20, learningRate: 0.05f);
            output.WriteLine($"{kind}: parameters 0x{p:X16}UL, costs 0x{c:X16}UL");
            Assert.Equal(parameters, p);
            Assert.Equal(costs, c);
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = before;
        }
    }
}
