using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>The width structs' members are one instruction each: inlined always (under SSE alone, left to the JIT,
    /// MultiplyAdd stayed a call that passed its vectors through memory).</summary>
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    /// <summary>
    /// A vector of floats of one width, as a type: the kernels generic over it (the column family, Exp, σ, tanh) are
    /// written once and compiled once per width, with every member inlined to its one instruction. The structs wrap the
    /// cross-platform Vector128/256/512 APIs, so ARM64 (NEON) runs <see cref="Width128"/>.
    /// </summary>
    internal interface IVector<TSelf> where TSelf : struct, IVector<TSelf>
    {
        /// <summary>Floats per vector.</summary>
        static abstract int Count { get; }

        /// <summary>Whether this width runs as real vector instructions on this machine (else it is emulated: slow).</summary>
        static abstract bool IsAccelerated { get; }

        /// <summary>Whether the machine has 32 vector registers at this width (AVX-512 or NEON) rather than 16.</summary>
        static abstract bool HasManyRegisters { get; }

        static abstract TSelf Broadcast(float x);
        static abstract TSelf Load(ref float p, nuint i);
        static abstract void Store(TSelf v, ref float p, nuint i);

        /// <summary>a·b + c, one fused instruction where the hardware has one (x86 FMA, NEON), else a multiply and an add
        /// (an exact software fma per lane would cost more than the vectors save).</summary>
        static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

        static abstract float Sum(TSelf v);

        /// <summary>The sum of v's 128-bit quarters (v itself at 128 bits): four partial sums of its lanes.</summary>
        static abstract Vector128<float> Fold128(TSelf v);

        /// <summary>A mask whose last <paramref name="count"/> lanes are all ones.</summary>
        static abstract TSelf TailMask(int count);

        /// <summary>g applied to every lane.</summary>
        static abstract TSelf Apply<TActivation>(TSelf z, TActivation g) where TActivation : struct, IActivationFunction;

        /// <summary>max(lo, min(hi, x)) with the native min/max, whose second operand (x) wins on NaN: NaN stays NaN.</summary>
        static abstract TSelf Clamp(TSelf x, float lo, float hi);

        /// <summary>The float whose bits are those of <paramref name="x"/> shifted left by 23 (into the exponent field).</summary>
        static abstract TSelf ShiftIntoExponent(TSelf x);

        static abstract TSelf Abs(TSelf x);

        /// <summary>ln x in every lane (the runtime's vector logarithm: a call, for the cost kernels, not for hot
        /// products).</summary>
        static abstract TSelf Log(TSelf x);

        /// <summary>The lane-wise maximum with the native instruction (on NaN, x86 returns <paramref name="b"/>).</summary>
        static abstract TSelf Max(TSelf a, TSelf b);

        /// <summary>All ones in the lanes where a = b, zeros elsewhere.</summary>
        static abstract TSelf Equal(TSelf a, TSelf b);

        /// <summary>a &amp; ~b.</summary>
        static abstract TSelf AndNot(TSelf a, TSelf b);

        /// <summary><paramref name="x"/> with the sign bit of <paramref name="sign"/> toggled into it (x ≥ 0: copysign).</summary>
        static abstract TSelf XorSign(TSelf x, TSelf sign);

        /// <summary>The even lanes of lo then hi into <paramref name="even"/>, the odd ones into <paramref name="odd"/>: an
        /// n × 2 matrix split into its two columns.</summary>
        static abstract void Deinterleave(TSelf lo, TSelf hi, out TSelf even, out TSelf odd);

        /// <summary>The inverse of <see cref="Deinterleave"/>: a and b's lanes alternated, the first half into
        /// <paramref name="low"/>, the second into <paramref name="high"/>.</summary>
        static abstract void Interleave(TSelf a, TSelf b, out TSelf low, out TSelf high);

        static abstract TSelf operator +(TSelf a, TSelf b);
        static abstract TSelf operator -(TSelf a, TSelf b);
        static abstract TSelf operator *(TSelf a, TSelf b);
        static abstract TSelf operator /(TSelf a, TSelf b);
        static abstract TSelf operator -(TSelf a);
        static abstract TSelf operator &(TSelf a, TSelf b);
    }

    /// <summary>Four floats: SSE, and NEON on ARM64.</summary>
    internal readonly struct Width128(Vector128<float> v) : IVector<Width128>
    {
        public readonly Vector128<float> V = v;
        public static int Count => Vector128<float>.Count;
        public static bool IsAccelerated => Vector128.IsHardwareAccelerated;
        public static bool HasManyRegisters => !Sse.IsSupported;
        [MethodImpl(Inline)] public static Width128 Broadcast(float x) => new(Vector128.Create(x));
        [MethodImpl(Inline)] public static Width128 Load(ref float p, nuint i) => new(Vector128.LoadUnsafe(ref p, i));
        [MethodImpl(Inline)] public static void Store(Width128 v, ref float p, nuint i) => v.V.StoreUnsafe(ref p, i);
        [MethodImpl(Inline)]
        public static Width128 MultiplyAdd(Width128 a, Width128 b, Width128 c) => new(Vector128.MultiplyAddEstimate(a.V, b.V, c.V));
        [MethodImpl(Inline)] public static float Sum(Width128 v) => Vector128.Sum(v.V);
        [MethodImpl(Inline)] public static Vector128<float> Fold128(Width128 v) => v.V;
        [MethodImpl(Inline)] public static Width128 TailMask(int count)
            => new(Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(Count - count)).AsSingle());
        [MethodImpl(Inline)]
        public static Width128 Apply<TActivation>(Width128 z, TActivation g) where TActivation : struct, IActivationFunction
            => new(g.Apply(z.V));
        [MethodImpl(Inline)] public static Width128 Clamp(Width128 x, float lo, float hi)
            => new(Vector128.MaxNative(Vector128.Create(lo), Vector128.MinNative(Vector128.Create(hi), x.V)));
        [MethodImpl(Inline)]
        public static Width128 ShiftIntoExponent(Width128 x) => new((x.V.AsUInt32() << 23).AsSingle());
        [MethodImpl(Inline)] public static Width128 Abs(Width128 x) => new(Vector128.Abs(x.V));
        public static Width128 Log(Width128 x) => new(Vector128.Log(x.V));
        [MethodImpl(Inline)] public static Width128 Max(Width128 a, Width128 b) => new(Vector128.MaxNative(a.V, b.V));
        [MethodImpl(Inline)] public static Width128 Equal(Width128 a, Width128 b) => new(Vector128.Equals(a.V, b.V));
        [MethodImpl(Inline)] public static Width128 AndNot(Width128 a, Width128 b) => new(Vector128.AndNot(a.V, b.V));
        [MethodImpl(Inline)] public static Width128 XorSign(Width128 x, Width128 sign)
            => new((x.V.AsUInt32() ^ (sign.V.AsUInt32() & Vector128.Create(0x8000_0000u))).AsSingle());
        [MethodImpl(Inline)]
        public static void Deinterleave(Width128 lo, Width128 hi, out Width128 even, out Width128 odd)
        {
            if (Sse.IsSupported) { even = new(Sse.Shuffle(lo.V, hi.V, 0b10_00_10_00)); odd = new(Sse.Shuffle(lo.V, hi.V, 0b11_01_11_01)); }
            else if (AdvSimd.Arm64.IsSupported) { even = new(AdvSimd.Arm64.UnzipEven(lo.V, hi.V)); odd = new(AdvSimd.Arm64.UnzipOdd(lo.V, hi.V)); }
            else
            {
                even = new(Vector128.Create(lo.V[0], lo.V[2], hi.V[0], hi.V[2]));
                odd = new(Vector128.Create(lo.V[1], lo.V[3], hi.V[1], hi.V[3]));
            }
        }
        [MethodImpl(Inline)] public static void Interleave(Width128 a, Width128 b, out Width128 low, out Width128 high)
        {
            if (Sse.IsSupported) { low = new(Sse.UnpackLow(a.V, b.V)); high = new(Sse.UnpackHigh(a.V, b.V)); }
            else if (AdvSimd.Arm64.IsSupported) { low = new(AdvSimd.Arm64.ZipLow(a.V, b.V)); high = new(AdvSimd.Arm64.ZipHigh(a.V, b.V)); }
            else
            {
                low = new(Vector128.Create(a.V[0], b.V[0], a.V[1], b.V[1]));
                high = new(Vector128.Create(a.V[2], b.V[2], a.V[3], b.V[3]));
            }
        }
        [MethodImpl(Inline)] public static Width128 operator +(Width128 a, Width128 b) => new(a.V + b.V);
        [MethodImpl(Inline)] public static Width128 operator -(Width128 a, Width128 b) => new(a.V - b.V);
        [MethodImpl(Inline)] public static Width128 operator *(Width128 a, Width128 b) => new(a.V * b.V);
        [MethodImpl(Inline)] public static Width128 operator /(Width128 a, Width128 b) => new(a.V / b.V);
        [MethodImpl(Inline)] public static Width128 operator -(Width128 a) => new(-a.V);
        [MethodImpl(Inline)] public static Width128 operator &(Width128 a, Width128 b) => new(a.V & b.V);
    }

    /// <summary>Eight floats: AVX.</summary>
    internal readonly struct Width256(Vector256<float> v) : IVector<Width256>
    {
        public readonly Vector256<float> V = v;
        public static int Count => Vector256<float>.Count;
        public static bool IsAccelerated => Vector256.IsHardwareAccelerated;
        public static bool HasManyRegisters => false;
        [MethodImpl(Inline)] public static Width256 Broadcast(float x) => new(Vector256.Create(x));
        [MethodImpl(Inline)] public static Width256 Load(ref float p, nuint i) => new(Vector256.LoadUnsafe(ref p, i));
        [MethodImpl(Inline)] public static void Store(Width256 v, ref float p, nuint i) => v.V.StoreUnsafe(ref p, i);
        [MethodImpl(Inline)]
        public static Width256 MultiplyAdd(Width256 a, Width256 b, Width256 c) => new(Vector256.MultiplyAddEstimate(a.V, b.V, c.V));
        [MethodImpl(Inline)] public static float Sum(Width256 v) => Vector256.Sum(v.V);
        [MethodImpl(Inline)] public static Vector128<float> Fold128(Width256 v) => v.V.GetLower() + v.V.GetUpper();
        [MethodImpl(Inline)] public static Width256 TailMask(int count)
            => new(Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(Count - count)).AsSingle());
        [MethodImpl(Inline)]
        public static Width256 Apply<TActivation>(Width256 z, TActivation g) where TActivation : struct, IActivationFunction
            => new(g.Apply(z.V));
        [MethodImpl(Inline)] public static Width256 Clamp(Width256 x, float lo, float hi)
            => new(Vector256.MaxNative(Vector256.Create(lo), Vector256.MinNative(Vector256.Create(hi), x.V)));
        [MethodImpl(Inline)]
        public static Width256 ShiftIntoExponent(Width256 x) => new((x.V.AsUInt32() << 23).AsSingle());
        [MethodImpl(Inline)] public static Width256 Abs(Width256 x) => new(Vector256.Abs(x.V));
        public static Width256 Log(Width256 x) => new(Vector256.Log(x.V));
        [MethodImpl(Inline)] public static Width256 Max(Width256 a, Width256 b) => new(Vector256.MaxNative(a.V, b.V));
        [MethodImpl(Inline)] public static Width256 Equal(Width256 a, Width256 b) => new(Vector256.Equals(a.V, b.V));
        [MethodImpl(Inline)] public static Width256 AndNot(Width256 a, Width256 b) => new(Vector256.AndNot(a.V, b.V));
        [MethodImpl(Inline)] public static Width256 XorSign(Width256 x, Width256 sign)
            => new((x.V.AsUInt32() ^ (sign.V.AsUInt32() & Vector256.Create(0x8000_0000u))).AsSingle());
        // Called only where Vector256 is accelerated: x86 with AVX2 (ARM64 accelerates Vector128 alone).
        [MethodImpl(Inline)] public static void Deinterleave(Width256 lo, Width256 hi, out Width256 even, out Width256 odd)
        {
            // Within each 128-bit lane [lo, lo, hi, hi], then the 64-bit quarters put in order.
            even = new(Avx2.Permute4x64(Avx.Shuffle(lo.V, hi.V, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle());
            odd = new(Avx2.Permute4x64(Avx.Shuffle(lo.V, hi.V, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle());
        }
        [MethodImpl(Inline)] public static void Interleave(Width256 a, Width256 b, out Width256 low, out Width256 high)
        {
            Vector256<float> l = Avx.UnpackLow(a.V, b.V), h = Avx.UnpackHigh(a.V, b.V);
            low = new(Avx.Permute2x128(l, h, 0x20));
            high = new(Avx.Permute2x128(l, h, 0x31));
        }
        [MethodImpl(Inline)] public static Width256 operator +(Width256 a, Width256 b) => new(a.V + b.V);
        [MethodImpl(Inline)] public static Width256 operator -(Width256 a, Width256 b) => new(a.V - b.V);
        [MethodImpl(Inline)] public static Width256 operator *(Width256 a, Width256 b) => new(a.V * b.V);
        [MethodImpl(Inline)] public static Width256 operator /(Width256 a, Width256 b) => new(a.V / b.V);
        [MethodImpl(Inline)] public static Width256 operator -(Width256 a) => new(-a.V);
        [MethodImpl(Inline)] public static Width256 operator &(Width256 a, Width256 b) => new(a.V & b.V);
    }

    /// <summary>Sixteen floats: AVX-512.</summary>
    internal readonly struct Width512(Vector512<float> v) : IVector<Width512>
    {
        public readonly Vector512<float> V = v;
        public static int Count => Vector512<float>.Count;
        public static bool IsAccelerated => Vector512.IsHardwareAccelerated;
        public static bool HasManyRegisters => true;
        [MethodImpl(Inline)] public static Width512 Broadcast(float x) => new(Vector512.Create(x));
        [MethodImpl(Inline)] public static Width512 Load(ref float p, nuint i) => new(Vector512.LoadUnsafe(ref p, i));
        [MethodImpl(Inline)] public static void Store(Width512 v, ref float p, nuint i) => v.V.StoreUnsafe(ref p, i);
        [MethodImpl(Inline)]
        public static Width512 MultiplyAdd(Width512 a, Width512 b, Width512 c) => new(Vector512.MultiplyAddEstimate(a.V, b.V, c.V));
        [MethodImpl(Inline)] public static float Sum(Width512 v) => Vector512.Sum(v.V);
        [MethodImpl(Inline)] public static Vector128<float> Fold128(Width512 v)
        {
            Vector256<float> half = v.V.GetLower() + v.V.GetUpper();
            return half.GetLower() + half.GetUpper();
        }
        [MethodImpl(Inline)] public static Width512 TailMask(int count)
            => new(Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(Count - count)).AsSingle());
        [MethodImpl(Inline)]
        public static Width512 Apply<TActivation>(Width512 z, TActivation g) where TActivation : struct, IActivationFunction
            => new(g.Apply(z.V));
        [MethodImpl(Inline)] public static Width512 Clamp(Width512 x, float lo, float hi)
            => new(Vector512.MaxNative(Vector512.Create(lo), Vector512.MinNative(Vector512.Create(hi), x.V)));
        [MethodImpl(Inline)]
        public static Width512 ShiftIntoExponent(Width512 x) => new((x.V.AsUInt32() << 23).AsSingle());
        [MethodImpl(Inline)] public static Width512 Abs(Width512 x) => new(Vector512.Abs(x.V));
        public static Width512 Log(Width512 x) => new(Vector512.Log(x.V));
        [MethodImpl(Inline)] public static Width512 Max(Width512 a, Width512 b) => new(Vector512.MaxNative(a.V, b.V));
        [MethodImpl(Inline)] public static Width512 Equal(Width512 a, Width512 b) => new(Vector512.Equals(a.V, b.V));
        [MethodImpl(Inline)] public static Width512 AndNot(Width512 a, Width512 b) => new(Vector512.AndNot(a.V, b.V));
        [MethodImpl(Inline)] public static Width512 XorSign(Width512 x, Width512 sign)
            => new((x.V.AsUInt32() ^ (sign.V.AsUInt32() & Vector512.Create(0x8000_0000u))).AsSingle());
        // Called only where Vector512 is accelerated: x86 with AVX-512.
        [MethodImpl(Inline)] public static void Deinterleave(Width512 lo, Width512 hi, out Width512 even, out Width512 odd)
        {
            // Both index vectors are constants, so that neither is computed inside the caller's loop.
            even = new(Avx512F.PermuteVar16x32x2(lo.V,
                Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), hi.V));
            odd = new(Avx512F.PermuteVar16x32x2(lo.V,
                Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), hi.V));
        }
        [MethodImpl(Inline)] public static void Interleave(Width512 a, Width512 b, out Width512 low, out Width512 high)
        {
            low = new(Avx512F.PermuteVar16x32x2(a.V,
                Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), b.V));
            high = new(Avx512F.PermuteVar16x32x2(a.V,
                Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), b.V));
        }
        [MethodImpl(Inline)] public static Width512 operator +(Width512 a, Width512 b) => new(a.V + b.V);
        [MethodImpl(Inline)] public static Width512 operator -(Width512 a, Width512 b) => new(a.V - b.V);
        [MethodImpl(Inline)] public static Width512 operator *(Width512 a, Width512 b) => new(a.V * b.V);
        [MethodImpl(Inline)] public static Width512 operator /(Width512 a, Width512 b) => new(a.V / b.V);
        [MethodImpl(Inline)] public static Width512 operator -(Width512 a) => new(-a.V);
        [MethodImpl(Inline)] public static Width512 operator &(Width512 a, Width512 b) => new(a.V & b.V);
    }
}
