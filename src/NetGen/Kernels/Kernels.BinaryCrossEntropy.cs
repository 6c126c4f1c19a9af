using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Σ [−y·log σ(z) − (1−y)·log(1−σ(z))] over all elements, computed from the logits Z in the stable form
    /// max(z, 0) − z·y + log(1 + e^−|z|): finite even where σ(z) rounds to 0 or 1. Divide by m for the cost J.
    /// </summary>
    /// <remarks>
    /// The terms are computed in float vectors (e^−|z| by <see cref="Exp{TVec}"/>, log(1 + u) with the rounding of 1 + u
    /// put back, so that it stays accurate for tiny u) and summed in double (<see cref="DoubleSum"/>): each term within
    /// a few float ulps, the sum without the error of its length. A NaN or infinite z makes the sum NaN or infinite.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double BinaryCrossEntropy(ReadOnlySpan<float> Z, ReadOnlySpan<float> Y)
    {
        RequireLength(Y.Length, Z.Length, nameof(Y));
        int n = Z.Length;
        if (Width512.IsAccelerated && n >= Width512.Count) return BinaryCrossEntropy<Width512>(ref Ref(Z), ref Ref(Y), n);
        if (Width256.IsAccelerated && n >= Width256.Count) return BinaryCrossEntropy<Width256>(ref Ref(Z), ref Ref(Y), n);
        if (Width128.IsAccelerated && n >= Width128.Count) return BinaryCrossEntropy<Width128>(ref Ref(Z), ref Ref(Y), n);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double z = Z[i];
            sum += Math.Max(z, 0.0) - z * Y[i] + Math.Log(1.0 + Math.Exp(-Math.Abs(z)));
        }
        return sum;
    }

    /// <summary><see cref="BinaryCrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float})"/> at one width (n ≥ one
    /// vector): whole vectors, then the last vector ending at n with the lanes already counted masked off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double BinaryCrossEntropy<TVec>(ref float z, ref float y, int n) where TVec : struct, IVector<TVec>
    {
        int c = TVec.Count, i = 0;
        var sum = new DoubleSum();
        for (; i <= n - c; i += c)
            sum.Add(BinaryCrossEntropyTerms(TVec.Load(ref z, (nuint)i), TVec.Load(ref y, (nuint)i)));
        if (i < n)
        {
            nuint last = (nuint)(n - c);
            sum.Add(BinaryCrossEntropyTerms(TVec.Load(ref z, last), TVec.Load(ref y, last)) & TVec.TailMask(n - i));
        }
        return sum.Total;
    }

    /// <summary>max(z, 0) − z·y + log(1 + e^−|z|) in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec BinaryCrossEntropyTerms<TVec>(TVec z, TVec y) where TVec : struct, IVector<TVec>
    {
        TVec one = TVec.Broadcast(1f);
        TVec u = Exp(-TVec.Abs(z));      // e^−|z| ∈ (0, 1]
        TVec w = one + u;                // 1 + u, rounded; w − 1 is exact, and u − (w − 1) is what the rounding lost
        TVec log1p = TVec.Log(w) + (u - (w - one)) / w;
        // z − z is 0, or NaN where z is NaN or infinite, which the native max and the clamped exp would hide.
        return TVec.MultiplyAdd(-z, y, TVec.Max(z, default)) + log1p + (z - z);
    }
}
