// A consumer whose one network draws a NetGen warning (NG0301, Init.Zeros): the build succeeds, and its error log holds the
// warning's help link, which PackageMetadataTests checks against RepositoryUrl.
using NetGen;

[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.Zeros)]
[Input(2)]
[Dense(3, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class ZerosNet;

public static class Program
{
    public static int Main() => new ZerosNet().Parameters.Length == ZerosNet.ParameterCount ? 0 : 1;
}
