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
    /// dW[j, k] = (1/m)·Σ_i dZ[i, j]·A[i, k]: for a block of 8 units (4 with 16 registers, or 1 to 3 for a narrower
    /// layer) × two vectors of inputs, up to 16 accumulators gather dZ[i, j] (broadcast) times the row A[i, k..] over
    /// every sample i, and are stored once, at the widest accelerated width that fits in a row of A. The last k block ends at nIn and recomputes a few columns
    /// identically instead of masking.
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
        ref float dz0 = ref Ref(dZ), a0 = ref Ref(A), dw0 = ref Ref(dW), db0 = ref Ref(db);
        // db[j] = scale·Σ_i dZ[i, j]: the rows of dZ added up, then scaled.
        for (int j = 0; j < nOut; j++) Unsafe.Add(ref db0, j) = 0f;
        for (int i = 0; i < m; i++)
            Axpy(1f, ref Unsafe.Add(ref dz0, (nint)i * nOut), ref db0, nOut);
        for (int j = 0; j < nOut; j++) Unsafe.Add(ref db0, j) *= scale;

        if (Width512.IsAccelerated && nIn >= Width512.Count)
            WeightGradients<Width512>(ref dz0, ref a0, ref dw0, m, nIn, nOut, scale);
        else if (Width256.IsAccelerated && nIn >= Width256.Count)
            WeightGradients<Width256>(ref dz0, ref a0, ref dw0, m, nIn, nOut, scale);
        else if (Width128.IsAccelerated && nIn >= Width128.Count)
            WeightGradients<Width128>(ref dz0, ref a0, ref dw0, m, nIn, nOut, scale);
        else
        {
            // dW[j, ·] += dZ[i, j]·A[i, ·] sample by sample, then scaled.
            int count = nOut * nIn;
            for (int q = 0; q < count; q++) Unsafe.Add(ref dw0, q) = 0f;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < nOut; j++)
                    Axpy(Unsafe.Add(ref dz0, (nint)i * nOut + j), ref Unsafe.Add(ref a0, (nint)i * nIn), ref Unsafe.Add(ref dw0, (nint)j * nIn), nIn);
            for (int q = 0; q < count; q++) Unsafe.Add(ref dw0, q) *= scale;
        }
    }

    /// <summary><see cref="DenseBackwardWeights"/>'s dW at one width (nIn ≥ one vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightGradients<TVec>(ref float dz0, ref float a0, ref float dw0, int m, int nIn, int nOut, float scale)
        where TVec : struct, IVector<TVec>
    {
        TVec s = TVec.Broadcast(scale);
        // Two vectors of inputs whenever a row holds them: 8 units × 2 with 32 registers, 4 × 2 with 16 (the strips of
        // A read down its columns are then at least 32 bytes wide).
        bool two = nIn >= 2 * TVec.Count;
        int width = two ? 2 * TVec.Count : TVec.Count;
        for (int k = 0; ; k += width)
        {
            if (k > nIn - width) k = nIn - width; // the last block overlaps the previous one: same values, stored again
            ref float a = ref Unsafe.Add(ref a0, k), dw = ref Unsafe.Add(ref dw0, k);
            if (two && TVec.HasManyRegisters) UnitTiles<TVec, Two, Eight>(ref dz0, ref a, ref dw, m, nIn, nOut, s);
            else if (two) UnitTiles<TVec, Two, Four>(ref dz0, ref a, ref dw, m, nIn, nOut, s);
            else UnitTiles<TVec, One, Eight>(ref dz0, ref a, ref dw, m, nIn, nOut, s);
            if (k + width >= nIn) break;
        }
    }

    /// <summary>One block of inputs of dW for every unit: tiles of <typeparamref name="TMost"/> units (8 or 4; or 4, or
    /// all of 1 to 3 for a narrower layer), each reading the block's strip of A once; the last tile ends at nOut and
    /// overlaps the one before (the same values again).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UnitTiles<TVec, TVectors, TMost>(ref float dz0, ref float a, ref float dw0, int m, int nIn, int nOut, TVec s)
        where TVec : struct, IVector<TVec>
        where TVectors : struct, ICount
        where TMost : struct, ICount
    {
        int most = TMost.Value;
        if (nOut >= most)
            for (int j = 0; ; j += most)
            {
                if (j > nOut - most) j = nOut - most;
                GradientTile<TVec, TMost, TVectors>(ref Unsafe.Add(ref dz0, j), ref a, ref Unsafe.Add(ref dw0, (nint)j * nIn), m, nIn, nOut, s);
                if (j + most >= nOut) break;
            }
        else if (nOut >= 4)
        {
            GradientTile<TVec, Four, TVectors>(ref dz0, ref a, ref dw0, m, nIn, nOut, s);
            GradientTile<TVec, Four, TVectors>(ref Unsafe.Add(ref dz0, nOut - 4), ref a, ref Unsafe.Add(ref dw0, (nint)(nOut - 4) * nIn), m, nIn, nOut, s);
        }
        else if (nOut == 3) GradientTile<TVec, Three, TVectors>(ref dz0, ref a, ref dw0, m, nIn, nOut, s);
        else if (nOut == 2) GradientTile<TVec, Two, TVectors>(ref dz0, ref a, ref dw0, m, nIn, nOut, s);
        else if (nOut == 1) GradientTile<TVec, One, TVectors>(ref dz0, ref a, ref dw0, m, nIn, nOut, s);
    }

    /// <summary>dW[j..j+U, k..k+V·c] = scale·Σ_i dZ[i, j..j+U]ᵀ·A[i, k..k+V·c] for U = <typeparamref name="TUnits"/>
    /// (1, 2, 3, 4 or 8) units and V = <typeparamref name="TVectors"/> (1 or 2) vectors: U × V accumulators.</summary>
    /// <remarks>A call of its own (a loop over every sample), compiled optimized at once: inlined with the other shapes,
    /// the JIT's inlining budget ran out and left calls compiled unoptimized at first.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientTile<TVec, TUnits, TVectors>(ref float dz, ref float a, ref float dw, int m, int nIn, int nOut, TVec s)
        where TVec : struct, IVector<TVec>
        where TUnits : struct, ICount
        where TVectors : struct, ICount
    {
        int units = TUnits.Value;
        bool two = TVectors.Value > 1;
        nuint c = (nuint)TVec.Count;
        TVec c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TVec c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int i = 0; i < m; i++)
        {
            TVec x0 = TVec.Load(ref a, 0), x1 = two ? TVec.Load(ref a, c) : default;
            TVec g = TVec.Broadcast(dz);
            c00 = TVec.MultiplyAdd(g, x0, c00); if (two) c01 = TVec.MultiplyAdd(g, x1, c01);
            if (units > 1) { g = TVec.Broadcast(Unsafe.Add(ref dz, 1)); c10 = TVec.MultiplyAdd(g, x0, c10); if (two) c11 = TVec.MultiplyAdd(g, x1, c11); }
            if (units > 2) { g = TVec.Broadcast(Unsafe.Add(ref dz, 2)); c20 = TVec.MultiplyAdd(g, x0, c20); if (two) c21 = TVec.MultiplyAdd(g, x1, c21); }
            if (units > 3) { g = TVec.Broadcast(Unsafe.Add(ref dz, 3)); c30 = TVec.MultiplyAdd(g, x0, c30); if (two) c31 = TVec.MultiplyAdd(g, x1, c31); }
            if (units > 4)
            {
                g = TVec.Broadcast(Unsafe.Add(ref dz, 4)); c40 = TVec.MultiplyAdd(g, x0, c40); if (two) c41 = TVec.MultiplyAdd(g, x1, c41);
                g = TVec.Broadcast(Unsafe.Add(ref dz, 5)); c50 = TVec.MultiplyAdd(g, x0, c50); if (two) c51 = TVec.MultiplyAdd(g, x1, c51);
                g = TVec.Broadcast(Unsafe.Add(ref dz, 6)); c60 = TVec.MultiplyAdd(g, x0, c60); if (two) c61 = TVec.MultiplyAdd(g, x1, c61);
                g = TVec.Broadcast(Unsafe.Add(ref dz, 7)); c70 = TVec.MultiplyAdd(g, x0, c70); if (two) c71 = TVec.MultiplyAdd(g, x1, c71);
            }
            dz = ref Unsafe.Add(ref dz, nOut);
            a = ref Unsafe.Add(ref a, nIn);
        }
        nuint row = (nuint)nIn;
        TVec.Store(c00 * s, ref dw, 0); if (two) TVec.Store(c01 * s, ref dw, c);
        if (units > 1) { TVec.Store(c10 * s, ref dw, row); if (two) TVec.Store(c11 * s, ref dw, row + c); }
        if (units > 2) { TVec.Store(c20 * s, ref dw, 2 * row); if (two) TVec.Store(c21 * s, ref dw, 2 * row + c); }
        if (units > 3) { TVec.Store(c30 * s, ref dw, 3 * row); if (two) TVec.Store(c31 * s, ref dw, 3 * row + c); }
        if (units > 4)
        {
            TVec.Store(c40 * s, ref dw, 4 * row); if (two) TVec.Store(c41 * s, ref dw, 4 * row + c);
            TVec.Store(c50 * s, ref dw, 5 * row); if (two) TVec.Store(c51 * s, ref dw, 5 * row + c);
            TVec.Store(c60 * s, ref dw, 6 * row); if (two) TVec.Store(c61 * s, ref dw, 6 * row + c);
            TVec.Store(c70 * s, ref dw, 7 * row); if (two) TVec.Store(c71 * s, ref dw, 7 * row + c);
        }
    }
}
