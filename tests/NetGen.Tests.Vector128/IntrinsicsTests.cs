using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace NetGen.Tests;

public class IntrinsicsTests
{
    /// <summary>The runsettings' DOTNET_EnableAVX=0 is in effect: without it this project would silently repeat
    /// NetGen.Tests with wider vectors.</summary>
    [Fact]
    public void Only_Vector128_is_accelerated()
    {
        Assert.False(Avx.IsSupported, "AVX is on: DOTNET_EnableAVX=0 did not reach the test host.");
        Assert.False(Vector256.IsHardwareAccelerated, "Vector256 is accelerated: the Vector128 width was not tested alone.");
        Assert.False(Vector512.IsHardwareAccelerated, "Vector512 is accelerated: the Vector128 width was not tested alone.");
        Assert.False(Kernels.InRegisters.IsSupported, "PredictInRegisters would run: PredictLayerByLayer was not tested.");
        Assert.True(Vector128.IsHardwareAccelerated, "Vector128 is not accelerated: this host would repeat the scalar run.");
    }
}
