using System;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// A small, fast, seeded generator (xoshiro256**, seeded through SplitMix64): the same seed gives the same
/// sequence on every machine. A struct, so a network holds it inline and drawing allocates nothing.
/// </summary>
public struct Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Starts the sequence of <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = System.Numerics.BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = System.Numerics.BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 bits of precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 bits of precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        ulong range = (ulong)maxExclusive;
        ulong m = (NextUInt64() >> 32) * range;
        if ((m & 0xFFFFFFFFUL) < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while ((m & 0xFFFFFFFFUL) < threshold)
                m = (NextUInt64() >> 32) * range;
        }
        return (int)(m >> 32);
    }

    /// <summary>A standard normal draw (mean 0, deviation 1), by the Box–Muller transform in double precision.</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal draws times <paramref name="scale"/>.</summary>
    public void FillGaussian(Span<float> destination, double scale)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (float)(NextGaussian() * scale);
    }
}
