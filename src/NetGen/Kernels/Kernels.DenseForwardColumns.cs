using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Z = W·A + b with samples as columns — the notes' own layout: Z[j, i] = Σ_k W[j, k]·A[k, i] + b[j].
    /// A is nIn × m, W is nOut × nIn (row-major), b has nOut elements, Z is nOut × m.
    /// </summary>
    /// <remarks>
    /// <see cref="DenseForwardColumns{TActivation}"/> with g the identity: the vectors run across samples, each W[j, k]
    /// broadcast and multiplied with a row of A.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForwardColumns(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b, Span<float> Z,
        int m, int nIn, int nOut)
        => DenseForwardColumns(A, W, b, default, Z, m, nIn, nOut, default(IdentityFunction));

    /// <summary>
    /// Z = W·A + b and A_out = g(Z) in one pass, with samples as columns: A_out[j, i] = g(Σ_k W[j, k]·A[k, i] + b[j]).
    /// A is nIn × m, W is nOut × nIn (row-major), b has nOut elements; Z and A_out are nOut × m. Z is written only when
    /// it is not empty (training keeps it for g′ and the cost; a prediction needs A_out alone). A_out may be Z itself,
    /// but neither may overlap A.
    /// </summary>
    /// <remarks>
    /// g is applied in registers as each block of Z is finished, so no second pass reads Z back. The vectors run across
    /// samples, in tiles of rows of W times vectors of samples (<see cref="ColumnsTiles"/>), at the widest width this
    /// machine accelerates.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForwardColumns<TActivation>(ReadOnlySpan<float> A, ReadOnlySpan<float> W, ReadOnlySpan<float> b,
        Span<float> Z, Span<float> A_out, int m, int nIn, int nOut, TActivation g)
        where TActivation : struct, IActivationFunction
    {
        RequireSize(m, nameof(m)); RequireSize(nIn, nameof(nIn)); RequireSize(nOut, nameof(nOut));
        RequireMatrix(A.Length, nIn, m, nameof(A));
        RequireMatrix(W.Length, nOut, nIn, nameof(W));
        RequireLength(b.Length, nOut, nameof(b));
        bool keepZ = !Z.IsEmpty;
        if (keepZ) RequireMatrix(Z.Length, nOut, m, nameof(Z));
        RequireMatrix(A_out.Length, nOut, m, nameof(A_out));
        if (m == 1)
        {
            // One sample: both layouts are the same vector, and dot products are the fast way.
            DenseForward(A, W, b, A_out, 1, nIn, nOut);
            if (keepZ) A_out.Slice(0, nOut).CopyTo(Z);
            for (int j = 0; j < nOut; j++) A_out[j] = g.Apply(A_out[j]);
            return;
        }
        if (keepZ)
            ColumnsProduct<StoreBoth, TActivation>(ref Ref(W), nIn, 1, ref Ref(A), ref Ref(b), true, ref Ref(Z), ref Ref(A_out),
                nOut, nIn, m, g);
        else
            ColumnsProduct<StoreA, TActivation>(ref Ref(W), nIn, 1, ref Ref(A), ref Ref(b), true, ref Ref(A_out), ref Ref(A_out),
                nOut, nIn, m, g);
    }

    /// <summary>What a column kernel stores of each finished block: Z, g(Z), both, or Z ⊙ g(Y) (Y read at the same
    /// place: a backward product times the layer below's g′, read off its A).</summary>
    internal interface IStore
    {
        static abstract bool Z { get; }
        static abstract bool A { get; }
        static abstract bool TimesY { get; }
    }

    internal readonly struct StoreZ : IStore { public static bool Z => true; public static bool A => false; public static bool TimesY => false; }
    internal readonly struct StoreA : IStore { public static bool Z => false; public static bool A => true; public static bool TimesY => false; }
    internal readonly struct StoreBoth : IStore { public static bool Z => true; public static bool A => true; public static bool TimesY => false; }
    internal readonly struct StoreTimesY : IStore { public static bool Z => true; public static bool A => false; public static bool TimesY => true; }

    /// <summary>
    /// Out[r, i] = g(bias[r] + Σ_k S[r, k]·V[k, i]) for r &lt; rows, i &lt; m, where S[r, k] is read at
    /// r·rowStride + k·columnStride (so W or Wᵀ without copying) and V is depth × m, row-major; Z (the sum) and/or
    /// A (g of it) are stored as <typeparamref name="TStore"/> says, each a rows × m matrix.
    /// </summary>
    /// <remarks>
    /// The widest accelerated width runs (Vector512, else Vector256, else Vector128 — NEON on ARM64), once m fills one
    /// vector; otherwise the scalar loops.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ColumnsProduct<TStore, TActivation>(ref float s, int rowStride, int columnStride, ref float v,
        ref float bias, bool hasBias, ref float z, ref float y, int rows, int depth, int m, TActivation g)
        where TStore : struct, IStore
        where TActivation : struct, IActivationFunction
    {
        if (Width512.IsAccelerated && m >= Width512.Count)
            ColumnsTiles<Width512, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, rows, depth, m, g);
        else if (Width256.IsAccelerated && m >= Width256.Count)
            ColumnsTiles<Width256, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, rows, depth, m, g);
        else if (Width128.IsAccelerated && m >= Width128.Count)
            ColumnsTiles<Width128, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, rows, depth, m, g);
        else
            ColumnsScalar<TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, rows, depth, m, g);
    }

    /// <summary>
    /// <see cref="ColumnsProduct{TStore, TActivation}"/> at one width (needs m ≥ one vector): groups of four rows times
    /// two vectors (8 sums), then the last rows as 3 × 4 (12 sums, with 32 registers) or 3 × 2, 2 × 4 or 1 × 4 (8 or 4
    /// sums), or one row and one vector at a time when m is short. Enough independent sums to hide the FMA latency even
    /// for a layer of 3 units.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ColumnsTiles<TVec, TStore, TActivation>(ref float s0, int rowStride, int columnStride, ref float v,
        ref float b0, bool hasBias, ref float z0, ref float y0, int rows, int depth, int m, TActivation g)
        where TVec : struct, IVector<TVec>
        where TStore : struct, IStore
        where TActivation : struct, IActivationFunction
    {
        int c = TVec.Count, r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref float s = ref Unsafe.Add(ref s0, (nint)r * rowStride), bias = ref Unsafe.Add(ref b0, r);
            ref float z = ref Unsafe.Add(ref z0, (nint)r * m), y = ref Unsafe.Add(ref y0, (nint)r * m);
            if (m >= 2 * c)
                ColumnsTile<TVec, Four, Two, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, depth, m, g);
            else
                ColumnsTile<TVec, Four, One, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, depth, m, g);
        }
        int left = rows - r;
        if (left == 0) return;
        {
            ref float s = ref Unsafe.Add(ref s0, (nint)r * rowStride), bias = ref Unsafe.Add(ref b0, r);
            ref float z = ref Unsafe.Add(ref z0, (nint)r * m), y = ref Unsafe.Add(ref y0, (nint)r * m);
            if (left == 3 && TVec.HasManyRegisters && m >= 4 * c)
                ColumnsTile<TVec, Three, Four, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, depth, m, g);
            else if (left == 3 && m >= 2 * c)
                ColumnsTile<TVec, Three, Two, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, depth, m, g);
            else if (left == 2 && m >= 4 * c)
                ColumnsTile<TVec, Two, Four, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, depth, m, g);
            else if (left == 1 && m >= 4 * c)
                ColumnsTile<TVec, One, Four, TStore, TActivation>(ref s, rowStride, columnStride, ref v, ref bias, hasBias, ref z, ref y, depth, m, g);
            else
                for (; r < rows; r++)
                    ColumnsTile<TVec, One, One, TStore, TActivation>(ref Unsafe.Add(ref s0, (nint)r * rowStride), rowStride, columnStride,
                        ref v, ref Unsafe.Add(ref b0, r), hasBias, ref Unsafe.Add(ref z0, (nint)r * m), ref Unsafe.Add(ref y0, (nint)r * m),
                        depth, m, g);
        }
    }

    /// <summary>
    /// One strip of <typeparamref name="TRows"/> rows (1 to 4) across the samples from <paramref name="start"/> to m,
    /// <typeparamref name="TCols"/> vectors (1, 2 or 4) at a time: TRows × TCols sums in registers, the rows and vectors
    /// past the counts compiled away. Tiles of several vectors cover whole tiles only and leave the rest to one-vector
    /// tiles, so that a tail wastes less than a vector; the last one-vector tile starts at m − one vector and recomputes
    /// a few columns identically instead of masking.
    /// </summary>
    /// <remarks>A method of its own, compiled with its own inlining budget: inlined into <see cref="ColumnsTiles"/> with
    /// the other shapes, the budget ran out and left MultiplyAdd, the width structs' constructors and g as calls — one
    /// call per FMA.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsTile<TVec, TRows, TCols, TStore, TActivation>(ref float s, int rowStride, int columnStride, ref float v0,
        ref float bias, bool hasBias, ref float z, ref float y, int depth, int m, TActivation g, int start = 0)
        where TVec : struct, IVector<TVec>
        where TRows : struct, ICount
        where TCols : struct, ICount
        where TStore : struct, IStore
        where TActivation : struct, IActivationFunction
    {
        int width = TCols.Value * TVec.Count;
        nuint c = (nuint)TVec.Count;
        TVec b0 = hasBias ? TVec.Broadcast(bias) : default;
        TVec b1 = hasBias && TRows.Value > 1 ? TVec.Broadcast(Unsafe.Add(ref bias, 1)) : default;
        TVec b2 = hasBias && TRows.Value > 2 ? TVec.Broadcast(Unsafe.Add(ref bias, 2)) : default;
        TVec b3 = hasBias && TRows.Value > 3 ? TVec.Broadcast(Unsafe.Add(ref bias, 3)) : default;
        // Tiles of several vectors stop at the last whole tile; one-vector tiles run to m, the last one overlapping.
        int end = TCols.Value == 1 ? m : start + (m - start) / width * width;
        for (int i = start; TCols.Value == 1 || i < end; i += width)
        {
            if (i > m - width) i = m - width; // the last tile overlaps the previous one: same values, stored again
            TVec c00 = b0, c01 = b0, c02 = b0, c03 = b0, c10 = b1, c11 = b1, c12 = b1, c13 = b1;
            TVec c20 = b2, c21 = b2, c22 = b2, c23 = b2, c30 = b3, c31 = b3, c32 = b3, c33 = b3;
            ref float v = ref Unsafe.Add(ref v0, i);
            ref float sk = ref s;
            for (int k = 0; k < depth; k++)
            {
                TVec x0 = TVec.Load(ref v, 0);
                TVec x1 = TCols.Value > 1 ? TVec.Load(ref v, c) : default;
                TVec x2 = TCols.Value > 2 ? TVec.Load(ref v, 2 * c) : default;
                TVec x3 = TCols.Value > 3 ? TVec.Load(ref v, 3 * c) : default;
                TVec w = TVec.Broadcast(sk);
                c00 = TVec.MultiplyAdd(w, x0, c00);
                if (TCols.Value > 1) c01 = TVec.MultiplyAdd(w, x1, c01);
                if (TCols.Value > 2) { c02 = TVec.MultiplyAdd(w, x2, c02); c03 = TVec.MultiplyAdd(w, x3, c03); }
                if (TRows.Value > 1)
                {
                    w = TVec.Broadcast(Unsafe.Add(ref sk, rowStride));
                    c10 = TVec.MultiplyAdd(w, x0, c10);
                    if (TCols.Value > 1) c11 = TVec.MultiplyAdd(w, x1, c11);
                    if (TCols.Value > 2) { c12 = TVec.MultiplyAdd(w, x2, c12); c13 = TVec.MultiplyAdd(w, x3, c13); }
                }
                if (TRows.Value > 2)
                {
                    w = TVec.Broadcast(Unsafe.Add(ref sk, 2 * rowStride));
                    c20 = TVec.MultiplyAdd(w, x0, c20);
                    if (TCols.Value > 1) c21 = TVec.MultiplyAdd(w, x1, c21);
                    if (TCols.Value > 2) { c22 = TVec.MultiplyAdd(w, x2, c22); c23 = TVec.MultiplyAdd(w, x3, c23); }
                }
                if (TRows.Value > 3)
                {
                    w = TVec.Broadcast(Unsafe.Add(ref sk, 3 * rowStride));
                    c30 = TVec.MultiplyAdd(w, x0, c30);
                    if (TCols.Value > 1) c31 = TVec.MultiplyAdd(w, x1, c31);
                    if (TCols.Value > 2) { c32 = TVec.MultiplyAdd(w, x2, c32); c33 = TVec.MultiplyAdd(w, x3, c33); }
                }
                v = ref Unsafe.Add(ref v, m);
                sk = ref Unsafe.Add(ref sk, columnStride);
            }
            nuint at = (nuint)i, row = (nuint)m;
            if (TStore.A && (typeof(TActivation) == typeof(TanhFunction) || typeof(TActivation) == typeof(SigmoidFunction)))
            {
                // An exponential per block: the stores of a whole tile inlined here would exhaust the tile's inlining
                // budget (g, Store, even the counts left as calls); each row's stores are compiled on their own.
                StoreRowApart<TVec, TCols, TStore, TActivation>(c00, c01, c02, c03, ref z, ref y, at, g);
                if (TRows.Value > 1) StoreRowApart<TVec, TCols, TStore, TActivation>(c10, c11, c12, c13, ref z, ref y, at + row, g);
                if (TRows.Value > 2) StoreRowApart<TVec, TCols, TStore, TActivation>(c20, c21, c22, c23, ref z, ref y, at + 2 * row, g);
                if (TRows.Value > 3) StoreRowApart<TVec, TCols, TStore, TActivation>(c30, c31, c32, c33, ref z, ref y, at + 3 * row, g);
            }
            else
            {
                StoreRow<TVec, TCols, TStore, TActivation>(c00, c01, c02, c03, ref z, ref y, at, g);
                if (TRows.Value > 1) StoreRow<TVec, TCols, TStore, TActivation>(c10, c11, c12, c13, ref z, ref y, at + row, g);
                if (TRows.Value > 2) StoreRow<TVec, TCols, TStore, TActivation>(c20, c21, c22, c23, ref z, ref y, at + 2 * row, g);
                if (TRows.Value > 3) StoreRow<TVec, TCols, TStore, TActivation>(c30, c31, c32, c33, ref z, ref y, at + 3 * row, g);
            }
            if (TCols.Value == 1 && i + width >= m) break;
        }
        if (TCols.Value > 1 && end < m)
            ColumnsTile<TVec, TRows, One, TStore, TActivation>(ref s, rowStride, columnStride, ref v0, ref bias, hasBias,
                ref z, ref y, depth, m, g, end);
    }

    /// <summary><see cref="StoreRow"/> compiled as a method of its own, with its own inlining budget.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void StoreRowApart<TVec, TCols, TStore, TActivation>(TVec q0, TVec q1, TVec q2, TVec q3, ref float z, ref float y,
        nuint i, TActivation g)
        where TVec : struct, IVector<TVec>
        where TCols : struct, ICount
        where TStore : struct, IStore
        where TActivation : struct, IActivationFunction
        => StoreRow<TVec, TCols, TStore, TActivation>(q0, q1, q2, q3, ref z, ref y, i, g);

    /// <summary>Stores the first <typeparamref name="TCols"/> of four finished blocks of one row, side by side from i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TVec, TCols, TStore, TActivation>(TVec q0, TVec q1, TVec q2, TVec q3, ref float z, ref float y,
        nuint i, TActivation g)
        where TVec : struct, IVector<TVec>
        where TCols : struct, ICount
        where TStore : struct, IStore
        where TActivation : struct, IActivationFunction
    {
        nuint c = (nuint)TVec.Count;
        StoreBlock<TVec, TStore, TActivation>(q0, ref z, ref y, i, g);
        if (TCols.Value > 1) StoreBlock<TVec, TStore, TActivation>(q1, ref z, ref y, i + c, g);
        if (TCols.Value > 2) StoreBlock<TVec, TStore, TActivation>(q2, ref z, ref y, i + 2 * c, g);
        if (TCols.Value > 3) StoreBlock<TVec, TStore, TActivation>(q3, ref z, ref y, i + 3 * c, g);
    }

    /// <summary>Stores one finished block at i: Z, g(Z), both, or Z ⊙ g(Y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBlock<TVec, TStore, TActivation>(TVec q, ref float z, ref float y, nuint i, TActivation g)
        where TVec : struct, IVector<TVec>
        where TStore : struct, IStore
        where TActivation : struct, IActivationFunction
    {
        if (TStore.TimesY) TVec.Store(q * TVec.Apply(TVec.Load(ref y, i), g), ref z, i);
        else if (TStore.Z) TVec.Store(q, ref z, i);
        if (TStore.A) TVec.Store(TVec.Apply(q, g), ref y, i);
    }

    /// <summary>The reference strategy of <see cref="ColumnsProduct{TStore, TActivation}"/>: plain loops, one row of
    /// the output at a time, summed in place (in Z when it is stored, else in A) and then passed through g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ColumnsScalar<TStore, TActivation>(ref float s0, int rowStride, int columnStride, ref float v0,
        ref float bias, bool hasBias, ref float z0, ref float y0, int rows, int depth, int m, TActivation g)
        where TStore : struct, IStore
        where TActivation : struct, IActivationFunction
    {
        for (int r = 0; r < rows; r++)
        {
            ref float y = ref Unsafe.Add(ref y0, (nint)r * m);
            ref float o = ref TStore.Z ? ref Unsafe.Add(ref z0, (nint)r * m) : ref y;
            float start = hasBias ? Unsafe.Add(ref bias, r) : 0f;
            for (int i = 0; i < m; i++) Unsafe.Add(ref o, i) = start;
            for (int k = 0; k < depth; k++)
            {
                float weight = Unsafe.Add(ref s0, (nint)r * rowStride + (nint)k * columnStride);
                ref float v = ref Unsafe.Add(ref v0, (nint)k * m);
                for (int i = 0; i < m; i++)
                    Unsafe.Add(ref o, i) = MathF.FusedMultiplyAdd(weight, Unsafe.Add(ref v, i), Unsafe.Add(ref o, i));
            }
            if (TStore.A)
                for (int i = 0; i < m; i++) Unsafe.Add(ref y, i) = g.Apply(Unsafe.Add(ref o, i));
            if (TStore.TimesY)
                for (int i = 0; i < m; i++) Unsafe.Add(ref o, i) *= g.Apply(Unsafe.Add(ref y, i));
        }
    }
}
