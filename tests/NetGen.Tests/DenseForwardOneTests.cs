using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The one-sample fused kernel a = g(W·x + b) — packed rows (1, 2, 4, 8 inputs), groups of 16 full rows, groups of four
/// rows with masked loads (fewer than 16 inputs) or a masked last vector, every group tail — against a double-precision
/// product written here; and the activation structs (with the exponential they share) against System.Math.
/// </summary>
public class DenseForwardOneTests
{
    public static IEnumerable<object[]> Shapes()
    {
        foreach (int nIn in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 20, 31, 32, 33, 64, 100, 256 })
            foreach (int nOut in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 31, 32, 33, 64 })
                yield return new object[] { nIn, nOut };
    }


    /// <summary>
    /// |actual − g(sum)| ≤ 8·2⁻²⁴·(1 + Σ|terms|) + 4 ulps of the result + 3e−7 for σ and tanh: a few roundings of the
    /// partial sums (never more than Σ|terms|), carried through a 1-Lipschitz g, plus the vector g's own error (its
    /// exponential is within 2 ulp; tanh as −e/(e + 2) with e = e^(−2|z|) − 1 loses a little near 0, as TensorPrimitives'
    /// does). A wrong row, lane order, bias or activation misses this by orders of magnitude.
    /// </summary>
    private static void Close(double expected, double magnitude, float actual, double activationError, string what)
    {
        double tolerance = 8 * Math.Pow(2, -24) * (1 + magnitude) + 4 * Math.Pow(2, -23) * Math.Abs(expected) + activationError;
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: {actual} vs {expected} (tolerance {tolerance:E2})");
    }

    private static void Check<TActivation>(int nIn, int nOut, TActivation g, Func<double, double> reference, double activationError, float scale = 1f)
        where TActivation : struct, IActivationFunction
    {
        float[] x = TestData.Uniform(nIn, (ulong)(nIn * 1000 + nOut));
        float[] w = TestData.Uniform(nIn * nOut, (ulong)(nIn * 7 + nOut * 13 + 1));
        float[] b = TestData.Uniform(nOut, (ulong)(nOut + 99));
        for (int i = 0; i < x.Length; i++) x[i] *= scale;
        // The output sits between sentinels: the kernel writes exactly nOut floats.
        var buffer = new float[nOut + 2];
        buffer.AsSpan().Fill(float.NaN);
        buffer[0] = -777f;
        buffer[^1] = 12345f;
        Kernels.DenseForwardOne(x, w, b, buffer.AsSpan(1, nOut), g);
        Assert.Equal(-777f, buffer[0]);
        Assert.Equal(12345f, buffer[^1]);
        for (int j = 0; j < nOut; j++)
        {
            double sum = b[j], magnitude = Math.Abs(b[j]);
            for (int k = 0; k < nIn; k++)
            {
                double term = (double)w[j * nIn + k] * x[k];
                sum += term;
                magnitude += Math.Abs(term);
            }
            Close(reference(sum), magnitude, buffer[1 + j], activationError, $"{typeof(TActivation).Name} {nIn}→{nOut}, unit {j}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Identity_and_relu_equal_the_double_product(int nIn, int nOut)
    {
        Check(nIn, nOut, new Kernels.IdentityFunction(), z => z, 0);
        Check(nIn, nOut, new Kernels.ReluFunction(), z => Math.Max(0, z), 0);
        Check(nIn, nOut, new Kernels.LeakyReluFunction(0.1f), z => z > 0 ? z : 0.1 * z, 0);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sigmoid_and_tanh_equal_the_double_product(int nIn, int nOut)
    {
        Check(nIn, nOut, new Kernels.SigmoidFunction(), z => 1 / (1 + Math.Exp(-z)), 3e-7);
        Check(nIn, nOut, new Kernels.TanhFunction(), Math.Tanh, 3e-7);
        // Large inputs: both saturate, nothing overflows into NaN.
        Check(nIn, nOut, new Kernels.SigmoidFunction(), z => 1 / (1 + Math.Exp(-z)), 3e-7, scale: 200f);
        Check(nIn, nOut, new Kernels.TanhFunction(), Math.Tanh, 3e-7, scale: 200f);
    }

    /// <summary>Wide layers whose W is read row after row (Kernels.StreamsRows): rows on and off a multiple of 16
    /// floats, every group tail, and W and x at each of the 16 offsets within a cache line (the strategy aligns its loads
    /// to the line each row starts in and masks the first and last vector). NaN on both sides of W and x: a lane read
    /// past either would turn a sum into NaN.</summary>
    public static IEnumerable<object[]> StreamedShapes()
    {
        foreach (var (nIn, nOut) in new[] { (256, 128), (257, 129), (270, 135), (271, 143), (784, 128), (785, 42), (1000, 33), (300, 110), (8192, 4) })
            yield return new object[] { nIn, nOut };
    }

    [Theory]
    [MemberData(nameof(StreamedShapes))]
    public void Streamed_rows_equal_the_double_product_at_every_alignment(int nIn, int nOut)
    {
        Assert.True(Kernels.StreamsRows(nIn, nOut), $"{nIn} → {nOut} should take the streamed strategy");
        float[] x = TestData.Uniform(nIn, (ulong)nIn);
        float[] w = TestData.Uniform(nIn * nOut, (ulong)(nIn + nOut));
        float[] b = TestData.Uniform(nOut, (ulong)nOut);
        var wPlaced = new float[nIn * nOut + 32];
        var xPlaced = new float[nIn + 32];
        for (int shift = 0; shift < 16; shift++)
        {
            int xShift = (shift * 7 + 3) % 16;
            wPlaced.AsSpan().Fill(float.NaN);
            xPlaced.AsSpan().Fill(float.NaN);
            w.CopyTo(wPlaced.AsSpan(shift));
            x.CopyTo(xPlaced.AsSpan(xShift));
            var a = new float[nOut + 1];
            a[nOut] = 12345f;
            Kernels.DenseForwardOne(xPlaced.AsSpan(xShift, nIn), wPlaced.AsSpan(shift, nIn * nOut), b, a.AsSpan(0, nOut), new Kernels.ReluFunction());
            Assert.Equal(12345f, a[nOut]);
            for (int j = 0; j < nOut; j++)
            {
                double sum = b[j], magnitude = Math.Abs(b[j]);
                for (int k = 0; k < nIn; k++)
                {
                    double term = (double)w[j * nIn + k] * x[k];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                Close(Math.Max(0, sum), magnitude, a[j], 0, $"{nIn}→{nOut}, W shifted {shift}, x shifted {xShift}, unit {j}");
            }
        }
    }

    [Theory]
    [InlineData(255, 256)]    // rows too short
    [InlineData(8193, 4)]     // x too long for the stack copy
    [InlineData(256, 127)]    // W under 128 KB
    public void Other_wide_layers_keep_the_rows_side_by_side_and_equal_the_double_product(int nIn, int nOut)
    {
        Assert.False(Kernels.StreamsRows(nIn, nOut));
        Check(nIn, nOut, new Kernels.IdentityFunction(), z => z, 0);
    }

    [Fact]
    public void A_wrong_shape_names_both_and_writes_nothing()
    {
        float[] x = new float[3], w = new float[3 * 4], b = new float[4], a = { 1, 2, 3, 4 };
        var e = Assert.Throws<ArgumentException>(() => Kernels.DenseForwardOne(x, w.AsSpan(1), b, a, new Kernels.IdentityFunction()));
        Assert.Contains("4 × 3 = 12", e.Message);
        Assert.Contains("W has 11", e.Message);
        Assert.Throws<ArgumentException>(() => Kernels.DenseForwardOne(x, w, b.AsSpan(1), a, new Kernels.IdentityFunction()));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, a);
    }

    /// <summary>Every activation struct's 16-lane g against its one-value g and against double precision, over a sweep
    /// from −100 to 100 (past every saturation and the exponential's clamps) and at ±0, ±∞ and NaN — with AVX-512, and
    /// in the restricted test runs with Vector512 emulated (a public struct must not throw there).</summary>
    [Fact]
    public void Vector_activations_equal_the_exact_ones()
    {
        var sweep = new List<float> { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f, 88.5f, -88.5f, 87.5f, -87.5f };
        for (double v = -100; v <= 100; v += 0.0137) sweep.Add((float)v);
        var lanes = new float[16];
        for (int start = 0; start < sweep.Count; start += 16)
        {
            for (int i = 0; i < 16; i++) lanes[i] = sweep[Math.Min(start + i, sweep.Count - 1)];
            var z = Vector512.Create(lanes);
            Vector512<float> sigmoid = new Kernels.SigmoidFunction().Apply(z), tanh = new Kernels.TanhFunction().Apply(z);
            Vector512<float> relu = new Kernels.ReluFunction().Apply(z), leaky = new Kernels.LeakyReluFunction(0.2f).Apply(z);
            for (int i = 0; i < 16; i++)
            {
                double v = lanes[i];
                Assert.True(Math.Abs(sigmoid[i] - 1 / (1 + Math.Exp(-v))) <= 1.5e-7, $"σ({v}) = {sigmoid[i]}");
                Assert.True(Math.Abs(tanh[i] - Math.Tanh(v)) <= 3e-7, $"tanh({v}) = {tanh[i]}");
                Assert.Equal(Kernels.Relu(lanes[i]), relu[i]);
                Assert.Equal(Kernels.LeakyRelu(lanes[i], 0.2f), leaky[i]);
                Assert.True(sigmoid[i] is >= 0f and <= 1f && tanh[i] is >= -1f and <= 1f, $"out of range at {v}");
            }
        }
        var nan = Vector512.Create(float.NaN);
        Assert.True(float.IsNaN(new Kernels.SigmoidFunction().Apply(nan)[0]));
        Assert.True(float.IsNaN(new Kernels.TanhFunction().Apply(nan)[0]));
        Assert.True(float.IsNaN(new Kernels.ReluFunction().Apply(nan)[0]));
    }

    /// <summary>The shared exponential within 2 ulp wherever e^x is a normal float; 3 where the machine has no fused
    /// multiply-add (x86 without FMA, as in the Vector128 and scalar hosts: each step of the polynomial rounds twice).</summary>
    [Fact]
    public void Exp_is_within_two_ulps()
    {
        bool fused = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        double allowed = fused ? 2 : 3;
        var lanes = new float[16];
        for (double start = -87.3; start < 88.3; start += 16 * 0.00731)
        {
            for (int i = 0; i < 16; i++) lanes[i] = (float)(start + i * 0.00731);
            Vector512<float> e = Kernels.Exp(Vector512.Create(lanes));
            for (int i = 0; i < 16; i++)
            {
                double exact = Math.Exp(lanes[i]);
                double ulp = Math.Pow(2, Math.Floor(Math.Log2(exact)) - 23);
                Assert.True(Math.Abs(e[i] - exact) <= allowed * ulp, $"e^{lanes[i]} = {e[i]}, exactly {exact} ({Math.Abs(e[i] - exact) / ulp:0.00} ulp)");
            }
        }
    }
}
