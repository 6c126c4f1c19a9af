using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The samples-as-columns forward with g fused in (<see cref="Kernels.DenseForwardColumns{TActivation}"/>) and the
/// narrow transposes at the batch's edges, against double-precision references computed here: every m from 0 to 97
/// (every tail of the 8-, 16-, 32- and 64-wide tiles of the Vector256 and Vector512 paths, with a sentinel after each
/// output), and the widths 1, 2, 3, 8, 17, 20 and 64 on both sides (nOut mod 4 = 0, 1, 2 and 3).
/// </summary>
public class ColumnsKernelTests
{
    private static readonly int[] Widths = { 1, 2, 3, 8, 17, 20, 64 };

    public static IEnumerable<object[]> LayerShapes()
    {
        foreach (int nIn in Widths)
            foreach (int nOut in Widths)
                yield return new object[] { nIn, nOut };
    }

    /// <summary>
    /// 0..97: the scalar path, one vector, the 16-, 32- and 64-wide tiles (Vector256 and Vector512) and each of their
    /// tails up to twice the widest tile plus one and beyond; and net A's 211.
    /// </summary>
    private static IEnumerable<int> SampleCounts()
    {
        for (int m = 0; m <= 97; m++) yield return m;
        yield return 211;
    }


    private const float Slope = 0.1f;

    private static double Reference(string g, double z) => g switch
    {
        "identity" => z,
        "relu" => z < 0 ? 0 : z,
        "leaky" => z > 0 ? z : Slope * z,
        "sigmoid" => 1 / (1 + Math.Exp(-z)),
        _ => Math.Tanh(z),
    };

    private static void Run(string g, ReadOnlySpan<float> a, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> z, Span<float> y, int m, int nIn, int nOut)
    {
        switch (g)
        {
            case "identity": Kernels.DenseForwardColumns(a, w, b, z, y, m, nIn, nOut, new Kernels.IdentityFunction()); break;
            case "relu": Kernels.DenseForwardColumns(a, w, b, z, y, m, nIn, nOut, new Kernels.ReluFunction()); break;
            case "leaky": Kernels.DenseForwardColumns(a, w, b, z, y, m, nIn, nOut, new Kernels.LeakyReluFunction(Slope)); break;
            case "sigmoid": Kernels.DenseForwardColumns(a, w, b, z, y, m, nIn, nOut, new Kernels.SigmoidFunction()); break;
            default: Kernels.DenseForwardColumns(a, w, b, z, y, m, nIn, nOut, new Kernels.TanhFunction()); break;
        }
    }

    [Theory]
    [MemberData(nameof(LayerShapes))]
    public void DenseForwardColumns_with_g_matches_the_double_product_for_every_tail(int nIn, int nOut)
    {
        string[] activations = { "identity", "relu", "leaky", "sigmoid", "tanh" };
        foreach (int m in SampleCounts())
        {
            float[] a = TestData.Uniform(nIn * m, (ulong)(17 + m), 2), w = TestData.Uniform(nOut * nIn, 18, 2), b = TestData.Uniform(nOut, 19, 2);
            var zExpected = new double[nOut * m];
            var magnitudes = new double[nOut * m];
            for (int j = 0; j < nOut; j++)
                for (int i = 0; i < m; i++)
                {
                    double sum = b[j], magnitude = Math.Abs(b[j]);
                    for (int k = 0; k < nIn; k++) { sum += (double)w[j * nIn + k] * a[k * m + i]; magnitude += Math.Abs((double)w[j * nIn + k] * a[k * m + i]); }
                    zExpected[j * m + i] = sum;
                    magnitudes[j * m + i] = magnitude;
                }

            foreach (string g in activations)
            {
                // Z kept, A_out beside it: both checked, and the float after each left alone.
                var z = new float[nOut * m + 1];
                var y = new float[nOut * m + 1];
                z.AsSpan().Fill(float.NaN);
                y.AsSpan().Fill(float.NaN);
                z[^1] = 12345f;
                y[^1] = 54321f;
                Run(g, a, w, b, z.AsSpan(0, nOut * m), y.AsSpan(0, nOut * m), m, nIn, nOut);
                for (int e = 0; e < nOut * m; e++)
                {
                    string where = $"{g} [{e / Math.Max(m, 1)},{e % Math.Max(m, 1)}] (m={m}, nIn={nIn}, nOut={nOut})";
                    double tolerance = 1e-5 * (1 + magnitudes[e]);
                    Assert.True(Math.Abs(z[e] - zExpected[e]) <= tolerance, $"Z{where}: {z[e]} vs {zExpected[e]}");
                    double expected = Reference(g, zExpected[e]);
                    Assert.True(Math.Abs(y[e] - expected) <= tolerance + 1e-6, $"A{where}: {y[e]} vs {expected}");
                }
                Assert.Equal(12345f, z[^1]);
                Assert.Equal(54321f, y[^1]);

                // Z not kept (empty): A_out alone, the same floats.
                var alone = new float[nOut * m + 1];
                alone.AsSpan().Fill(float.NaN);
                alone[^1] = 54321f;
                Run(g, a, w, b, default, alone.AsSpan(0, nOut * m), m, nIn, nOut);
                for (int e = 0; e < nOut * m; e++)
                    Assert.True(alone[e] == y[e], $"{g} A alone [{e}] (m={m}, nIn={nIn}, nOut={nOut}): {alone[e]} vs {y[e]} with Z kept");
                Assert.Equal(54321f, alone[^1]);

                // A_out is Z itself: g(Z) in place.
                var inPlace = new float[nOut * m];
                inPlace.AsSpan().Fill(float.NaN);
                Run(g, a, w, b, inPlace, inPlace, m, nIn, nOut);
                for (int e = 0; e < nOut * m; e++)
                    Assert.True(inPlace[e] == y[e], $"{g} in place [{e}] (m={m}, nIn={nIn}, nOut={nOut}): {inPlace[e]} vs {y[e]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(LayerShapes))]
    public void DenseForwardColumns_scalar_strategy_matches_the_double_product(int nIn, int nOut)
    {
        const int m = 37;
        float[] a = TestData.Uniform(nIn * m, 21, 2), w = TestData.Uniform(nOut * nIn, 22, 2), b = TestData.Uniform(nOut, 23, 2);
        var z = new float[nOut * m];
        var y = new float[nOut * m];
        Kernels.ColumnsScalar<Kernels.StoreBoth, Kernels.ReluFunction>(ref w[0], nIn, 1, ref a[0], ref b[0], true, ref z[0], ref y[0],
            nOut, nIn, m, default);
        for (int j = 0; j < nOut; j++)
            for (int i = 0; i < m; i++)
            {
                double sum = b[j], magnitude = Math.Abs(b[j]);
                for (int k = 0; k < nIn; k++) { sum += (double)w[j * nIn + k] * a[k * m + i]; magnitude += Math.Abs((double)w[j * nIn + k] * a[k * m + i]); }
                Assert.True(Math.Abs(z[j * m + i] - sum) <= 1e-5 * (1 + magnitude), $"Z[{j},{i}]: {z[j * m + i]} vs {sum}");
                Assert.Equal(Math.Max(z[j * m + i], 0f), y[j * m + i]);
            }
    }

    /// <summary>
    /// dA = Wᵀ·dZ (<see cref="Kernels.DenseBackwardInputColumns"/>, the 4-row tiles and single rows of ColumnsProduct)
    /// for every m from 0 to 97 and every pair of widths, against the double product, with a sentinel after dA.
    /// </summary>
    [Theory]
    [MemberData(nameof(LayerShapes))]
    public void DenseBackwardInputColumns_matches_the_double_product_for_every_tail(int nIn, int nOut)
    {
        foreach (int m in SampleCounts())
        {
            float[] dz = TestData.Uniform(nOut * m, (ulong)(31 + m), 2), w = TestData.Uniform(nOut * nIn, 32, 2);
            var da = new float[nIn * m + 1];
            da.AsSpan().Fill(float.NaN);
            da[^1] = 12345f;
            Kernels.DenseBackwardInputColumns(dz, w, da.AsSpan(0, nIn * m), m, nIn, nOut);
            for (int k = 0; k < nIn; k++)
                for (int i = 0; i < m; i++)
                {
                    double sum = 0, magnitude = 0;
                    for (int j = 0; j < nOut; j++) { sum += (double)w[j * nIn + k] * dz[j * m + i]; magnitude += Math.Abs((double)w[j * nIn + k] * dz[j * m + i]); }
                    Assert.True(Math.Abs(da[k * m + i] - sum) <= 1e-5 * (1 + magnitude), $"dA[{k},{i}] (m={m}, nIn={nIn}, nOut={nOut}): {da[k * m + i]} vs {sum}");
                }
            Assert.Equal(12345f, da[^1]);
        }
    }

    /// <summary>
    /// dZ = (Wᵀ·dZ_out) ⊙ g′(A) in one pass (<see cref="Kernels.DenseBackwardInputColumns{TDerivative}"/>: tanh′ = 1 − A²,
    /// σ′ = A(1 − A), ReLU′ = (A &gt; 0) and leaky ReLU′ = (A &gt; 0 ? 1 : slope), A a real output of g, with exact zeros
    /// for the ReLUs) for every m from 0 to 97 and every pair of widths, public entry point and scalar strategy, against
    /// the double product times the double g′, with a sentinel after the output.
    /// </summary>
    [Theory]
    [MemberData(nameof(LayerShapes))]
    public void DenseBackwardInputColumns_times_g_prime_matches_the_double_product_for_every_tail(int nIn, int nOut)
    {
        foreach (int m in SampleCounts())
            foreach (string g in new[] { "tanh", "sigmoid", "relu", "leaky" })
            {
                float[] dz = TestData.Uniform(nOut * m, (ulong)(51 + m), 2), w = TestData.Uniform(nOut * nIn, 52, 2);
                float[] a = TestData.Uniform(nIn * m, (ulong)(53 + m), 1);
                for (int q = 0; q < a.Length; q++)
                    a[q] = g switch
                    {
                        "sigmoid" => 0.5f + 0.5f * a[q], // in (0, 1)
                        "relu" => MathF.Max(a[q], 0f),   // half of them exactly 0
                        "leaky" => a[q] > 0 ? a[q] : Slope * a[q],
                        _ => a[q],
                    };
                for (int strategy = 0; strategy < 2; strategy++)
                {
                    var result = new float[nIn * m + 1];
                    result.AsSpan().Fill(float.NaN);
                    result[^1] = 12345f;
                    if (strategy == 0) RunTimesGPrime(g, dz, w, a, result.AsSpan(0, nIn * m), m, nIn, nOut);
                    else if (m > 0) RunTimesGPrimeScalar(g, dz, w, a, result, m, nIn, nOut);
                    for (int k = 0; k < nIn && m > 0; k++)
                        for (int i = 0; i < m; i++)
                        {
                            double sum = 0, magnitude = 0, ak = a[k * m + i];
                            for (int j = 0; j < nOut; j++) { sum += (double)w[j * nIn + k] * dz[j * m + i]; magnitude += Math.Abs((double)w[j * nIn + k] * dz[j * m + i]); }
                            double gPrime = g switch
                            {
                                "tanh" => 1 - ak * ak,
                                "sigmoid" => ak * (1 - ak),
                                "relu" => ak > 0 ? 1 : 0,
                                _ => ak > 0 ? 1 : Slope,
                            };
                            double expected = sum * gPrime;
                            Assert.True(Math.Abs(result[k * m + i] - expected) <= 1e-5 * (1 + magnitude * Math.Abs(gPrime)),
                                $"{(strategy == 0 ? "public" : "scalar")} {g} dZ[{k},{i}] (m={m}, nIn={nIn}, nOut={nOut}): {result[k * m + i]} vs {expected}");
                        }
                    Assert.Equal(12345f, result[^1]);
                }
            }
    }

    private static void RunTimesGPrime(string g, float[] dz, float[] w, float[] a, Span<float> result, int m, int nIn, int nOut)
    {
        switch (g)
        {
            case "tanh": Kernels.DenseBackwardInputColumns(dz, w, a, result, m, nIn, nOut, new Kernels.TanhDerivative()); break;
            case "sigmoid": Kernels.DenseBackwardInputColumns(dz, w, a, result, m, nIn, nOut, new Kernels.SigmoidDerivative()); break;
            case "relu": Kernels.DenseBackwardInputColumns(dz, w, a, result, m, nIn, nOut, new Kernels.ReluDerivative()); break;
            default: Kernels.DenseBackwardInputColumns(dz, w, a, result, m, nIn, nOut, new Kernels.LeakyReluDerivative(Slope)); break;
        }
    }

    private static void RunTimesGPrimeScalar(string g, float[] dz, float[] w, float[] a, float[] result, int m, int nIn, int nOut)
    {
        float none = 0f;
        switch (g)
        {
            case "tanh":
                Kernels.ColumnsScalar<Kernels.StoreTimesY, Kernels.TanhDerivative>(ref w[0], 1, nIn, ref dz[0], ref none, false,
                    ref result[0], ref a[0], nIn, nOut, m, default);
                break;
            case "sigmoid":
                Kernels.ColumnsScalar<Kernels.StoreTimesY, Kernels.SigmoidDerivative>(ref w[0], 1, nIn, ref dz[0], ref none, false,
                    ref result[0], ref a[0], nIn, nOut, m, default);
                break;
            case "relu":
                Kernels.ColumnsScalar<Kernels.StoreTimesY, Kernels.ReluDerivative>(ref w[0], 1, nIn, ref dz[0], ref none, false,
                    ref result[0], ref a[0], nIn, nOut, m, default);
                break;
            default:
                Kernels.ColumnsScalar<Kernels.StoreTimesY, Kernels.LeakyReluDerivative>(ref w[0], 1, nIn, ref dz[0], ref none, false,
                    ref result[0], ref a[0], nIn, nOut, m, new Kernels.LeakyReluDerivative(Slope));
                break;
        }
    }

    /// <summary>
    /// dW = (1/m)·dZ·Aᵀ and db (<see cref="Kernels.DenseBackwardWeightsColumns"/>, the 4 × 2 tiles with their masked
    /// sample tail and overlapping last tiles) for every m from 1 to 97 and every pair of widths, with sentinels.
    /// </summary>
    [Theory]
    [MemberData(nameof(LayerShapes))]
    public void DenseBackwardWeightsColumns_matches_the_double_product_for_every_tail(int nIn, int nOut)
    {
        foreach (int m in SampleCounts())
        {
            if (m == 0) continue;
            float[] dz = TestData.Uniform(nOut * m, (ulong)(41 + m), 2), a = TestData.Uniform(nIn * m, (ulong)(42 + m), 2);
            var dw = new float[nOut * nIn + 1];
            var db = new float[nOut + 1];
            dw.AsSpan().Fill(float.NaN);
            db.AsSpan().Fill(float.NaN);
            dw[^1] = db[^1] = 12345f;
            Kernels.DenseBackwardWeightsColumns(dz, a, dw.AsSpan(0, nOut * nIn), db.AsSpan(0, nOut), m, nIn, nOut);
            for (int j = 0; j < nOut; j++)
            {
                double bias = 0, biasMagnitude = 0;
                for (int i = 0; i < m; i++) { bias += dz[j * m + i]; biasMagnitude += Math.Abs(dz[j * m + i]); }
                Assert.True(Math.Abs(db[j] - bias / m) <= 1e-5 * (1 + biasMagnitude / m), $"db[{j}] (m={m}, nOut={nOut}): {db[j]} vs {bias / m}");
                for (int k = 0; k < nIn; k++)
                {
                    double sum = 0, magnitude = 0;
                    for (int i = 0; i < m; i++) { sum += (double)dz[j * m + i] * a[k * m + i]; magnitude += Math.Abs((double)dz[j * m + i] * a[k * m + i]); }
                    Assert.True(Math.Abs(dw[j * nIn + k] - sum / m) <= 1e-5 * (1 + magnitude / m), $"dW[{j},{k}] (m={m}, nIn={nIn}, nOut={nOut}): {dw[j * nIn + k]} vs {sum / m}");
                }
            }
            Assert.Equal(12345f, dw[^1]);
            Assert.Equal(12345f, db[^1]);
        }
    }

    [Fact]
    public void DenseForwardColumns_with_g_rejects_short_spans()
    {
        var a = new float[2 * 20];
        var w = new float[3 * 2];
        var b = new float[3];
        Assert.Throws<ArgumentException>(() => Kernels.DenseForwardColumns(a, w, b, new float[3 * 20], new float[3 * 20 - 1], 20, 2, 3, new Kernels.ReluFunction()));
        Assert.Throws<ArgumentException>(() => Kernels.DenseForwardColumns(a, w, b, new float[3 * 20 - 1], new float[3 * 20], 20, 2, 3, new Kernels.ReluFunction()));
        Assert.Throws<ArgumentException>(() => Kernels.DenseForwardColumns(a, w, new float[2], default, new float[3 * 20], 20, 2, 3, new Kernels.ReluFunction()));
    }

    /// <summary>The two-column and two-row transposes (permutes, overlapping last block) and the general tiles beside them.</summary>
    [Fact]
    public void Transpose_of_two_columns_or_two_rows_swaps_every_element()
    {
        var shapes = new List<(int Rows, int Columns)>();
        for (int n = 0; n <= 33; n++)
        {
            shapes.Add((n, 2));
            shapes.Add((2, n));
            shapes.Add((64 + n, 2));
            shapes.Add((2, 64 + n));
            shapes.Add((n, 3));
        }
        shapes.Add((211, 2));
        shapes.Add((2, 211));
        foreach (var (rows, columns) in shapes)
        {
            float[] source = TestData.Uniform(rows * columns, (ulong)(rows * 100 + columns), 2);
            var destination = new float[rows * columns + 1];
            destination[^1] = 12345f;
            Kernels.Transpose(source, destination.AsSpan(0, rows * columns), rows, columns);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                    Assert.True(source[r * columns + c] == destination[c * rows + r], $"{rows} × {columns}: [{r},{c}]");
            Assert.Equal(12345f, destination[^1]);
        }
    }
}
