using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// e^x for 16 values, within 2 ulp for x ∈ [−87.33, 88.37] (where 2^n is a normal float); NaN stays NaN. Outside, x
    /// is clamped to that range (e^x ≈ 1.2e−38 below, ≈ 2.4e38 above) — harmless where it is used, in σ and tanh, which
    /// add 1 or 2 to it.
    /// e^x = 2^n·e^t with n = round(x·log₂e) and t = x − n·ln 2 ∈ [−ln2/2, ln2/2] (ln 2 in two parts, so t is exact);
    /// e^t = 1 + t·p(t) with p a degree-4 minimax polynomial (the coefficients of XNNPACK's rr2-p5 exp).
    /// </summary>
    /// <remarks>Inlined into the fused kernels: Vector512.Exp is a call that passes its vector through memory, which cost
    /// a sigmoid or tanh layer more than its matrix product.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        // MINPS/MAXPS return their second operand when either is NaN: x second keeps a NaN. (Without AVX-512, where
        // Vector512 is emulated, Vector512.Min and Max keep a NaN too: the activations never throw.)
        x = Avx512F.IsSupported
            ? Avx512F.Max(Vector512.Create(-87.3365479f), Avx512F.Min(Vector512.Create(88.3762589f), x))
            : Vector512.Max(Vector512.Create(-87.3365479f), Vector512.Min(Vector512.Create(88.3762589f), x));
        // n = round(x·log₂e), read off the low mantissa bits of x·log₂e + 1.5·2²³ (+127, the exponent bias, so that
        // shifting those bits into the exponent field gives s = 2^n directly).
        const float magic = 12583039f; // 1.5·2²³ + 127
        Vector512<float> n = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269502f), Vector512.Create(magic));
        Vector512<float> s = (n.AsUInt32() << 23).AsSingle();
        n -= Vector512.Create(magic);
        Vector512<float> t = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693147182f), x);  // ln 2, high part
        t = Vector512.FusedMultiplyAdd(n, Vector512.Create(1.90465421e-9f), t);                   // ln 2, low part
        // p(t) = c1 + c2·t + c3·t² + c4·t³ + c5·t⁴ as (c1 + c2·t) + t²·((c3 + c4·t) + t²·c5): two FMAs deep, not four.
        Vector512<float> t2 = t * t;
        Vector512<float> low = Vector512.FusedMultiplyAdd(Vector512.Create(0.499991506f), t, Vector512.Create(0.999999702f));
        Vector512<float> high = Vector512.FusedMultiplyAdd(Vector512.Create(0.0418978222f), t, Vector512.Create(0.166676521f));
        high = Vector512.FusedMultiplyAdd(Vector512.Create(0.00828929059f), t2, high);
        Vector512<float> p = Vector512.FusedMultiplyAdd(high, t2, low);
        return Vector512.FusedMultiplyAdd(t * s, p, s);
    }
}
