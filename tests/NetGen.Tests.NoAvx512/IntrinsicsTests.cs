using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace NetGen.Tests;

public class IntrinsicsTests
{
    /// <summary>The runsettings' DOTNET_EnableAVX512=0 is in effect: without it this project would silently repeat
    /// NetGen.Tests with AVX-512 on.</summary>
    [Fact]
    public void AVX512_is_off_and_the_Vector256_paths_run()
    {
        Assert.False(Avx512F.IsSupported, "AVX-512 is on: DOTNET_EnableAVX512=0 did not reach the test host.");
        Assert.False(Vector512.IsHardwareAccelerated, "Vector512 is accelerated: the non-AVX-512 branches were not tested.");
        // The generated Predict of the small networks takes PredictInRegisters exactly when this is true.
        Assert.False(Kernels.InRegisters.IsSupported, "PredictInRegisters would run: PredictLayerByLayer was not tested.");
        if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86)
            Assert.True(Vector256.IsHardwareAccelerated, "Vector256 is not accelerated here: the AVX2 branches were not tested.");
    }
}
