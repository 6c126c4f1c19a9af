using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// dW = (1/m)·dZᵀ·A and db = (1/m)·Σ_i dZ[i, ·] — the notes' dW[l] = (1/m) dZ[l]·A[l-1]ᵀ and db[l] = (1/m) Σ dZ[l].
    /// dZ is m × nOut, A is m × nIn; dW (nOut × nIn) and db (nOut) are overwritten.
    /// </summary>
    /// <remarks>
    /// dW[j, k] = (1/m)·Σ_i dZ[i, j]·A[i, k]: for a block of 8 units × 32 inputs, 16 Vector512 accumulators gather
    /// dZ[i, j] (broadcast) times the row A[i, k..k+32] over every sample i, and are stored once. The last k block
    /// starts at nIn − 32 (or nIn − 16) and recomputes a few columns identically instead of masking.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseBackwardWeights(ReadOnlySpan<float> dZ, ReadOnlySpan<float> A, Span<float> dW, Span<float> db, int m, int nIn, int nOut)
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(dZ.Length, m, nOut, nameof(dZ));
        RequireMatrix(A.Length, m, nIn, nameof(A));
        RequireMatrix(dW.Length, nOut, nIn, nameof(dW));
        RequireLength(db.Length, nOut, nameof(db));

        float scale = 1f / m;
        ColumnSums(ref Ref(dZ), ref Ref(db), m, nOut, scale);
        if (Vector512.IsHardwareAccelerated && nIn >= Vector512<float>.Count)
            WeightGradientsBlocked(ref Ref(dZ), ref Ref(A), ref Ref(dW), m, nIn, nOut, scale);
        else
            WeightGradientsAxpy(ref Ref(dZ), ref Ref(A), ref Ref(dW), m, nIn, nOut, scale);
    }

    /// <summary>db[j] = scale·Σ_i dZ[i, j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnSums(ref float dz0, ref float db0, int m, int nOut, float scale)
    {
        for (int j = 0; j < nOut; j++) Unsafe.Add(ref db0, j) = 0f;
        for (int i = 0; i < m; i++)
        {
            ref float dz = ref Unsafe.Add(ref dz0, (nint)i * nOut);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + 16 <= nOut; j += 16)
                    (Vector512.LoadUnsafe(ref db0, (nuint)j) + Vector512.LoadUnsafe(ref dz, (nuint)j)).StoreUnsafe(ref db0, (nuint)j);
            for (; j < nOut; j++)
                Unsafe.Add(ref db0, j) += Unsafe.Add(ref dz, j);
        }
        for (int j = 0; j < nOut; j++) Unsafe.Add(ref db0, j) *= scale;
    }

    /// <summary>The reference strategy: dW[j, ·] += dZ[i, j]·A[i, ·] sample by sample, then scaled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightGradientsAxpy(ref float dz0, ref float a0, ref float dw0, int m, int nIn, int nOut, float scale)
    {
        int count = nOut * nIn;
        for (int q = 0; q < count; q++) Unsafe.Add(ref dw0, q) = 0f;
        for (int i = 0; i < m; i++)
        {
            ref float dz = ref Unsafe.Add(ref dz0, (nint)i * nOut);
            ref float a = ref Unsafe.Add(ref a0, (nint)i * nIn);
            for (int j = 0; j < nOut; j++)
                Axpy(Unsafe.Add(ref dz, j), ref a, ref Unsafe.Add(ref dw0, (nint)j * nIn), nIn);
        }
        for (int q = 0; q < count; q++) Unsafe.Add(ref dw0, q) *= scale;
    }

    /// <summary>The register-blocked strategy (Vector512, nIn ≥ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightGradientsBlocked(ref float dz0, ref float a0, ref float dw0, int m, int nIn, int nOut, float scale)
    {
        Vector512<float> s = Vector512.Create(scale);
        int width = nIn >= 32 ? 32 : 16;
        for (int k = 0; ; k += width)
        {
            if (k > nIn - width) k = nIn - width; // the last block overlaps the previous one: same values, stored again
            int j = 0;
            for (; j + 8 <= nOut; j += 8)
            {
                if (width == 32) Gradient8x32(ref dz0, ref a0, ref Unsafe.Add(ref dw0, (nint)j * nIn + k), m, nIn, nOut, j, k, s);
                else Gradient8x16(ref dz0, ref a0, ref Unsafe.Add(ref dw0, (nint)j * nIn + k), m, nIn, nOut, j, k, s);
            }
            for (; j < nOut; j++)
            {
                for (int column = k; column < k + width; column += 16)
                {
                    Vector512<float> c = default;
                    for (int i = 0; i < m; i++)
                        c = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz0, (nint)i * nOut + j)), Vector512.LoadUnsafe(ref a0, (nuint)((nint)i * nIn + column)), c);
                    (c * s).StoreUnsafe(ref dw0, (nuint)((nint)j * nIn + column));
                }
            }
            if (k + width >= nIn) break;
        }
    }

    /// <summary>dW[j..j+8, k..k+32] = scale·Σ_i dZ[i, j..j+8]ᵀ·A[i, k..k+32]: 16 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gradient8x32(ref float dz0, ref float a0, ref float dw, int m, int nIn, int nOut, int j, int k, Vector512<float> s)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        ref float dz = ref Unsafe.Add(ref dz0, j);
        ref float a = ref Unsafe.Add(ref a0, k);
        for (int i = 0; i < m; i++)
        {
            Vector512<float> x0 = Vector512.LoadUnsafe(ref a), x1 = Vector512.LoadUnsafe(ref a, 16);
            Vector512<float> g = Vector512.Create(dz);
            c00 = Vector512.FusedMultiplyAdd(g, x0, c00); c01 = Vector512.FusedMultiplyAdd(g, x1, c01);
            g = Vector512.Create(Unsafe.Add(ref dz, 1));
            c10 = Vector512.FusedMultiplyAdd(g, x0, c10); c11 = Vector512.FusedMultiplyAdd(g, x1, c11);
            g = Vector512.Create(Unsafe.Add(ref dz, 2));
            c20 = Vector512.FusedMultiplyAdd(g, x0, c20); c21 = Vector512.FusedMultiplyAdd(g, x1, c21);
            g = Vector512.Create(Unsafe.Add(ref dz, 3));
            c30 = Vector512.FusedMultiplyAdd(g, x0, c30); c31 = Vector512.FusedMultiplyAdd(g, x1, c31);
            g = Vector512.Create(Unsafe.Add(ref dz, 4));
            c40 = Vector512.FusedMultiplyAdd(g, x0, c40); c41 = Vector512.FusedMultiplyAdd(g, x1, c41);
            g = Vector512.Create(Unsafe.Add(ref dz, 5));
            c50 = Vector512.FusedMultiplyAdd(g, x0, c50); c51 = Vector512.FusedMultiplyAdd(g, x1, c51);
            g = Vector512.Create(Unsafe.Add(ref dz, 6));
            c60 = Vector512.FusedMultiplyAdd(g, x0, c60); c61 = Vector512.FusedMultiplyAdd(g, x1, c61);
            g = Vector512.Create(Unsafe.Add(ref dz, 7));
            c70 = Vector512.FusedMultiplyAdd(g, x0, c70); c71 = Vector512.FusedMultiplyAdd(g, x1, c71);
            dz = ref Unsafe.Add(ref dz, nOut);
            a = ref Unsafe.Add(ref a, nIn);
        }
        (c00 * s).StoreUnsafe(ref dw); (c01 * s).StoreUnsafe(ref dw, 16);
        (c10 * s).StoreUnsafe(ref dw, (nuint)nIn); (c11 * s).StoreUnsafe(ref dw, (nuint)nIn + 16);
        (c20 * s).StoreUnsafe(ref dw, (nuint)(2 * nIn)); (c21 * s).StoreUnsafe(ref dw, (nuint)(2 * nIn) + 16);
        (c30 * s).StoreUnsafe(ref dw, (nuint)(3 * nIn)); (c31 * s).StoreUnsafe(ref dw, (nuint)(3 * nIn) + 16);
        (c40 * s).StoreUnsafe(ref dw, (nuint)(4 * nIn)); (c41 * s).StoreUnsafe(ref dw, (nuint)(4 * nIn) + 16);
        (c50 * s).StoreUnsafe(ref dw, (nuint)(5 * nIn)); (c51 * s).StoreUnsafe(ref dw, (nuint)(5 * nIn) + 16);
        (c60 * s).StoreUnsafe(ref dw, (nuint)(6 * nIn)); (c61 * s).StoreUnsafe(ref dw, (nuint)(6 * nIn) + 16);
        (c70 * s).StoreUnsafe(ref dw, (nuint)(7 * nIn)); (c71 * s).StoreUnsafe(ref dw, (nuint)(7 * nIn) + 16);
    }

    /// <summary>dW[j..j+8, k..k+16] = scale·Σ_i dZ[i, j..j+8]ᵀ·A[i, k..k+16]: 8 accumulators (16 ≤ nIn &lt; 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gradient8x16(ref float dz0, ref float a0, ref float dw, int m, int nIn, int nOut, int j, int k, Vector512<float> s)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        ref float dz = ref Unsafe.Add(ref dz0, j);
        ref float a = ref Unsafe.Add(ref a0, k);
        for (int i = 0; i < m; i++)
        {
            Vector512<float> x = Vector512.LoadUnsafe(ref a);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(dz), x, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 1)), x, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 2)), x, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 3)), x, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 4)), x, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 5)), x, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 6)), x, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref dz, 7)), x, c7);
            dz = ref Unsafe.Add(ref dz, nOut);
            a = ref Unsafe.Add(ref a, nIn);
        }
        (c0 * s).StoreUnsafe(ref dw); (c1 * s).StoreUnsafe(ref dw, (nuint)nIn);
        (c2 * s).StoreUnsafe(ref dw, (nuint)(2 * nIn)); (c3 * s).StoreUnsafe(ref dw, (nuint)(3 * nIn));
        (c4 * s).StoreUnsafe(ref dw, (nuint)(4 * nIn)); (c5 * s).StoreUnsafe(ref dw, (nuint)(5 * nIn));
        (c6 * s).StoreUnsafe(ref dw, (nuint)(6 * nIn)); (c7 * s).StoreUnsafe(ref dw, (nuint)(7 * nIn));
    }
}
