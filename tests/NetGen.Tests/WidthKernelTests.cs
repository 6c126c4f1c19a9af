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
/// each store (Z, g(Z), both), every m from one vector to 97 and 211; the 4 × 2 dot tiles of dW with their masked tail;
/// and each activation's Apply at that width against the double formula.
/// </summary>
public class WidthKernelTests
{
    private static readonly int[] Widths = { 1, 2, 3, 4, 5, 6, 7, 8, 11, 20 };

    [WidthFact(128)] public void The_column_tiles_match_the_double_product_at_width_128() => ColumnTiles<Kernels.Width128>();
    [WidthFact(256)] public void The_column_tiles_match_the_double_product_at_width_256() => ColumnTiles<Kernels.Width256>();
    [WidthFact(512)] public void The_column_tiles_match_the_double_product_at_width_512() => ColumnTiles<Kernels.Width512>();
    [WidthFact(128)] public void The_dot_tiles_match_the_double_product_at_width_128() => DotTiles<Kernels.Width128>();
    [WidthFact(256)] public void The_dot_tiles_match_the_double_product_at_width_256() => DotTiles<Kernels.Width256>();
    [WidthFact(512)] public void The_dot_tiles_match_the_double_product_at_width_512() => DotTiles<Kernels.Width512>();

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

    private static void DotTiles<TVec>() where TVec : struct, Kernels.IVector<TVec>
    {
        int c = TVec.Count;
        foreach (int rows in new[] { 4, 5, 7, 20 })
            foreach (int columns in new[] { 2, 3, 8 })
                for (int m = c; m <= 3 * c + 1; m++)
                {
                    float[] p = TestData.Uniform(rows * m, (ulong)(m + rows), 2), q = TestData.Uniform(columns * m, (ulong)(m + columns + 50), 2);
                    var o = new float[rows * columns + 1];
                    o.AsSpan().Fill(float.NaN);
                    o[^1] = 12345f;
                    Kernels.RowDots<TVec>(ref p[0], ref q[0], ref o[0], m, columns, rows);
                    for (int j = 0; j < rows; j++)
                        for (int k = 0; k < columns; k++)
                        {
                            double sum = 0, magnitude = 0;
                            for (int i = 0; i < m; i++) { sum += (double)p[j * m + i] * q[k * m + i]; magnitude += Math.Abs((double)p[j * m + i] * q[k * m + i]); }
                            Assert.True(Math.Abs(o[j * columns + k] - sum) <= 1e-5 * (1 + magnitude),
                                $"Out[{j},{k}] (Vector{c * 32}, rows={rows}, columns={columns}, m={m}): {o[j * columns + k]} vs {sum}");
                        }
                    Assert.Equal(12345f, o[^1]);
                }
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
