using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Σ_i Σ_j −y[i, j]·log softmax(z[i])_j = Σ_i Σ_j y[i, j]·(logΣexp(z[i]) − z[i, j]), computed from the logits Z
    /// (max-shifted, so finite for any z). Divide by m for the cost J.
    /// </summary>
    /// <remarks>
    /// Each term is y·((max − z) + log(1 + r)), r = Σ e^(z − max) over all but one maximum, so that a confident row's
    /// small cost is neither rounded off 1 + r nor the difference of two large numbers. A row of at least four classes
    /// runs in float vectors (e^x by <see cref="Exp{TVec}"/>), each row's sum added in double. Fewer classes run the same formula in double.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double CrossEntropy(ReadOnlySpan<float> Z, ReadOnlySpan<float> Y, int m, int n)
    {
        RequireSize(m, nameof(m)); RequireSize(n, nameof(n));
        RequireMatrix(Z.Length, m, n, nameof(Z));
        RequireMatrix(Y.Length, m, n, nameof(Y));
        if (Width512.IsAccelerated && n >= Width512.Count) return CrossEntropy<Width512>(ref Ref(Z), ref Ref(Y), m, n);
        if (Width256.IsAccelerated && n >= Width256.Count) return CrossEntropy<Width256>(ref Ref(Z), ref Ref(Y), m, n);
        if (Width128.IsAccelerated && n >= Width128.Count) return CrossEntropy<Width128>(ref Ref(Z), ref Ref(Y), m, n);
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> z = Z.Slice(i * n, n);
            ReadOnlySpan<float> y = Y.Slice(i * n, n);
            int top = 0;
            for (int j = 1; j < n; j++) if (!(z[j] <= z[top])) top = j; // the first maximum, or a NaN
            double max = z[top], r = 0;
            for (int j = 0; j < n; j++) if (j != top) r += Math.Exp(z[j] - max);
            double w = 1 + r, log1p = Math.Log(w) + (r - (w - 1)) / w;
            for (int j = 0; j < n; j++) sum += y[j] * ((max - z[j]) + log1p);
        }
        return sum;
    }

    /// <summary><see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int)"/> at one width (n ≥ one
    /// vector): each row in whole vectors, then the last vector ending at the row's end with the lanes already counted
    /// masked off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double CrossEntropy<TVec>(ref float z0, ref float y0, int m, int n) where TVec : struct, IVector<TVec>
    {
        int c = TVec.Count, whole = n / c * c;
        nuint last = (nuint)(n - c);
        TVec tail = TVec.TailMask(n - whole);
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            ref float z = ref Unsafe.Add(ref z0, (nint)i * n);
            ref float y = ref Unsafe.Add(ref y0, (nint)i * n);
            float max = z;
            for (int j = 1; j < n; j++) max = MathF.Max(max, Unsafe.Add(ref z, j)); // NaN stays NaN
            // Σ e^(z − max) = 1 + r, where r sums the lanes below the max (and the 1s of any tie): r kept apart, so that
            // log(1 + r) keeps a confident row's tiny r, which 1 + r in float would round away.
            TVec shift = TVec.Broadcast(max), one = TVec.Broadcast(1f), rest = default, ties = default;
            for (int j = 0; j < whole; j += c)
            {
                TVec zj = TVec.Load(ref z, (nuint)j), top = TVec.Equal(zj, shift);
                rest += TVec.AndNot(ShiftedExp(zj, shift), top);
                ties += one & top;
            }
            if (whole < n)
            {
                TVec zj = TVec.Load(ref z, last), top = TVec.Equal(zj, shift);
                rest += TVec.AndNot(ShiftedExp(zj, shift), top) & tail;
                ties += one & top & tail;
            }
            double r = (double)TVec.Sum(rest) + (TVec.Sum(ties) - 1f), w = 1 + r;
            double log1p = Math.Log(w) + (r - (w - 1)) / w; // w − 1 is exact; r − (w − 1), what rounding 1 + r lost
            // Each term y·((max − z) + log(1 + r)): max − z is exact near the max.
            TVec logTotal = TVec.Broadcast((float)log1p), row = default;
            for (int j = 0; j < whole; j += c)
                row = TVec.MultiplyAdd(TVec.Load(ref y, (nuint)j), shift - TVec.Load(ref z, (nuint)j) + logTotal, row);
            if (whole < n)
                row += TVec.Load(ref y, last) * (shift - TVec.Load(ref z, last) + logTotal) & tail;
            sum += TVec.Sum(row);
        }
        return sum;
    }

    /// <summary>
    /// e^(z − max) with the rounding of z − max put back: d = z − max and its error e (Knuth's two-sum, exact), then
    /// e^d·(1 + e). A logit 25 below the max would otherwise lose 25·2^−24 of its relative precision to the shift.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ShiftedExp<TVec>(TVec z, TVec max) where TVec : struct, IVector<TVec>
    {
        TVec d = z - max, back = d - z;
        TVec error = (z - (d - back)) - (max + back);
        TVec e = Exp(d);
        return TVec.MultiplyAdd(e, error, e);
    }
}
