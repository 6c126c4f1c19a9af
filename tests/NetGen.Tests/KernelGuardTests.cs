using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// Issue 11, hardening: every public entry point of <see cref="Kernels"/> and <see cref="Guard"/> checks its sizes on
/// entry without int overflow and refuses negatives, so that bad sizes end in an <see cref="ArgumentException"/> and
/// never in a read or write outside the spans (before, both repros below ended in an AccessViolationException, which
/// kills the process). Nothing here depends on the intrinsics of the host: the checks come before any strategy.
/// </summary>
public sealed class KernelGuardTests
{
    private const int Big = 65_536, Bigger = 65_537; // Big × Bigger = 2³² + 2¹⁶: as an int product, 65 536

    /// <summary>Floats for a span of rows × columns as the broken checks computed it (an int product, wrapped), at
    /// least 0: what a caller needs to pass to slip through a check that overflows.</summary>
    private static float[] Wrapped(int rows, int columns) => new float[Math.Max(0, unchecked(rows * columns))];

    private static float[] Floats(int n) => new float[Math.Max(0, n)];

    // ---------------------------------------------------------------- the two repros of the issue

    [Fact]
    public void DenseForwardOne_with_65536_by_65537_is_refused_not_read_past_W()
    {
        // x of 65 536 and a of 65 537: W must hold 4 295 032 832 floats, but 65 536·65 537 wraps to 65 536 in int.
        float[] x = new float[Big], w = new float[unchecked(Big * Bigger)], b = new float[Bigger], a = new float[Bigger];
        Assert.Equal(Big, w.Length);
        var e = Assert.Throws<ArgumentException>(() => Kernels.DenseForwardOne(x, w, b, a, new Kernels.IdentityFunction()));
        Assert.Contains("4295032832", e.Message); // W's true size, 65 537 × 65 536
        Assert.Contains($"W has {Big}", e.Message);
        Assert.All(a, v => Assert.Equal(0f, v)); // nothing written
    }

    [Fact]
    public void Softmax_with_a_negative_size_is_refused_not_read_before_Z()
    {
        // m = 2, n = −100 000 000: m·n is negative, so any length passed "≥ m·n"; row 1 then started 400 MB before Z.
        var z = new float[8];
        var a = new float[8];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.Softmax(z, a, 2, -100_000_000));
        Assert.Equal("n", e.ParamName);
        Assert.Contains("negative", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.Softmax(z, a, -2, 4));
        Assert.Equal("m", e.ParamName);
        // Both negative: the product (8) is positive and fits, but a negative size is still a negative size.
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.Softmax(z, a, -2, -4));
        Assert.Equal("m", e.ParamName);
    }

    // ---------------------------------------------------------------- every kernel with sizes

    /// <summary>A public kernel that takes sizes: its name, the names of its sizes, a valid set of sizes, and a call that
    /// allocates spans as a careless caller would (the int products of the sizes, wrapped, at least 0) and runs it.</summary>
    public sealed record SizedKernel(string Name, string[] SizeNames, int[] Valid, Action<int[]> Run)
    {
        public override string ToString() => Name;
    }

    private static readonly Kernels.ReluFunction Relu = new();

    /// <summary>One channel of 256 × 256 and a 1 × 1 kernel (or window): 65 536 floats per sample in and out.</summary>
    private static readonly ConvGeometry BigConv = new(1, 256, 256, 1, 1, 1, 1, 0, 0, 256, 256);

    // The scratch the conv kernels ask for this geometry on this machine (the fast path's, or none for the direct loops).
    private static readonly float[] BigConvScratch = new float[Kernels.Conv2DScratchLength(BigConv, 3)];
    private static readonly PoolGeometry BigPool = new(1, 256, 256, 1, 1, 1, 256, 256);

    /// <summary>Every public kernel of <see cref="Kernels"/> with an int size (or offset) parameter.</summary>
    public static readonly SizedKernel[] Sized =
    [
        new("CrossEntropy", ["m", "n"], [3, 5], s => Kernels.CrossEntropy(Wrapped(s[0], s[1]), Wrapped(s[0], s[1]), s[0], s[1])),
        new("Softmax", ["m", "n"], [3, 5], s => Kernels.Softmax(Wrapped(s[0], s[1]), Wrapped(s[0], s[1]), s[0], s[1])),
        new("SoftmaxBackward", ["m", "n"], [3, 5],
            s => Kernels.SoftmaxBackward(Wrapped(s[0], s[1]), Wrapped(s[0], s[1]), Wrapped(s[0], s[1]), s[0], s[1])),
        new("Transpose", ["rows", "columns"], [3, 5], s => Kernels.Transpose(Wrapped(s[0], s[1]), Wrapped(s[1], s[0]), s[0], s[1])),
        new("CopyMaskToColumns", ["m", "n"], [3, 5],
            s => Kernels.CopyMaskToColumns(Wrapped(s[0], s[1]), 0, Wrapped(s[1], s[0]), s[0], s[1], "keepMasks")),
        new("CopyMask", ["offset", "length"], [2, 5],
            s => Kernels.CopyMask(Floats(Math.Max(0, s[0]) + s[1]), s[0], Floats(s[1]), "keepMasks")),
        new("DenseForward", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseForward(
            Wrapped(s[0], s[1]), Wrapped(s[2], s[1]), Floats(s[2]), Wrapped(s[0], s[2]), s[0], s[1], s[2])),
        new("DenseForward<TActivation>", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseForward(
            Wrapped(s[0], s[1]), Wrapped(s[2], s[1]), Floats(s[2]), Wrapped(s[0], s[2]), s[0], s[1], s[2], Relu)),
        new("DenseForwardColumns", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseForwardColumns(
            Wrapped(s[1], s[0]), Wrapped(s[2], s[1]), Floats(s[2]), Wrapped(s[2], s[0]), s[0], s[1], s[2])),
        new("DenseForwardColumns<TActivation>", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseForwardColumns(
            Wrapped(s[1], s[0]), Wrapped(s[2], s[1]), Floats(s[2]), Wrapped(s[2], s[0]), Wrapped(s[2], s[0]), s[0], s[1], s[2], Relu)),
        new("DenseForwardSoftmax", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseForwardSoftmax(
            Wrapped(s[0], s[1]), Wrapped(s[2], s[1]), Floats(s[2]), Wrapped(s[0], s[2]), s[0], s[1], s[2])),
        new("DenseBackwardInput", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseBackwardInput(
            Wrapped(s[0], s[2]), Wrapped(s[2], s[1]), Wrapped(s[0], s[1]), s[0], s[1], s[2])),
        new("DenseBackwardInputColumns", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseBackwardInputColumns(
            Wrapped(s[2], s[0]), Wrapped(s[2], s[1]), Wrapped(s[1], s[0]), s[0], s[1], s[2])),
        new("DenseBackwardWeights", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseBackwardWeights(
            Wrapped(s[0], s[2]), Wrapped(s[0], s[1]), Wrapped(s[2], s[1]), Floats(s[2]), s[0], s[1], s[2])),
        new("DenseBackwardWeightsColumns", ["m", "nIn", "nOut"], [3, 5, 4], s => Kernels.DenseBackwardWeightsColumns(
            Wrapped(s[2], s[0]), Wrapped(s[1], s[0]), Wrapped(s[2], s[1]), Floats(s[2]), s[0], s[1], s[2])),
        // The conv and pool kernels take their map sizes from a validated geometry (ConvKernelTests checks it); their one
        // size is the sample count. Maps of 256 × 256 = 65 536 floats make samples × map overflow at 65 537 samples.
        new("Conv2DForward", ["samples"], [3], s => Kernels.Conv2DForward(Wrapped(s[0], 65536), Floats(1), Floats(1),
            Wrapped(s[0], 65536), s[0], BigConv, BigConvScratch)),
        new("Conv2DBackwardWeights", ["samples"], [3], s => Kernels.Conv2DBackwardWeights(Wrapped(s[0], 65536),
            Wrapped(s[0], 65536), Floats(1), Floats(1), s[0], BigConv, BigConvScratch)),
        new("Conv2DBackwardInput", ["samples"], [3], s => Kernels.Conv2DBackwardInput(Wrapped(s[0], 65536), Floats(1),
            Wrapped(s[0], 65536), s[0], BigConv, BigConvScratch)),
        new("MaxPoolForward", ["samples"], [3], s => Kernels.MaxPoolForward(Wrapped(s[0], 65536), Wrapped(s[0], 65536), s[0], BigPool)),
        new("MaxPoolBackward", ["samples"], [3], s => Kernels.MaxPoolBackward(Wrapped(s[0], 65536), Wrapped(s[0], 65536),
            Wrapped(s[0], 65536), s[0], BigPool)),
        new("AveragePoolForward", ["samples"], [3], s => Kernels.AveragePoolForward(Wrapped(s[0], 65536), Wrapped(s[0], 65536), s[0], BigPool)),
        new("AveragePoolBackward", ["samples"], [3], s => Kernels.AveragePoolBackward(Wrapped(s[0], 65536), Wrapped(s[0], 65536), s[0], BigPool)),
        new("ChannelsFirst", ["samples", "height", "width", "channels"], [3, 4, 5, 2], s => Kernels.ChannelsFirst(
            Wrapped(s[0], unchecked(s[1] * s[2] * s[3])), Wrapped(s[0], unchecked(s[1] * s[2] * s[3])), s[0], s[1], s[2], s[3])),
        // Its sizes are the lengths of x and a: they cannot be negative, but their product can overflow.
        new("DenseForwardOne<TActivation>", ["nIn", "nOut"], [5, 4], s => Kernels.DenseForwardOne(
            Floats(s[0]), Wrapped(s[1], s[0]), Floats(s[1]), Floats(s[1]), Relu)),
    ];

    public static TheoryData<SizedKernel> SizedCases()
    {
        var data = new TheoryData<SizedKernel>();
        foreach (SizedKernel k in Sized) data.Add(k);
        return data;
    }

    [Theory]
    [MemberData(nameof(SizedCases))]
    public void Valid_sizes_run(SizedKernel kernel) => kernel.Run(kernel.Valid); // the harness itself is right

    [Theory]
    [MemberData(nameof(SizedCases))]
    public void Each_negative_size_is_refused_with_its_name(SizedKernel kernel)
    {
        if (kernel.Name == "DenseForwardOne<TActivation>")
            return; // sizes from span lengths: never negative
        for (int i = 0; i < kernel.SizeNames.Length; i++)
        {
            if (kernel.SizeNames[i] == "length")
                continue; // CopyMask's length is a span's
            foreach (int negative in new[] { -1, -7, int.MinValue })
            {
                int[] sizes = (int[])kernel.Valid.Clone();
                sizes[i] = negative;
                var e = Assert.ThrowsAny<ArgumentException>(() => kernel.Run(sizes));
                Assert.Equal(kernel.SizeNames[i], e.ParamName);
            }
        }
        // Every size negative: products of two negatives are positive and small, and used to pass.
        int[] all = kernel.Valid.Select(v => -v).ToArray();
        if (kernel.Name != "CopyMask")
            Assert.ThrowsAny<ArgumentException>(() => kernel.Run(all));
    }

    [Theory]
    [MemberData(nameof(SizedCases))]
    public void A_product_of_sizes_that_overflows_int_is_refused(SizedKernel kernel)
    {
        if (kernel.Name == "CopyMask")
            return; // no product; its offset + length is tested below
        int n = kernel.SizeNames.Length;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                int[] sizes = Enumerable.Repeat(1, n).ToArray();
                sizes[i] = Big;
                sizes[j] = Bigger;
                Assert.ThrowsAny<ArgumentException>(() => kernel.Run(sizes));
            }
        Assert.ThrowsAny<ArgumentException>(() => kernel.Run(Enumerable.Repeat(Bigger, n).ToArray()));
    }

    [Fact]
    public void CopyMask_offset_plus_length_does_not_wrap()
    {
        var masks = new float[16];
        var d = new float[8];
        // int.MaxValue − 2 + 8 wraps to a negative int, which used to be "≤ 16" (Length − offset wrapped as well).
        var e = Assert.Throws<ArgumentException>(() => Kernels.CopyMask(masks, int.MaxValue - 2, d, "keepMasks"));
        Assert.Contains("16", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.CopyMask(masks, -1, d, "keepMasks"));
        Assert.Throws<ArgumentException>(() => Kernels.CopyMask(masks, 9, d, "keepMasks"));
        masks.AsSpan().Fill(1f);
        Kernels.CopyMask(masks, 8, d, "keepMasks"); // the last 8: fits exactly
        Assert.All(d, v => Assert.Equal(1f, v));
    }

    // ---------------------------------------------------------------- kernels of spans alone

    /// <summary>Every public kernel whose sizes are its spans' lengths, each called with one span too short: refused.
    /// (Softmax-like kernels with sizes are above; these check lengths against each other.)</summary>
    public static readonly (string Name, Action Run)[] ShortSpan =
    [
        ("BinaryCrossEntropy", () => Kernels.BinaryCrossEntropy(new float[16], new float[8])),
        ("Dropout", () => Kernels.Dropout(new float[16], new float[8], 0.5f)),
        ("L1Gradient", () => Kernels.L1Gradient(new float[16], new float[8], 0.1f)),
        ("L2Gradient", () => Kernels.L2Gradient(new float[16], new float[8], 0.1f)),
        ("LeakyRelu", () => Kernels.LeakyRelu(new float[16], new float[8], 0.1f)),
        ("LeakyReluBackward", () => Kernels.LeakyReluBackward(new float[8], new float[16], new float[16], 0.1f)),
        ("MeanSquaredError", () => Kernels.MeanSquaredError(new float[16], new float[8])),
        ("OutputError", () => Kernels.OutputError(new float[16], new float[16], new float[8])),
        ("Relu", () => Kernels.Relu(new float[16], new float[8])),
        ("ReluBackward", () => Kernels.ReluBackward(new float[16], new float[16], new float[8])),
        ("Sigmoid", () => Kernels.Sigmoid(new float[16], new float[8])),
        ("SigmoidBackward", () => Kernels.SigmoidBackward(new float[8], new float[16], new float[16])),
        ("SigmoidBackwardFromZ", () => Kernels.SigmoidBackwardFromZ(new float[16], new float[16], new float[8])),
        ("Tanh", () => Kernels.Tanh(new float[16], new float[8])),
        ("TanhBackward", () => Kernels.TanhBackward(new float[16], new float[16], new float[8])),
        ("TanhBackwardFromZ", () => Kernels.TanhBackwardFromZ(new float[8], new float[16], new float[16])),
    ];

    [Fact]
    public void Every_span_kernel_refuses_a_short_span()
    {
        foreach (var (name, run) in ShortSpan)
        {
            Exception? e = Record.Exception(run);
            Assert.True(e is ArgumentException, $"{name}: expected an ArgumentException, got {e?.GetType().Name ?? "none"}");
        }
    }

    /// <summary>
    /// The lists above cover every public method of <see cref="Kernels"/>: a kernel added later without a case here
    /// fails this test. Methods of one value (Relu(float), …) and of one span (DropoutMask, SumOfSquares, …) have no
    /// size to get wrong; GradientDescent, MomentumStep and AdamStep are the optimiser steps, checked with the training
    /// tests (each compares its spans' lengths too).
    /// </summary>
    [Fact]
    public void The_cases_cover_every_public_kernel()
    {
        var covered = new HashSet<string>(Sized.Select(k => k.Name.Replace("<TActivation>", "")).Concat(ShortSpan.Select(k => k.Name)))
        {
            "Sigmoid", "Tanh", "Relu", "LeakyRelu",      // also as one value
            "DropoutMask", "SumOfMagnitudes", "SumOfSquares", // one span
            "GradientDescent", "MomentumStep", "AdamStep",  // the optimiser steps
            "Conv2DScratchLength",                          // a count of floats, no span (ConvKernelTests)
        };
        string[] missing = typeof(Kernels).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.Name).Distinct().Where(n => !covered.Contains(n)).OrderBy(n => n).ToArray();
        Assert.True(missing.Length == 0, "public kernels without a size case: " + string.Join(", ", missing));
    }

    /// <summary>The register blocks' loads and stores take any start and count, and read or write nothing outside the span
    /// (they return zeros or do nothing instead of throwing, by design: see their docs). The out-of-range paths return
    /// before any AVX-512 instruction, so they hold on every host.</summary>
    [Fact]
    public void InRegisters_load_and_store_stay_inside_the_span()
    {
        float[] s = [1, 2, 3, 4];
        foreach (int start in new[] { -1, int.MinValue, 5, int.MaxValue })
            Assert.Equal(Vector512<float>.Zero, Kernels.InRegisters.Load(s, start, 4));
        Assert.Equal(Vector512<float>.Zero, Kernels.InRegisters.Load(s, 0, -3));
        Assert.Equal(Vector512<float>.Zero, Kernels.InRegisters.Load(s, 0, int.MinValue));
        float[] y = new float[4];
        foreach (int start in new[] { -1, int.MinValue, 4, int.MaxValue })
            Kernels.InRegisters.Store(y, start, Vector512.Create(9f));
        Assert.All(y, v => Assert.Equal(0f, v));
    }

    // ---------------------------------------------------------------- Guard

    [Fact]
    public void Guard_Matrix_refuses_negative_sizes_and_wrapped_products()
    {
        // −3 × −5 = 15 used to match a span of 15 floats.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Matrix(15, -3, -5, "X"));
        Assert.Equal("rows", e.ParamName);
        Assert.Contains("-3 × -5", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Matrix(0, 0, -1, "X"));
        // 65 536 × 65 537 wraps to 65 536 in int; the product is taken in 64 bits.
        var w = Assert.Throws<ArgumentException>(() => Guard.Matrix(Big, Big, Bigger, "X"));
        Assert.Contains("4295032832", w.Message);
        Assert.Throws<ArgumentException>(() => Guard.Batch(Big, 1, Big, Bigger, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Batch(0, 0, -1, 1, 1));
        Guard.Matrix(15, 3, 5, "X"); // the right size passes
        Guard.Batch(15, 3, 3, 5, 1);
        Assert.Throws<ArgumentException>(() => Guard.Length(3, 4, "x", "InputSize"));
    }
}
