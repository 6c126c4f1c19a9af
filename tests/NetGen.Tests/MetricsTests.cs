using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>One softmax layer over 2 inputs: with W = [[1, 0], [0, 1], [0, 0]] and b = [0, 0, 0.5] its class is the
/// index of the largest of (x0, x1, 0.5), so every prediction is known by hand.</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 31)]
[Input(2)]
[Dense(3, Activation.Softmax)]
public partial class MetricsSoftmaxNet;

/// <summary>One sigmoid unit over 1 input: with W = 1 and b = 0 it predicts class 1 exactly when x &gt; 0.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 32)]
[Input(1)]
[Dense(1, Activation.Sigmoid)]
public partial class MetricsSigmoidNet;

/// <summary>ŷ = W·x + b with one input and two outputs: every prediction is exact in float for small integers.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.He, Seed = 33)]
[Input(1)]
[Dense(2, Activation.Linear)]
public partial class MetricsLinearNet;

/// <summary>A small regression net with one output, for R² = 1 − MSE / Var(y) on real data.</summary>
[Network(Loss = Loss.MeanSquaredError, Init = Init.Glorot, Seed = 34)]
[Input(3)]
[Dense(6, Activation.Tanh)]
[Dense(1, Activation.Linear)]
public partial class MetricsRegressionNet;

/// <summary>A softmax classifier for iris (4-8-3).</summary>
[Network(Loss = Loss.CrossEntropy, Init = Init.He, Seed = 35)]
[Input(4)]
[Dense(8, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class MetricsIrisNet;

/// <summary>A sigmoid classifier for the breast cancer data (30-8-1).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Init = Init.He, Seed = 36)]
[Input(30)]
[Dense(8, Activation.Relu)]
[Dense(1, Activation.Sigmoid)]
public partial class MetricsCancerNet;

/// <summary>
/// Metrics against hand counts on nets whose every prediction is known, against an independent double loop over
/// <c>Predict</c> on the iris and breast cancer data, and against their identities (accuracy = trace / total of the
/// confusion matrix, R² = 1 − MSE / Var(y) for one output, R² of a perfect model = 1).
/// </summary>
public sealed class MetricsTests
{
    private static MetricsSoftmaxNet SoftmaxPicker()
    {
        var net = new MetricsSoftmaxNet();
        float[] w = [1, 0, 0, 1, 0, 0];
        w.CopyTo(net.W1);
        float[] b = [0, 0, 0.5f];
        b.CopyTo(net.B1);
        return net;
    }

    // x → the largest of (x0, x1, 0.5): s0 → 0, s1 → 1, s2 → 2, s3 (1, 1) ties 0 and 1 → 0 (the first), s4 → 0,
    // s5 → 2, s6 → 1, s7 → 2. True classes: one-hot rows, and s7's [0, 0.5, 0.5] ties 1 and 2 → 1.
    private static Dataset SoftmaxHandData() => new(
        [2, 0, 0, 2, 0, 0, 1, 1, 3, 1, -1, -1, 0.2f, 0.9f, 0.1f, 0.2f],
        [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0.5f, 0.5f],
        2, 3);

    [Fact]
    public void Softmax_accuracy_and_confusion_matrix_are_the_hand_count()
    {
        MetricsSoftmaxNet net = SoftmaxPicker();
        Dataset data = SoftmaxHandData();

        // Correct: s0, s1, s2, s5. Wrong: s3 (true 1, predicted 0 on the tie), s4 (2 → 0), s6 (0 → 1), s7 (1 → 2).
        Assert.Equal(4.0 / 8, Metrics.Accuracy(net, data));
        int[,] expected =
        {
            { 1, 1, 0 }, // true 0: s0 → 0, s6 → 1
            { 1, 1, 1 }, // true 1: s3 → 0, s1 → 1, s7 → 2
            { 1, 0, 2 }, // true 2: s4 → 0, s2 → 2, s5 → 2
        };
        Assert.Equal(expected, Metrics.ConfusionMatrix(net, data));
    }

    [Fact]
    public void Single_sigmoid_output_uses_the_half_threshold_for_prediction_and_target()
    {
        var net = new MetricsSigmoidNet();
        net.W1[0] = 1;
        net.B1[0] = 0;
        // Predicted class 1 when x > 0. Targets: 0.7 counts as class 1, and 0.5 as class 0 (not above 0.5).
        var data = new Dataset([-2, -0.5f, 0.5f, 1, 3, -1], [0, 1, 1, 0, 0.7f, 0.5f], 1, 1);

        Assert.Equal(4.0 / 6, Metrics.Accuracy(net, data));
        int[,] expected =
        {
            { 2, 1 }, // true 0: x = −2 → 0, x = −1 → 0, x = 1 → 1
            { 1, 2 }, // true 1: x = −0.5 → 0, x = 0.5 → 1, x = 3 → 1
        };
        Assert.Equal(expected, Metrics.ConfusionMatrix(net, data));
    }

    private static MetricsLinearNet Line()
    {
        // ŷ0 = 2x + 1, ŷ1 = −x.
        var net = new MetricsLinearNet();
        float[] w = [2, -1];
        w.CopyTo(net.W1);
        float[] b = [1, 0];
        b.CopyTo(net.B1);
        return net;
    }

    [Fact]
    public void Mean_squared_error_and_R_squared_are_the_hand_values()
    {
        MetricsLinearNet net = Line();
        // x = 0, 1, 2, 3. Output 0: ŷ = 1, 3, 5, 7 against y = 1, 4, 5, 6: errors 0, −1, 0, 1, SS_res = 2; ȳ = 4,
        // SS_tot = 9 + 0 + 1 + 4 = 14, R² = 1 − 2/14 = 6/7. Output 1: ŷ = 0, −1, −2, −3 = y exactly, R² = 1.
        var data = new Dataset([0, 1, 2, 3], [1, 0, 4, -1, 5, -2, 6, -3], 1, 2);
        Assert.Equal(2.0 / 8, Metrics.MeanSquaredError(net, data), 15);       // no ½: Σ(ŷ − y)² / (m·n)
        Assert.Equal((6.0 / 7 + 1) / 2, Metrics.RSquared(net, data), 15);    // scikit-learn's uniform average

        // An output whose targets never vary: R² 0 unless it is predicted exactly (scikit-learn's force_finite).
        var constant = new Dataset([0, 1, 2, 3], [1, 5, 4, 5, 5, 5, 6, 5], 1, 2);
        Assert.Equal((6.0 / 7 + 0) / 2, Metrics.RSquared(net, constant), 15);
        var constantExact = new Dataset([0, 0, 0], [1, 0, 1, 0, 1, 0], 1, 2);
        Assert.Equal(1.0, Metrics.RSquared(net, constantExact));
    }

    [Fact]
    public void R_squared_of_a_perfect_model_is_1()
    {
        MetricsLinearNet net = Line();
        var x = new float[40];
        var y = new float[80];
        for (int i = 0; i < 40; i++)
        {
            x[i] = i - 20;
            y[2 * i] = 2 * x[i] + 1;
            y[2 * i + 1] = -x[i];
        }
        var data = new Dataset(x, y, 1, 2);
        Assert.Equal(1.0, Metrics.RSquared(net, data));
        Assert.Equal(0.0, Metrics.MeanSquaredError(net, data));
    }

    [Fact]
    public void Iris_softmax_metrics_match_a_loop_over_Predict()
    {
        Dataset raw = Dataset.FromCsv(TestData.PathOf("sklearn/iris.csv"), new CsvOptions { OneHot = true });
        Dataset data = Standardizer.Fit(raw).Apply(raw);
        var net = new MetricsIrisNet();
        Trainer.Fit(net, data, null, new TrainingOptions { Epochs = 15, BatchSize = 16, Optimizer = Optimizer.Adam, LearningRate = 0.01f });

        var (confusion, ambiguous) = ReferenceConfusion(net, data);
        int[,] matrix = Metrics.ConfusionMatrix(net, data);
        double accuracy = Metrics.Accuracy(net, data);
        AssertSameCounts(confusion, matrix, ambiguous);
        Assert.Equal(Trace(matrix) / (double)data.Count, accuracy);
        // Not a trivial case: some right and some wrong after 15 short epochs, and every class predicted.
        Assert.InRange(accuracy, 0.5, 0.99);
        for (int c = 0; c < 3; c++)
            Assert.True(matrix[0, c] + matrix[1, c] + matrix[2, c] > 0, $"class {c} is never predicted");
    }

    [Fact]
    public void Breast_cancer_sigmoid_metrics_match_a_loop_over_Predict_across_chunks()
    {
        Dataset raw = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"));
        Dataset data = Standardizer.Fit(raw).Apply(raw);
        Assert.True(data.Count > 2 * Metrics.ChunkSize, "the data must span several chunks and a partial last one");
        var net = new MetricsCancerNet();
        Trainer.Fit(net, data, null, new TrainingOptions { Epochs = 1, BatchSize = 64, LearningRate = 0.01f });

        var (confusion, ambiguous) = ReferenceConfusion(net, data);
        int[,] matrix = Metrics.ConfusionMatrix(net, data);
        AssertSameCounts(confusion, matrix, ambiguous);
        Assert.Equal(data.Count, Total(matrix));
        double accuracy = Metrics.Accuracy(net, data);
        Assert.Equal(Trace(matrix) / (double)data.Count, accuracy);
        Assert.InRange(accuracy, 0.3, 0.995);

        // MSE of the probabilities against the 0/1 labels (the Brier score), against a double loop.
        double brier = 0;
        var y = new float[1];
        for (int i = 0; i < data.Count; i++)
        {
            net.Predict(data.InputRow(i), y);
            double d = (double)y[0] - data.Y[i];
            brier += d * d;
        }
        Assert.Equal(brier / data.Count, Metrics.MeanSquaredError(net, data), 6);
    }

    [Fact]
    public void Iris_regression_metrics_match_a_loop_over_Predict_and_the_identities()
    {
        // Inputs sepal length, sepal width, petal width; outputs petal length and the class number (as a number).
        Dataset raw = Dataset.FromCsv(TestData.PathOf("sklearn/iris.csv"), new CsvOptions { LabelColumns = [2, 4] });
        Dataset data = Standardizer.Fit(raw).Apply(raw);
        var two = new TanhLinearMseNet();
        Trainer.Fit(two, data, null, new TrainingOptions { Epochs = 40, BatchSize = 16, Optimizer = Optimizer.Adam, LearningRate = 0.01f });

        var (mse, r2) = ReferenceRegression(two, data);
        Assert.Equal(mse, Metrics.MeanSquaredError(two, data), 6);
        Assert.Equal(r2, Metrics.RSquared(two, data), 6);
        Assert.InRange(r2, 0.5, 0.999);

        // One output (petal length): R² = 1 − MSE / Var(y), Var the population variance.
        Dataset rawOne = Dataset.FromCsv(TestData.PathOf("sklearn/iris.csv"), new CsvOptions { LabelColumns = [2] });
        var inputs = new float[rawOne.Count * 3];
        for (int i = 0; i < rawOne.Count; i++)
        {
            ReadOnlySpan<float> row = rawOne.InputRow(i); // sepal length, sepal width, petal width, class
            inputs[3 * i] = row[0];
            inputs[3 * i + 1] = row[1];
            inputs[3 * i + 2] = row[2];
        }
        var one = new Dataset(inputs, rawOne.Y.ToArray(), 3, 1);
        var net = new MetricsRegressionNet();
        Trainer.Fit(net, one, null, new TrainingOptions { Epochs = 30, BatchSize = 16, Optimizer = Optimizer.Adam, LearningRate = 0.01f });
        double mean = 0, variance = 0;
        foreach (float v in one.Y) mean += v;
        mean /= one.Count;
        foreach (float v in one.Y) variance += (v - mean) * (v - mean);
        variance /= one.Count;
        double oneMse = Metrics.MeanSquaredError(net, one);
        Assert.Equal(1 - oneMse / variance, Metrics.RSquared(net, one), 12);
        var (referenceMse, referenceR2) = ReferenceRegression(net, one);
        Assert.Equal(referenceMse, oneMse, 6);
        Assert.Equal(referenceR2, Metrics.RSquared(net, one), 6);
    }

    [Fact]
    public void A_data_set_that_does_not_fit_or_is_empty_is_refused_with_the_shapes()
    {
        MetricsSoftmaxNet net = SoftmaxPicker();
        var wrongInputs = new Dataset([1, 2, 3], [1, 0, 0], 3, 3);
        var e = Assert.Throws<ArgumentException>(() => Metrics.Accuracy(net, wrongInputs));
        Assert.Contains("takes 2 features and gives 3 outputs", e.Message);
        Assert.Contains("has 3 features and 3 outputs", e.Message);
        Assert.Equal("data", e.ParamName);

        var wrongOutputs = new Dataset([1, 2], [1], 2, 1);
        e = Assert.Throws<ArgumentException>(() => Metrics.ConfusionMatrix(net, wrongOutputs));
        Assert.Contains("has 2 features and 1 outputs", e.Message);
        Assert.Throws<ArgumentException>(() => Metrics.MeanSquaredError(net, wrongOutputs));
        Assert.Throws<ArgumentException>(() => Metrics.RSquared(net, wrongOutputs));

        var empty = new Dataset([], [], 2, 3);
        foreach (Func<INetwork, Dataset, object> metric in new Func<INetwork, Dataset, object>[]
                 { (n, d) => Metrics.Accuracy(n, d), (n, d) => Metrics.ConfusionMatrix(n, d), (n, d) => Metrics.MeanSquaredError(n, d), (n, d) => Metrics.RSquared(n, d) })
        {
            e = Assert.Throws<ArgumentException>(() => metric(net, empty));
            Assert.Contains("but the data set has 0", e.Message);
        }
        e = Assert.Throws<ArgumentException>(() => Metrics.RSquared(net, new Dataset([1, 1], [1, 0, 0], 2, 3)));
        Assert.Contains("at least 2 samples", e.Message);
        Assert.Throws<ArgumentNullException>(() => Metrics.Accuracy(null!, empty));
        Assert.Throws<ArgumentNullException>(() => Metrics.Accuracy(net, null!));
    }

    [Fact]
    public void Metrics_allocate_nothing_after_warm_up()
    {
        Dataset raw = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"));
        var net = new MetricsCancerNet();
        double sink = 0;
        void Run()
        {
            sink += Metrics.Accuracy(net, raw);
            sink += Metrics.MeanSquaredError(net, raw);
            sink += Metrics.RSquared(net, raw);
        }
        Run();
        Assert.Equal(0, Allocations.LeastOfThree(Run));
        Assert.False(double.IsNaN(sink));
    }

    /// <summary>The confusion matrix from single-sample <c>Predict</c> and an argmax in double; also how many samples
    /// sit within 1e-5 of a class boundary, where <c>Predict</c> and <c>PredictBatch</c> may round differently.</summary>
    private static (int[,] Matrix, int Ambiguous) ReferenceConfusion(INetwork net, Dataset data)
    {
        int n = net.OutputSize, k = n == 1 ? 2 : n, ambiguous = 0;
        var matrix = new int[k, k];
        var y = new float[n];
        for (int i = 0; i < data.Count; i++)
        {
            net.Predict(data.InputRow(i), y);
            ReadOnlySpan<float> target = data.OutputRow(i);
            int predicted, actual;
            double margin;
            if (n == 1)
            {
                predicted = (double)y[0] > 0.5 ? 1 : 0;
                actual = (double)target[0] > 0.5 ? 1 : 0;
                margin = Math.Abs(y[0] - 0.5);
            }
            else
            {
                predicted = 0;
                actual = 0;
                for (int j = 1; j < n; j++)
                {
                    if ((double)y[j] > y[predicted]) predicted = j;
                    if ((double)target[j] > target[actual]) actual = j;
                }
                margin = double.PositiveInfinity;
                for (int j = 0; j < n; j++)
                    if (j != predicted) margin = Math.Min(margin, (double)y[predicted] - y[j]);
            }
            if (margin < 1e-5) ambiguous++;
            matrix[actual, predicted]++;
        }
        return (matrix, ambiguous);
    }

    /// <summary>MSE over every output and the uniform average of the per-output R², in double from <c>Predict</c>.</summary>
    private static (double Mse, double R2) ReferenceRegression(INetwork net, Dataset data)
    {
        int n = net.OutputSize, m = data.Count;
        var y = new float[n];
        double squared = 0, r2 = 0;
        for (int j = 0; j < n; j++)
        {
            double mean = 0;
            for (int i = 0; i < m; i++) mean += data.OutputRow(i)[j];
            mean /= m;
            double residual = 0, total = 0;
            for (int i = 0; i < m; i++)
            {
                net.Predict(data.InputRow(i), y);
                double t = data.OutputRow(i)[j];
                residual += (y[j] - t) * (y[j] - t);
                total += (t - mean) * (t - mean);
            }
            squared += residual;
            r2 += 1 - residual / total;
        }
        return (squared / ((double)m * n), r2 / n);
    }

    private static void AssertSameCounts(int[,] reference, int[,] actual, int ambiguous)
    {
        Assert.Equal(reference.GetLength(0), actual.GetLength(0));
        int differences = 0;
        for (int t = 0; t < reference.GetLength(0); t++)
            for (int p = 0; p < reference.GetLength(1); p++)
                differences += Math.Abs(reference[t, p] - actual[t, p]);
        // Each sample on a boundary may move one count out of one cell into another.
        Assert.True(differences <= 2 * ambiguous,
            $"the confusion matrices differ by {differences} counts with only {ambiguous} samples on a class boundary");
        if (ambiguous == 0) Assert.Equal(reference, actual);
    }

    private static int Trace(int[,] matrix)
    {
        int sum = 0;
        for (int c = 0; c < matrix.GetLength(0); c++) sum += matrix[c, c];
        return sum;
    }

    private static int Total(int[,] matrix)
    {
        int sum = 0;
        foreach (int v in matrix) sum += v;
        return sum;
    }
}
