using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Diagnostics;

/// <summary>
/// Every NG#### the generator reports, grouped by area: NG00xx the declaration, NG01xx shapes, NG02xx activations and
/// losses, NG03xx initialisation, NG04xx regularization, NG05xx weights compiled in ([Weights]), NG99xx internal. Ids are never reused; each has a page under docs/diagnostics.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string HelpLinkBase = RepositoryInfo.Url + "/blob/main/docs/diagnostics/"; // RepositoryUrl, Directory.Build.props

    private const string Declaration = "NetGen.Declaration", Shape = "NetGen.Shape", Activation = "NetGen.Activation",
        Initialization = "NetGen.Initialization", Regularization = "NetGen.Regularization", Weights = "NetGen.Weights",
        Internal = "NetGen.Internal";

    // ---- NG00xx: the declaration ----
    public static readonly DiagnosticDescriptor NetworkClassNotPartial = new(
        id: "NG0001",
        title: "Network class must be partial",
        messageFormat: "The network class '{0}' must be declared 'partial' so that NetGen can add its forward and backward passes",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0001.md");

    public static readonly DiagnosticDescriptor UnsupportedNetworkClass = new(
        id: "NG0002",
        title: "Network class kind is not supported",
        messageFormat: "The network class '{0}' is {1}; NetGen supports only top-level, non-generic, non-static, non-abstract partial classes",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0002.md");

    public static readonly DiagnosticDescriptor LayerAttributesSplitAcrossPartials = new(
        id: "NG0003",
        title: "Layer attributes are split across partial declarations",
        messageFormat: "[{0}] on '{1}' is on another partial declaration than [Network]; put every layer attribute beside [Network] so that their order is defined",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0003.md");

    public static readonly DiagnosticDescriptor LayerAttributesWithoutNetwork = new(
        id: "NG0004",
        title: "Layer attributes on a class without [Network]",
        messageFormat: "'{0}' has {1} but no [Network], so NetGen generates no code for it; add [Network(...)] to make it a network",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0004.md");

    public static readonly DiagnosticDescriptor MemberClashesWithGenerated = new(
        id: "NG0005",
        title: "A member of the network class clashes with a generated member",
        messageFormat: "The {0} of '{1}' clashes with {2}, which NetGen generates for every network like '{1}'; rename or remove yours",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0005.md");

    public static readonly DiagnosticDescriptor BaseWithoutParameterlessConstructor = new(
        id: "NG0006",
        title: "The base class has no accessible parameterless constructor",
        messageFormat: "The network class '{0}' derives from '{1}', which has no accessible constructor callable without arguments; the generated constructors call base(), so give '{1}' one or derive from another class",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0006.md");

    // ---- NG01xx: shapes ----
    public static readonly DiagnosticDescriptor MissingInput = new(
        id: "NG0101",
        title: "Network has no input",
        messageFormat: "The network '{0}' has no [Input(...)]: the size n[0] of the input is needed to shape W1 (n[1] × n[0])",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0101.md");

    public static readonly DiagnosticDescriptor DuplicateInput = new(
        id: "NG0102",
        title: "Network has more than one input",
        messageFormat: "The network '{0}' already has [Input({1})]; a network has exactly one input",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0102.md");

    public static readonly DiagnosticDescriptor MissingLayers = new(
        id: "NG0103",
        title: "Network has no layer",
        messageFormat: "The network '{0}' has no layer ([Dense], [Conv2D], [MaxPool], [AveragePool]); declare at least the output layer",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0103.md");

    public static readonly DiagnosticDescriptor NonPositiveSize = new(
        id: "NG0104",
        title: "A size is zero or negative",
        messageFormat: "{0} has size {1}; every size must be at least 1",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0104.md");

    public static readonly DiagnosticDescriptor InputsMismatch = new(
        id: "NG0105",
        title: "Declared inputs do not match the layer below",
        messageFormat: "Layer {0} declares Inputs = {1}, but the layer below gives n[{2}] = {3}; W{0} would be {4} × {1} where {4} × {3} is needed",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0105.md");

    public static readonly DiagnosticDescriptor NetworkTooLarge = new(
        id: "NG0106",
        title: "Network is too large",
        messageFormat: "{0} {1} floats{2}, more than the limit of {3} floats that one array can hold",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0106.md");

    public static readonly DiagnosticDescriptor InputAfterLayers = new(
        id: "NG0107",
        title: "Input is declared after a layer",
        messageFormat: "[Input] comes after {0} [Dense] layer(s) of '{1}'; declare the input first, the layers below it in order",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0107.md");

    public static readonly DiagnosticDescriptor NoSampleStructs = new(
        id: "NG0108",
        title: "No inline-array Input and Output for a large sample",
        messageFormat: "{0} has {1} floats, more than the {2} (64 KiB) an inline-array sample may hold on the stack: '{3}' gets no Input/Output structs nor Predict(in Input); Predict(ReadOnlySpan<float>, Span<float>) remains",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0108.md");

    public static readonly DiagnosticDescriptor InvalidLayerName = new(
        id: "NG0109",
        title: "Layer name cannot prefix tensor names",
        messageFormat: "Layer {0} has Name = {1}, which {2}; the name prefixes the layer's tensor names in weight files (<name>.weight, <name>.bias), so it must be non-empty, hold no whitespace, quote, backslash or control character, and not start or end with '.'",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0109.md");

    public static readonly DiagnosticDescriptor DuplicateLayerName = new(
        id: "NG0110",
        title: "Two layers have the same name",
        messageFormat: "Layer {0} has Name = {1}, the name of layer {2} already; each layer's tensors in a weight file need names of their own",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0110.md");

    public static readonly DiagnosticDescriptor LayerNameIsAnotherLayersDefault = new(
        id: "NG0111",
        title: "Layer name is another layer's default name",
        messageFormat: "Layer {0} has Name = {1}, NetGen's default name of layer {2} (layers.{{l-1}}); a weight file could not tell the two layers apart, so choose another name",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0111.md");

    public static readonly DiagnosticDescriptor KernelLargerThanInput = new(
        id: "NG0112",
        title: "Conv kernel larger than its input",
        messageFormat: "Layer {0}, {1}, has a {2} kernel, larger than its {3} input, which leaves no output; shapes so far: {4}",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0112.md");

    public static readonly DiagnosticDescriptor PoolWindowLargerThanMap = new(
        id: "NG0113",
        title: "Pool window larger than the map",
        messageFormat: "Layer {0}, {1}, pools windows of {2} over a {3} map, and a window must fit in the map; shapes so far: {4}",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0113.md");

    public static readonly DiagnosticDescriptor MapLayerAfterDense = new(
        id: "NG0114",
        title: "Conv or pool layer after a dense layer",
        messageFormat: "Layer {0}, {1}, follows the dense layer {2}, whose output is flat (n[{2}] = {3}); conv and pool layers must come before the first [Dense]",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0114.md");

    public static readonly DiagnosticDescriptor FlattenedInputsMismatch = new(
        id: "NG0115",
        title: "Declared inputs do not match the flattened map below",
        messageFormat: "Layer {0}, {1}, expects {2} inputs, but the map below flattens to {3} = {4}; shapes so far: {5}",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0115.md");

    public static readonly DiagnosticDescriptor SamePaddingWithStride = new(
        id: "NG0116",
        title: "Padding.Same needs stride 1",
        messageFormat: "Layer {0}, {1}, asks for Padding.Same with Stride = {2}; Same is supported with stride 1 only: use Stride = 1, or Padding.Valid",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0116.md");

    public static readonly DiagnosticDescriptor MapLayerNeedsImageInput = new(
        id: "NG0117",
        title: "Conv or pool layer without an image input",
        messageFormat: "Layer {0}, {1}, reads a feature map, but the input of '{2}' is [Input({3})]; declare it as [Input(height, width)] or [Input(height, width, channels)]",
        category: Shape,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0117.md");

    // ---- NG02xx: activations and losses ----
    public static readonly DiagnosticDescriptor SoftmaxNotOnOutputLayer = new(
        id: "NG0201",
        title: "Softmax is only supported on the output layer",
        messageFormat: "Layer {0} of '{1}' is a hidden layer (n[{0}] = {2}) with Softmax; use Softmax on the output layer only",
        category: Activation,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0201.md");

    public static readonly DiagnosticDescriptor LossDoesNotFitOutput = new(
        id: "NG0202",
        title: "Loss does not fit the output activation",
        messageFormat: "{0} needs a {1} output layer, but layer {2} (n[{2}] = {3}) uses {4}",
        category: Activation,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0202.md");

    public static readonly DiagnosticDescriptor SoftmaxNeedsTwoUnits = new(
        id: "NG0203",
        title: "Softmax output needs at least two units",
        messageFormat: "CrossEntropy needs a Softmax output of at least 2 units, but layer {0} has n[{0}] = {1}; for two classes use 1 Sigmoid unit with BinaryCrossEntropy",
        category: Activation,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0203.md");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = new(
        id: "NG0204",
        title: "Value is not a defined enum member",
        messageFormat: "{0} = {1} is not a member of NetGen.{2}",
        category: Activation,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0204.md");

    public static readonly DiagnosticDescriptor InvalidLeakySlope = new(
        id: "NG0205",
        title: "Leaky ReLU slope is not finite",
        messageFormat: "Layer {0} has LeakySlope = {1}; the slope must be a finite number",
        category: Activation,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0205.md");

    // ---- NG03xx: initialisation ----
    public static readonly DiagnosticDescriptor ZerosInitialization = new(
        id: "NG0301",
        title: "Zero initialisation does not break symmetry",
        messageFormat: "Init.Zeros on {0}: every unit of a layer then computes the same function and gets the same gradient, so they stay identical (the symmetry problem); use He, LeCun, Glorot or Normal",
        category: Initialization,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0301.md");

    public static readonly DiagnosticDescriptor InvalidInitScale = new(
        id: "NG0302",
        title: "Initialisation scale is not a positive number",
        messageFormat: "InitScale = {0}; it must be a finite number greater than 0",
        category: Initialization,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0302.md");

    // ---- NG04xx: regularization ----
    public static readonly DiagnosticDescriptor InvalidKeepProbability = new(
        id: "NG0401",
        title: "Keep probability is not in (0, 1]",
        messageFormat: "[Dropout({0})]: the keep probability must be greater than 0 and at most 1",
        category: Regularization,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0401.md");

    public static readonly DiagnosticDescriptor MisplacedDropout = new(
        id: "NG0402",
        title: "Dropout is not after a hidden layer",
        messageFormat: "[Dropout] {0}; dropout belongs right after a hidden layer, once",
        category: Regularization,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0402.md");

    public static readonly DiagnosticDescriptor InvalidPenalty = new(
        id: "NG0403",
        title: "Penalty strength is negative or not finite",
        messageFormat: "{0} = {1}: λ must be a finite number ≥ 0",
        category: Regularization,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0403.md");

    public static readonly DiagnosticDescriptor DuplicatePenalty = new(
        id: "NG0404",
        title: "Penalty declared twice",
        messageFormat: "[{0}] is declared more than once on '{1}'; declare each penalty once (a [Dense] can override λ per layer)",
        category: Regularization,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0404.md");

    // ---- NG05xx: weights compiled in from a safetensors file ([Weights]) ----
    public static readonly DiagnosticDescriptor WeightsNotListed = new(
        id: "NG0501",
        title: "The weights file is not listed as NetGenWeights",
        messageFormat: "[Weights(\"{0}\")] names a file the project does not list as NetGenWeights, so the build does not carry it to NetGen; add <ItemGroup><NetGenWeights Include=\"{0}\" /></ItemGroup> to the project file",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0501.md");

    public static readonly DiagnosticDescriptor WeightsFileMissing = new(
        id: "NG0502",
        title: "The weights file does not exist",
        messageFormat: "[Weights(\"{0}\")]: the project lists {1} as NetGenWeights, but there is no such file",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0502.md");

    public static readonly DiagnosticDescriptor WeightsFileInvalid = new(
        id: "NG0503",
        title: "The weights file is not valid safetensors",
        messageFormat: "[Weights(\"{0}\")]: {1} cannot be read: {2}",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0503.md");

    public static readonly DiagnosticDescriptor WeightsDoNotFit = new(
        id: "NG0504",
        title: "The weights file does not fit the network",
        messageFormat: "{0} ([Weights(\"{1}\")] on '{2}')",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0504.md");

    public static readonly DiagnosticDescriptor NonFiniteWeight = new(
        id: "NG0505",
        title: "A weight is not a finite number",
        messageFormat: "{0}[{1}] is {2} in {3} ({4} of layer {5}); every weight compiled in must be a finite float32",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0505.md");

    public static readonly DiagnosticDescriptor UnusedTensors = new(
        id: "NG0506",
        title: "The weights file holds tensors the network does not use",
        messageFormat: "{0} holds {1} tensor{2} that '{3}' does not use, which are not compiled in: {4}",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0506.md");

    public static readonly DiagnosticDescriptor WeightsTooLarge = new(
        id: "NG0507",
        title: "The weights are too large to compile in",
        messageFormat: "'{0}' has {1} parameters ({2} bytes as float32), more than the {3} that NetGen compiles in; none are, and new {0}() draws from DefaultSeed: load {4} at run time with LoadSafetensors instead",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0507.md");

    public static readonly DiagnosticDescriptor InvalidWeightsPath = new(
        id: "NG0508",
        title: "The [Weights] path is not a file path",
        messageFormat: "[Weights({0})] names no file: {1}; give the safetensors file's path relative to the project directory",
        category: Weights,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG0508.md");

    // ---- NG99xx: internal ----
    public static readonly DiagnosticDescriptor GeneratorFailure = new(
        id: "NG9999",
        title: "The NetGen generator failed",
        messageFormat: "NetGen could not generate '{0}' ({1}); please report this declaration",
        category: Internal,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "NG9999.md");
}
