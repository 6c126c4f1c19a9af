using System;
using System.Diagnostics;
using System.IO;
using NetGen;
using AugmentationExample;

// Augments the first 8 training photos of the cat data and writes a grid: one row per photo, the original first, then
// one column per transform (each applied with probability 1) and a few draws of the whole pipeline.
//   dotnet run --project examples/NetGen.Augmentation [-- path/to/train_x.u8 [output-folder]]

const int Height = 64, Width = 64, Channels = 3, Images = 8, Seed = 2024;
const int Size = Height * Width * Channels;

string input = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "data", "catvnoncat", "train_x.u8");
string outputFolder = args.Length > 1 ? args[1] : "netgen-out";
if (!File.Exists(input))
{
    Console.Error.WriteLine($"Cannot find the cat photos at {input} (raw uint8, [image][row 64][col 64][RGB]); pass the path of train_x.u8.");
    return 1;
}

// Read the first 8 photos and scale to [0, 1], as a network's X would hold them (m × 12288, HWC).
var bytes = new byte[Images * Size];
using (var stream = File.OpenRead(input))
    stream.ReadExactly(bytes);
var x = new float[Images * Size];
for (int i = 0; i < x.Length; i++)
    x[i] = bytes[i] / 255f;

Augmentation New() => new Augmentation(Height, Width, Channels);
(string Name, Augmentation Pipeline)[] columns =
[
    ("original", New()),
    ("flip horizontal", New().FlipHorizontal(1)),
    ("flip vertical", New().FlipVertical(1)),
    ("random crop, padding 8", New().RandomCrop(8)),
    ("rotate ±25°", New().Rotate(25, 1)),
    ("scale 0.75–1.35", New().Scale(0.75, 1.35, 1)),
    ("translate ±15 %", New().Translate(0.15, 1)),
    ("brightness ±0.25", New().Brightness(0.25, 1).Clamp(0, 1)),
    ("contrast 0.5–1.8", New().Contrast(0.5, 1.8, 1).Clamp(0, 1)),
    ("Gaussian noise σ 0.06", New().GaussianNoise(0, 0.06).Clamp(0, 1)),
    ("colour jitter ±30 %", New().ColorJitter(0.3, 1).Clamp(0, 1)),
    ("pipeline, draw 1", Pipeline()),
    ("pipeline, draw 2", Pipeline()),
    ("pipeline, draw 3", Pipeline()),
];

Augmentation Pipeline() => New()
    .FlipHorizontal().RandomCrop(4, 0.5).Rotate(15).Scale(0.9, 1.15).Translate(0.1)
    .Brightness(0.15).Contrast(0.75, 1.3).ColorJitter(0.15).GaussianNoise(0, 0.02, 0.5).Clamp(0, 1);

// Grid geometry: each 64 × 64 tile drawn at 2× with a 4-pixel white gap.
const int Zoom = 2, Gap = 4, Tile = Height * Zoom;
int gridWidth = columns.Length * (Tile + Gap) + Gap, gridHeight = Images * (Tile + Gap) + Gap;
var rgb = new byte[gridWidth * gridHeight * 3];
Array.Fill(rgb, (byte)255);

var rng = new Rng(Seed);
var augmented = new float[x.Length];
var timer = new Stopwatch();
for (int col = 0; col < columns.Length; col++)
{
    timer.Start();
    columns[col].Pipeline.Apply(x, augmented, Images, ref rng);
    timer.Stop();
    for (int image = 0; image < Images; image++)
        for (int r = 0; r < Height; r++)
            for (int c = 0; c < Width; c++)
                for (int k = 0; k < Channels; k++)
                {
                    float v = augmented[image * Size + (r * Width + c) * Channels + k];
                    byte b = (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
                    for (int dy = 0; dy < Zoom; dy++)
                        for (int dx = 0; dx < Zoom; dx++)
                        {
                            int py = Gap + image * (Tile + Gap) + r * Zoom + dy;
                            int px = Gap + col * (Tile + Gap) + c * Zoom + dx;
                            rgb[(py * gridWidth + px) * 3 + k] = b;
                        }
                }
}

Directory.CreateDirectory(outputFolder);
string output = Path.Combine(outputFolder, "augmentations.png");
Png.Write(output, rgb, gridWidth, gridHeight);

Console.WriteLine($"{Images} photos from {input}, seed {Seed}; columns, left to right:");
for (int col = 0; col < columns.Length; col++)
    Console.WriteLine($"  {col + 1,2}. {columns[col].Name}");
Console.WriteLine($"Augmented {columns.Length} × {Images} images in {timer.Elapsed.TotalMilliseconds:F1} ms.");
Console.WriteLine($"Wrote {Path.GetFullPath(output)} ({gridWidth} × {gridHeight}).");
return 0;
