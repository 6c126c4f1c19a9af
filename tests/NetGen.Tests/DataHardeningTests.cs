using System;
using System.IO;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// Issue 11, "bad numbers are refused at the door": a <see cref="Dataset"/> refuses NaN and ±∞ with the sample and
/// column, <see cref="Standardizer.Fit"/> names the sample and feature of one that got in afterwards, and one-hot CSV
/// labels are bounded and read as written.
/// </summary>
public sealed class DataHardeningTests
{
    // ---------------------------------------------------------------- Dataset

    public static TheoryData<int, float> BadInputs()
    {
        // 3 inputs × 21 samples = 63 floats: indices inside the vector part (0, 31, 40) and in the scalar tail (62).
        var data = new TheoryData<int, float>();
        foreach (int at in new[] { 0, 31, 40, 62 })
            foreach (float value in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                data.Add(at, value);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void A_non_finite_input_is_refused_naming_its_sample_and_column(int at, float value)
    {
        // The issue: new Dataset(x, y, …) accepted NaN and ∞ (FromCsv refused them), and Fit then ran on NaN.
        float[] x = TestData.Uniform(63, 5), y = new float[21];
        x[at] = value;
        var e = Assert.Throws<ArgumentException>(() => new Dataset(x, y, 3, 1));
        Assert.Equal("x", e.ParamName);
        Assert.Contains($"x, sample {at / 3}, column {at % 3} (x[{at}])", e.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture) + " is not a finite number", e.Message);
    }

    [Fact]
    public void A_non_finite_target_is_refused_and_the_first_one_is_named()
    {
        float[] x = new float[40], y = new float[20]; // 20 samples, 2 inputs, 1 output
        y[17] = float.PositiveInfinity;
        y[11] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => new Dataset(x, y, 2, 1));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("y, sample 11, column 0 (y[11]): NaN", e.Message);

        // Two outputs: y[11] is sample 5, column 1.
        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[20], y, 2, 2));
        Assert.Contains("y, sample 5, column 1 (y[11])", e.Message);
    }

    [Fact]
    public void Extreme_finite_values_and_negative_zero_are_accepted()
    {
        // x·0 is −0 for a negative x: the check must not take the sign bit for a NaN.
        float[] x = [float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon, -0f, 0f, -1f, 1e-38f,
                     -3f, -4f, -5f, -6f, -7f, -8f, -9f, -10f, -11f, -12f];
        var data = new Dataset(x, new float[9], 2, 1);
        Assert.Equal(9, data.Count);
    }

    [Fact]
    public void Every_position_of_a_long_array_is_checked()
    {
        // Every index of 1 000 floats (vectors of 8 and 16 and a tail), one at a time: each is found and named.
        var x = new float[1000];
        for (int at = 0; at < x.Length; at++)
        {
            x[at] = float.NaN;
            var e = Assert.Throws<ArgumentException>(() => new Dataset(x, new float[500], 2, 1));
            Assert.Contains($"(x[{at}])", e.Message);
            x[at] = at;
        }
        Assert.Equal(500, new Dataset(x, new float[500], 2, 1).Count);
    }

    [Fact]
    public void FromCsv_refuses_the_same_values_with_the_line()
    {
        // The same values through FromCsv: its cell check answers first, with the file's line and 1-based column.
        var e = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(new StringReader("a,b,y\n1,2,0\n3,Infinity,1\n"), null, "t.csv"));
        Assert.Contains("t.csv, line 3, column 2", e.Message);
        Assert.Contains("is not a finite number", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(new StringReader("a,b,y\n1,2,0\n3,4,1e39\n"), null, "t.csv"));
        Assert.Contains("line 3, column 3", e.Message); // 1e39 overflows a float to ∞
    }

    // ---------------------------------------------------------------- Standardizer.Fit

    [Fact]
    public void Fit_on_a_NaN_names_the_sample_and_the_feature_not_a_parameter_called_mean()
    {
        // A Dataset keeps the caller's arrays: a value changed after it was made reaches Fit. Before, the message was
        // "mean[1] = NaN is not finite. (Parameter 'mean')".
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        var data = new Dataset(x, new float[4], 2, 1) { InputNames = ["width", "height"] };
        x[5] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Standardizer.Fit(data));
        Assert.Equal("train", e.ParamName);
        Assert.Contains("sample 2, feature 1 ('height') (X[5]): NaN is not a finite number", e.Message);
        Assert.DoesNotContain("mean[", e.Message);

        x[5] = 6;
        x[0] = float.NegativeInfinity;
        e = Assert.Throws<ArgumentException>(() => Standardizer.Fit(data));
        Assert.Contains("sample 0, feature 0 ('width') (X[0]): -Infinity", e.Message);
    }

    [Fact]
    public void Fit_on_a_constant_feature_gives_deviation_one_and_zeros_exactly()
    {
        // A constant column of a value with no exact binary form, over a count that is not a power of two: the mean
        // is the value exactly (m·v is exact in double, and so is its quotient by m), σ = 0 becomes 1, and every
        // standardised value is 0, not ±1 from a rounding residue.
        const int m = 7;
        var x = new float[2 * m];
        for (int i = 0; i < m; i++) { x[2 * i] = 0.1f; x[2 * i + 1] = i; }
        var data = new Dataset(x, new float[m], 2, 1);
        Standardizer s = Standardizer.Fit(data);
        Assert.Equal((double)0.1f, s.Mean[0]);
        Assert.Equal(1.0, s.Deviation[0]);
        Assert.Equal(2.0, s.Deviation[1], 12); // 0 … 6: population deviation √4 = 2
        Dataset scaled = s.Apply(data);
        for (int i = 0; i < m; i++)
            Assert.Equal(0f, scaled.X[2 * i]);
    }

    [Fact]
    public void Apply_with_a_deviation_far_below_the_spread_names_the_value_instead_of_an_infinity()
    {
        // σ = 1e-40 is positive and finite, so the constructor takes it; (3 − 0)/1e-40 = 3e40 is past float's
        // 3.4e38. Before, Apply cast it to +∞ and the new Dataset refused "x" with no word of σ.
        var s = new Standardizer([0.0, 0.0], [1.0, 1e-40]);
        float[] x = [1f, 0f, 2f, 3f];
        var data = new Dataset(x, new float[2], 2, 1);
        var e = Assert.Throws<ArgumentException>(() => s.Apply(data));
        Assert.Contains("sample 1, feature 1", e.Message);
        Assert.Contains("1E-40", e.Message);
        Assert.Contains("beyond float's range", e.Message);
        Assert.Equal([1f, 0f, 2f, 3f], x); // the source is untouched
    }

    [Fact]
    public void Apply_to_spans_gives_the_floats_of_Apply_to_a_data_set_for_one_sample_and_several()
    {
        // μ and σ with no short binary form, so that the double arithmetic and its rounding to float are what is
        // compared: the span form must be the same computation, float for float.
        var s = new Standardizer([0.1, -3.7, 12.25], [0.3, 1.9, 7.0]);
        float[] raw = [1.5f, 2.25f, -8f, 0f, 1e-3f, 1e4f];
        Dataset expected = s.Apply(new Dataset(raw, new float[2], 3, 1));
        var both = new float[6];
        s.Apply(raw, both);
        Assert.Equal(expected.X.ToArray(), both);
        var one = new float[3];
        s.Apply(raw.AsSpan(3, 3), one);
        Assert.Equal(expected.X.Slice(3, 3).ToArray(), one);
        float[] inPlace = (float[])raw.Clone();
        s.Apply(inPlace, inPlace); // destination may be the source
        Assert.Equal(expected.X.ToArray(), inPlace);
    }

    [Fact]
    public void Apply_to_spans_refuses_bad_lengths_and_a_NaN_and_writes_nothing()
    {
        var s = new Standardizer([0.0, 0.0], [1.0, 2.0]);
        float[] destination = [7f, 7f, 7f, 7f];
        var e = Assert.Throws<ArgumentException>(() => s.Apply([1f, 2f, 3f], destination.AsSpan(0, 3)));
        Assert.Contains("3 floats", e.Message);
        Assert.Contains("samples of 2 inputs", e.Message);
        e = Assert.Throws<ArgumentException>(() => s.Apply([1f, 2f], destination));
        Assert.Contains("destination has 4 floats; expected 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => s.Apply([1f, 2f, 3f, float.NaN], destination));
        Assert.Contains("sample 1, feature 1", e.Message);
        Assert.Equal([7f, 7f, 7f, 7f], destination); // the first sample was fine, and is not written either
    }

    // ---------------------------------------------------------------- one-hot labels

    [Fact]
    public void A_17_byte_csv_no_longer_asks_for_4_GB()
    {
        // The issue: "x,y\n1,1000000000\n" with OneHot made 1 000 000 001 classes, a 4 GB array.
        const string text = "x,y\n1,1000000000\n";
        Assert.Equal(17, text.Length);
        InvalidDataException? e = null;
        long allocated = Allocations.LeastOfThree(() =>
            e = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(new StringReader(text), new CsvOptions { OneHot = true }, "t.csv")));
        Assert.Contains("t.csv, line 2, column 2", e!.Message);
        Assert.Contains("'1000000000'", e.Message);
        Assert.Contains($"{CsvOptions.MaxClassCount}", e.Message);
        Assert.True(allocated < 1 << 20, $"refusing the label allocated {allocated} bytes");
    }

    [Fact]
    public void A_label_above_2_to_the_24_is_judged_as_written_not_as_a_rounded_float()
    {
        // 16 777 217 = 2²⁴ + 1 is 16 777 216 as a float: before, it passed as that class.
        var e = Assert.Throws<InvalidDataException>(() =>
            Dataset.FromCsv(new StringReader("x,y\n1,0\n2,16777217\n"), new CsvOptions { OneHot = true }));
        Assert.Contains("'16777217'", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.DoesNotContain("16777216", e.Message);
    }

    [Fact]
    public void A_class_count_read_from_the_data_is_bounded_by_the_samples()
    {
        // Two samples with labels 0 and 9 would make 10 classes, eight of them without a sample.
        var e = Assert.Throws<InvalidDataException>(() =>
            Dataset.FromCsv(new StringReader("x,y\n1,0\n2,9\n"), new CsvOptions { OneHot = true }, "t.csv"));
        Assert.Contains("t.csv, line 3, column 2", e.Message);
        Assert.Contains("10 classes", e.Message);
        Assert.Contains("2 samples", e.Message);
        Assert.Contains("ClassCount", e.Message);

        // Stated explicitly, the same file is read: the user knows the classes.
        Dataset data = Dataset.FromCsv(new StringReader("x,y\n1,0\n2,9\n"), new CsvOptions { OneHot = true, ClassCount = 10 });
        Assert.Equal(10, data.OutputSize);
        Assert.Equal(1f, data.OutputRow(1)[9]);

        // As many classes as samples is fine.
        Assert.Equal(3, Dataset.FromCsv(new StringReader("x,y\n1,2\n2,0\n3,1\n"), new CsvOptions { OneHot = true }).OutputSize);
    }

    [Theory]
    [InlineData("-1", "is not an integer")]
    [InlineData("1.5", "is not an integer")]
    [InlineData("-0.5", "is not an integer")]
    [InlineData("65536", "65536")]
    [InlineData("1e300", "'1e300'")]
    [InlineData("abc", "'abc' is not a finite number")]
    [InlineData("", "empty")]
    [InlineData("1e999", "'1e999' is not a finite number")]
    public void Bad_labels_name_the_line_and_what_is_wrong(string label, string what)
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            Dataset.FromCsv(new StringReader($"x,y\n1,0\n2,{label}\n"), new CsvOptions { OneHot = true }, "t.csv"));
        Assert.Contains("t.csv, line 3, column 2", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void Labels_written_as_floats_are_still_classes()
    {
        Dataset data = Dataset.FromCsv(new StringReader("x,y\n1,2.0\n2,1e0\n3,-0\n4,0\n"), new CsvOptions { OneHot = true });
        Assert.Equal(3, data.OutputSize);
        Assert.Equal([2, 1, 0, 0], new[] { data.ClassOf(0), data.ClassOf(1), data.ClassOf(2), data.ClassOf(3) });
    }

    [Fact]
    public void ClassCount_above_the_limit_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Dataset.FromCsv(new StringReader("x,y\n1,0\n"), new CsvOptions { OneHot = true, ClassCount = CsvOptions.MaxClassCount + 1 }));
        Assert.Contains($"{CsvOptions.MaxClassCount + 1}", e.Message);
        Assert.Contains("MaxClassCount", e.Message);
        // The limit itself is allowed: 65 536 classes for one sample is 256 KB.
        Dataset big = Dataset.FromCsv(new StringReader("x,y\n1,65535\n"), new CsvOptions { OneHot = true, ClassCount = CsvOptions.MaxClassCount });
        Assert.Equal(CsvOptions.MaxClassCount, big.OutputSize);
        Assert.Equal(1f, big.Y[65535]);
    }
}
