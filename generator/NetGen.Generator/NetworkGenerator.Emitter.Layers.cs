using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Emitter
    {
        /// <summary>"m × n" or, with samples as columns, "n × m".</summary>
        private static string Shape(NetworkPlan plan, int width) => plan.SamplesAsColumns ? width + " × m" : "m × " + width;

        private static void WriteLayerForward(SourceWriter w, NetworkPlan plan, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            int l = layer.Index;
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l;
            bool linear = layerPlan.G.IsLinear, columns = plan.SamplesAsColumns, fused = layerPlan.FusedActivation;
            string product = columns ? "W" + l + "·" + aPrev + " + b" + l : aPrev + "·W" + l + "ᵀ + b" + l;
            w.WriteLine("// ───── Layer " + l + ": dense " + layer.Inputs + " → " + layer.Units + ", " + layerPlan.ActivationName + " ─────");
            w.WriteLine();
            w.WriteLine("/// <summary>Layer " + l + " forward: " + z + " = " + product + (columns ? "" : " (the notes' W" + l + "·" + aPrev + " + b" + l + ")") + ", " +
                (linear ? a + " = " + z : a + " = " + layerPlan.Formula(z)) + ".</summary>");
            w.WriteLine("/// <param name=\"p\">The parameters.</param>");
            w.WriteLine("/// <param name=\"" + aPrev + "\">" + Shape(plan, layer.Inputs) + ": the layer's input.</param>");
            bool keepsZ = layerPlan.KeepsZ;
            w.WriteLine("/// <param name=\"" + z + "\">" + Shape(plan, layer.Units) + ": " + (linear ? "written; it is also " + a + " (linear)." :
                !keepsZ ? "not written (g′ reads " + a + ", and nothing else reads " + z + ")." :
                fused ? "written unless empty (a prediction keeps " + a + " alone)." : "written.") + "</param>");
            if (!linear)
                w.WriteLine("/// <param name=\"" + a + "\">" + Shape(plan, layer.Units) + ": written; may be " + z + " itself.</param>");
            w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
            string signature = "private static void Layer" + l + "Forward(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " + Span + " " + z +
                (linear ? "" : ", " + Span + " " + a) + ", int m)";
            using (w.Open(signature))
            {
                if (fused && columns)
                {
                    w.WriteLine(Kernels + ".DenseForwardColumns(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " +
                        (keepsZ ? z : "default") + ", " + a + ", m, " + layer.Inputs + ", " + layer.Units + ", " + ActivationFunction(layerPlan) + "); // " +
                        (keepsZ ? z + " = " + product + ", " + a + " = " + layerPlan.Formula(z) + " in the same pass"
                            : a + " = " + layerPlan.Formula(product) + ", g in registers; " + z + " is not kept"));
                }
                else if (fused)
                {
                    w.WriteLine(Kernels + ".DenseForward(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + a +
                        ", m, " + layer.Inputs + ", " + layer.Units + ", " + ActivationFunction(layerPlan) + "); // " + a + " = " +
                        layerPlan.Formula(product) + ", g in registers; " + z + " is not kept");
                }
                else
                {
                    w.WriteLine(Kernels + ".DenseForward" + (columns ? "Columns(" : "(") + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + z +
                        ", m, " + layer.Inputs + ", " + layer.Units + "); // " + z + " = " + product);
                    if (layerPlan.G.Forward is { } g)
                        w.WriteLine(Kernels + "." + g + "(" + z + ", " + a + ActivationArguments(layerPlan, "m") + "); // " + a + " = " + layerPlan.Formula(z));
                }
            }
            w.WriteLine();
        }

        /// <summary>The arguments a g kernel takes after its buffers: the leaky slope, or (softmax) m and n[l].</summary>
        private static string ActivationArguments(LayerPlan layer, string m)
            => layer.G.TakesSlope ? ", " + FloatLiteral(layer.Layer.LeakySlope)
             : layer.G.RowWise ? ", " + m + ", " + layer.Layer.Units : "";

        /// <summary>The activation as the struct the fused kernels take (softmax: the identity, then softmax over the row).</summary>
        private static string ActivationFunction(LayerPlan layer)
            => "new " + Kernels + "." + layer.G.Function + "(" + (layer.G.TakesSlope ? FloatLiteral(layer.Layer.LeakySlope) : "") + ")";

        private static void WriteLayerForwardOneKernel(SourceWriter w, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            int l = layer.Index;
            string aPrev = "A" + (l - 1), a = "A" + l;
            bool softmax = layerPlan.G.RowWise;
            w.WriteLine("/// <summary>Layer " + l + " forward for one sample: Z" + l + " = W" + l + "·" + aPrev + " + b" + l + ", " +
                (layerPlan.G.IsLinear ? a + " = Z" + l : a + " = " + layerPlan.Formula("Z" + l)) +
                (softmax || layerPlan.G.IsLinear ? "" : ", g applied in registers as each group of 16 units is summed") + ".</summary>");
            using (w.Open("private static void Layer" + l + "ForwardOne(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " + Span + " " + a + ")"))
            {
                w.WriteLine(Kernels + ".DenseForwardOne(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + a + ", " +
                    ActivationFunction(layerPlan) + "); // " + aPrev + ": 1 × " + layer.Inputs + " → " + a + ": 1 × " + layer.Units);
                if (softmax)
                    w.WriteLine(Kernels + ".Softmax(" + a + ", " + a + ", 1, " + layer.Units + "); // " + a + " = " + layerPlan.Formula("Z" + l));
            }
            w.WriteLine();
        }

        private static void WriteLayerForwardOne(SourceWriter w, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            int l = layer.Index;
            string aPrev = "A" + (l - 1), a = "A" + l;
            // g runs inline on each sum, its scalar kernel; softmax, which needs the whole row, runs after over it.
            bool rowActivation = layerPlan.G.RowWise;
            w.WriteLine("/// <summary>Layer " + l + " forward for one sample, unrolled: Z" + l + "[j] = Σ_k W" + l + "[j, k]·" + aPrev + "[k] + b" + l + "[j], " +
                (layerPlan.G.IsLinear ? a + " = Z" + l : a + " = " + layerPlan.Formula("Z" + l)) + ".</summary>");
            using (w.Open("private static void Layer" + l + "ForwardOne(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " + Span + " " + a + ")"))
            {
                w.WriteLine(ReadOnlySpan + " W = p.Slice(W" + l + "Offset, W" + l + "Length), b = p.Slice(B" + l + "Offset, B" + l + "Length);");
                w.WriteLine(ReadOnlySpan + " x = " + aPrev + ".Slice(0, " + layer.Inputs + "); // " + aPrev + ": 1 × " + layer.Inputs);
                w.WriteLine(Span + " y = " + a + ".Slice(0, " + layer.Units + "); // " + a + ": 1 × " + layer.Units);
                for (int j = 0; j < layer.Units; j++)
                {
                    var terms = new string[layer.Inputs];
                    for (int k = 0; k < layer.Inputs; k++)
                        terms[k] = "W[" + (j * layer.Inputs + k) + "] * x[" + k + "]";
                    string z = BalancedSum(terms, 0, terms.Length) + " + b[" + j + "]";
                    w.WriteLine("y[" + j + "] = " + (rowActivation ? z : ScalarActivation(layerPlan, z)) + ";");
                }
                if (rowActivation)
                    w.WriteLine(Kernels + "." + layerPlan.G.Forward + "(y, y" + ActivationArguments(layerPlan, "1") + "); // " + a + " = " + layerPlan.Formula("Z" + l));
            }
            w.WriteLine();
        }

        /// <summary>"((t0 + t1) + (t2 + t3))": a sum whose adds depend on each other only log₂ n deep.</summary>
        private static string BalancedSum(string[] terms, int start, int count)
        {
            if (count == 1) return terms[start];
            int half = count / 2;
            string left = BalancedSum(terms, start, half), right = BalancedSum(terms, start + half, count - half);
            return (half > 1 ? "(" + left + ")" : left) + " + " + (count - half > 1 ? "(" + right + ")" : right);
        }

        /// <summary>g applied to one value: the scalar twin of the layer's activation kernel (softmax runs after, over the row).</summary>
        private static string ScalarActivation(LayerPlan layer, string z)
            => layer.G.Forward is null || layer.G.RowWise ? z
             : Kernels + "." + layer.G.Forward + "(" + z + (layer.G.TakesSlope ? ", " + FloatLiteral(layer.Layer.LeakySlope) : "") + ")";

        private static void WriteLayerBackward(SourceWriter w, NetworkPlan plan, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            int l = layer.Index;
            // The layer below may take its g′ here, as W[l]ᵀ·dZ[l] is stored: its dZ is written, not its dA.
            LayerPlan? below = l > 1 ? plan.Layers[l - 2] : null;
            bool gPrimeBelow = below is { GPrimeAbove: true };
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l, dz = "dZ" + l, daPrev = (gPrimeBelow ? "dZ" : "dA") + (l - 1);
            bool derivative = layerPlan.GPrimeReads != GPrimeSource.None;
            bool first = l == 1;

            string d = "D" + l, keep = FloatLiteral(layer.KeepProbability);
            bool columns = plan.SamplesAsColumns;
            string weightProduct = columns ? dz + "·" + aPrev + "ᵀ" : dz + "ᵀ·" + aPrev;
            string inputProduct = columns ? "W" + l + "ᵀ·" + dz : dz + "·W" + l;
            var steps = new List<string>();
            if (layer.HasDropout) steps.Add("dA" + l + " = dA" + l + " ⊙ " + d + " / " + Parser.Format(layer.KeepProbability));
            if (derivative) steps.Add(dz + " = " + layerPlan.DerivativeFormula());
            steps.Add("dW" + l + " = (1/m)·" + weightProduct + PenaltyGradientFormula(layer) +
                (layer.L2 > 0f || layer.L1 > 0f ? " (the penalty added once for the batch, by AddPenaltyGradients)" : ""));
            steps.Add("db" + l + " = (1/m)·Σ " + dz);
            if (gPrimeBelow)
                steps.Add(daPrev + " = " + BelowDerivative(below!, inputProduct) + " (dA" + (l - 1) + " = " + inputProduct + " times layer " + (l - 1) + "'s g′, never stored)");
            else if (!first) steps.Add(daPrev + " = " + inputProduct + (columns ? "" : " (the notes' W" + l + "ᵀ·" + dz + ")"));
            w.WriteLine("/// <summary>Layer " + l + " backward: " + string.Join("; ", steps) + ".</summary>");
            var parameters = new List<string>();
            if (layerPlan.BackwardReadsParameters)
            {
                w.WriteLine("/// <param name=\"p\">The parameters.</param>");
                parameters.Add(ReadOnlySpan + " p");
            }
            w.WriteLine("/// <param name=\"" + aPrev + "\">" + Shape(plan, layer.Inputs) + ": the layer's input from the forward pass.</param>");
            parameters.Add(ReadOnlySpan + " " + aPrev);
            if (derivative)
            {
                string kept = layerPlan.GPrimeReads == GPrimeSource.Z ? z : a;
                w.WriteLine("/// <param name=\"" + kept + "\">" + Shape(plan, layer.Units) + ": from the forward pass, for g′.</param>");
                parameters.Add(ReadOnlySpan + " " + kept);
            }
            if (layer.HasDropout)
            {
                w.WriteLine("/// <param name=\"" + d + "\">" + Shape(plan, layer.Units) + ": the forward pass's dropout mask.</param>");
                parameters.Add(ReadOnlySpan + " " + d);
            }
            bool entersAsDa = derivative || layer.HasDropout;
            w.WriteLine("/// <param name=\"" + dz + "\">" + Shape(plan, layer.Units) + ": " + (entersAsDa ? "holds dA" + l + " on entry and " + dz + " on exit." : "holds " + dz +
                (layerPlan.GPrimeAbove ? " (g′ applied by layer " + (l + 1) + "'s backward)." : ".")) + "</param>");
            w.WriteLine("/// <param name=\"g\">The gradients, laid out like the parameters; dW" + l + " and db" + l + " are written.</param>");
            parameters.Add(Span + " " + dz);
            parameters.Add(Span + " g");
            if (!first)
            {
                w.WriteLine("/// <param name=\"" + daPrev + "\">" + Shape(plan, layer.Inputs) + ": written" + (gPrimeBelow ? " (layer " + (l - 1) + "'s dZ)." : ".") + "</param>");
                parameters.Add(Span + " " + daPrev);
            }
            w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
            parameters.Add("int m");
            using (w.Open("private static void Layer" + l + "Backward(" + string.Join(", ", parameters) + ")"))
            {
                if (layer.HasDropout)
                    w.WriteLine(Kernels + ".Dropout(" + dz + ", " + d + ", " + keep + "); // dA" + l + " = dA" + l + " ⊙ " + d + " / " + Parser.Format(layer.KeepProbability) + ": only kept units pass their gradient");
                if (derivative)
                {
                    bool fromZ = layerPlan.GPrimeReads == GPrimeSource.Z;
                    string kernel = fromZ && layerPlan.G.BackwardFromZ is { } backwardFromZ ? backwardFromZ : layerPlan.G.Backward!;
                    w.WriteLine(Kernels + "." + kernel + "(" + (fromZ ? z : a) + ", " + dz + ", " + dz + ActivationArguments(layerPlan, "m") +
                        "); // " + dz + " = " + layerPlan.DerivativeFormula());
                }
                w.WriteLine(Kernels + ".DenseBackwardWeights" + (columns ? "Columns(" : "(") + dz + ", " + aPrev + ", g.Slice(W" + l + "Offset, W" + l + "Length), g.Slice(B" + l + "Offset, B" + l + "Length), m, " +
                    layer.Inputs + ", " + layer.Units + "); // dW" + l + " = (1/m)·" + weightProduct + ", db" + l + " = (1/m)·Σ " + dz);
                if (gPrimeBelow)
                    w.WriteLine(Kernels + ".DenseBackwardInput" + (columns ? "Columns(" : "(") + dz + ", p.Slice(W" + l + "Offset, W" + l + "Length), " + aPrev + ", " + daPrev + ", m, " + layer.Inputs + ", " +
                        layer.Units + ", new " + Kernels + "." + below!.G.DerivativeOfA + "(" + (below.G.TakesSlope ? FloatLiteral(below.Layer.LeakySlope) : "") + ")); // " + daPrev + " = " + BelowDerivative(below, inputProduct));
                else if (!first)
                    w.WriteLine(Kernels + ".DenseBackwardInput" + (columns ? "Columns(" : "(") + dz + ", p.Slice(W" + l + "Offset, W" + l + "Length), " + daPrev + ", m, " + layer.Inputs + ", " + layer.Units +
                        "); // " + daPrev + " = " + inputProduct);
            }
            w.WriteLine();
        }

        /// <summary>The layer below's dZ = dA ⊙ g′ with dA the product <paramref name="product"/>: "(W2ᵀ·dZ2) ⊙ (1 − A1²)".</summary>
        private static string BelowDerivative(LayerPlan below, string product)
            => ActivationForm.Fill(below.G.DerivativeFromA ?? below.G.Derivative, "Z" + below.Index, "A" + below.Index, "(" + product + ")",
                Parser.Format(below.Layer.LeakySlope));

        private static string PenaltyGradientFormula(LayerSpec layer)
            => (layer.L2 > 0f ? " + (λ/m)·W" + layer.Index : "") + (layer.L1 > 0f ? " + (λ/2m)·sign(W" + layer.Index + ")" : "");
    }
}
