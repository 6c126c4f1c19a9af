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
/// then runs without bounds checks. The vector kernels that are written once for every width
/// (<see cref="IVector{TSelf}"/>) run at the widest width this machine accelerates: Vector512, Vector256, or Vector128
/// (SSE, and NEON on ARM64).
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

    /// <summary>Σ_k x[k]·y[k] over n elements, with Vector256 (else Vector128) and a masked tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ref float x, ref float y, int n)
    {
        if (Width256.IsAccelerated)
        {
            if (n >= Width256.Count) return Dot<Width256>(ref x, ref y, n);
        }
        else if (Width128.IsAccelerated && n >= Width128.Count)
            return Dot<Width128>(ref x, ref y, n);
        float s = 0f;
        for (int k = 0; k < n; k++)
            s += Unsafe.Add(ref x, k) * Unsafe.Add(ref y, k);
        return s;
    }

    /// <summary><see cref="Dot(ref float, ref float, int)"/> at one width; needs n ≥ one vector.</summary>
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

    /// <summary>y[k] += a·x[k] over n elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(float a, ref float x, ref float y, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<float> va = Vector256.Create(a);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i))
                    .StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref y, i) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }

    /// <summary>A mask whose last <paramref name="count"/> lanes are all ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> TailMask(int count)
        => Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(Vector256<int>.Count - count)).AsSingle();

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
