using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Threading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NetGen.Demo;

/// <summary>
/// The NetGen demo: the course's flower network and football regularization story from the published starting weights,
/// then the breast cancer data split 60/20/20 and trained with <see cref="Trainer.Fit"/> (an optimizer, mini-batches,
/// early stopping), with a live progress bar, train/dev/test accuracy, the bias/variance verdict, PNG plots and the
/// saved parameters in <c>./netgen-out/</c>; then a softmax classifier on iris with its confusion matrix, and a small
/// CNN on scikit-learn's 8 × 8 digits with a picture of the test digits it gets wrong.
/// </summary>
public static class Program
{
    /// <summary>The exit code of a command line that does not parse (an unknown option, a value of the wrong type, a
    /// value out of range): the usage has been printed after one line that says what is wrong.</summary>
    public const int UsageError = 2;

    public static int Main(string[] args)
    {
        var app = new CommandApp<DemoCommand>();
        app.Configure(config =>
        {
            config.SetApplicationName("dotnet run --project examples/NetGen.Demo --");
            config.AddExample("--data", "breast-cancer", "--optimizer", "momentum", "--penalty", "l2");
            config.AddExample("--data", "flower,football", "--output", "plots", "--no-progress");
            config.AddExample("--data", "iris", "--seed", "7");
            // An unknown option is an error, not an extra argument quietly ignored.
            config.UseStrictParsing();
            // Parse and validation errors come here (below) to be told in one line with the usage; a failed run is
            // told in one line too, and the demo's own bugs keep their stack trace.
            config.PropagateExceptions();
        });
        try
        {
            return app.Run(args);
        }
        catch (CommandAppException e)
        {
            Console.Error.WriteLine($"error: {Describe(e)}");
            Console.Error.WriteLine();
            app.Run(["--help"]);
            return UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TrainingDivergedException)
        {
            // Expected failures of a run (an output folder that cannot be written, a training run that diverged):
            // one line that says what, no stack trace. Anything else is a bug and keeps its trace.
            Console.Error.WriteLine($"error: {e.Message}");
            return RunError;
        }
    }

    /// <summary>The exit code of a run that failed for a reason outside the demo's code: the output folder cannot be
    /// written, or a training run diverged (its message says at which epoch and step).</summary>
    public const int RunError = 1;

    /// <summary>The one line for a command line that does not parse: Spectre's message ("Unknown option 'bogus'."), or for a
    /// value that does not convert, the converter's, which names the option and what it takes.</summary>
    internal static string Describe(CommandAppException e)
        => e.InnerException is OptionValueException value ? value.Message : e.Message.Trim();
}

/// <summary>The demo's command-line options.</summary>
public sealed class DemoSettings : CommandSettings
{
    public static readonly string[] DataSets = ["flower", "football", "breast-cancer", "iris", "digits"];

    [CommandOption("-d|--data <SETS>")]
    [Description("Which data set(s) to run: [green]flower[/], [green]football[/], [green]breast-cancer[/], [green]iris[/], [green]digits[/] or [green]all[/]; several separated by commas.")]
    [DefaultValue("all")]
    public string Data { get; init; } = "all";

    [CommandOption("--optimizer <NAME>")]
    [Description("Breast cancer: the optimizer, [green]gd[/] (gradient descent), [green]momentum[/] or [green]adam[/]. (Flower and football replay the published full-batch gradient descent.)")]
    [DefaultValue("adam")]
    public string Optimizer { get; init; } = "adam";

    [CommandOption("--penalty <NAME>")]
    [Description("Breast cancer: which pre-declared network to train, [green]none[/] (CancerNet), [green]l2[/] (CancerL2Net, λ = 0.1) or [green]dropout[/] (CancerDropoutNet, keep = 0.8). Penalties are compile-time attributes.")]
    [DefaultValue("none")]
    public string Penalty { get; init; } = "none";

    [CommandOption("-e|--epochs <N>")]
    [TypeConverter(typeof(EpochsConverter))]
    [Description("Breast cancer: the most epochs to train.")]
    [DefaultValue(300)]
    public int Epochs { get; init; } = 300;

    [CommandOption("-b|--batch-size <N>")]
    [TypeConverter(typeof(BatchSizeConverter))]
    [Description("Breast cancer: samples per mini-batch; 0 = the whole training set.")]
    [DefaultValue(32)]
    public int BatchSize { get; init; } = 32;

    [CommandOption("--learning-rate <ALPHA>")]
    [TypeConverter(typeof(LearningRateConverter))]
    [Description("Breast cancer: the learning rate α (default: 0.003 for adam, 0.03 for momentum, 0.1 for gd).")]
    public float? LearningRate { get; init; }

    [CommandOption("--patience <N>")]
    [TypeConverter(typeof(PatienceConverter))]
    [Description("Breast cancer: early stopping after N epochs without a better dev cost (the best parameters are put back); 0 = no early stopping.")]
    [DefaultValue(20)]
    public int Patience { get; init; } = 20;

    [CommandOption("--seed <N>")]
    [TypeConverter(typeof(SeedConverter))]
    [Description("Breast cancer and iris: the seed of the 60/20/20 split and of the mini-batch shuffles; digits: of the shuffles only (its split is fixed).")]
    [DefaultValue(42UL)]
    public ulong Seed { get; init; } = 42;

    [CommandOption("-o|--output <DIR>")]
    [Description("Where the plots and the saved parameters go (relative to the current directory; created if missing).")]
    [DefaultValue("netgen-out")]
    public string Output { get; init; } = "netgen-out";

    [CommandOption("--no-progress")]
    [Description("Plain output without the live progress bar (for CI logs); also chosen when stdout is redirected.")]
    public bool NoProgress { get; init; }

    /// <summary>The data sets asked for, in the demo's order.</summary>
    public IReadOnlyList<string> Selected()
    {
        var asked = Data.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.ToLowerInvariant() switch { "cancer" or "breast_cancer" or "breastcancer" => "breast-cancer", var t => t })
            .ToHashSet();
        return asked.Contains("all") ? DataSets : DataSets.Where(asked.Contains).ToArray();
    }

    public NetGen.Optimizer ParsedOptimizer() => Optimizer.ToLowerInvariant() switch
    {
        "gd" or "sgd" or "gradient-descent" => NetGen.Optimizer.GradientDescent,
        "momentum" => NetGen.Optimizer.Momentum,
        _ => NetGen.Optimizer.Adam,
    };

    public float EffectiveLearningRate() => LearningRate ?? ParsedOptimizer() switch
    {
        NetGen.Optimizer.Adam => 0.003f,
        NetGen.Optimizer.Momentum => 0.03f,
        _ => 0.1f,
    };

    public override ValidationResult Validate()
    {
        var names = Data.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
            return ValidationResult.Error("--data: name at least one data set (flower, football, breast-cancer, iris, digits or all).");
        foreach (string name in names)
            if (!(name.ToLowerInvariant() is "all" or "flower" or "football" or "breast-cancer" or "cancer" or "breast_cancer" or "breastcancer" or "iris" or "digits"))
                return ValidationResult.Error($"--data: unknown data set '{name}'; use flower, football, breast-cancer, iris, digits or all.");
        if (!(Optimizer.ToLowerInvariant() is "gd" or "sgd" or "gradient-descent" or "momentum" or "adam"))
            return ValidationResult.Error($"--optimizer: unknown optimizer '{Optimizer}'; use gd, momentum or adam.");
        if (!(Penalty.ToLowerInvariant() is "none" or "l2" or "dropout"))
            return ValidationResult.Error($"--penalty: unknown penalty '{Penalty}'; use none, l2 or dropout.");
        if (Epochs < 1) return ValidationResult.Error("--epochs must be at least 1.");
        if (BatchSize < 0) return ValidationResult.Error("--batch-size must be 0 (full batch) or positive.");
        if (LearningRate is float rate && !(rate > 0 && float.IsFinite(rate))) return ValidationResult.Error("--learning-rate must be a finite number > 0.");
        if (Patience < 0) return ValidationResult.Error("--patience must be 0 (off) or positive.");
        if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output must name a folder.");
        return ValidationResult.Success();
    }
}

/// <summary>Runs the chosen data sets in order and lists the files written.</summary>
public sealed class DemoCommand : Command<DemoSettings>
{
    public override int Execute(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        string output = Path.GetFullPath(settings.Output);
        try
        {
            Directory.CreateDirectory(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the output folder {output} cannot be created ({e.Message.TrimEnd('.')}); "
                + "name a writable folder with --output.", e);
        }
        bool live = !settings.NoProgress && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var demos = new Demos(output, live);

        Console.WriteLine("NetGen demo: networks declared with attributes, compiled at build time.");
        Console.WriteLine($"Output folder: {Demos.Show(output)}");
        Console.WriteLine();
        foreach (string set in settings.Selected())
        {
            switch (set)
            {
                case "flower": demos.Flower(); break;
                case "football": demos.Football(); break;
                case "breast-cancer": demos.BreastCancer(settings); break;
                case "iris": demos.Iris(settings); break;
                case "digits": demos.Digits(settings); break;
            }
        }
        return 0;
    }
}

/// <summary>A value on the command line that does not parse as its option's type; its message names the option, the
/// value and what the option takes.</summary>
public sealed class OptionValueException(string message) : FormatException(message);

/// <summary>
/// Parses one numeric option with the invariant culture. Spectre's own converters report only the CLR type
/// ("Failed to convert 'abc' to Nullable`1"); these name the option and what it takes.
/// </summary>
public abstract class OptionConverter<T>(string option, string takes, NumberStyles styles) : TypeConverter
    where T : struct, INumber<T>
{
    /// <inheritdoc/>
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType)
        => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc/>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is string text)
        {
            if (T.TryParse(text, styles, CultureInfo.InvariantCulture, out T parsed))
                return parsed;
            throw new OptionValueException($"{option}: '{text}' is not {takes}.");
        }
        return base.ConvertFrom(context, culture, value);
    }
}

/// <summary>--epochs.</summary>
public sealed class EpochsConverter() : OptionConverter<int>("--epochs", "a whole number (the most epochs, ≥ 1)", NumberStyles.Integer);

/// <summary>--batch-size.</summary>
public sealed class BatchSizeConverter() : OptionConverter<int>("--batch-size", "a whole number (0 = full batch)", NumberStyles.Integer);

/// <summary>--learning-rate.</summary>
public sealed class LearningRateConverter()
    : OptionConverter<float>("--learning-rate", "a number (a finite α > 0 such as 0.01, with a point)", NumberStyles.Float);

/// <summary>--patience.</summary>
public sealed class PatienceConverter() : OptionConverter<int>("--patience", "a whole number (epochs, 0 = off)", NumberStyles.Integer);

/// <summary>--seed.</summary>
public sealed class SeedConverter() : OptionConverter<ulong>("--seed", "a whole number ≥ 0", NumberStyles.None);
