using System;
using System.Threading;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// <see cref="Augmentation.Apply"/> on every core (issue 15): for each step kind and for a pipeline of all of them, the
/// images and the final <see cref="Rng"/> state are the same bits at 1, 2, 3 and every core, with m not a multiple of
/// the shard count; the gate keeps a few small images on the calling thread; a split call allocates nothing after
/// warm-up; two threads may share one instance.
/// </summary>
[Collection(ParallelismCollection.Name)]
public sealed class AugmentationParallelTests
{
    // Odd sizes: 9·7·3 = 189 floats, so the Gaussian noise ends on a lone value (its own NextGaussian).
    private const int H = 9, W = 7, C = 3, Size = H * W * C;
    private const int M = 37; // prime: not a multiple of 2, 3 or (but on a 37-core machine) the processor count

    private static int[] Threads => new[] { 1, 2, 3, Environment.ProcessorCount };

    /// <summary>Runs <paramref name="body"/> with the knob at <paramref name="threads"/> and the least shard work at
    /// <paramref name="minShardWork"/>, then puts both back.</summary>
    private static T With<T>(int threads, long minShardWork, Func<T> body)
    {
        int before = Parallelism.MaxDegreeOfParallelism;
        long work = Augmentation.MinShardWork;
        try
        {
            Parallelism.MaxDegreeOfParallelism = threads;
            Augmentation.MinShardWork = minShardWork;
            return body();
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = before;
            Augmentation.MinShardWork = work;
        }
    }

    private static float[] Random(int m, int size, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[m * size];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle();
        return x;
    }

    /// <summary>The pipeline of one step kind (probabilities below 1, so the deciding draws are made too).</summary>
    private static Augmentation Pipeline(string kind, int h = H, int w = W, int c = C)
    {
        var a = new Augmentation(h, w, c);
        return kind switch
        {
            "flipH" => a.FlipHorizontal(0.5),
            "flipV" => a.FlipVertical(0.5),
            "crop" => a.RandomCrop(2, 0.7),
            "rotate" => a.Rotate(30, 0.6),
            "scale" => a.Scale(0.7, 1.3, 0.6),
            "translate" => a.Translate(0.3, 0.6),
            "brightness" => a.Brightness(0.2, 0.5),
            "contrast" => a.Contrast(0.6, 1.4, 0.5),
            "noise" => a.GaussianNoise(0.01, 0.1, 0.5),
            "jitter" => a.ColorJitter(0.2, 0.5),
            "clamp" => a.Brightness(0.5, 1.0).Clamp(0.1f, 0.9f),
            "all" => a.FlipHorizontal().FlipVertical(0.3).RandomCrop(2).Rotate(20).Scale(0.8, 1.2).Translate(0.2)
                .Brightness(0.2).Contrast(0.7, 1.3).GaussianNoise(0, 0.05, 0.5).ColorJitter(0.1).Clamp(0, 1),
            _ => throw new ArgumentException(kind, nameof(kind)),
        };
    }

    /// <summary>The README's pipeline (README.md, "Images and data augmentation") on cats-sized images.</summary>
    private static Augmentation Readme() => new Augmentation(64, 64, 3)
        .FlipHorizontal(0.5).RandomCrop(padding: 4).Rotate(maxDegrees: 10).Scale(0.9, 1.1)
        .Translate(maxFraction: 0.1).Brightness(0.1).Contrast(0.8, 1.2).ColorJitter(0.1)
        .GaussianNoise(mean: 0, deviation: 0.02).Clamp(0, 1);

    private static (float[] Images, Rng After) Run(Augmentation a, float[] source, int m, ulong seed)
    {
        var destination = new float[source.Length];
        var rng = new Rng(seed);
        a.Apply(source, destination, m, ref rng);
        return (destination, rng);
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: float {i} (image {i / Size}) is {actual[i]:R}, expected {expected[i]:R}");
    }

    private static void AssertSameState(Rng expected, Rng actual, string what)
    {
        Assert.True(expected.Equals(actual), $"{what}: the Rng state after the call differs");
        Assert.Equal(expected.NextUInt64(), actual.NextUInt64()); // and so do the draws that follow
    }

    [Theory]
    [InlineData("flipH")]
    [InlineData("flipV")]
    [InlineData("crop")]
    [InlineData("rotate")]
    [InlineData("scale")]
    [InlineData("translate")]
    [InlineData("brightness")]
    [InlineData("contrast")]
    [InlineData("noise")]
    [InlineData("jitter")]
    [InlineData("clamp")]
    [InlineData("all")]
    public void Every_core_gives_the_bits_and_the_final_state_of_one(string kind)
    {
        Augmentation a = Pipeline(kind);
        float[] source = Random(M, Size, 11);
        // The plain loop: one shard, on the calling thread.
        var (expected, expectedRng) = With(1, 1, () => Run(a, source, M, 2026));
        var untouched = new Rng(2026);
        Assert.False(untouched.Equals(expectedRng), "the pipeline draws");
        foreach (int threads in Threads)
        {
            var (images, after) = With(threads, 1, () =>
            {
                // The shard count is what was asked (not a quiet fallback to one shard).
                Assert.Equal(Math.Min(threads, M), a.Plan(M, Parallelism.MaxDegreeOfParallelism));
                return Run(a, source, M, 2026);
            });
            AssertSameBits(expected, images, $"{kind} at {threads} threads");
            AssertSameState(expectedRng, after, $"{kind} at {threads} threads");
        }
    }

    private static ulong Fnv1a(float[] x)
    {
        ulong hash = 14695981039346656037UL;
        foreach (float v in x)
        {
            hash ^= (uint)BitConverter.SingleToInt32Bits(v);
            hash *= 1099511628211UL;
        }
        return hash;
    }

    [Fact]
    public void Every_core_gives_the_bits_of_the_loop_before_the_split()
    {
        // Recorded with Augmentation.cs as it was before the split (commit 2b62c93, one image after another), in an
        // AVX-512 process and again with AVX-512, AVX or every intrinsic off (the same bits: no step here sums across
        // vector lanes; Contrast's mean does, so it is left out): FNV-1a over the images' bits, and the next draw.
        Augmentation a = new Augmentation(H, W, C).FlipHorizontal().FlipVertical(0.3).RandomCrop(2).Rotate(20)
            .Scale(0.8, 1.2).Translate(0.2).Brightness(0.2).GaussianNoise(0, 0.05, 0.5).ColorJitter(0.1).Clamp(0, 1);
        float[] source = Random(M, Size, 11);
        foreach (int threads in Threads)
        {
            var (images, after) = With(threads, 1, () => Run(a, source, M, 2026));
            Assert.Equal(0x1D6FF43166AA50CBUL, Fnv1a(images));
            Assert.Equal(0x0DC95AC7F1AE2DF5UL, after.NextUInt64());
        }
    }

    [Fact]
    public void The_readme_pipeline_on_cats_sized_images_splits_by_its_own_work_with_the_same_bits()
    {
        Augmentation a = Readme();
        const int m = 21; // odd: shards of 10 and 11 at two threads
        float[] source = Random(m, a.ImageSize, 12);
        Assert.Equal(2, With(2, Augmentation.MinWork, () => a.Plan(m, 2))); // the real gate, not the test hook
        var (expected, expectedRng) = With(1, Augmentation.MinWork, () => Run(a, source, m, 7));
        foreach (int threads in Threads)
        {
            var (images, after) = With(threads, Augmentation.MinWork, () => Run(a, source, m, 7));
            AssertSameBits(expected, images, $"README pipeline at {threads} threads");
            AssertSameState(expectedRng, after, $"README pipeline at {threads} threads");
        }
    }

    [Fact]
    public void A_few_small_images_stay_on_the_calling_thread()
    {
        // 9·7·3 images with a flip: ⌈189·(1 + 15·0.5)⌉ = 1 607 units each; 37 of them are 59 459, far below one
        // shard's 2¹⁹.
        Augmentation flip = Pipeline("flipH");
        Assert.Equal(1607, flip.WorkPerImage());
        Assert.Equal(1, flip.Plan(M, 64));
        // The README's pipeline on one cats image: 186 · 12 288 ≈ 2.3 · 10⁶ units, worth a shard alone, but one image
        // is one shard.
        Assert.Equal(1, Readme().Plan(1, 64));
        // 209 cats images (the cats training set) on 2 cores: two shards; on 64: one image each is still worth it.
        Assert.Equal(2, Readme().Plan(209, 2));
        Assert.Equal(64, Readme().Plan(209, 64));
        Assert.Equal(Augmentation.MaxShards, Readme().Plan(10_000, 100_000));
    }

    [Fact]
    public void In_place_on_three_cores_gives_the_bits_of_a_separate_destination()
    {
        Augmentation a = Pipeline("all");
        float[] source = Random(M, Size, 13);
        var (expected, expectedRng) = With(1, 1, () => Run(a, source, M, 5));
        float[] inPlace = (float[])source.Clone();
        Rng rng = With(3, 1, () =>
        {
            var r = new Rng(5);
            a.Apply(inPlace, inPlace, M, ref r);
            return r;
        });
        AssertSameBits(expected, inPlace, "in place at 3 threads");
        AssertSameState(expectedRng, rng, "in place at 3 threads");
    }

    [Fact]
    public void A_split_call_allocates_nothing_after_warm_up()
    {
        Augmentation a = Pipeline("all");
        float[] source = Random(M, Size, 14);
        var destination = new float[source.Length];
        With(2, 1, () =>
        {
            Assert.Equal(2, a.Plan(M, 2));
            var rng = new Rng(1);
            for (int i = 0; i < 20; i++) a.Apply(source, destination, M, ref rng); // the workers' scratch, once
            const int calls = 500;
            // This thread's bytes: exactly none.
            Assert.Equal(0, Allocations.LeastOfThree(() =>
            {
                for (int i = 0; i < calls; i++) a.Apply(source, destination, M, ref rng);
            }));
            // Every thread's bytes (a worker's scratch would show here, not on this thread). The process allocates a few
            // hundred bytes of its own meanwhile (the test runner's messages, the JIT's tiering), so the bound is one
            // object per call: the smallest object is 24 B, so an allocation per call would show as ≥ 12 000 B.
            long least = long.MaxValue;
            for (int attempt = 0; attempt < 3 && least > 0; attempt++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < calls; i++) a.Apply(source, destination, M, ref rng);
                least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            Assert.True(least < 24 * calls, $"{least} B over {calls} split calls: an allocation per call");
            return 0;
        });
    }

    [Fact]
    public void Two_threads_may_share_one_instance()
    {
        Augmentation a = Pipeline("all");
        float[] source = Random(M, Size, 15);
        var (expected1, after1) = With(1, 1, () => Run(a, source, M, 1));
        var (expected2, after2) = With(1, 1, () => Run(a, source, M, 2));
        With(2, 1, () =>
        {
            var failures = new string?[2];
            var threads = new Thread[2];
            for (int t = 0; t < 2; t++)
            {
                int index = t;
                threads[t] = new Thread(() =>
                {
                    for (int repeat = 0; repeat < 200; repeat++)
                    {
                        var (images, after) = Run(a, source, M, (ulong)index + 1);
                        float[] expected = index == 0 ? expected1 : expected2;
                        Rng expectedAfter = index == 0 ? after1 : after2;
                        if (!after.Equals(expectedAfter) || !images.AsSpan().SequenceEqual(expected))
                        {
                            failures[index] = $"thread {index}, repeat {repeat}: another batch";
                            return;
                        }
                    }
                });
                threads[t].Start();
            }
            foreach (var thread in threads) thread.Join();
            Assert.Null(failures[0]);
            Assert.Null(failures[1]);
            return 0;
        });
    }
}
