using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace NetGen.Tests;

public class IntrinsicsTests
{
    /// <summary>The runsettings' DOTNET_EnableHWIntrinsic=0 is in effect: without it this project would silently repeat
    /// NetGen.Tests with every instruction set on.</summary>
    [Fact]
    public void No_vector_width_is_accelerated()
    {
        Assert.False(Vector128.IsHardwareAccelerated, "Vector128 is accelerated: DOTNET_EnableHWIntrinsic=0 did not reach the test host.");
        Assert.False(Vector256.IsHardwareAccelerated, "Vector256 is accelerated: the scalar branches were not tested.");
        Assert.False(Vector512.IsHardwareAccelerated, "Vector512 is accelerated: the scalar branches were not tested.");
        Assert.False(Avx512F.IsSupported, "AVX-512 is on: the scalar branches were not tested.");
        Assert.False(Kernels.InRegisters.IsSupported, "PredictInRegisters would run: PredictLayerByLayer was not tested.");
    }
}
