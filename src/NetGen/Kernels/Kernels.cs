using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// For generated code only, not for direct use: the operations the generated networks are made of, one per file, each
/// with its formula as its summary. Public because the code NetGen writes into your assembly calls them; hidden from
/// IntelliSense, and their signatures change with the generator that calls them (use a network's own Predict,
/// TrainStep and the like instead).
/// Matrices are row-major. The row-layout kernels (DenseForward, DenseBackwardWeights, DenseBackwardInput, …) hold
/// samples as rows, A is m × n; the column-layout kernels (the <c>…Columns</c> family, CopyMaskToColumns) hold them
/// as columns, the notes' layout, A is n × m. Every kernel checks its lengths once on entry (never inside a loop) and
/// then runs without bounds checks. The vector kernels are written once for every width (<see cref="IVector{TSelf}"/>)
/// and run at the widest width this machine accelerates: Vector512, Vector256, or Vector128 (SSE, and NEON on ARM64).
/// A few strategies measured faster with AVX-512 alone (the packed wide-layer product, the one-sample folds and
/// streamed rows, the fused softmax layer, <see cref="InRegisters"/>) run only there; elsewhere those layers take the
/// width-generic tiles.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static partial class Kernels
{
    /// <summary>A thread's scratch of floats that a kernel packs into: pinned, used from its first 64-byte boundary, grown
    /// when a call needs more and then reused (no allocation in steady state).</summary>
    private struct AlignedScratch
    {
        private float[]? _array;
        private int _start;

        /// <summary>The first of at least <paramref name="count"/> floats, 64-byte aligned; the address stays valid (pinned).</summary>
        public ref float Get(int count)
        {
            if (_array is null || _array.Length - _start < count)
            {
                _array = GC.AllocateUninitializedArray<float>(count + 16, pinned: true);
                nint address;
                unsafe { address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array)); }
                _start = (int)((64 - (address & 63)) & 63) / sizeof(float);
            }
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _start);
        }
    }

    /// <summary>Σ_k x[k]·y[k] over n elements without vectors: the row kernels' fallback where no vector fits a row.</summary>
    /// <remarks>Rows of 16 or more are summed in four interleaved partial sums, as Vector128 would: one float accumulator
    /// over 12 288 products drifts 1.4e-6 from the float64 sum (the cat network), four stay within its tolerance.
    /// Shorter rows keep the sequential order the unrolled one-sample code uses too.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ref float x, ref float y, int n)
    {
        float s = 0f;
        int k = 0;
        if (n >= 16)
        {
            float s1 = 0f, s2 = 0f, s3 = 0f;
            for (; k <= n - 4; k += 4)
            {
                s += Unsafe.Add(ref x, k) * Unsafe.Add(ref y, k);
                s1 += Unsafe.Add(ref x, k + 1) * Unsafe.Add(ref y, k + 1);
                s2 += Unsafe.Add(ref x, k + 2) * Unsafe.Add(ref y, k + 2);
                s3 += Unsafe.Add(ref x, k + 3) * Unsafe.Add(ref y, k + 3);
            }
            s = (s + s1) + (s2 + s3);
        }
        for (; k < n; k++)
            s += Unsafe.Add(ref x, k) * Unsafe.Add(ref y, k);
        return s;
    }

    /// <summary>Σ_k x[k]·y[k] at one width, the last vector masked; needs n ≥ one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TVec>(ref float x, ref float y, int n) where TVec : struct, IVector<TVec>
    {
        TVec acc = default;
        int i = 0;
        for (; i <= n - TVec.Count; i += TVec.Count)
            acc = TVec.MultiplyAdd(TVec.Load(ref x, (nuint)i), TVec.Load(ref y, (nuint)i), acc);
        if (i < n)
        {
            // Masked tail: reload the last full vector and keep only the lanes not yet summed.
            nuint last = (nuint)(n - TVec.Count);
            acc = TVec.MultiplyAdd(TVec.Load(ref x, last) & TVec.TailMask(n - i), TVec.Load(ref y, last), acc);
        }
        return TVec.Sum(acc);
    }

    /// <summary>y[k] += a·x[k] over n elements, at the widest accelerated width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(float a, ref float x, ref float y, int n)
    {
        int i = 0;
        if (Width256.IsAccelerated)
            i = Axpy<Width256>(a, ref x, ref y, n);
        else if (Width128.IsAccelerated)
            i = Axpy<Width128>(a, ref x, ref y, n);
        // A multiply and an add: without FMA hardware support (or intrinsics), MathF.FusedMultiplyAdd is a library call.
        for (; i < n; i++)
            Unsafe.Add(ref y, i) += a * Unsafe.Add(ref x, i);
    }

    /// <summary>The whole vectors of <see cref="Axpy(float, ref float, ref float, int)"/>; returns where the tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Axpy<TVec>(float a, ref float x, ref float y, int n) where TVec : struct, IVector<TVec>
    {
        TVec va = TVec.Broadcast(a);
        int i = 0;
        for (; i <= n - TVec.Count; i += TVec.Count)
            TVec.Store(TVec.MultiplyAdd(va, TVec.Load(ref x, (nuint)i), TVec.Load(ref y, (nuint)i)), ref y, (nuint)i);
        return i;
    }

    /// <summary>z[i] = g(z[i]) for n values, at the widest accelerated width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyInPlace<TActivation>(ref float z, int n, TActivation g) where TActivation : struct, IActivationFunction
    {
        if (typeof(TActivation) == typeof(IdentityFunction))
            return;
        int i = Width512.IsAccelerated ? ApplyInPlace<Width512, TActivation>(ref z, n, g)
            : Width256.IsAccelerated ? ApplyInPlace<Width256, TActivation>(ref z, n, g)
            : Width128.IsAccelerated ? ApplyInPlace<Width128, TActivation>(ref z, n, g)
            : 0;
        for (; i < n; i++)
            Unsafe.Add(ref z, i) = g.Apply(Unsafe.Add(ref z, i));
    }

    /// <summary>The whole vectors of <see cref="ApplyInPlace{TActivation}(ref float, int, TActivation)"/>; returns where
    /// the tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ApplyInPlace<TVec, TActivation>(ref float z, int n, TActivation g)
        where TVec : struct, IVector<TVec>
        where TActivation : struct, IActivationFunction
    {
        int i = 0;
        for (; i <= n - TVec.Count; i += TVec.Count)
            TVec.Store(TVec.Apply(TVec.Load(ref z, (nuint)i), g), ref z, (nuint)i);
        return i;
    }

    /// <summary>A small count as a type: a kernel generic over it is compiled once per count, with the code for the
    /// rows or groups past the count gone (the JIT reads <see cref="Value"/> as a constant).</summary>
    private interface ICount
    {
        static abstract int Value { get; }
    }

    private readonly struct One : ICount { public static int Value => 1; }
    private readonly struct Two : ICount { public static int Value => 2; }
    private readonly struct Three : ICount { public static int Value => 3; }
    private readonly struct Four : ICount { public static int Value => 4; }
    private readonly struct Five : ICount { public static int Value => 5; }
    private readonly struct Eight : ICount { public static int Value => 8; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float Ref(ReadOnlySpan<float> span) => ref MemoryMarshal.GetReference(span);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float Ref(Span<float> span) => ref MemoryMarshal.GetReference(span);

    /// <summary>Throws unless <paramref name="size"/> ≥ 0: every public kernel checks each size it is given on entry, since
    /// a negative size can make a product of sizes look small enough (or be read as a huge unsigned offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RequireSize(int size, string name)
    {
        if (size < 0)
            ThrowNegativeSize(size, name);
    }

    /// <summary>Throws unless <paramref name="actual"/> ≥ rows × columns (the product in 64 bits, so that it cannot wrap
    /// around) with neither size negative; builds its message only when it throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RequireMatrix(int actual, int rows, int columns, string name)
    {
        if ((rows | columns) < 0 || actual < (long)rows * columns)
            ThrowMatrix(actual, rows, columns, name);
    }

    /// <summary>Throws unless <paramref name="actual"/> ≥ <paramref name="expected"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RequireLength(int actual, int expected, string name)
    {
        if (actual < expected)
            throw new ArgumentException($"{name} must hold {expected} floats, but has {actual}.", name);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegativeSize(int size, string name)
        => throw new ArgumentOutOfRangeException(name, size,
            $"{name} is a size (a count of samples, units or floats) and cannot be negative.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMatrix(int actual, int rows, int columns, string name)
        => throw new ArgumentException((rows | columns) < 0
            ? $"{name} cannot be {rows} × {columns}: a size cannot be negative."
            : $"{name} must hold {rows} × {columns} = {(long)rows * columns} floats, but has {actual}.", name);
}
