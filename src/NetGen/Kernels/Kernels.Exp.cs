using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// e^x in every lane, within 2 ulp for x ∈ [−87.33, 88.37] (where 2^n is a normal float; 3 ulp on x86 without FMA,
    /// where each multiply-add rounds twice); NaN stays NaN. Outside, x
    /// is clamped to that range (e^x ≈ 1.2e−38 below, ≈ 2.4e38 above) — harmless where it is used, in σ and tanh, which
    /// add 1 or 2 to it.
    /// e^x = 2^n·e^t with n = round(x·log₂e) and t = x − n·ln 2 ∈ [−ln2/2, ln2/2] (ln 2 in two parts, so t is exact);
    /// e^t = 1 + t·p(t) with p a degree-4 minimax polynomial (the coefficients of XNNPACK's rr2-p5 exp).
    /// </summary>
    /// <remarks>Inlined into the fused kernels: Vector512.Exp is a call that passes its vector through memory, which cost
    /// a sigmoid or tanh layer more than its matrix product.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Exp<TVec>(TVec x) where TVec : struct, IVector<TVec>
    {
        x = TVec.Clamp(x, -87.3365479f, 88.3762589f);
        // n = round(x·log₂e), read off the low mantissa bits of x·log₂e + 1.5·2²³ (+127, the exponent bias, so that
        // shifting those bits into the exponent field gives s = 2^n directly).
        const float magic = 12583039f; // 1.5·2²³ + 127
        TVec n = TVec.MultiplyAdd(x, TVec.Broadcast(1.44269502f), TVec.Broadcast(magic));
        TVec s = TVec.ShiftIntoExponent(n);
        n -= TVec.Broadcast(magic);
        // ln 2 in two parts (Cody and Waite's, as fdlibm's expf): the high part has 15 significant bits, so n·high is
        // exact for |n| ≤ 128 and t stays exact even where MultiplyAdd is a multiply and an add (no FMA).
        TVec t = TVec.MultiplyAdd(n, TVec.Broadcast(-0.693145751953125f), x);  // ln 2, high part
        t = TVec.MultiplyAdd(n, TVec.Broadcast(-1.42860677e-6f), t);          // ln 2, low part
        // p(t) = c1 + c2·t + c3·t² + c4·t³ + c5·t⁴ as (c1 + c2·t) + t²·((c3 + c4·t) + t²·c5): two FMAs deep, not four.
        TVec t2 = t * t;
        TVec low = TVec.MultiplyAdd(TVec.Broadcast(0.499991506f), t, TVec.Broadcast(0.999999702f));
        TVec high = TVec.MultiplyAdd(TVec.Broadcast(0.0418978222f), t, TVec.Broadcast(0.166676521f));
        high = TVec.MultiplyAdd(TVec.Broadcast(0.00828929059f), t2, high);
        TVec p = TVec.MultiplyAdd(high, t2, low);
        return TVec.MultiplyAdd(t * s, p, s);
    }

    /// <summary>e^x for 16 values: <see cref="Exp{TVec}(TVec)"/> at width 512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x) => Exp(new Width512(x)).V;

    /// <summary>σ(z) = 1 / (1 + e^−z) in every lane (the formula of TensorPrimitives.Sigmoid).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Sigmoid<TVec>(TVec z) where TVec : struct, IVector<TVec>
        => TVec.Broadcast(1f) / (TVec.Broadcast(1f) + Exp(-z));

    /// <summary>tanh(z) in every lane: sign(z)·(−e)/(e + 2) with e = e^(−2|z|) − 1 (the formula of TensorPrimitives.Tanh,
    /// after AMD's AOCL-LibM).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Tanh<TVec>(TVec z) where TVec : struct, IVector<TVec>
    {
        TVec e = Exp(TVec.Broadcast(-2f) * TVec.Abs(z)) - TVec.Broadcast(1f);
        return TVec.XorSign(-e / (e + TVec.Broadcast(2f)), z);
    }
}
