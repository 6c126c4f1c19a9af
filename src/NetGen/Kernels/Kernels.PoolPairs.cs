using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// The floats per vector of the 2 × 2, stride-2 pool kernels for <paramref name="p"/>: the widest accelerated width
    /// no wider than a row of the output (a vector of outputs reads two vectors of each of two input rows); 0 for other
    /// windows or strides, or with no vectors on this machine (window by window then).
    /// </summary>
    internal static int PairsWidth(in PoolGeometry p)
    {
        if (p.WindowHeight != 2 || p.WindowWidth != 2 || p.Stride != 2) return 0;
        int ow = p.OutWidth;
        return Width512.IsAccelerated && ow >= Width512.Count ? Width512.Count
            : Width256.IsAccelerated && ow >= Width256.Count ? Width256.Count
            : Width128.IsAccelerated && ow >= Width128.Count ? Width128.Count
            : 0;
    }

    /// <summary>How a 2 × 2 window becomes one value, for <see cref="PoolPairs"/>: <c>Finish(Pair(Pair(a, b),
    /// Pair(c, d)))</c> over its four values.</summary>
    internal interface IPairPool
    {
        /// <summary>Two values (or partial results) into one.</summary>
        static abstract TVec Pair<TVec>(TVec x, TVec y) where TVec : struct, IVector<TVec>;

        /// <summary>The window's result from the pairing of all four.</summary>
        static abstract TVec Finish<TVec>(TVec x) where TVec : struct, IVector<TVec>;
    }

    /// <summary>Max pooling: max(max(a, b), max(c, d)).</summary>
    internal readonly struct MaxOfPair : IPairPool
    {
        public static TVec Pair<TVec>(TVec x, TVec y) where TVec : struct, IVector<TVec> => TVec.Max(x, y);
        public static TVec Finish<TVec>(TVec x) where TVec : struct, IVector<TVec> => x;
    }

    /// <summary>Average pooling: ((a + b) + (c + d))·¼.</summary>
    internal readonly struct MeanOfPair : IPairPool
    {
        public static TVec Pair<TVec>(TVec x, TVec y) where TVec : struct, IVector<TVec> => x + y;
        public static TVec Finish<TVec>(TVec x) where TVec : struct, IVector<TVec> => x * TVec.Broadcast(0.25f);
    }

    /// <summary>Z[oy, ox] = Finish(Pair(Pair(A[2oy, 2ox], A[2oy + 1, 2ox]), Pair(A[2oy, 2ox + 1], A[2oy + 1, 2ox + 1])))
    /// a vector of ox at a time: the two rows paired, then their even and odd lanes split apart and paired. The last
    /// vector of a row overlaps the one before (same values stored again).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolPairs<TVec, TPool>(ref float a0, ref float z0, int samples, in PoolGeometry p)
        where TVec : struct, IVector<TVec>
        where TPool : struct, IPairPool
    {
        int w = p.InWidth, oh = p.OutHeight, ow = p.OutWidth, n = TVec.Count, planes = samples * p.Channels;
        nint inPlane = (nint)p.InHeight * w, outPlane = (nint)oh * ow;
        for (int plane = 0; plane < planes; plane++)
            for (int oy = 0; oy < oh; oy++)
            {
                ref float r0 = ref Unsafe.Add(ref a0, plane * inPlane + (nint)2 * oy * w);
                ref float r1 = ref Unsafe.Add(ref r0, w);
                ref float zr = ref Unsafe.Add(ref z0, plane * outPlane + (nint)oy * ow);
                for (int ox = 0; ; ox += n)
                {
                    if (ox > ow - n) ox = ow - n;
                    nuint at = (nuint)(2 * ox);
                    TVec lo = TPool.Pair(TVec.Load(ref r0, at), TVec.Load(ref r1, at));
                    TVec hi = TPool.Pair(TVec.Load(ref r0, at + (nuint)n), TVec.Load(ref r1, at + (nuint)n));
                    TVec.Deinterleave(lo, hi, out TVec even, out TVec odd);
                    TVec.Store(TPool.Finish(TPool.Pair(even, odd)), ref zr, (nuint)ox);
                    if (ox + n >= ow) break;
                }
            }
    }
}
