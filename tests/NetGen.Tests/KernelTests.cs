using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// Every strategy of the dense kernels — the reference loops and the register-blocked Vector512 ones — against a
/// double-precision product written here, for every k tail from 0 to 2×16+1 and block remainders in m and n.
/// </summary>
public class KernelTests
{
    // nIn covers each tail length 0..15 after one and two vectors (16..33) plus the short rows the scalar path takes.
    public static IEnumerable<object[]> Shapes()
    {
        int[] ms = { 1, 3, 4, 5, 9 };
        int[] nOuts = { 1, 3, 4, 7, 8, 9, 17 };
        for (int nIn = 1; nIn <= 33; nIn++)
            yield return new object[] { ms[nIn % ms.Length], nIn, nOuts[nIn % nOuts.Length] };
        yield return new object[] { 13, 64, 10 };
        yield return new object[] { 6, 100, 33 };
    }

    private static float[] Random(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>|actual − expected| ≤ 1e-5·(1 + Σ|terms|): float32 rounding of a sum of n products, whatever the order.</summary>
    private static void Close(double expected, double magnitude, float actual, string what)
        => Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + magnitude), $"{what}: {actual} vs {expected}");

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseForward_every_strategy_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] a = Random(m * nIn, 1), w = Random(nOut * nIn, 2), b = Random(nOut, 3);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("dots", z => Kernels.DenseForwardDots(ref a[0], ref w[0], ref b[0], ref z[0], m, nIn, nOut)),
            ("public", z => Kernels.DenseForward(a, w, b, z, m, nIn, nOut)),
        };
        if (Vector512.IsHardwareAccelerated && nIn >= 16)
            strategies.Add(("blocked", z => Kernels.DenseForwardBlocked(ref a[0], ref w[0], ref b[0], ref z[0], m, nIn, nOut)));
        foreach (var (name, run) in strategies)
        {
            var z = new float[m * nOut + 1];
            z[^1] = 12345f; // a sentinel: nothing past Z may be written
            run(z);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < nOut; j++)
                {
                    double sum = b[j], magnitude = Math.Abs(b[j]);
                    for (int k = 0; k < nIn; k++) { sum += (double)a[i * nIn + k] * w[j * nIn + k]; magnitude += Math.Abs((double)a[i * nIn + k] * w[j * nIn + k]); }
                    Close(sum, magnitude, z[i * nOut + j], $"{name} Z[{i},{j}] (m={m}, nIn={nIn}, nOut={nOut})");
                }
            Assert.Equal(12345f, z[^1]);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseBackwardWeights_every_strategy_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] dz = Random(m * nOut, 4), a = Random(m * nIn, 5);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("axpy", dw => Kernels.WeightGradientsAxpy(ref dz[0], ref a[0], ref dw[0], m, nIn, nOut, 1f / m)),
            ("public", dw => Kernels.DenseBackwardWeights(dz, a, dw.AsSpan(0, nOut * nIn), new float[nOut], m, nIn, nOut)),
        };
        if (Vector512.IsHardwareAccelerated && nIn >= 16)
            strategies.Add(("blocked", dw => Kernels.WeightGradientsBlocked(ref dz[0], ref a[0], ref dw[0], m, nIn, nOut, 1f / m)));
        foreach (var (name, run) in strategies)
        {
            var dw = new float[nOut * nIn + 1];
            dw.AsSpan().Fill(float.NaN); // every element must be written (the kernel overwrites, never accumulates)
            dw[^1] = 12345f;
            run(dw);
            for (int j = 0; j < nOut; j++)
                for (int k = 0; k < nIn; k++)
                {
                    double sum = 0, magnitude = 0;
                    for (int i = 0; i < m; i++) { sum += (double)dz[i * nOut + j] * a[i * nIn + k]; magnitude += Math.Abs((double)dz[i * nOut + j] * a[i * nIn + k]); }
                    Close(sum / m, magnitude / m, dw[j * nIn + k], $"{name} dW[{j},{k}] (m={m}, nIn={nIn}, nOut={nOut})");
                }
            Assert.Equal(12345f, dw[^1]);
        }

        var db = new float[nOut];
        Kernels.DenseBackwardWeights(dz, a, new float[nOut * nIn], db, m, nIn, nOut);
        for (int j = 0; j < nOut; j++)
        {
            double sum = 0, magnitude = 0;
            for (int i = 0; i < m; i++) { sum += dz[i * nOut + j]; magnitude += Math.Abs(dz[i * nOut + j]); }
            Close(sum / m, magnitude / m, db[j], $"db[{j}]");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseBackwardInput_every_strategy_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] dz = Random(m * nOut, 6), w = Random(nOut * nIn, 7);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("axpy", da => Kernels.InputGradientsAxpy(ref dz[0], ref w[0], ref da[0], m, nIn, nOut)),
            ("public", da => Kernels.DenseBackwardInput(dz, w, da.AsSpan(0, m * nIn), m, nIn, nOut)),
        };
        if (Vector512.IsHardwareAccelerated && nIn >= 16)
            strategies.Add(("blocked", da => Kernels.InputGradientsBlocked(ref dz[0], ref w[0], ref da[0], m, nIn, nOut)));
        foreach (var (name, run) in strategies)
        {
            var da = new float[m * nIn + 1];
            da.AsSpan().Fill(float.NaN);
            da[^1] = 12345f;
            run(da);
            for (int i = 0; i < m; i++)
                for (int k = 0; k < nIn; k++)
                {
                    double sum = 0, magnitude = 0;
                    for (int j = 0; j < nOut; j++) { sum += (double)dz[i * nOut + j] * w[j * nIn + k]; magnitude += Math.Abs((double)dz[i * nOut + j] * w[j * nIn + k]); }
                    Close(sum, magnitude, da[i * nIn + k], $"{name} dA[{i},{k}] (m={m}, nIn={nIn}, nOut={nOut})");
                }
            Assert.Equal(12345f, da[^1]);
        }
    }

    [Fact]
    public void The_blocked_strategies_run_on_this_machine()
    {
        // The strategy tests above only cover the blocked kernels where Vector512 is accelerated; say so if it is not,
        // rather than pass without testing them.
        Assert.True(Vector512.IsHardwareAccelerated, "Vector512 is not accelerated here: the blocked kernels were not tested.");
    }
}
