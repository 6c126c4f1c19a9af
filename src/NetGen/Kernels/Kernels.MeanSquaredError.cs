using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>Σ ½·(a − y)² over all elements. Divide by m for the cost J.</summary>
    /// <remarks>The terms in float vectors, their sum in double (<see cref="DoubleSum"/>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MeanSquaredError(ReadOnlySpan<float> A, ReadOnlySpan<float> Y)
    {
        RequireLength(Y.Length, A.Length, nameof(Y));
        int n = A.Length;
        if (Width512.IsAccelerated && n >= Width512.Count) return MeanSquaredError<Width512>(ref Ref(A), ref Ref(Y), n);
        if (Width256.IsAccelerated && n >= Width256.Count) return MeanSquaredError<Width256>(ref Ref(A), ref Ref(Y), n);
        if (Width128.IsAccelerated && n >= Width128.Count) return MeanSquaredError<Width128>(ref Ref(A), ref Ref(Y), n);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double d = (double)A[i] - Y[i];
            sum += 0.5 * d * d;
        }
        return sum;
    }

    /// <summary><see cref="MeanSquaredError(ReadOnlySpan{float}, ReadOnlySpan{float})"/> at one width (n ≥ one
    /// vector), two vectors at a time, then the last vector ending at n with the lanes already counted masked off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MeanSquaredError<TVec>(ref float a, ref float y, int n) where TVec : struct, IVector<TVec>
    {
        int c = TVec.Count, i = 0;
        TVec half = TVec.Broadcast(0.5f);
        DoubleSum sum = new(), sum2 = new();
        for (; i <= n - 2 * c; i += 2 * c)
        {
            TVec d0 = TVec.Load(ref a, (nuint)i) - TVec.Load(ref y, (nuint)i);
            TVec d1 = TVec.Load(ref a, (nuint)(i + c)) - TVec.Load(ref y, (nuint)(i + c));
            sum.Add(half * d0 * d0);
            sum2.Add(half * d1 * d1);
        }
        for (; i <= n - c; i += c)
        {
            TVec d = TVec.Load(ref a, (nuint)i) - TVec.Load(ref y, (nuint)i);
            sum.Add(half * d * d);
        }
        if (i < n)
        {
            nuint last = (nuint)(n - c);
            TVec d = TVec.Load(ref a, last) - TVec.Load(ref y, last);
            sum.Add(half * d * d & TVec.TailMask(n - i));
        }
        return sum.Total + sum2.Total;
    }
}
