using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// A data augmentation pipeline for image inputs (the notes' §3.2.4.2): flips, random crops with padding, rotations,
/// zooms, shifts, brightness, contrast, Gaussian noise and colour jitter, configured in code and applied on the fly to
/// each mini-batch. Images are rows of <see cref="ImageSize"/> = height·width·channels floats in HWC order (row by row,
/// pixel by pixel, channel by channel), as a network's <c>X</c> holds them.
/// </summary>
/// <remarks>
/// <para>
/// Transforms run in the order they are declared; each is applied to an image with its own probability, decided
/// afresh for every image, with its random parameters drawn afresh too. An optional <see cref="Clamp"/> runs after all
/// of them. The output depends only on the source and the state of the <see cref="Rng"/> passed in: the same seed gives
/// the same batch on every machine.
/// </para>
/// <para>
/// Every parameter has a bounded range (each method's exception names it): additive amounts (brightness, noise mean
/// and deviation) at most <see cref="MaxShift"/> in size, zoom factors in
/// [<see cref="MinScale"/>, <see cref="MaxScale"/>], contrast factors at most <see cref="MaxContrast"/>, so that a
/// setting is representable as a float and no transform with valid settings turns an image of finite values (within
/// ±10²⁰) into ∞ or NaN.
/// </para>
/// <para>
/// <see cref="Apply"/> never writes its source and allocates nothing after its first call (its scratch, one image and
/// one row, belongs to the thread that runs the images and is kept). A large batch runs on every core
/// (<see cref="Parallelism.MaxDegreeOfParallelism"/>) with the same bits as on one. The instance keeps no state of a
/// call, so several threads may call <see cref="Apply"/> on one instance at once (as <see cref="Trainer.Fit"/> calls
/// sharing one <see cref="TrainingOptions"/> do), each with its own <see cref="Rng"/>; configure the pipeline before
/// the first call.
/// </para>
/// </remarks>
public sealed class Augmentation
{
    private enum Kind : byte
    {
        FlipHorizontal,
        FlipVertical,
        RandomCrop,
        Rotate,
        Scale,
        Translate,
        Brightness,
        Contrast,
        GaussianNoise,
        ColorJitter,
    }

    /// <summary>One declared transform: what it is, its probability and up to two range parameters.</summary>
    private readonly struct Step(Kind kind, double probability, double a, double b)
    {
        public readonly Kind Kind = kind;
        public readonly double Probability = probability;
        public readonly double A = a;
        public readonly double B = b;
    }

    /// <summary>The largest additive amount: <see cref="Brightness"/>'s maxDelta, <see cref="GaussianNoise"/>'s |mean|
    /// and deviation (10⁶, far beyond any image scale: pixels in [0, 1] or [0, 255], or standardised).</summary>
    public const double MaxShift = 1e6;

    /// <summary>The largest contrast factor of <see cref="Contrast"/> (10³).</summary>
    public const double MaxContrast = 1e3;

    /// <summary>The smallest zoom factor of <see cref="Scale"/> (10⁻³): below it, 1/factor grows towards ∞ and the
    /// resampling towards NaN.</summary>
    public const double MinScale = 1e-3;

    /// <summary>The largest zoom factor of <see cref="Scale"/> (10³).</summary>
    public const double MaxScale = 1e3;

    private Step[] _steps = new Step[4];
    private int _count;
    private bool _clamp;
    private float _clampMin, _clampMax;

    /// <summary>Creates an empty pipeline (the identity) for images of <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/>, in HWC order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive, or the image holds more than <see cref="int.MaxValue"/> floats.</exception>
    public Augmentation(int height, int width, int channels)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "the image height must be at least 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "the image width must be at least 1.");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "the number of channels must be at least 1.");
        long size = (long)height * width * channels;
        if (size > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(height), size, $"an image of {height} × {width} × {channels} = {size} floats exceeds {int.MaxValue}.");
        Height = height;
        Width = width;
        Channels = channels;
        ImageSize = (int)size;
    }

    /// <summary>The image height (rows).</summary>
    public int Height { get; }

    /// <summary>The image width (columns).</summary>
    public int Width { get; }

    /// <summary>The number of channels (3 for RGB), the innermost dimension.</summary>
    public int Channels { get; }

    /// <summary>The floats per image: <see cref="Height"/> · <see cref="Width"/> · <see cref="Channels"/>.</summary>
    public int ImageSize { get; }

    /// <summary>The number of transforms declared (the final clamp not counted).</summary>
    public int Count => _count;

    // ---------------------------------------------------------------- builder

    /// <summary>Mirrors the image left to right (pixel (r, c) goes to (r, w − 1 − c), every channel), with probability <paramref name="probability"/>.</summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation FlipHorizontal(double probability = 0.5)
        => Add(new Step(Kind.FlipHorizontal, CheckProbability(probability), 0, 0));

    /// <summary>Mirrors the image top to bottom (row r goes to h − 1 − r), with probability <paramref name="probability"/>.</summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation FlipVertical(double probability = 0.5)
        => Add(new Step(Kind.FlipVertical, CheckProbability(probability), 0, 0));

    /// <summary>
    /// Zero-pads the image by <paramref name="padding"/> pixels on every side and crops a random height × width window
    /// (every window position equally likely), with probability <paramref name="probability"/>: a random integer shift
    /// of up to ±padding pixels on each axis with zero fill. Padding 0 is the identity.
    /// </summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="padding"/> is negative or larger than the
    /// image's larger side, or <paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation RandomCrop(int padding, double probability = 1.0)
    {
        if (padding < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "the crop padding must be ≥ 0.");
        if (padding > Math.Max(Height, Width))
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"the crop padding must be at most the image's larger side, {Math.Max(Height, Width)} (image {Height} × {Width}).");
        return Add(new Step(Kind.RandomCrop, CheckProbability(probability), padding, 0));
    }

    /// <summary>
    /// Rotates the image about its centre by an angle uniform in [−<paramref name="maxDegrees"/>, <paramref name="maxDegrees"/>]
    /// degrees, with bilinear resampling and zero fill, with probability <paramref name="probability"/>. An angle of 0 is
    /// the identity, exactly.
    /// </summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegrees"/> is not in [0, 180], or
    /// <paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation Rotate(double maxDegrees, double probability = 0.5)
    {
        if (!(maxDegrees >= 0 && maxDegrees <= 180))
            throw new ArgumentOutOfRangeException(nameof(maxDegrees), maxDegrees, "the largest rotation must be in [0, 180] degrees.");
        return Add(new Step(Kind.Rotate, CheckProbability(probability), maxDegrees, 0));
    }

    /// <summary>
    /// Zooms the image about its centre by a factor uniform in [<paramref name="min"/>, <paramref name="max"/>]
    /// (above 1 enlarges, below 1 shrinks with zero fill), with bilinear resampling, with probability
    /// <paramref name="probability"/>. A factor of 1 is the identity, exactly.
    /// </summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A factor is not in [<see cref="MinScale"/>,
    /// <see cref="MaxScale"/>], <paramref name="max"/> is below <paramref name="min"/>, or
    /// <paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation Scale(double min, double max, double probability = 0.5)
    {
        if (!(min >= MinScale && min <= MaxScale))
            throw new ArgumentOutOfRangeException(nameof(min), min,
                $"the smallest zoom factor must be in [{MinScale}, {MaxScale}] (MinScale, MaxScale).");
        if (!(max >= min && max <= MaxScale))
            throw new ArgumentOutOfRangeException(nameof(max), max,
                $"the largest zoom factor must be in [{min} (the smallest), {MaxScale}] (MaxScale).");
        return Add(new Step(Kind.Scale, CheckProbability(probability), min, max));
    }

    /// <summary>
    /// Shifts the image by a whole number of pixels, uniform in ±⌊<paramref name="maxFraction"/>·h⌋ rows and
    /// ±⌊<paramref name="maxFraction"/>·w⌋ columns, with zero fill, with probability <paramref name="probability"/>.
    /// A zero shift is the identity.
    /// </summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFraction"/> is not in [0, 1), or
    /// <paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation Translate(double maxFraction, double probability = 0.5)
    {
        if (!(maxFraction >= 0 && maxFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(maxFraction), maxFraction, "the largest shift must be a fraction of the image in [0, 1).");
        return Add(new Step(Kind.Translate, CheckProbability(probability), maxFraction, 0));
    }

    /// <summary>Adds δ to every value, δ uniform in [−<paramref name="maxDelta"/>, <paramref name="maxDelta"/>], with probability <paramref name="probability"/>.</summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDelta"/> is not in [0,
    /// <see cref="MaxShift"/>], or <paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation Brightness(double maxDelta, double probability = 0.5)
    {
        if (!(maxDelta >= 0 && maxDelta <= MaxShift))
            throw new ArgumentOutOfRangeException(nameof(maxDelta), maxDelta,
                $"the largest brightness change must be in [0, {MaxShift:G}] (MaxShift).");
        return Add(new Step(Kind.Brightness, CheckProbability(probability), maxDelta, 0));
    }

    /// <summary>
    /// Scales every value's distance from the image mean (over all pixels and channels): x ← (x − mean)·f + mean, f uniform in
    /// [<paramref name="min"/>, <paramref name="max"/>], with probability <paramref name="probability"/>.
    /// </summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A factor is not in [0, <see cref="MaxContrast"/>],
    /// <paramref name="max"/> is below <paramref name="min"/>, or <paramref name="probability"/> is not in
    /// [0, 1].</exception>
    public Augmentation Contrast(double min, double max, double probability = 0.5)
    {
        if (!(min >= 0 && min <= MaxContrast))
            throw new ArgumentOutOfRangeException(nameof(min), min,
                $"the smallest contrast factor must be in [0, {MaxContrast:G}] (MaxContrast).");
        if (!(max >= min && max <= MaxContrast))
            throw new ArgumentOutOfRangeException(nameof(max), max,
                $"the largest contrast factor must be in [{min} (the smallest), {MaxContrast:G}] (MaxContrast).");
        return Add(new Step(Kind.Contrast, CheckProbability(probability), min, max));
    }

    /// <summary>
    /// Adds independent Gaussian noise of mean <paramref name="mean"/> and standard deviation <paramref name="deviation"/>
    /// to every value, with probability <paramref name="probability"/>.
    /// </summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mean"/> is not in
    /// [−<see cref="MaxShift"/>, <see cref="MaxShift"/>], <paramref name="deviation"/> not in
    /// [0, <see cref="MaxShift"/>], or <paramref name="probability"/> not in [0, 1].</exception>
    public Augmentation GaussianNoise(double mean, double deviation, double probability = 1.0)
    {
        if (!(mean >= -MaxShift && mean <= MaxShift))
            throw new ArgumentOutOfRangeException(nameof(mean), mean,
                $"the noise mean must be in [−{MaxShift:G}, {MaxShift:G}] (MaxShift).");
        if (!(deviation >= 0 && deviation <= MaxShift))
            throw new ArgumentOutOfRangeException(nameof(deviation), deviation,
                $"the noise deviation must be in [0, {MaxShift:G}] (MaxShift).");
        return Add(new Step(Kind.GaussianNoise, CheckProbability(probability), mean, deviation));
    }

    /// <summary>
    /// Multiplies each channel by its own factor 1 + u, u uniform in [−<paramref name="maxPerChannel"/>, <paramref name="maxPerChannel"/>]
    /// (drawn per image and channel), with probability <paramref name="probability"/>.
    /// </summary>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPerChannel"/> is not in [0, 1], or
    /// <paramref name="probability"/> is not in [0, 1].</exception>
    public Augmentation ColorJitter(double maxPerChannel, double probability = 0.5)
    {
        if (!(maxPerChannel >= 0 && maxPerChannel <= 1))
            throw new ArgumentOutOfRangeException(nameof(maxPerChannel), maxPerChannel, "the largest per-channel change must be in [0, 1].");
        return Add(new Step(Kind.ColorJitter, CheckProbability(probability), maxPerChannel, 0));
    }

    /// <summary>Clamps every value to [<paramref name="min"/>, <paramref name="max"/>] after all transforms (for example to [0, 1]); a second call replaces the first.</summary>
    /// <remarks>One bound may be infinite, on its own side (−∞ for <paramref name="min"/>, +∞ for
    /// <paramref name="max"/>), to clamp on one side only; a bound that would turn every value into ∞ is
    /// refused.</remarks>
    /// <returns>This pipeline, to chain further transforms.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A bound is NaN or infinite on the wrong side, or
    /// <paramref name="max"/> is below <paramref name="min"/>.</exception>
    public Augmentation Clamp(float min, float max)
    {
        if (!(min < float.PositiveInfinity))
            throw new ArgumentOutOfRangeException(nameof(min), min,
                "the clamp's lower bound must be a number below +∞ (−∞ clamps only from above).");
        if (!(max >= min && max > float.NegativeInfinity))
            throw new ArgumentOutOfRangeException(nameof(max), max,
                $"the clamp's upper bound must be a number above −∞ and ≥ its lower bound ({min}); +∞ clamps only from below.");
        _clamp = true;
        _clampMin = min;
        _clampMax = max;
        return this;
    }

    private Augmentation Add(Step step)
    {
        if (_count == _steps.Length)
            Array.Resize(ref _steps, _count * 2);
        _steps[_count++] = step;
        return this;
    }

    private static double CheckProbability(double probability, string name = "probability")
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(name, probability, "the probability must be in [0, 1].");
        return probability;
    }

    // ---------------------------------------------------------------- apply

    /// <summary>
    /// Augments <paramref name="m"/> images: reads <paramref name="source"/> (m × <see cref="ImageSize"/>, never written)
    /// and writes <paramref name="destination"/> (m × <see cref="ImageSize"/>), drawing every random choice from
    /// <paramref name="rng"/>. Deterministic for the state of <paramref name="rng"/>; allocates nothing after the first call.
    /// </summary>
    /// <remarks>A batch worth it runs as contiguous shards of images on every core
    /// (<see cref="Parallelism.MaxDegreeOfParallelism"/>): a cheap sequential pass makes the draws alone and notes the
    /// <see cref="Rng"/> state at each shard's first image, then each shard runs its images from its state. The images
    /// and the final state of <paramref name="rng"/> are the same, bit for bit, for any number of cores.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A span does not hold m × <see cref="ImageSize"/> floats, or the two overlap other than exactly.</exception>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination, int m, ref Rng rng)
    {
        Guard.BatchSize(m);
        Guard.Matrix(source.Length, m, ImageSize, nameof(source));
        Guard.Matrix(destination.Length, m, ImageSize, nameof(destination));
        if (source.Overlaps(destination, out int offset) && offset != 0)
            throw new ArgumentException($"destination overlaps source at an offset of {offset} floats; pass separate buffers (or the same one).", nameof(destination));

        int shards = Plan(m, Parallelism.MaxDegreeOfParallelism);
        if (shards == 1)
        {
            RunImages(source, destination, 0, m, ref rng);
            return;
        }
        // The draws alone, image after image: the state at each shard's first image, and the final state.
        Span<Rng> starts = stackalloc Rng[shards];
        for (int k = 0, i = 0; k < shards; k++)
        {
            starts[k] = rng;
            for (int end = ShardStart(k + 1, shards, m); i < end; i++)
                Augment(Span<float>.Empty, Span<float>.Empty, Span<float>.Empty, ref rng, pixels: false);
        }
        // The states cross to the workers as the floats of their bits (ShardArgs carries float spans only).
        ShardPool.Run(_shardWork ??= new ShardWork(this), 0, shards, m, source,
            MemoryMarshal.Cast<Rng, float>(starts), destination, Span<float>.Empty, Span<float>.Empty);
    }

    /// <summary>The most shards a call makes (their starting states live on the caller's stack).</summary>
    internal const int MaxShards = 256;

    /// <summary>The least estimated work of a shard (<see cref="WorkPerImage"/>'s units, about a float copied, 0.2 ns):
    /// about 100 µs, below which the fork/join (waking a worker) and the shared memory bandwidth leave little to gain.
    /// On the 2-core machine of issue 15 a brightness-only split broke even at about this much per shard.</summary>
    internal const long MinWork = 1L << 19;

    /// <summary>Test hook: the least work of a shard the plan uses (<see cref="MinWork"/> unless a test lowers it to
    /// split small images).</summary>
    internal static long MinShardWork { get; set; } = MinWork;

    /// <summary>S for m images: min(<paramref name="maxDegreeOfParallelism"/>, m, m·work / <see cref="MinShardWork"/>,
    /// <see cref="MaxShards"/>), at least 1.</summary>
    internal int Plan(int m, int maxDegreeOfParallelism)
    {
        long shards = Math.Min(Math.Min(maxDegreeOfParallelism, m), MaxShards);
        shards = Math.Min(shards, (long)m * WorkPerImage() / MinShardWork);
        return (int)Math.Max(shards, 1);
    }

    /// <summary>The expected work of one image, in units of about one float copied: the copy, and each step's cost per
    /// float (measured) times the image size, weighted by its probability.</summary>
    internal long WorkPerImage()
    {
        double perFloat = 1 + (_clamp ? 6 : 0);
        for (int s = 0; s < _count; s++)
        {
            ref readonly Step step = ref _steps[s];
            double cost = step.Kind switch
            {
                // Measured on 209 images of 64 × 64 × 3 at one thread, relative to the copy (0.18 ns per float on the
                // 2-core machine of issue 15): rounded, and the in-place passes rounded up.
                Kind.FlipHorizontal => 15,
                Kind.FlipVertical => 1,
                Kind.RandomCrop or Kind.Translate => 2,
                Kind.Rotate or Kind.Scale => 45,
                Kind.Contrast => 15,
                Kind.GaussianNoise => 110,
                _ => 6, // brightness, jitter: one pass in place
            };
            perFloat += cost * step.Probability;
        }
        return (long)Math.Ceiling(perFloat * ImageSize);
    }

    /// <summary>The first image of shard <paramref name="shard"/> of <paramref name="shards"/>: ⌊k·m / S⌋ (any image
    /// may start a shard: no vector kernel runs across images).</summary>
    internal static int ShardStart(int shard, int shards, int m) => (int)((long)shard * m / shards);

    private ShardWork? _shardWork;

    /// <summary>One shard of images of a call: <see cref="ShardArgs.Y"/> holds the shards' starting states.</summary>
    private sealed class ShardWork(Augmentation owner) : IShardWork
    {
        public double RunShard(in ShardArgs args)
        {
            int start = ShardStart(args.Shard, args.Shards, args.M);
            int end = ShardStart(args.Shard + 1, args.Shards, args.M);
            Rng rng = MemoryMarshal.Cast<float, Rng>(args.Y)[args.Shard];
            owner.RunImages(args.X, args.Output, start, end, ref rng);
            return 0;
        }
    }

    // Scratch of the thread that runs the images (the caller, or a worker for its shard): one image (geometric
    // transforms, noise) and one row (flips, jitter), grown to the largest size seen. Per thread, so an instance keeps
    // no state of a call and any number of threads may run its images at once.
    [ThreadStatic] private static float[]? t_image;
    [ThreadStatic] private static float[]? t_row;

    /// <summary>Images [<paramref name="start"/>, <paramref name="end"/>), in order, drawing from
    /// <paramref name="rng"/> (the state at image <paramref name="start"/>).</summary>
    private void RunImages(ReadOnlySpan<float> source, Span<float> destination, int start, int end, ref Rng rng)
    {
        int rowLength = Width * Channels;
        float[] image = t_image is { } ti && ti.Length >= ImageSize ? ti : (t_image = new float[ImageSize]);
        float[] row = t_row is { } tr && tr.Length >= rowLength ? tr : (t_row = new float[rowLength]);
        Span<float> imageScratch = image.AsSpan(0, ImageSize), rowScratch = row.AsSpan(0, rowLength);
        for (int i = start; i < end; i++)
        {
            Span<float> x = destination.Slice(i * ImageSize, ImageSize);
            source.Slice(i * ImageSize, ImageSize).CopyTo(x);
            Augment(x, imageScratch, rowScratch, ref rng, pixels: true);
            if (_clamp)
                TensorPrimitives.Clamp(x, _clampMin, _clampMax, x);
        }
    }

    /// <summary>Every step on one image <paramref name="x"/>; with <paramref name="pixels"/> false, the same draws from
    /// <paramref name="rng"/> in the same order and nothing else (the spans may then be empty).</summary>
    private void Augment(Span<float> x, Span<float> image, Span<float> row, ref Rng rng, bool pixels)
    {
        for (int s = 0; s < _count; s++)
        {
            ref readonly Step step = ref _steps[s];
            // One uniform draw decides; p = 0 and p = 1 need none.
            if (step.Probability <= 0 || (step.Probability < 1 && rng.NextDouble() >= step.Probability))
                continue;
            switch (step.Kind)
            {
                case Kind.FlipHorizontal:
                    if (pixels) FlipRows(x, row);
                    break;
                case Kind.FlipVertical:
                    if (pixels) FlipColumns(x, row);
                    break;
                case Kind.RandomCrop:
                {
                    int p = (int)step.A;
                    int dy = rng.NextInt(2 * p + 1) - p;
                    int dx = rng.NextInt(2 * p + 1) - p;
                    if (pixels) Shift(x, image, dy, dx);
                    break;
                }
                case Kind.Translate:
                {
                    int my = (int)Math.Floor(step.A * Height);
                    int mx = (int)Math.Floor(step.A * Width);
                    int dy = rng.NextInt(2 * my + 1) - my;
                    int dx = rng.NextInt(2 * mx + 1) - mx;
                    if (pixels) Shift(x, image, dy, dx);
                    break;
                }
                case Kind.Rotate:
                {
                    double radians = Uniform(ref rng, -step.A, step.A) * (Math.PI / 180.0);
                    if (pixels && radians != 0)
                    {
                        double cos = Math.Cos(radians), sin = Math.Sin(radians);
                        // Output pixel p samples the source at centre + R(−θ)(p − centre).
                        Resample(x, image, cos, sin, -sin, cos);
                    }
                    break;
                }
                case Kind.Scale:
                {
                    double factor = Uniform(ref rng, step.A, step.B);
                    if (pixels && factor != 1)
                    {
                        double inverse = 1.0 / factor;
                        Resample(x, image, inverse, 0, 0, inverse);
                    }
                    break;
                }
                case Kind.Brightness:
                {
                    float delta = (float)Uniform(ref rng, -step.A, step.A);
                    if (pixels && delta != 0)
                        TensorPrimitives.Add(x, delta, x);
                    break;
                }
                case Kind.Contrast:
                {
                    float factor = (float)Uniform(ref rng, step.A, step.B);
                    if (pixels && factor != 1)
                    {
                        float mean = TensorPrimitives.Sum<float>(x) / x.Length;
                        // (x − mean)·f + mean = x·f + mean·(1 − f)
                        TensorPrimitives.Multiply(x, factor, x);
                        TensorPrimitives.Add(x, mean * (1 - factor), x);
                    }
                    break;
                }
                case Kind.GaussianNoise:
                    if (pixels)
                    {
                        FillGaussian(image, step.A, step.B, ref rng);
                        TensorPrimitives.Add(x, image, x);
                    }
                    else
                    {
                        SkipGaussian(ImageSize, ref rng);
                    }
                    break;
                case Kind.ColorJitter:
                    if (pixels)
                    {
                        Jitter(x, row, step.A, ref rng);
                    }
                    else
                    {
                        for (int k = 0; k < Channels; k++)
                            Uniform(ref rng, -step.A, step.A);
                    }
                    break;
            }
        }
    }

    private static double Uniform(ref Rng rng, double min, double max)
        => min == max ? min : min + (max - min) * rng.NextDouble();

    /// <summary>Mirrors every row: pixel c swaps with pixel w − 1 − c, channels kept in order.</summary>
    private void FlipRows(Span<float> x, Span<float> rowScratch)
    {
        int c = Channels, rowLength = Width * c;
        for (int r = 0; r < Height; r++)
        {
            Span<float> row = x.Slice(r * rowLength, rowLength);
            if (c == 1)
            {
                row.Reverse();
                continue;
            }
            // Reverse the pixel order with span copies through the row scratch.
            Span<float> tmp = rowScratch.Slice(0, rowLength);
            row.CopyTo(tmp);
            for (int j = 0, k = rowLength - c; j < rowLength; j += c, k -= c)
                tmp.Slice(k, c).CopyTo(row.Slice(j, c));
        }
    }

    /// <summary>Mirrors the image top to bottom: row r swaps with row h − 1 − r.</summary>
    private void FlipColumns(Span<float> x, Span<float> rowScratch)
    {
        int rowLength = Width * Channels;
        Span<float> tmp = rowScratch.Slice(0, rowLength);
        for (int top = 0, bottom = Height - 1; top < bottom; top++, bottom--)
        {
            Span<float> a = x.Slice(top * rowLength, rowLength);
            Span<float> b = x.Slice(bottom * rowLength, rowLength);
            a.CopyTo(tmp);
            b.CopyTo(a);
            tmp.CopyTo(b);
        }
    }

    /// <summary>Output pixel (r, c) ← input pixel (r + dy, c + dx), zero where that falls outside; row span copies.</summary>
    private void Shift(Span<float> x, Span<float> scratch, int dy, int dx)
    {
        if (dy == 0 && dx == 0)
            return;
        int ch = Channels, rowLength = Width * ch;
        // Columns of the output that read inside the input: c with 0 ≤ c + dx < w.
        int c0 = Math.Max(0, -dx), c1 = Math.Min(Width, Width - dx); // [c0, c1)
        scratch.Clear();
        if (c1 > c0)
        {
            for (int r = 0; r < Height; r++)
            {
                int sr = r + dy;
                if ((uint)sr >= (uint)Height)
                    continue;
                x.Slice(sr * rowLength + (c0 + dx) * ch, (c1 - c0) * ch).CopyTo(scratch.Slice(r * rowLength + c0 * ch));
            }
        }
        scratch.CopyTo(x);
    }

    /// <summary>
    /// Bilinear resampling with zero fill about the image centre ((h − 1)/2, (w − 1)/2): output pixel (r, c) reads the
    /// input at centre + A·((r, c) − centre), A = [[ayy, ayx], [axy, axx]].
    /// </summary>
    private void Resample(Span<float> x, Span<float> scratch, double ayy, double ayx, double axy, double axx)
    {
        int h = Height, w = Width, ch = Channels, rowLength = w * ch;
        double cy = (h - 1) * 0.5, cx = (w - 1) * 0.5;
        for (int r = 0; r < h; r++)
        {
            double ry = r - cy;
            for (int c = 0; c < w; c++)
            {
                double rx = c - cx;
                double sy = cy + ayy * ry + ayx * rx;
                double sx = cx + axy * ry + axx * rx;
                Span<float> output = scratch.Slice(r * rowLength + c * ch, ch);
                output.Clear();
                double fy0 = Math.Floor(sy), fx0 = Math.Floor(sx);
                if (fy0 < -1 || fy0 >= h || fx0 < -1 || fx0 >= w)
                    continue; // all four neighbours outside
                int y0 = (int)fy0, x0 = (int)fx0;
                float ty = (float)(sy - fy0), tx = (float)(sx - fx0);
                AddWeighted(x, output, y0, x0, (1 - ty) * (1 - tx));
                AddWeighted(x, output, y0, x0 + 1, (1 - ty) * tx);
                AddWeighted(x, output, y0 + 1, x0, ty * (1 - tx));
                AddWeighted(x, output, y0 + 1, x0 + 1, ty * tx);
            }
        }
        scratch.CopyTo(x);
    }

    private void AddWeighted(ReadOnlySpan<float> x, Span<float> output, int y, int xc, float weight)
    {
        if (weight == 0 || (uint)y >= (uint)Height || (uint)xc >= (uint)Width)
            return;
        ReadOnlySpan<float> pixel = x.Slice((y * Width + xc) * Channels, Channels);
        for (int k = 0; k < pixel.Length; k++)
            output[k] += weight * pixel[k];
    }

    /// <summary>Fills <paramref name="noise"/> with mean + deviation·z, z standard normal (Box–Muller, both outputs used).</summary>
    private static void FillGaussian(Span<float> noise, double mean, double deviation, ref Rng rng)
    {
        int i = 0;
        for (; i + 1 < noise.Length; i += 2)
        {
            double radius = deviation * Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())); // 1 − u ∈ (0, 1]
            double angle = 2.0 * Math.PI * rng.NextDouble();
            (double sin, double cos) = Math.SinCos(angle);
            noise[i] = (float)(mean + radius * cos);
            noise[i + 1] = (float)(mean + radius * sin);
        }
        if (i < noise.Length)
            noise[i] = (float)(mean + deviation * rng.NextGaussian());
    }

    /// <summary>The draws of <see cref="FillGaussian"/> for <paramref name="count"/> values, without the values: one
    /// 64-bit draw per value (two per Box–Muller pair), and two for an odd last value (its own
    /// <see cref="Rng.NextGaussian"/>).</summary>
    private static void SkipGaussian(int count, ref Rng rng)
    {
        int draws = count + (count & 1);
        for (int i = 0; i < draws; i++)
            rng.NextUInt64();
    }

    /// <summary>Multiplies channel k of every pixel by 1 + u_k: one factor row (w × c) built once, then one vector multiply per image row.</summary>
    private void Jitter(Span<float> x, Span<float> rowScratch, double max, ref Rng rng)
    {
        int ch = Channels, rowLength = Width * ch;
        Span<float> factors = rowScratch.Slice(0, rowLength);
        for (int k = 0; k < ch; k++)
            factors[k] = (float)(1 + Uniform(ref rng, -max, max));
        if (ch == 1)
        {
            TensorPrimitives.Multiply(x, factors[0], x);
            return;
        }
        for (int j = ch; j < rowLength; j += ch)
            factors.Slice(0, ch).CopyTo(factors.Slice(j, ch));
        for (int r = 0; r < Height; r++)
        {
            Span<float> row = x.Slice(r * rowLength, rowLength);
            TensorPrimitives.Multiply(row, factors, row);
        }
    }
}
