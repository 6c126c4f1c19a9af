using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Units per panel of the packed Wᵀ: two Vector512 of outputs per row.</summary>
    private const int PanelWidth = 32;

    /// <summary>Rows of A (samples) per register block: 12 × 2 accumulators, the most that leave registers for the operands.</summary>
    private const int PanelRows = 12;

    /// <summary>This thread's packed Wᵀ (grown when a layer needs more, then reused: no allocation in steady state).</summary>
    [ThreadStatic] private static float[]? t_packed;

    /// <summary>
    /// Z = A·Wᵀ + b for a batch of a wide layer (m ≥ 12, nOut ≥ 32, nIn ≥ 16), the way fast matrix products do it:
    /// Wᵀ is first packed into panels of 32 units (panel[k][0..32) = W[32p + c, k], zeros past nOut), then each
    /// block of 12 samples × 32 units is 24 Vector512 accumulators, fed per k by two loads of the panel and twelve
    /// broadcasts of A[i, k] — 24 FMAs for every 2 vector loads, and no horizontal sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DenseForwardPacked(ref float a0, ref float w0, ref float b0, bool hasBias, ref float z0, int m, int nIn, int nOut)
    {
        int panels = (nOut + PanelWidth - 1) / PanelWidth;
        int needed = panels * PanelWidth * nIn;
        float[] packed = t_packed is { } cached && cached.Length >= needed ? cached : (t_packed = new float[needed]);
        PackTransposed(ref w0, packed, nIn, nOut, panels);

        Span<float> partial = stackalloc float[PanelRows * PanelWidth];
        ref float p0 = ref packed[0];
        for (int p = 0; p < panels; p++)
        {
            int j0 = p * PanelWidth, valid = Math.Min(PanelWidth, nOut - j0);
            ref float panel = ref Unsafe.Add(ref p0, (nint)p * nIn * PanelWidth);
            Vector512<float> bias0 = default, bias1 = default;
            if (hasBias)
            {
                // The bias of the panel's units (zeros past nOut).
                Span<float> b = partial.Slice(0, PanelWidth);
                b.Clear();
                for (int c = 0; c < valid; c++) b[c] = Unsafe.Add(ref b0, j0 + c);
                bias0 = Vector512.Create((ReadOnlySpan<float>)b.Slice(0, 16));
                bias1 = Vector512.Create((ReadOnlySpan<float>)b.Slice(16, 16));
            }
            for (int i = 0; i < m; i += PanelRows)
            {
                int rows = Math.Min(PanelRows, m - i);
                ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
                if (rows == PanelRows && valid == PanelWidth)
                    Block12x32(ref a, ref panel, ref Unsafe.Add(ref z0, (nint)i * nOut + j0), nIn, nOut, bias0, bias1);
                else
                {
                    // A block at an edge: each row alone, into a scratch row, then the valid columns.
                    for (int r = 0; r < rows; r++)
                    {
                        Block1x32(ref Unsafe.Add(ref a, (nint)r * nIn), ref panel, ref partial[0], nIn, bias0, bias1);
                        partial.Slice(0, valid).CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref Unsafe.Add(ref z0, (nint)(i + r) * nOut + j0), valid));
                    }
                }
            }
        }
    }

    /// <summary>panel p, row k: W[32p + c, k] for c &lt; 32 (zero past nOut). Copies 16 × 32 tiles, so that both the rows
    /// read and the rows written stay in cache.</summary>
    private static void PackTransposed(ref float w0, float[] packed, int nIn, int nOut, int panels)
    {
        ref float p0 = ref packed[0];
        for (int p = 0; p < panels; p++)
        {
            int j0 = p * PanelWidth, valid = Math.Min(PanelWidth, nOut - j0);
            ref float panel = ref Unsafe.Add(ref p0, (nint)p * nIn * PanelWidth);
            for (int k0 = 0; k0 < nIn; k0 += 16)
            {
                int depth = Math.Min(16, nIn - k0);
                for (int c = 0; c < PanelWidth; c++)
                {
                    ref float to = ref Unsafe.Add(ref panel, (nint)k0 * PanelWidth + c);
                    if (c >= valid)
                    {
                        for (int t = 0; t < depth; t++) Unsafe.Add(ref to, t * PanelWidth) = 0f;
                        continue;
                    }
                    ref float from = ref Unsafe.Add(ref w0, (nint)(j0 + c) * nIn + k0);
                    for (int t = 0; t < depth; t++)
                        Unsafe.Add(ref to, t * PanelWidth) = Unsafe.Add(ref from, t);
                }
            }
        }
    }

    /// <summary>Z[r, 0..32) = b + Σ_k A[r, k]·panel[k, 0..32) for 12 rows r: 24 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block12x32(ref float a, ref float panel, ref float z, int nIn, int nOut, Vector512<float> b0, Vector512<float> b1)
    {
        Vector512<float> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
        Vector512<float> c60 = b0, c61 = b1, c70 = b0, c71 = b1, c80 = b0, c81 = b1, c90 = b0, c91 = b1, cA0 = b0, cA1 = b1, cB0 = b0, cB1 = b1;
        nint row = nIn;
        for (int k = 0; k < nIn; k++)
        {
            Vector512<float> v0 = Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth), v1 = Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth + 16);
            ref float ak = ref Unsafe.Add(ref a, k);
            Vector512<float> x = Vector512.Create(ak);
            c00 = Vector512.FusedMultiplyAdd(x, v0, c00); c01 = Vector512.FusedMultiplyAdd(x, v1, c01);
            x = Vector512.Create(Unsafe.Add(ref ak, row)); c10 = Vector512.FusedMultiplyAdd(x, v0, c10); c11 = Vector512.FusedMultiplyAdd(x, v1, c11);
            x = Vector512.Create(Unsafe.Add(ref ak, 2 * row)); c20 = Vector512.FusedMultiplyAdd(x, v0, c20); c21 = Vector512.FusedMultiplyAdd(x, v1, c21);
            x = Vector512.Create(Unsafe.Add(ref ak, 3 * row)); c30 = Vector512.FusedMultiplyAdd(x, v0, c30); c31 = Vector512.FusedMultiplyAdd(x, v1, c31);
            x = Vector512.Create(Unsafe.Add(ref ak, 4 * row)); c40 = Vector512.FusedMultiplyAdd(x, v0, c40); c41 = Vector512.FusedMultiplyAdd(x, v1, c41);
            x = Vector512.Create(Unsafe.Add(ref ak, 5 * row)); c50 = Vector512.FusedMultiplyAdd(x, v0, c50); c51 = Vector512.FusedMultiplyAdd(x, v1, c51);
            x = Vector512.Create(Unsafe.Add(ref ak, 6 * row)); c60 = Vector512.FusedMultiplyAdd(x, v0, c60); c61 = Vector512.FusedMultiplyAdd(x, v1, c61);
            x = Vector512.Create(Unsafe.Add(ref ak, 7 * row)); c70 = Vector512.FusedMultiplyAdd(x, v0, c70); c71 = Vector512.FusedMultiplyAdd(x, v1, c71);
            x = Vector512.Create(Unsafe.Add(ref ak, 8 * row)); c80 = Vector512.FusedMultiplyAdd(x, v0, c80); c81 = Vector512.FusedMultiplyAdd(x, v1, c81);
            x = Vector512.Create(Unsafe.Add(ref ak, 9 * row)); c90 = Vector512.FusedMultiplyAdd(x, v0, c90); c91 = Vector512.FusedMultiplyAdd(x, v1, c91);
            x = Vector512.Create(Unsafe.Add(ref ak, 10 * row)); cA0 = Vector512.FusedMultiplyAdd(x, v0, cA0); cA1 = Vector512.FusedMultiplyAdd(x, v1, cA1);
            x = Vector512.Create(Unsafe.Add(ref ak, 11 * row)); cB0 = Vector512.FusedMultiplyAdd(x, v0, cB0); cB1 = Vector512.FusedMultiplyAdd(x, v1, cB1);
        }
        nint o = nOut;
        c00.StoreUnsafe(ref z); c01.StoreUnsafe(ref z, 16);
        c10.StoreUnsafe(ref Unsafe.Add(ref z, o)); c11.StoreUnsafe(ref Unsafe.Add(ref z, o + 16));
        c20.StoreUnsafe(ref Unsafe.Add(ref z, 2 * o)); c21.StoreUnsafe(ref Unsafe.Add(ref z, 2 * o + 16));
        c30.StoreUnsafe(ref Unsafe.Add(ref z, 3 * o)); c31.StoreUnsafe(ref Unsafe.Add(ref z, 3 * o + 16));
        c40.StoreUnsafe(ref Unsafe.Add(ref z, 4 * o)); c41.StoreUnsafe(ref Unsafe.Add(ref z, 4 * o + 16));
        c50.StoreUnsafe(ref Unsafe.Add(ref z, 5 * o)); c51.StoreUnsafe(ref Unsafe.Add(ref z, 5 * o + 16));
        c60.StoreUnsafe(ref Unsafe.Add(ref z, 6 * o)); c61.StoreUnsafe(ref Unsafe.Add(ref z, 6 * o + 16));
        c70.StoreUnsafe(ref Unsafe.Add(ref z, 7 * o)); c71.StoreUnsafe(ref Unsafe.Add(ref z, 7 * o + 16));
        c80.StoreUnsafe(ref Unsafe.Add(ref z, 8 * o)); c81.StoreUnsafe(ref Unsafe.Add(ref z, 8 * o + 16));
        c90.StoreUnsafe(ref Unsafe.Add(ref z, 9 * o)); c91.StoreUnsafe(ref Unsafe.Add(ref z, 9 * o + 16));
        cA0.StoreUnsafe(ref Unsafe.Add(ref z, 10 * o)); cA1.StoreUnsafe(ref Unsafe.Add(ref z, 10 * o + 16));
        cB0.StoreUnsafe(ref Unsafe.Add(ref z, 11 * o)); cB1.StoreUnsafe(ref Unsafe.Add(ref z, 11 * o + 16));
    }

    /// <summary>out[0..32) = b + Σ_k a[k]·panel[k, 0..32): one row of <see cref="Block12x32"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x32(ref float a, ref float panel, ref float output, int nIn, Vector512<float> b0, Vector512<float> b1)
    {
        Vector512<float> c0 = b0, c1 = b1;
        for (int k = 0; k < nIn; k++)
        {
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref a, k));
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref panel, (nuint)k * PanelWidth + 16), c1);
        }
        c0.StoreUnsafe(ref output);
        c1.StoreUnsafe(ref output, 16);
    }
}
