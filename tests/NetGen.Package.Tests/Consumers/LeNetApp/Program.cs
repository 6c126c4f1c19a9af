// A consumer of the NetGen package: issue 14's LeNet-5, exactly as the issue declares it, on synthetic images.
// 64 seeded images of 28 × 28 × 1: noise in [0, 0.5) with a brighter 10 × 10 patch somewhere; the class is a function
// of the pixels alone, the quadrant with the largest pixel sum (0 top left, 1 top right, 2 bottom left, 3 bottom
// right), one-hot among the 10 outputs. Prints machine-readable lines that NetGen.Package.Tests parses:
//   classes <n0> <n1> <n2> <n3>                 how many images of each class
//   grad <layer> <W|b> <index> <analytic> <right> <left>
//                                              ComputeGradients beside the one-sided differences of Cost,
//                                              (J(θ + h) − J(θ)) / h and (J(θ) − J(θ − h)) / h, at the seeded start;
//                                              the test applies the tolerance
//   cost start <J> / cost end <J>              Cost before and after the training steps
//   accuracy <percent>                         training accuracy after them
//   allocated predict <bytes>                  heap bytes of 1000 Predict calls after warm-up
//   allocated trainstep <bytes>                heap bytes of 20 TrainStep calls after warm-up
// and writes lenet-start.bin (the seeded parameters, their gradients, X and Y) for the test's float64 reference.
using System;
using System.IO;
using System.Runtime.InteropServices;
using NetGen;

namespace LeNetApp;

// The declaration is public; an application's analyzers (CA1515) would have it internal.
#pragma warning disable CA1515
/// <summary>Issue 14's LeNet-5, as the issue writes it.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He)]
[Input(28, 28, 1)]                                        // h, w, c, as today
[Conv2D(6, 5, Activation.Relu, Padding = Padding.Same)]  // 6 filters of 5×5 → 28 × 28 × 6
[MaxPool(2)]                                              // → 14 × 14 × 6
[Conv2D(16, 5, Activation.Relu)]                          // valid → 10 × 10 × 16
[MaxPool(2)]                                              // → 5 × 5 × 16
[Dense(120, Activation.Relu)]                             // flattens: 400 inputs
[Dense(84, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5;
#pragma warning restore CA1515

/// <summary>Trains the LeNet-5 on the synthetic images and prints what the test checks.</summary>
internal static class Program
{
    const int M = 64, Side = 28, Pixels = Side * Side, Classes = 10;

    /// <summary>The learning rate and step count of the training run (the test's bound was measured with them).
    /// </summary>
    const float LearningRate = 0.05f;
    const int Steps = 60;

    /// <summary>The step of the differences. Cost is float32 only, near 2.6 here, where one ulp is 2.4e-7: a one-sided
    /// difference resolves 2.4e-7 / h, 2.4e-4 at h = 1e-3. A larger h crosses more ReLU and max-pool switches (the
    /// cost is only piecewise smooth): at h = 1e-2 central differences of this net's conv entries were off by up to
    /// 7 %, at 1e-3 the analytic value lay between the two one-sided differences but for 2.2e-4.</summary>
    const float H = 1e-3f;

    /// <summary>Runs the checks.</summary>
    /// <returns>0.</returns>
    public static int Main()
    {
        (float[] x, float[] y, int[] counts) = Images(seed: 14);
        Console.WriteLine(FormattableString.Invariant($"classes {counts[0]} {counts[1]} {counts[2]} {counts[3]}"));

        var net = new LeNet5(seed: 14);
        CheckGradients(net, x, y);

        float start = net.Cost(x, y, M);
        for (int step = 0; step < Steps; step++)
            net.TrainStep(x, y, M, LearningRate);
        float end = net.Cost(x, y, M);
        Console.WriteLine(FormattableString.Invariant($"cost start {start:R}"));
        Console.WriteLine(FormattableString.Invariant($"cost end {end:R}"));

        int right = 0;
        for (int i = 0; i < M; i++)
        {
            int label = Array.IndexOf(y, 1f, i * Classes, Classes) - (i * Classes);
            if (net.PredictClass(x.AsSpan(i * Pixels, Pixels)) == label)
                right++;
        }
        Console.WriteLine(FormattableString.Invariant($"accuracy {100.0 * right / M:R}"));

        // Allocation: the concrete generated members, after a warm-up at the same batch size.
        Span<float> output = stackalloc float[LeNet5.OutputSize];
        for (int i = 0; i < 100; i++)
            net.Predict(x.AsSpan(i % M * Pixels, Pixels), output);
        net.TrainStep(x, y, M, LearningRate / 10);
        // Read the counter into a local before formatting: the interpolation allocates its own arguments.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            net.Predict(x.AsSpan(i % M * Pixels, Pixels), output);
        long predictBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
            net.TrainStep(x, y, M, LearningRate / 10);
        long trainBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine(FormattableString.Invariant($"allocated predict {predictBytes}"));
        Console.WriteLine(FormattableString.Invariant($"allocated trainstep {trainBytes}"));
        Console.WriteLine(FormattableString.Invariant($"done"));
        return 0;
    }

    /// <summary>For every layer with parameters: ComputeGradients beside the one-sided differences of Cost on the
    /// largest |∂J/∂W| of the layer, two fixed entries of W, and the largest |∂J/∂b|. The steps actually taken in
    /// float32, (θ + h) − θ and θ − (θ − h), are the denominators, so rounding θ ± h costs no accuracy. Both sides are
    /// printed because the cost is piecewise smooth (ReLU, max pool): where a step crosses a switch the central
    /// difference averages two slopes, while the gradient is one of them.</summary>
    static void CheckGradients(LeNet5 net, float[] x, float[] y)
    {
        var gradients = new float[LeNet5.ParameterCount];
        net.ComputeGradients(x, y, M, gradients);
        WriteStart(net.Parameters, gradients, x, y);
        foreach (LayerDescription layer in net.Layers)
        {
            if (layer.WeightLength == 0)
                continue;
            int largestW = LargestIndex(gradients.AsSpan(layer.WeightOffset, layer.WeightLength));
            int largestB = LargestIndex(gradients.AsSpan(layer.BiasOffset, layer.BiasLength));
            int[] weights = [largestW, layer.WeightLength / 3, 2 * layer.WeightLength / 3];
            foreach (int i in weights)
                Report(net, x, y, gradients, layer.Index, "W", i, layer.WeightOffset + i);
            Report(net, x, y, gradients, layer.Index, "b", largestB, layer.BiasOffset + largestB);
        }
    }

    static void Report(LeNet5 net, float[] x, float[] y, float[] gradients, int layer, string what, int index, int at)
    {
        Span<float> p = net.Parameters;
        float theta = p[at];
        float cost = net.Cost(x, y, M);
        p[at] = theta + H;
        float hPlus = p[at] - theta;
        float plus = net.Cost(x, y, M);
        p[at] = theta - H;
        float hMinus = theta - p[at];
        float minus = net.Cost(x, y, M);
        p[at] = theta;
        double right = ((double)plus - cost) / hPlus, left = ((double)cost - minus) / hMinus;
        Console.WriteLine(FormattableString.Invariant(
            $"grad {layer} {what} {index} {gradients[at]:R} {right:R} {left:R}"));
    }

    /// <summary>Writes lenet-start.bin in the working directory for the test's float64 reference: the parameter count
    /// P as int32, then as float32 the P parameters, the P gradients, X (64 × 784) and Y (64 × 10).</summary>
    static void WriteStart(ReadOnlySpan<float> parameters, float[] gradients, float[] x, float[] y)
    {
        using var file = new BinaryWriter(File.Create(Path.Combine(Environment.CurrentDirectory, "lenet-start.bin")));
        file.Write(parameters.Length);
        file.Write(MemoryMarshal.AsBytes(parameters));
        file.Write(MemoryMarshal.AsBytes(gradients.AsSpan()));
        file.Write(MemoryMarshal.AsBytes(x.AsSpan()));
        file.Write(MemoryMarshal.AsBytes(y.AsSpan()));
    }

    static int LargestIndex(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (Math.Abs(values[i]) > Math.Abs(values[best]))
                best = i;
        return best;
    }

    /// <summary>The seeded images and their one-hot labels (rows are samples), and the count of each class.</summary>
    static (float[] X, float[] Y, int[] Counts) Images(ulong seed)
    {
        var random = new Rng(seed);
        var x = new float[M * Pixels];
        var y = new float[M * Classes];
        var counts = new int[4];
        for (int i = 0; i < M; i++)
        {
            Span<float> image = x.AsSpan(i * Pixels, Pixels);
            for (int k = 0; k < Pixels; k++)
                image[k] = (float)(random.NextDouble() * 0.5);
            // A 10 × 10 patch, 0.5 brighter, wholly inside a quadrant drawn in turn (so the classes are balanced).
            int quadrant = i % 4;
            int top = (quadrant / 2 * 14) + random.NextInt(5), left = (quadrant % 2 * 14) + random.NextInt(5);
            for (int r = top; r < top + 10; r++)
                for (int c = left; c < left + 10; c++)
                    image[(r * Side) + c] += 0.5f;

            // The label is read from the pixels, not from the drawing: the quadrant of the largest sum.
            var sums = new double[4];
            for (int r = 0; r < Side; r++)
                for (int c = 0; c < Side; c++)
                    sums[(r / 14 * 2) + (c / 14)] += image[(r * Side) + c];
            int label = LargestIndex(Array.ConvertAll(sums, s => (float)s));
            y[(i * Classes) + label] = 1f;
            counts[label]++;
        }
        return (x, y, counts);
    }
}
