using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace NetGen.Tests;

/// <summary>A classifier whose output is too wide for the stack: PredictClass rents its outputs from the pool.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.Glorot, Seed = 61)]
[Input(2)]
[Dense(16400, Activation.Softmax)]
public partial class ManyClassesNet;

/// <summary>
/// The generated PredictClass: the class of one sample by the rule of <see cref="Dataset.ClassOf"/> (which Split's
/// stratification uses) applied to Predict's output — the largest output, the first of equal ones, or for one sigmoid
/// unit 1 when the output is greater than 0.5 — with nothing allocated. Regression and multi-label networks have none.
/// </summary>
public sealed class PredictClassTests
{
    private static float[] Samples(int count, int inputSize, int seed, double scale = 3.0)
    {
        var rng = new Random(seed);
        var x = new float[count * inputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(scale * Problem.Gaussian(rng));
        return x;
    }

    /// <summary>Argmax written out here, independently of the generated loop: the first index of the largest value.</summary>
    private static int ArgMax(float[] y)
    {
        float max = y.Max();
        return Array.IndexOf(y, max);
    }

    public static TheoryData<string> Classifiers() => new() { "ReluSoftmax", "LeakyReluSoftmax", "DeepSoftmax", "WideSoftmax", "TanhSigmoid", "Logistic" };

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void PredictClass_agrees_with_Predict_and_with_Dataset_ClassOf_on_many_samples(string name)
    {
        INetwork net = NetCases.Get(name).Create();
        int n0 = net.InputSize, nL = net.OutputSize;
        MethodInfo predictClass = net.GetType().GetMethod("PredictClass")!;
        var predictClassOf = predictClass.CreateDelegate<ClassOf>(net);
        const int count = 2000;
        float[] X = Samples(count, n0, seed: 7);
        float[] Y = new float[count * nL];
        int[] classes = new int[count];
        var seen = new int[Math.Max(nL, 2)];
        for (int i = 0; i < count; i++)
        {
            float[] x = X.AsSpan(i * n0, n0).ToArray(), y = new float[nL];
            net.Predict(x, y);
            y.CopyTo(Y, i * nL);
            int expected = nL == 1 ? (y[0] > 0.5f ? 1 : 0) : ArgMax(y);
            classes[i] = predictClassOf(x);
            Assert.Equal(expected, classes[i]);
            seen[classes[i]]++;
        }
        // The check can fail: the samples reach more than one class.
        Assert.True(seen.Count(c => c > 0) >= 2, name + ": every sample fell in one class: " + string.Join(", ", seen));

        // The same rule as the stratification's: Dataset.ClassOf of the predictions.
        var predictions = new Dataset(X, Y, n0, nL);
        for (int i = 0; i < count; i++)
            Assert.Equal(predictions.ClassOf(i), classes[i]);
    }

    private delegate int ClassOf(ReadOnlySpan<float> x);

    [Fact]
    public void Equal_outputs_give_the_first_class_and_one_half_gives_class_0()
    {
        // All parameters 0: softmax gives 1/3 to each class, the sigmoid exactly 0.5.
        var softmax = new ReluSoftmaxNet();
        softmax.Parameters.Clear();
        Assert.Equal(0, softmax.PredictClass(new float[] { 1, -2, 3, 4 }));

        var logistic = new LogisticNet();
        logistic.Parameters.Clear();
        Assert.Equal(0, logistic.PredictClass(new float[5]));
    }

    [Fact]
    public void The_class_follows_the_output_biases()
    {
        // W2 = 0, so the output is softmax(b2) for any sample: the largest bias wins.
        var net = new ReluSoftmaxNet();
        net.W2.Clear();
        float[] x = { 0.5f, -1f, 2f, 0f };
        foreach ((float[] b, int expected) in new[] { (new[] { 0f, 2f, 1f }, 1), (new[] { 3f, 2f, 1f }, 0), (new[] { 0f, 1f, 1.5f }, 2), (new[] { 1f, 2f, 2f }, 1) })
        {
            b.CopyTo(net.B2);
            Assert.Equal(expected, net.PredictClass(x));
        }

        var logistic = new LogisticNet();
        logistic.W1.Clear();
        logistic.B1[0] = 0.01f;
        Assert.Equal(1, logistic.PredictClass(new float[5]));
        logistic.B1[0] = -0.01f;
        Assert.Equal(0, logistic.PredictClass(new float[5]));
    }

    [Fact]
    public void A_sample_of_the_wrong_length_is_refused_with_its_name()
    {
        var net = new ReluSoftmaxNet();
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => net.PredictClass(new float[3]));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("InputSize = 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("has 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_classifier_wider_than_the_stack_limit_agrees_with_Predict()
    {
        var net = new ManyClassesNet();
        float[] y = new float[ManyClassesNet.OutputSize];
        float[] X = Samples(50, 2, seed: 3, scale: 20.0);
        for (int i = 0; i < 50; i++)
        {
            float[] x = X.AsSpan(i * 2, 2).ToArray();
            net.Predict(x, y);
            Assert.Equal(ArgMax(y), net.PredictClass(x));
        }
    }

    [Fact]
    public void PredictClass_allocates_nothing_after_warm_up()
    {
        var softmax = new WideSoftmaxNet();
        var logistic = new LogisticNet();
        var registers = new TanhSigmoidNet();
        var many = new ManyClassesNet();
        float[] xs = Samples(1, 70, 1), xl = Samples(1, 5, 2), xr = Samples(1, 3, 3), xm = Samples(1, 2, 4);
        int sink = 0;
        void Run(int calls)
        {
            for (int i = 0; i < calls; i++)
                sink += softmax.PredictClass(xs) + logistic.PredictClass(xl) + registers.PredictClass(xr) + many.PredictClass(xm);
        }
        Run(200);
        long bytes = Allocations.LeastOfThree(() => Run(1000));
        Assert.Equal(0, bytes);
        Assert.True(sink >= 0);
    }

    [Theory]
    [InlineData(typeof(ReluSoftmaxNet), true)]      // softmax, 3 classes, cross-entropy
    [InlineData(typeof(TanhSoftmaxMseNet), true)]   // a softmax output of 4 classes, even trained on the squared error
    [InlineData(typeof(LogisticNet), true)]         // one sigmoid unit
    [InlineData(typeof(TanhLinearMseNet), false)]   // regression: linear outputs
    [InlineData(typeof(SigmoidTanhMseNet), false)]  // regression: tanh outputs
    [InlineData(typeof(ReluSigmoidMseNet), false)]  // two sigmoid units
    [InlineData(typeof(DeepMultiLabelNet), false)]  // two sigmoid units: multi-label, a sample may be in both classes
    public void Only_classifiers_have_PredictClass(Type type, bool classifier)
    {
        MethodInfo? method = type.GetMethod("PredictClass");
        Assert.Equal(classifier, method is not null);
        if (method is not null)
        {
            Assert.Equal(typeof(int), method.ReturnType);
            Assert.Equal(typeof(ReadOnlySpan<float>), Assert.Single(method.GetParameters()).ParameterType);
        }
    }
}
