using System;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests;

/// <summary>A [Fact] that runs only where vectors of <c>bits</c> bits are accelerated; elsewhere it is reported as skipped
/// (not passed), so a machine without AVX-512 says which width it did not test.</summary>
public sealed class WidthFactAttribute : FactAttribute
{
    public WidthFactAttribute(int bits)
    {
        bool accelerated = bits switch
        {
            128 => Vector128.IsHardwareAccelerated,
            256 => Vector256.IsHardwareAccelerated,
            _ => Vector512.IsHardwareAccelerated,
        };
        if (!accelerated) Skip = $"Vector{bits} is not accelerated here: its kernels run only where it is";
    }
}

/// <summary>
/// The one body of the column kernels, run at each width on its own width struct whatever the machine would choose
/// (so the Vector128 body, ARM64's, is tested on an AVX-512 machine too): every tile shape — 4 rows × 1 or 2 vectors,
/// the last 3, 2 or 1 rows × 2 or 4 vectors, single rows — with W read by rows (the forward) and by columns (dA = Wᵀ·dZ),
/// each store (Z, g(Z), both), every m from one vector to 97 and 211; the row-layout bodies (Z = A·Wᵀ + b in tiles of
/// 4, 2 or 1 samples × 1 to 8 units with the masked k tail, with and without b; dA = dZ·W; dW = dZᵀ·A/m) for every
/// k tail and unit remainder; and each activation's Apply at that width against the double formula.
/// </summary>
public class WidthKernelTests
{
    private static readonly int[] Widths = { 1, 2, 3, 4, 5, 6, 7, 8, 11, 20 };

    [WidthFact(128)] public void The_column_tiles_match_the_double_product_at_width_128() => ColumnTiles<Kernels.Width128>();
    [WidthFact(256)] public void The_column_tiles_match_the_double_product_at_width_256() => ColumnTiles<Kernels.Width256>();
    [WidthFact(512)] public void The_column_tiles_match_the_double_product_at_width_512() => ColumnTiles<Kernels.Width512>();
    [WidthFact(128)] public void The_row_tiles_match_the_double_product_at_width_128() => RowTiles<Kernels.Width128>();
    [WidthFact(256)] public void The_row_tiles_match_the_double_product_at_width_256() => RowTiles<Kernels.Width256>();
    [WidthFact(512)] public void The_row_tiles_match_the_double_product_at_width_512() => RowTiles<Kernels.Width512>();
    [WidthFact(128)] public void Pairs_split_and_interleave_at_width_128() => Pairs<Kernels.Width128>();
    [WidthFact(256)] public void Pairs_split_and_interleave_at_width_256() => Pairs<Kernels.Width256>();
    [WidthFact(512)] public void Pairs_split_and_interleave_at_width_512() => Pairs<Kernels.Width512>();

    [WidthFact(128)]
    public void The_activations_match_the_double_formulas_at_width_128()
        => Activations(4, z => Lanes(new Kernels.SigmoidFunction().Apply(Vector128.Create(z))),
            z => Lanes(new Kernels.TanhFunction().Apply(Vector128.Create(z))),
            z => Lanes(new Kernels.ReluFunction().Apply(Vector128.Create(z))),
            z => Lanes(new Kernels.LeakyReluFunction(0.1f).Apply(Vector128.Create(z))));

    [WidthFact(256)]
    public void The_activations_match_the_double_formulas_at_width_256()
        => Activations(8, z => Lanes(new Kernels.SigmoidFunction().Apply(Vector256.Create(z))),
            z => Lanes(new Kernels.TanhFunction().Apply(Vector256.Create(z))),
            z => Lanes(new Kernels.ReluFunction().Apply(Vector256.Create(z))),
            z => Lanes(new Kernels.LeakyReluFunction(0.1f).Apply(Vector256.Create(z))));

    private static float[] Lanes(Vector128<float> v) { var a = new float[4]; v.CopyTo(a); return a; }

    private static float[] Lanes(Vector256<float> v) { var a = new float[8]; v.CopyTo(a); return a; }

    private static void ColumnTiles<TVec>() where TVec : struct, Kernels.IVector<TVec>
    {
        int c = TVec.Count;
        foreach (int rows in Widths)
            foreach (int depth in new[] { 1, 3, 20 })
                for (int m = c; m <= 98; m += m < 4 * c + 2 ? 1 : 7)
                {
                    int samples = m == 98 ? 211 : m;
                    float[] s = TestData.Uniform(rows * depth, (ulong)(rows + depth), 2), v = TestData.Uniform(depth * samples, (ulong)samples, 2);
                    float[] bias = TestData.Uniform(rows, 7, 2);
                    foreach (bool transposed in new[] { false, true })
                    {
                        // S[r, k] at r·rowStride + k·columnStride: W (rows × depth) or, transposed, Wᵀ of a depth × rows W.
                        int rowStride = transposed ? 1 : depth, columnStride = transposed ? rows : 1;
                        var z = new float[rows * samples + 1];
                        var y = new float[rows * samples + 1];
                        z.AsSpan().Fill(float.NaN);
                        y.AsSpan().Fill(float.NaN);
                        z[^1] = y[^1] = 12345f;
                        Kernels.ColumnsTiles<TVec, Kernels.StoreBoth, Kernels.SigmoidFunction>(ref s[0], rowStride, columnStride, ref v[0],
                            ref bias[0], !transposed, ref z[0], ref y[0], rows, depth, samples, default);
                        var alone = new float[rows * samples + 1];
                        alone[^1] = 12345f;
                        Kernels.ColumnsTiles<TVec, Kernels.StoreA, Kernels.SigmoidFunction>(ref s[0], rowStride, columnStride, ref v[0],
                            ref bias[0], !transposed, ref alone[0], ref alone[0], rows, depth, samples, default);
                        var zOnly = new float[rows * samples + 1];
                        zOnly[^1] = 12345f;
                        Kernels.ColumnsTiles<TVec, Kernels.StoreZ, Kernels.SigmoidFunction>(ref s[0], rowStride, columnStride, ref v[0],
                            ref bias[0], !transposed, ref zOnly[0], ref zOnly[0], rows, depth, samples, default);
                        for (int r = 0; r < rows; r++)
                            for (int i = 0; i < samples; i++)
                            {
                                double sum = transposed ? 0 : bias[r], magnitude = Math.Abs(sum);
                                for (int k = 0; k < depth; k++)
                                {
                                    double term = (double)s[r * rowStride + k * columnStride] * v[k * samples + i];
                                    sum += term;
                                    magnitude += Math.Abs(term);
                                }
                                int e = r * samples + i;
                                string where = $"[{r},{i}] (Vector{c * 32}, rows={rows}, depth={depth}, m={samples}, transposed={transposed})";
                                Assert.True(Math.Abs(z[e] - sum) <= 1e-5 * (1 + magnitude), $"Z{where}: {z[e]} vs {sum}");
                                double a = 1 / (1 + Math.Exp(-sum));
                                Assert.True(Math.Abs(y[e] - a) <= 1e-5 * (1 + magnitude) + 1e-6, $"A{where}: {y[e]} vs {a}");
                                Assert.Equal(y[e], alone[e]);
                                Assert.Equal(z[e], zOnly[e]);
                            }
                        Assert.Equal(12345f, z[^1]);
                        Assert.Equal(12345f, y[^1]);
                        Assert.Equal(12345f, alone[^1]);
                        Assert.Equal(12345f, zOnly[^1]);
                    }
                }
    }

    /// <summary>Transpose's two-column and two-row cases at one width: an n × 2 matrix into its two rows and back, for
    /// n from one vector to three and one (every overlap of the last block), nothing written past the end.</summary>
    private static void Pairs<TVec>() where TVec : struct, Kernels.IVector<TVec>
    {
        int c = TVec.Count;
        for (int n = c; n <= 3 * c + 1; n++)
        {
            float[] pairs = TestData.Uniform(2 * n, (ulong)n, 2);
            var rows = new float[2 * n + 1];
            rows[^1] = 12345f;
            Kernels.Pairs<TVec>(ref pairs[0], ref rows[0], n, split: true);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(pairs[2 * i], rows[i]);
                Assert.Equal(pairs[2 * i + 1], rows[n + i]);
            }
            Assert.Equal(12345f, rows[^1]);
            var back = new float[2 * n + 1];
            back[^1] = 12345f;
            Kernels.Pairs<TVec>(ref rows[0], ref back[0], n, split: false);
            Assert.Equal(pairs, back[..^1]);
            Assert.Equal(12345f, back[^1]);
        }
    }

    private static void RowTiles<TVec>() where TVec : struct, Kernels.IVector<TVec>
    {
        int c = TVec.Count;
        foreach (int m in new[] { 1, 2, 3, 4, 5, 7, 9 })
            foreach (int nOut in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 13, 17 })
                for (int nIn = c; nIn <= 2 * c + 1; nIn += nIn < c + 2 ? 1 : c - 1)
                {
                    ulong seed = (ulong)(m * 1000 + nOut * 50 + nIn);
                    float[] a = TestData.Uniform(m * nIn, seed, 2), w = TestData.Uniform(nOut * nIn, seed + 1, 2);
                    float[] b = TestData.Uniform(nOut, seed + 2, 2), dz = TestData.Uniform(m * nOut, seed + 3, 2);
                    string where = $"(Vector{c * 32}, m={m}, nIn={nIn}, nOut={nOut})";
                    foreach (bool hasBias in new[] { true, false })
                    {
                        float[] z = Filled(m * nOut);
                        Kernels.RowsTiles<TVec>(ref a[0], ref w[0], ref b[0], hasBias, ref z[0], m, nIn, nOut);
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < nOut; j++)
                                Near(Sum(nIn, k => (double)a[i * nIn + k] * w[j * nIn + k], hasBias ? b[j] : 0), z[i * nOut + j],
                                    $"Z[{i},{j}] bias={hasBias} {where}");
                        Assert.Equal(12345f, z[^1]);
                    }
                    float[] da = Filled(m * nIn);
                    Kernels.InputGradients<TVec, Kernels.IdentityFunction>(ref dz[0], ref w[0], ref da[0], ref a[0], m, nIn, nOut,
                        default);
                    for (int i = 0; i < m; i++)
                        for (int k = 0; k < nIn; k++)
                            Near(Sum(nOut, j => (double)dz[i * nOut + j] * w[j * nIn + k], 0), da[i * nIn + k], $"dA[{i},{k}] {where}");
                    Assert.Equal(12345f, da[^1]);
                    // The layer below's g′ taken in registers, read off A (here a, m × nIn): dZ = (dZ_out·W) ⊙ g′(A).
                    float[] dzTanh = Filled(m * nIn), dzRelu = Filled(m * nIn);
                    Kernels.InputGradients<TVec, Kernels.TanhDerivative>(ref dz[0], ref w[0], ref dzTanh[0], ref a[0], m, nIn,
                        nOut, default);
                    Kernels.InputGradients<TVec, Kernels.ReluDerivative>(ref dz[0], ref w[0], ref dzRelu[0], ref a[0], m, nIn,
                        nOut, default);
                    for (int i = 0; i < m; i++)
                        for (int k = 0; k < nIn; k++)
                        {
                            var product = Sum(nOut, j => (double)dz[i * nOut + j] * w[j * nIn + k], 0);
                            double ak = a[i * nIn + k], tanhPrime = 1 - ak * ak;
                            // The factor is rounded to float too: the bound scales with it, or with 1 where it cancels.
                            Near((product.Sum * tanhPrime, product.Magnitude * Math.Max(1, Math.Abs(tanhPrime))),
                                dzTanh[i * nIn + k], $"dZ tanh [{i},{k}] {where}");
                            Near(ak > 0 ? product : (0, 0), dzRelu[i * nIn + k], $"dZ relu [{i},{k}] {where}");
                        }
                    Assert.Equal(12345f, dzTanh[^1]);
                    Assert.Equal(12345f, dzRelu[^1]);
                    float[] dw = Filled(nOut * nIn);
                    Kernels.WeightGradients<TVec>(ref dz[0], ref a[0], ref dw[0], m, nIn, nOut, 0.5f);
                    for (int j = 0; j < nOut; j++)
                        for (int k = 0; k < nIn; k++)
                            Near(Sum(m, i => 0.5 * dz[i * nOut + j] * a[i * nIn + k], 0), dw[j * nIn + k], $"dW[{j},{k}] {where}");
                    Assert.Equal(12345f, dw[^1]);
                }

        // NaN everywhere (each element must be written) and a sentinel past the end (nothing else may be).
        static float[] Filled(int n)
        {
            var x = new float[n + 1];
            x.AsSpan().Fill(float.NaN);
            x[^1] = 12345f;
            return x;
        }

        static (double Sum, double Magnitude) Sum(int n, Func<int, double> term, double start)
        {
            double sum = start, magnitude = Math.Abs(start);
            for (int t = 0; t < n; t++) { double v = term(t); sum += v; magnitude += Math.Abs(v); }
            return (sum, magnitude);
        }

        static void Near((double Sum, double Magnitude) expected, float actual, string what)
            => Assert.True(Math.Abs(actual - expected.Sum) <= 1e-5 * (1 + expected.Magnitude), $"{what}: {actual} vs {expected.Sum}");
    }

    /// <summary>σ, tanh, ReLU and leaky ReLU at one width over −90..90 (past Exp's clamp both ways), ±0 and NaN.</summary>
    private static void Activations(int count, Func<float[], float[]> sigmoid, Func<float[], float[]> tanh, Func<float[], float[]> relu,
        Func<float[], float[]> leaky)
    {
        var values = new System.Collections.Generic.List<float> { 0f, -0f, float.NaN, 1e-8f, -1e-8f };
        for (float z = -90f; z <= 90f; z += 0.37f) values.Add(z);
        while (values.Count % count != 0) values.Add(0.5f);
        for (int at = 0; at < values.Count; at += count)
        {
            float[] z = values.GetRange(at, count).ToArray();
            float[] s = sigmoid(z), t = tanh(z), r = relu(z), l = leaky(z);
            for (int i = 0; i < count; i++)
            {
                if (float.IsNaN(z[i]))
                {
                    Assert.True(float.IsNaN(s[i]) && float.IsNaN(t[i]) && float.IsNaN(r[i]) && float.IsNaN(l[i]), "NaN must stay NaN");
                    continue;
                }
                double sExpected = 1 / (1 + Math.Exp(-(double)z[i])), tExpected = Math.Tanh(z[i]);
                Assert.True(Math.Abs(s[i] - sExpected) <= 4e-7 * sExpected + 1e-37, $"σ({z[i]}) = {s[i]}, expected {sExpected}");
                // Near 0, e = e^(−2|z|) − 1 loses its digits to the rounding of e^… near 1 (the formula's own limit, the
                // same at every width): an absolute error up to an ulp of 1.
                Assert.True(Math.Abs(t[i] - tExpected) <= 4e-7 * Math.Abs(tExpected) + 1.2e-7, $"tanh({z[i]}) = {t[i]}, expected {tExpected}");
                Assert.Equal(z[i] < 0 ? 0f : z[i], r[i]);
                Assert.Equal(z[i] > 0 ? z[i] : 0.1f * z[i], l[i]);
            }
        }
    }
}
