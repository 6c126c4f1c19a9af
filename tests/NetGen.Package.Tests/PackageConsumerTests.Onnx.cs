using System.Text.RegularExpressions;
using Xunit;

namespace NetGen.Package.Tests;

/// <summary>Issue 13's "done when": a consumer of the packed package saves ONNX that ONNX Runtime runs to the same
/// outputs (Consumers/OnnxApp: a softmax net with tanh and ReLU layers, and a leaky-ReLU/sigmoid net).</summary>
public sealed partial class PackageConsumerTests
{
    [Fact]
    public void A_consumer_saves_ONNX_that_ONNX_Runtime_runs_to_the_same_outputs()
    {
        string app = _fixture.CreateConsumer("OnnxApp");
        DotNetResult build = DotNet.Run(app, ["build", "-c", "Release", .. BuildFlags]);
        Assert.True(build.ExitCode == 0, "The ONNX consumer did not build.\n" + build.Describe());
        Assert.False(Regex.IsMatch(build.Output, @"(warning|error) (NG\d{4}|CS8784|CS8785)"),
            "The ONNX consumer's build reported a NetGen diagnostic or a generator failure.\n" + build.Describe());

        DotNetResult run = DotNet.Run(app, ["run", "--no-build", "-c", "Release"]);
        _output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, "ONNX Runtime's outputs disagree with PredictBatch, or the run failed.\n" + run.Describe());
        Assert.Contains("softmax 6-40:Tanh-33:Relu-4:Softmax/CrossEntropy outputs 148", run.Output);
        Assert.Contains("leaky 5-12:LeakyRelu(0.2)-1:Sigmoid/BinaryCrossEntropy outputs 37", run.Output);
        Assert.Contains("agree", run.Output);
    }
}
