using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// A test of code that is built from AVX-512 instructions and that the library only calls after checking for them
/// (<see cref="Vector512.IsHardwareAccelerated"/> or <see cref="Kernels.InRegisters.IsSupported"/>), such as the packed
/// strategy. Without AVX-512 it is reported as skipped, not as passed (NetGen.Tests.NoAvx512 and NetGen.Tests.Scalar
/// run without it). The Vector512 activations and <c>Kernels.Exp</c> are not among them: they fall back to emulated
/// Vector512 operations and are tested everywhere.
/// </summary>
internal static class Avx512Requirement
{
    public static bool Available => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    public const string SkipReason = "needs AVX-512 (the library calls this code only where it is)";
}

/// <summary>A [Fact] that runs only where <see cref="Avx512Requirement.Available"/>.</summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!Avx512Requirement.Available) Skip = Avx512Requirement.SkipReason;
    }
}

/// <summary>A [Theory] that runs only where <see cref="Avx512Requirement.Available"/>.</summary>
public sealed class Avx512TheoryAttribute : TheoryAttribute
{
    public Avx512TheoryAttribute()
    {
        if (!Avx512Requirement.Available) Skip = Avx512Requirement.SkipReason;
    }
}
