using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// The row-layout dense kernels through their public entry points (the strategy this machine, or the restricted host,
/// takes; each width's body alone is in <see cref="WidthKernelTests"/>) against a double-precision product written here,
/// for every k tail from 0 to 2×16+1 and block remainders in m and n.
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
        // One to three samples of a wide layer: through the one-sample kernel's streamed rows.
        yield return new object[] { 1, 784, 128 };
        yield return new object[] { 2, 300, 110 };
        yield return new object[] { 3, 257, 129 };
    }


    /// <summary>|actual − expected| ≤ 1e-5·(1 + Σ|terms|): float32 rounding of a sum of n products, whatever the order.</summary>
    private static void Close(double expected, double magnitude, float actual, string what)
        => Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + magnitude), $"{what}: {actual} vs {expected}");

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseForward_every_strategy_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] a = TestData.Uniform(m * nIn, 1), w = TestData.Uniform(nOut * nIn, 2), b = TestData.Uniform(nOut, 3);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("public", z => Kernels.DenseForward(a, w, b, z, m, nIn, nOut)),
        };
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

    /// <summary>The packed strategy's edges: full and partial panels of 32 units, full and partial blocks of 12 samples.</summary>
    [Theory]
    [InlineData(12, 16, 32)]
    [InlineData(13, 20, 33)]
    [InlineData(25, 784, 40)]
    [InlineData(30, 17, 64)]
    [InlineData(24, 33, 70)]
    [InlineData(100, 50, 96)]
    [InlineData(256, 128, 10 + 32)]
    public void DenseForward_packed_strategy_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] a = TestData.Uniform(m * nIn, 17), w = TestData.Uniform(nOut * nIn, 18), b = TestData.Uniform(nOut, 19);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("public", z => Kernels.DenseForward(a, w, b, z.AsSpan(0, m * nOut), m, nIn, nOut)),
        };
        foreach (var (name, run) in strategies)
        {
            var z = new float[m * nOut + 1];
            z.AsSpan().Fill(float.NaN);
            z[^1] = 12345f;
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
        float[] dz = TestData.Uniform(m * nOut, 4), a = TestData.Uniform(m * nIn, 5);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("public", dw => Kernels.DenseBackwardWeights(dz, a, dw.AsSpan(0, nOut * nIn), new float[nOut], m, nIn, nOut)),
        };
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
        float[] dz = TestData.Uniform(m * nOut, 6), w = TestData.Uniform(nOut * nIn, 7);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("public", da => Kernels.DenseBackwardInput(dz, w, da.AsSpan(0, m * nIn), m, nIn, nOut)),
        };
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

    // ---- samples as columns (the notes' layout), for narrow networks: the vectors run across samples ----

    /// <summary>m covers the scalar path (m &lt; 16) and, above it, each sample tail after one and two vectors.</summary>
    public static IEnumerable<object[]> ColumnShapes()
    {
        int[] widths = { 1, 2, 3, 4, 5, 7, 8, 9, 20 };
        for (int m = 1; m <= 40; m++)
            yield return new object[] { m, widths[m % widths.Length], widths[(m * 7 + 3) % widths.Length] };
        yield return new object[] { 211, 20, 3 };
        yield return new object[] { 64, 5, 3 };   // exactly one block of 64 for the rows left after the groups of 4
        yield return new object[] { 127, 3, 1 };  // 64 + a 16-wide tail that overlaps
        yield return new object[] { 80, 4, 6 };
    }

    [Theory]
    [MemberData(nameof(ColumnShapes))]
    public void DenseForwardColumns_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] a = TestData.Uniform(nIn * m, 8), w = TestData.Uniform(nOut * nIn, 9), b = TestData.Uniform(nOut, 10);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("public", z => Kernels.DenseForwardColumns(a, w, b, z.AsSpan(0, nOut * m), m, nIn, nOut)),
            ("scalar", z => Kernels.ColumnsScalar<Kernels.StoreZ, Kernels.IdentityFunction>(ref w[0], nIn, 1, ref a[0], ref b[0], true,
                ref z[0], ref z[0], nOut, nIn, m, default)),
        };
        foreach (var (name, run) in strategies)
        {
            var z = new float[nOut * m + 1];
            z.AsSpan().Fill(float.NaN);
            z[^1] = 12345f;
            run(z);
            for (int j = 0; j < nOut; j++)
                for (int i = 0; i < m; i++)
                {
                    double sum = b[j], magnitude = Math.Abs(b[j]);
                    for (int k = 0; k < nIn; k++) { sum += (double)w[j * nIn + k] * a[k * m + i]; magnitude += Math.Abs((double)w[j * nIn + k] * a[k * m + i]); }
                    Close(sum, magnitude, z[j * m + i], $"{name} Z[{j},{i}] (m={m}, nIn={nIn}, nOut={nOut})");
                }
            Assert.Equal(12345f, z[^1]);
        }
    }

    [Theory]
    [MemberData(nameof(ColumnShapes))]
    public void DenseBackwardInputColumns_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] dz = TestData.Uniform(nOut * m, 11), w = TestData.Uniform(nOut * nIn, 12);
        var strategies = new List<(string, Action<float[]>)>
        {
            ("public", da => Kernels.DenseBackwardInputColumns(dz, w, da.AsSpan(0, nIn * m), m, nIn, nOut)),
            ("scalar", da => { float none = 0f; Kernels.ColumnsScalar<Kernels.StoreZ, Kernels.IdentityFunction>(ref w[0], 1, nIn, ref dz[0],
                ref none, false, ref da[0], ref da[0], nIn, nOut, m, default); }),
        };
        foreach (var (name, run) in strategies)
        {
            var da = new float[nIn * m + 1];
            da.AsSpan().Fill(float.NaN);
            da[^1] = 12345f;
            run(da);
            for (int k = 0; k < nIn; k++)
                for (int i = 0; i < m; i++)
                {
                    double sum = 0, magnitude = 0;
                    for (int j = 0; j < nOut; j++) { sum += (double)w[j * nIn + k] * dz[j * m + i]; magnitude += Math.Abs((double)w[j * nIn + k] * dz[j * m + i]); }
                    Close(sum, magnitude, da[k * m + i], $"{name} dA[{k},{i}] (m={m}, nIn={nIn}, nOut={nOut})");
                }
            Assert.Equal(12345f, da[^1]);
        }
    }

    [Theory]
    [MemberData(nameof(ColumnShapes))]
    public void DenseBackwardWeightsColumns_matches_the_double_product(int m, int nIn, int nOut)
    {
        float[] dz = TestData.Uniform(nOut * m, 13), a = TestData.Uniform(nIn * m, 14);
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
            Close(bias / m, biasMagnitude / m, db[j], $"db[{j}] (m={m})");
            for (int k = 0; k < nIn; k++)
            {
                double sum = 0, magnitude = 0;
                for (int i = 0; i < m; i++) { sum += (double)dz[j * m + i] * a[k * m + i]; magnitude += Math.Abs((double)dz[j * m + i] * a[k * m + i]); }
                Close(sum / m, magnitude / m, dw[j * nIn + k], $"dW[{j},{k}] (m={m}, nIn={nIn}, nOut={nOut})");
            }
        }
        Assert.Equal(12345f, dw[^1]);
        Assert.Equal(12345f, db[^1]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(16, 16)]
    [InlineData(17, 33)]
    [InlineData(211, 2)]
    public void Transpose_swaps_rows_and_columns(int rows, int columns)
    {
        float[] source = TestData.Uniform(rows * columns, 15);
        var destination = new float[rows * columns];
        Kernels.Transpose(source, destination, rows, columns);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                Assert.Equal(source[r * columns + c], destination[c * rows + r]);
    }

    [Fact]
    public void Relu_keeps_NaN_and_agrees_with_its_scalar_twin_in_the_vector_part_and_the_tail()
    {
        var z = new float[37];
        for (int i = 0; i < z.Length; i++) z[i] = (i % 3 - 1) * (i + 0.5f); // negatives, zeros' neighbours, positives
        z[5] = float.NaN;   // in the vector part
        z[35] = float.NaN;  // in the tail
        var a = new float[z.Length];
        Kernels.Relu(z, a);
        for (int i = 0; i < z.Length; i++)
        {
            float expected = float.IsNaN(z[i]) ? float.NaN : Math.Max(z[i], 0f);
            Assert.Equal(expected, a[i]);
            Assert.Equal(expected, Kernels.Relu(z[i]));
        }
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(5, 10)]
    [InlineData(256, 10)]
    [InlineData(3, 33)]
    public void Softmax_matches_the_double_formula_even_for_huge_logits(int m, int n)
    {
        float[] z = TestData.Uniform(m * n, 16);
        for (int i = 0; i < z.Length; i++) z[i] *= 100f; // e^100 would overflow a float without the shift by the maximum
        var a = new float[m * n];
        Kernels.Softmax(z, a, m, n);
        for (int i = 0; i < m; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < n; j++) max = Math.Max(max, z[i * n + j]);
            for (int j = 0; j < n; j++) sum += Math.Exp(z[i * n + j] - max);
            for (int j = 0; j < n; j++)
            {
                double expected = Math.Exp(z[i * n + j] - max) / sum;
                Assert.True(Math.Abs(a[i * n + j] - expected) <= 1e-6 * Math.Max(expected, 1e-30) + 1e-7, $"A[{i},{j}] = {a[i * n + j]}, expected {expected}");
            }
        }
    }

#if !RESTRICTED_INTRINSICS // NetGen.Tests.NoAvx512 and NetGen.Tests.Scalar run without AVX-512 on purpose.
    /// <summary>One short row (the one-sample softmax, in one vector where AVX-512 is): every length up to 17, huge
    /// logits of both signs and all far below zero (the shift must be the row's own maximum, not a lane past the row),
    /// NaN anywhere in the row, and A longer than the row — what lies past the row must stay as it was.</summary>
    [Theory]
    [InlineData(0f)]
    [InlineData(-300f)]
    public void Softmax_of_one_short_row_matches_the_double_formula_and_writes_only_the_row(float offset)
    {
        for (int n = 1; n <= 17; n++)
        {
            float[] z = TestData.Uniform(n, (ulong)(40 + n));
            for (int j = 0; j < n; j++) z[j] = z[j] * 100f + offset;
            var a = new float[n + 16];
            a.AsSpan(n).Fill(-3f);
            Kernels.Softmax(z, a, 1, n);
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < n; j++) max = Math.Max(max, z[j]);
            for (int j = 0; j < n; j++) sum += Math.Exp(z[j] - max);
            for (int j = 0; j < n; j++)
            {
                double expected = Math.Exp(z[j] - max) / sum;
                Assert.True(Math.Abs(a[j] - expected) <= 1e-6 * Math.Max(expected, 1e-30) + 1e-7, $"n = {n}: A[{j}] = {a[j]}, expected {expected}");
            }
            Assert.All(a[n..], v => Assert.Equal(-3f, v));
            z[n / 2] = float.NaN;
            Kernels.Softmax(z, a, 1, n);
            Assert.All(a[..n], v => Assert.True(float.IsNaN(v)));
        }
    }
#endif
}
