using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests;

/// <summary>The data part of issue 5: <see cref="Dataset"/>, CSV loading, <see cref="Dataset.Split"/> and <see cref="Standardizer"/>.</summary>
public class DatasetTests
{
    // ---------------------------------------------------------------- construction

    [Fact]
    public void Constructor_KeepsShapesAndValues()
    {
        float[] x = [1, 2, 3, 4, 5, 6];
        float[] y = [7, 8, 9];
        var data = new Dataset(x, y, inputSize: 2, outputSize: 1);
        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.InputSize);
        Assert.Equal(1, data.OutputSize);
        Assert.Equal(x, data.X.ToArray());
        Assert.Equal(y, data.Y.ToArray());
        Assert.Equal([3f, 4f], data.InputRow(1).ToArray());
        Assert.Equal([9f], data.OutputRow(2).ToArray());
    }

    [Fact]
    public void Constructor_AllowsNoSamples()
    {
        var data = new Dataset([], [], 3, 2);
        Assert.Equal(0, data.Count);
    }

    [Fact]
    public void Constructor_NamesExpectedAndActualShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], new float[4], 2, 1));
        Assert.Contains("3 × 1 = 3", e.Message);
        Assert.Contains("has 4", e.Message);
        Assert.Equal("y", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[7], new float[3], 2, 1));
        Assert.Contains("m × 2", e.Message);
        Assert.Contains("has 7", e.Message);
        Assert.Equal("x", e.ParamName);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[6], new float[3], 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[6], new float[3], 2, 0));
        Assert.Throws<ArgumentNullException>(() => new Dataset(null!, new float[3], 2, 1));
    }

    [Fact]
    public void Slice_CopiesTheRows()
    {
        var data = new Dataset([0, 0, 1, 10, 2, 20, 3, 30], [0, 1, 2, 3], 2, 1);
        Dataset part = data.Slice(1, 2);
        Assert.Equal(2, part.Count);
        Assert.Equal([1f, 10f, 2f, 20f], part.X.ToArray());
        Assert.Equal([1f, 2f], part.Y.ToArray());
        Assert.Equal(0, data.Slice(4, 0).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(-1, 1));
    }

    // ---------------------------------------------------------------- CSV

    [Fact]
    public void BreastCancer_Loads()
    {
        // Header "569,30,malignant,benign" (skipped), 30 features, a 0/1 label.
        Dataset data = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"), new CsvOptions());
        Assert.Equal(569, data.Count);
        Assert.Equal(30, data.InputSize);
        Assert.Equal(1, data.OutputSize);
        Assert.Equal(17.99f, data.X[0]);
        Assert.Equal(10.38f, data.X[1]);
        Assert.Equal(0.1189f, data.X[29]);
        Assert.Equal(20.57f, data.X[30]);
        Assert.Equal(0f, data.Y[0]);
        Assert.Equal(7.76f, data.X[568 * 30]);
        Assert.Equal(0.07039f, data.X[568 * 30 + 29]);
        Assert.Equal(1f, data.Y[568]);
        Assert.Equal(357, data.Y.ToArray().Count(v => v == 1f));
        Assert.Equal(212, data.Y.ToArray().Count(v => v == 0f));
        Assert.Null(data.InputNames);
    }

    [Fact]
    public void Iris_Loads_WithOneHotClasses()
    {
        Dataset data = Dataset.FromCsv(TestData.PathOf("sklearn/iris.csv"), new CsvOptions { OneHot = true });
        Assert.Equal(150, data.Count);
        Assert.Equal(4, data.InputSize);
        Assert.Equal(3, data.OutputSize); // k read from the data: labels 0 … 2
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f], data.InputRow(0).ToArray());
        Assert.Equal([1f, 0f, 0f], data.OutputRow(0).ToArray());
        Assert.Equal([7.0f, 3.2f, 4.7f, 1.4f], data.InputRow(50).ToArray()); // line 52 of the file
        Assert.Equal([0f, 1f, 0f], data.OutputRow(50).ToArray());
        Assert.Equal([6.2f, 3.4f, 5.4f, 2.3f], data.InputRow(148).ToArray());
        Assert.Equal([0f, 0f, 1f], data.OutputRow(149).ToArray());
        for (int c = 0; c < 3; c++)
        {
            int count = 0;
            for (int i = 0; i < data.Count; i++)
            {
                Assert.Equal(1f, data.OutputRow(i).ToArray().Sum());
                if (data.OutputRow(i)[c] == 1f)
                {
                    count++;
                    Assert.Equal(c, data.ClassOf(i));
                }
            }
            Assert.Equal(50, count);
        }
    }

    [Fact]
    public void Iris_Loads_WithRawLabels_OrAGivenClassCount()
    {
        Dataset raw = Dataset.FromCsv(TestData.PathOf("sklearn/iris.csv"));
        Assert.Equal(1, raw.OutputSize);
        Assert.Equal(0f, raw.Y[0]);
        Assert.Equal(1f, raw.Y[50]);
        Assert.Equal(2f, raw.Y[149]);

        Dataset five = Dataset.FromCsv(TestData.PathOf("sklearn/iris.csv"), new CsvOptions { OneHot = true, ClassCount = 5 });
        Assert.Equal(5, five.OutputSize);
        Assert.Equal([0f, 0f, 1f, 0f, 0f], five.OutputRow(149).ToArray());
    }

    [Fact]
    public void Flower_Loads_WithHeaderNames()
    {
        Dataset data = Dataset.FromCsv(TestData.PathOf("flower/flower.csv"), new CsvOptions { Header = CsvHeader.Names });
        Assert.Equal(400, data.Count);
        Assert.Equal(2, data.InputSize);
        Assert.Equal(1, data.OutputSize);
        Assert.Equal(["x1", "x2"], data.InputNames!);
        Assert.Equal(["y"], data.OutputNames!);
        Assert.Equal(1.2044422922543192f, data.X[0]);
        Assert.Equal(3.576114148128845f, data.X[1]);
        Assert.Equal(-1.0704958072229525f, data.X[200 * 2]);
        Assert.Equal(0.7307808250007515f, data.X[399 * 2]);
        Assert.Equal(3.0683292081876554f, data.X[399 * 2 + 1]);
        for (int i = 0; i < 400; i++)
            Assert.Equal(i < 200 ? 0f : 1f, data.Y[i]);

        Dataset oneHot = Dataset.FromCsv(TestData.PathOf("flower/flower.csv"), new CsvOptions { Header = CsvHeader.Names, OneHot = true });
        Assert.Equal(["y=0", "y=1"], oneHot.OutputNames!);
        Assert.Equal([0f, 1f], oneHot.OutputRow(399).ToArray());
    }

    [Fact]
    public void Csv_LabelColumnsByIndex()
    {
        const string text = "a,b,c,d\n1,2,3,4\n5,6,7,8\n\n";
        Dataset first = Dataset.FromCsv(new StringReader(text), new CsvOptions { Header = CsvHeader.Names, LabelColumns = [0] });
        Assert.Equal(2, first.Count);
        Assert.Equal([2f, 3f, 4f, 6f, 7f, 8f], first.X.ToArray());
        Assert.Equal([1f, 5f], first.Y.ToArray());
        Assert.Equal(["b", "c", "d"], first.InputNames!);

        Dataset two = Dataset.FromCsv(new StringReader(text), new CsvOptions { LabelColumns = [3, 1] });
        Assert.Equal(2, two.InputSize);
        Assert.Equal(2, two.OutputSize);
        Assert.Equal([1f, 3f, 5f, 7f], two.X.ToArray());
        Assert.Equal([4f, 2f, 8f, 6f], two.Y.ToArray());

        Dataset fromEnd = Dataset.FromCsv(new StringReader(text), new CsvOptions { LabelColumns = [-2] });
        Assert.Equal([3f, 7f], fromEnd.Y.ToArray());

        Dataset noHeader = Dataset.FromCsv(new StringReader("1;2\n3;4.5e1"), new CsvOptions { Header = CsvHeader.None, Separator = ';' });
        Assert.Equal([1f, 3f], noHeader.X.ToArray());
        Assert.Equal([2f, 45f], noHeader.Y.ToArray());

        Assert.Throws<ArgumentException>(() => Dataset.FromCsv(new StringReader(text), new CsvOptions { LabelColumns = [4] }));
        Assert.Throws<ArgumentException>(() => Dataset.FromCsv(new StringReader(text), new CsvOptions { LabelColumns = [1, 1] }));
        Assert.Throws<ArgumentException>(() => Dataset.FromCsv(new StringReader(text), new CsvOptions { LabelColumns = [0, 1], OneHot = true }));
    }

    [Fact]
    public void Csv_UsesTheInvariantCulture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Dataset data = Dataset.FromCsv(new StringReader("h\n1.5,2.25,0\n"));
            Assert.Equal([1.5f, 2.25f], data.X.ToArray());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("x,y\n1,0\n2,abc\n", "line 3, column 2", "'abc'")]
    [InlineData("x,y\n1,0\n\n2,1\n3\n", "line 5", "1 cells, but line 2 has 2")]
    [InlineData("x,y\n1,0\n2, \n", "line 3, column 2", "empty")]
    [InlineData("x,y\n1,0\n1,5\n1e999,1\n", "line 4, column 1", "'1e999'")]
    [InlineData("x,y\n1,0\nNaN,1\n", "line 3, column 1", "'NaN'")]
    [InlineData("x,y\n", "no samples", "")]
    public void Csv_BadCells_NameTheLine(string text, string where, string what)
    {
        var e = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(new StringReader(text), new CsvOptions(), "test.csv"));
        Assert.Contains("test.csv", e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Theory]
    [InlineData("1,0\n2,1.5\n", 0, "line 3, column 2")]
    [InlineData("1,0\n2,-1\n", 0, "line 3, column 2")]
    [InlineData("1,0\n2,1\n3,3\n", 3, "line 4, column 2")]
    public void Csv_BadClassLabels_NameTheLine(string text, int classCount, string where)
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            Dataset.FromCsv(new StringReader("x,y\n" + text), new CsvOptions { OneHot = true, ClassCount = classCount }));
        Assert.Contains(where, e.Message);
    }

    [Fact]
    public void Csv_FromAFile_NamesThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"netgen-dataset-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "x,y\n1,0\n2,oops\n");
            var e = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, new CsvOptions()));
            Assert.Contains(path, e.Message);
            Assert.Contains("line 3", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ---------------------------------------------------------------- split

    public static TheoryData<int, double, double, double> SplitCases()
    {
        var cases = new TheoryData<int, double, double, double>();
        foreach (int m in new[] { 569, 1_000_000 })
        {
            cases.Add(m, 0.7, 0.3, 0.0);
            cases.Add(m, 0.6, 0.2, 0.2);
            cases.Add(m, 0.98, 0.01, 0.01);
            cases.Add(m, 0.995, 0.0025, 0.0025);
        }
        return cases;
    }

    /// <summary>m samples whose inputs are (i, −i) and whose target is 2i, so that every part says where each row came from.</summary>
    private static Dataset Tagged(int m, int inputSize = 2)
    {
        var x = new float[m * inputSize];
        var y = new float[m];
        for (int i = 0; i < m; i++)
        {
            x[i * inputSize] = i;
            if (inputSize > 1)
                x[i * inputSize + 1] = -i;
            y[i] = 2f * i;
        }
        return new Dataset(x, y, inputSize, 1);
    }

    /// <summary>The original index of each row of <paramref name="part"/>, checking that its inputs and target moved together.</summary>
    private static int[] Tags(Dataset part)
    {
        var tags = new int[part.Count];
        ReadOnlySpan<float> x = part.X, y = part.Y;
        for (int r = 0; r < part.Count; r++)
        {
            int i = (int)x[r * part.InputSize];
            if (part.InputSize > 1 && x[r * part.InputSize + 1] != -i)
                Assert.Fail($"row {r}: inputs ({i}, {x[r * part.InputSize + 1]}) do not come from one sample");
            if (y[r] != 2f * i)
                Assert.Fail($"row {r}: target {y[r]} does not belong to sample {i}");
            tags[r] = i;
        }
        return tags;
    }

    private static void AssertPartition(int m, params Dataset[] parts)
    {
        var seen = new bool[m];
        int total = 0;
        foreach (Dataset part in parts)
        {
            foreach (int i in Tags(part))
            {
                if (seen[i])
                    Assert.Fail($"sample {i} is in two parts");
                seen[i] = true;
            }
            total += part.Count;
        }
        Assert.Equal(m, total);
        Assert.All(seen, Assert.True);
    }

    [Theory]
    [MemberData(nameof(SplitCases))]
    public void Split_CountsDisjointCoveringAndSeeded(int m, double train, double dev, double test)
    {
        int inputSize = m > 100_000 ? 1 : 2;
        Dataset data = Tagged(m, inputSize);
        float[] xBefore = data.X.ToArray(), yBefore = data.Y.ToArray();

        var (tr, dv, te) = data.Split(train, dev, test, seed: 42);
        Assert.InRange(tr.Count, m * train - 1, m * train + 1);
        Assert.InRange(dv.Count, m * dev - 1, m * dev + 1);
        Assert.InRange(te.Count, m * test - 1, m * test + 1);
        Assert.All(new[] { tr, dv, te }, p => Assert.Equal(inputSize, p.InputSize));
        AssertPartition(m, tr, dv, te);

        var again = data.Split(train, dev, test, seed: 42);
        Assert.Equal(tr.X.ToArray(), again.Train.X.ToArray());
        Assert.Equal(dv.X.ToArray(), again.Dev.X.ToArray());
        Assert.Equal(te.X.ToArray(), again.Test.X.ToArray());

        var other = data.Split(train, dev, test, seed: 43);
        Assert.Equal(tr.Count, other.Train.Count);
        Assert.NotEqual(Tags(tr), Tags(other.Train));

        // Shuffled, not taken in file order.
        Assert.NotEqual(Enumerable.Range(0, tr.Count).ToArray(), Tags(tr));

        Assert.Equal(xBefore, data.X.ToArray());
        Assert.Equal(yBefore, data.Y.ToArray());
    }

    [Theory]
    [InlineData(-0.1, 0.6, 0.5)]
    [InlineData(0.7, 0.2, 0.2)]
    [InlineData(0.5, 0.2, 0.2)]
    [InlineData(double.NaN, 0.5, 0.5)]
    [InlineData(1.0, 1e-8, 0.0)]
    public void Split_RejectsBadRatios(double train, double dev, double test)
    {
        Assert.Throws<ArgumentException>(() => Tagged(10).Split(train, dev, test, 1));
    }

    [Fact]
    public void Split_AcceptsRatiosThatSumToOneUpToRounding()
    {
        // 0.7 + 0.2 + 0.1 is 0.9999999999999999 in doubles.
        var (tr, dv, te) = Tagged(100).Split(0.7, 0.2, 0.1, 5);
        Assert.Equal((70, 20, 10), (tr.Count, dv.Count, te.Count));
        var (a, b, c) = Tagged(1).Split(0.5, 0.25, 0.25, 5);
        Assert.Equal(1, a.Count + b.Count + c.Count);
        var (e0, e1, e2) = new Dataset([], [], 1, 1).Split(0.6, 0.2, 0.2, 5);
        Assert.Equal(0, e0.Count + e1.Count + e2.Count);
    }

    private static void AssertStratified(Dataset data, double[] ratios, Dataset[] parts)
    {
        var classSizes = new Dictionary<int, int>();
        for (int i = 0; i < data.Count; i++)
            classSizes[data.ClassOf(i)] = classSizes.GetValueOrDefault(data.ClassOf(i)) + 1;
        for (int p = 0; p < 3; p++)
        {
            Assert.InRange(parts[p].Count, data.Count * ratios[p] - 1, data.Count * ratios[p] + 1);
            var counts = new Dictionary<int, int>();
            for (int i = 0; i < parts[p].Count; i++)
                counts[parts[p].ClassOf(i)] = counts.GetValueOrDefault(parts[p].ClassOf(i)) + 1;
            foreach (var (c, size) in classSizes)
                Assert.InRange(counts.GetValueOrDefault(c), size * ratios[p] - 1, size * ratios[p] + 1);
        }
    }

    [Theory]
    [InlineData(0.7, 0.3, 0.0)]
    [InlineData(0.6, 0.2, 0.2)]
    [InlineData(0.98, 0.01, 0.01)]
    [InlineData(0.995, 0.0025, 0.0025)]
    public void Split_Stratified_KeepsTheBreastCancerProportions(double train, double dev, double test)
    {
        Dataset data = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"), new CsvOptions());
        var (tr, dv, te) = data.Split(train, dev, test, seed: 7, stratify: true);
        AssertStratified(data, [train, dev, test], [tr, dv, te]);
        var again = data.Split(train, dev, test, seed: 7, stratify: true);
        Assert.Equal(tr.X.ToArray(), again.Train.X.ToArray());
    }

    [Fact]
    public void Split_Stratified_OneHot_CoversAndKeepsProportions()
    {
        // 3 skewed classes, one-hot, tagged by index in x.
        int m = 10_007;
        var x = new float[m];
        var y = new float[m * 3];
        for (int i = 0; i < m; i++)
        {
            x[i] = i;
            int c = i % 20 == 0 ? 2 : i % 3 == 0 ? 1 : 0;
            y[i * 3 + c] = 1f;
        }
        var data = new Dataset(x, y, 1, 3);
        foreach (double[] r in new[] { new[] { 0.7, 0.3, 0.0 }, new[] { 0.6, 0.2, 0.2 }, new[] { 0.98, 0.01, 0.01 }, new[] { 0.995, 0.0025, 0.0025 } })
        {
            var (tr, dv, te) = data.Split(r[0], r[1], r[2], seed: 11, stratify: true);
            AssertStratified(data, r, [tr, dv, te]);
            var seen = new bool[m];
            foreach (Dataset part in new[] { tr, dv, te })
                for (int k = 0; k < part.Count; k++)
                {
                    int i = (int)part.X[k];
                    Assert.False(seen[i]);
                    seen[i] = true;
                    Assert.Equal(data.OutputRow(i).ToArray(), part.OutputRow(k).ToArray());
                }
            Assert.All(seen, Assert.True);
        }
    }

    [Fact]
    public void Split_Stratified_HoldsForManyRandomClassSizesAndRatios()
    {
        // Exercises the controlled rounding (class cells and part totals both within one) on awkward tables.
        var rng = new Rng(2024);
        for (int trial = 0; trial < 300; trial++)
        {
            int k = 2 + rng.NextInt(7);
            var sizes = new int[k];
            int m = 0;
            for (int c = 0; c < k; c++)
                m += sizes[c] = rng.NextInt(40);
            if (m == 0)
                continue;
            var x = new float[m];
            var y = new float[m * k];
            for (int c = 0, i = 0; c < k; c++)
                for (int j = 0; j < sizes[c]; j++, i++)
                {
                    x[i] = i;
                    y[i * k + c] = 1f;
                }
            double a = rng.NextDouble(), b = rng.NextDouble() * (1 - a);
            double[] r = [a, b, 1 - a - b];
            var data = new Dataset(x, y, 1, k);
            var (tr, dv, te) = data.Split(r[0], r[1], r[2], (ulong)trial, stratify: true);
            AssertStratified(data, r, [tr, dv, te]);
            Assert.Equal(m, tr.Count + dv.Count + te.Count);
        }
    }

    // ---------------------------------------------------------------- standardisation

    [Fact]
    public void Standardizer_FittedOnTrain_AppliedUnchangedToDevAndTest()
    {
        Dataset data = Dataset.FromCsv(TestData.PathOf("sklearn/breast_cancer.csv"), new CsvOptions());
        float[] xBefore = data.X.ToArray(), yBefore = data.Y.ToArray();
        var (train, dev, test) = data.Split(0.6, 0.2, 0.2, seed: 3);
        float[] trainBefore = train.X.ToArray(), devBefore = dev.X.ToArray();

        Standardizer s = Standardizer.Fit(train);
        Assert.Equal(30, s.InputSize);
        Dataset trainS = s.Apply(train), devS = s.Apply(dev), testS = s.Apply(test);

        int n = train.InputSize;
        for (int j = 0; j < n; j++)
        {
            // The fit is the training set's own mean and population deviation.
            double mean = 0, sq = 0;
            for (int i = 0; i < train.Count; i++)
                mean += train.X[i * n + j];
            mean /= train.Count;
            for (int i = 0; i < train.Count; i++)
                sq += (train.X[i * n + j] - mean) * (train.X[i * n + j] - mean);
            double sd = Math.Sqrt(sq / train.Count);
            Assert.Equal(mean, s.Mean[j], 1e-9 * Math.Max(1, Math.Abs(mean)));
            Assert.Equal(sd, s.Deviation[j], 1e-9 * Math.Max(1, sd));

            // Train: mean 0, deviation 1.
            double m2 = 0, s2 = 0;
            for (int i = 0; i < trainS.Count; i++)
                m2 += trainS.X[i * n + j];
            m2 /= trainS.Count;
            for (int i = 0; i < trainS.Count; i++)
                s2 += (trainS.X[i * n + j] - m2) * (trainS.X[i * n + j] - m2);
            Assert.InRange(m2, -1e-5, 1e-5);
            Assert.InRange(Math.Sqrt(s2 / trainS.Count), 1 - 1e-4, 1 + 1e-4);

            // Dev and test: the training μ and σ, not their own.
            foreach (var (raw, scaled) in new[] { (dev, devS), (test, testS) })
                for (int i = 0; i < raw.Count; i++)
                    Assert.Equal((float)((raw.X[i * n + j] - s.Mean[j]) / s.Deviation[j]), scaled.X[i * n + j]);
        }

        // A refit on dev would give other numbers: the dev set's own mean is not exactly 0 after Apply.
        Standardizer devFit = Standardizer.Fit(dev);
        Assert.NotEqual(s.Mean.ToArray(), devFit.Mean.ToArray());

        // Targets copied, inputs untouched.
        Assert.Equal(dev.Y.ToArray(), devS.Y.ToArray());
        Assert.Equal(xBefore, data.X.ToArray());
        Assert.Equal(yBefore, data.Y.ToArray());
        Assert.Equal(trainBefore, train.X.ToArray());
        Assert.Equal(devBefore, dev.X.ToArray());
    }

    [Fact]
    public void Standardizer_ConstantFeature_HasDeviationOne()
    {
        var data = new Dataset([5, 1, 5, 2, 5, 3], [0, 0, 0], 2, 1);
        Standardizer s = Standardizer.Fit(data);
        Assert.Equal(1.0, s.Deviation[0]);
        Assert.Equal(5.0, s.Mean[0]);
        Assert.Equal(Math.Sqrt(2.0 / 3.0), s.Deviation[1], 12);
        Dataset scaled = s.Apply(data);
        Assert.Equal(0f, scaled.X[0]);
        Assert.Equal(0f, scaled.X[2]);
        Assert.Equal(0f, scaled.X[3]);
        Assert.Equal([5f, 1f, 5f, 2f, 5f, 3f], data.X.ToArray());
    }

    [Fact]
    public void Standardizer_RejectsMismatches()
    {
        Assert.Throws<ArgumentException>(() => Standardizer.Fit(new Dataset([], [], 2, 1)));
        Standardizer s = Standardizer.Fit(new Dataset([1, 2, 3, 4], [0, 1], 2, 1));
        Assert.Throws<ArgumentException>(() => s.Apply(new Dataset([1, 2, 3], [0], 3, 1)));
        Assert.Throws<ArgumentException>(() => new Standardizer([0.0, 1.0], [1.0]));
        Assert.Throws<ArgumentException>(() => new Standardizer([0.0], [0.0]));
        var restored = new Standardizer(s.Mean, s.Deviation);
        Assert.Equal(s.Apply(new Dataset([7, 8], [0], 2, 1)).X.ToArray(), restored.Apply(new Dataset([7, 8], [0], 2, 1)).X.ToArray());
    }
}
