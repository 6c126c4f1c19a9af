using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Emitter
    {
        /// <summary>True where dZ[L] = A[L] − Y comes straight from the loss, with no g′ step.</summary>
        private static bool IsFusedOutput(NetworkSpec spec, LayerSpec layer)
            => layer.Index == spec.Layers.Count &&
               ((spec.Loss == Loss.BinaryCrossEntropy && layer.Activation == Activation.Sigmoid) ||
                (spec.Loss == Loss.CrossEntropy && layer.Activation == Activation.Softmax));

        private static bool HasDerivativeStep(NetworkSpec spec, LayerSpec layer)
            => layer.Activation != Activation.Linear && !IsFusedOutput(spec, layer);

        /// <summary>ReLU and leaky ReLU read g′ from Z; sigmoid, tanh and softmax from A — unless dropout has scaled A,
        /// in which case sigmoid and tanh take g′ from Z too.</summary>
        private static bool DerivativeReadsZ(LayerSpec layer)
            => layer.Activation is Activation.Relu or Activation.LeakyRelu || layer.HasDropout;

        /// <summary>Backward needs W[l] for dA[l-1] (every layer but the first) and for a penalty's gradient.</summary>
        private static bool BackwardReadsParameters(LayerSpec layer) => layer.Index > 1 || layer.L2 > 0f || layer.L1 > 0f;

        /// <summary>
        /// Narrow networks keep their batch buffers with samples as columns — the notes' own layout, n[l] × m — so that
        /// the vectors run across samples where a layer is too narrow to fill them; wider ones keep samples as rows
        /// (the layout of X and Y), where the vectors run along a layer. Softmax, which works within one sample, keeps rows.
        /// </summary>
        internal static bool SamplesAsColumns(NetworkSpec spec)
            => spec.InputSize <= ColumnsWidthLimit && spec.Layers.All(l => l.Units <= ColumnsWidthLimit && l.Activation != Activation.Softmax);

        /// <summary>The widest layer (or input) of a network whose batch buffers hold samples as columns.</summary>
        internal const int ColumnsWidthLimit = 64;

        /// <summary>"m × n" or, with samples as columns, "n × m".</summary>
        private static string Shape(NetworkSpec spec, int width) => SamplesAsColumns(spec) ? width + " × m" : "m × " + width;

        /// <summary>
        /// With samples as columns, a ReLU-like layer applies g inside the product kernel (one pass, Z kept only when
        /// asked for); a sigmoid or tanh layer keeps its own pass after the product, whose vector exponential is faster
        /// than the one g would apply in the kernel.
        /// </summary>
        private static bool FusesActivation(NetworkSpec spec, LayerSpec layer)
            => SamplesAsColumns(spec) && layer.Activation is Activation.Relu or Activation.LeakyRelu;

        private static void WriteLayerForward(SourceWriter w, NetworkSpec spec, LayerSpec layer)
        {
            int l = layer.Index;
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l;
            bool linear = layer.Activation == Activation.Linear, columns = SamplesAsColumns(spec), fused = FusesActivation(spec, layer);
            string product = columns ? "W" + l + "·" + aPrev + " + b" + l : aPrev + "·W" + l + "ᵀ + b" + l;
            w.WriteLine("// ───── Layer " + l + ": dense " + layer.Inputs + " → " + layer.Units + ", " + ActivationName(layer) + " ─────");
            w.WriteLine();
            w.WriteLine("/// <summary>Layer " + l + " forward: " + z + " = " + product + (columns ? "" : " (the notes' W" + l + "·" + aPrev + " + b" + l + ")") + ", " +
                (linear ? a + " = " + z : a + " = " + ActivationFormula(layer, z)) + ".</summary>");
            w.WriteLine("/// <param name=\"p\">The parameters.</param>");
            w.WriteLine("/// <param name=\"" + aPrev + "\">" + Shape(spec, layer.Inputs) + ": the layer's input.</param>");
            w.WriteLine("/// <param name=\"" + z + "\">" + Shape(spec, layer.Units) + ": written" + (linear ? "; it is also " + a + " (linear)." :
                fused ? " unless empty (a prediction keeps " + a + " alone)." : ".") + "</param>");
            if (!linear)
                w.WriteLine("/// <param name=\"" + a + "\">" + Shape(spec, layer.Units) + ": written; may be " + z + " itself.</param>");
            w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
            string signature = "private static void Layer" + l + "Forward(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " + Span + " " + z +
                (linear ? "" : ", " + Span + " " + a) + ", int m)";
            using (w.Open(signature))
            {
                if (fused)
                {
                    w.WriteLine(Kernels + ".DenseForwardColumns(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + z + ", " + a +
                        ", m, " + layer.Inputs + ", " + layer.Units + ", " + ActivationFunction(layer) + "); // " + z + " = " + product + ", " + a + " = " + ActivationFormula(layer, z) + " in the same pass");
                }
                else
                {
                    w.WriteLine(Kernels + ".DenseForward" + (columns ? "Columns(" : "(") + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + z +
                        ", m, " + layer.Inputs + ", " + layer.Units + "); // " + z + " = " + product);
                    string call = layer.Activation switch
                    {
                        Activation.Sigmoid => Kernels + ".Sigmoid(" + z + ", " + a + ");",
                        Activation.Tanh => Kernels + ".Tanh(" + z + ", " + a + ");",
                        Activation.Relu => Kernels + ".Relu(" + z + ", " + a + ");",
                        Activation.LeakyRelu => Kernels + ".LeakyRelu(" + z + ", " + a + ", " + FloatLiteral(layer.LeakySlope) + ");",
                        Activation.Softmax => Kernels + ".Softmax(" + z + ", " + a + ", m, " + layer.Units + ");",
                        _ => "",
                    };
                    if (call.Length > 0)
                        w.WriteLine(call + " // " + a + " = " + ActivationFormula(layer, z));
                }
            }
            w.WriteLine();
            if (IsUnrolled(layer))
                WriteLayerForwardOne(w, layer);
            else
                WriteLayerForwardOneKernel(w, layer);
        }

        /// <summary>Layers of fewer than 8 units get a one-sample forward with every multiply written out: no loop, no
        /// call, no bounds check once the slices are taken, and each sum as a balanced tree so that its adds overlap.
        /// (Wider ones fill a vector with their outputs, and the kernel wins.)</summary>
        internal static bool IsUnrolled(LayerSpec layer) => layer.Units < 8 && layer.WeightCount <= UnrollLimit && layer.Inputs <= 64;

        /// <summary>The largest W[l] (in weights) whose one-sample forward is written out in full.</summary>
        internal const int UnrollLimit = 256;

        /// <summary>The activation as the struct the fused kernels take (softmax: the identity, then softmax over the row).</summary>
        private static string ActivationFunction(LayerSpec layer) => layer.Activation switch
        {
            Activation.Sigmoid => "new " + Kernels + ".SigmoidFunction()",
            Activation.Tanh => "new " + Kernels + ".TanhFunction()",
            Activation.Relu => "new " + Kernels + ".ReluFunction()",
            Activation.LeakyRelu => "new " + Kernels + ".LeakyReluFunction(" + FloatLiteral(layer.LeakySlope) + ")",
            _ => "new " + Kernels + ".IdentityFunction()",
        };

        private static void WriteLayerForwardOneKernel(SourceWriter w, LayerSpec layer)
        {
            int l = layer.Index;
            string aPrev = "A" + (l - 1), a = "A" + l;
            bool softmax = layer.Activation == Activation.Softmax;
            string g = layer.Activation == Activation.Linear || softmax ? "" : ActivationName(layer) + "(";
            w.WriteLine("/// <summary>Layer " + l + " forward for one sample: " + a + " = " + (softmax ? "softmax(" : g) + "W" + l + "·" + aPrev + " + b" + l +
                (g.Length > 0 || softmax ? ")" : "") + (softmax ? "" : ", g applied in registers as each group of 16 units is summed") + ".</summary>");
            using (w.Open("private static void Layer" + l + "ForwardOne(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " + Span + " " + a + ")"))
            {
                w.WriteLine(Kernels + ".DenseForwardOne(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + a + ", " +
                    ActivationFunction(layer) + "); // " + aPrev + ": 1 × " + layer.Inputs + " → " + a + ": 1 × " + layer.Units);
                if (softmax)
                    w.WriteLine(Kernels + ".Softmax(" + a + ", " + a + ", 1, " + layer.Units + "); // " + a + " = " + ActivationFormula(layer, "Z" + l));
            }
            w.WriteLine();
        }

        private static void WriteLayerForwardOne(SourceWriter w, LayerSpec layer)
        {
            int l = layer.Index;
            string aPrev = "A" + (l - 1), a = "A" + l;
            // ReLU-like activations cost a compare, so they run inline; exponentials run as one vector call over the
            // row once it holds 8 or more units (and softmax always, since it needs the whole row).
            bool rowActivation = layer.Activation == Activation.Softmax ||
                (layer.Activation is Activation.Sigmoid or Activation.Tanh && layer.Units >= 8);
            w.WriteLine("/// <summary>Layer " + l + " forward for one sample, unrolled: " + a + "[j] = g(Σ_k W" + l + "[j, k]·" + aPrev + "[k] + b" + l + "[j]), " +
                (layer.Activation == Activation.Linear ? "g the identity" : "g = " + ActivationName(layer)) + ".</summary>");
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
                    w.WriteLine("y[" + j + "] = " + (rowActivation ? z : ScalarActivation(layer, z)) + ";");
                }
                if (rowActivation)
                {
                    string call = layer.Activation switch
                    {
                        Activation.Sigmoid => Kernels + ".Sigmoid(y, y);",
                        Activation.Tanh => Kernels + ".Tanh(y, y);",
                        _ => Kernels + ".Softmax(y, y, 1, " + layer.Units + ");",
                    };
                    w.WriteLine(call + " // " + a + " = " + ActivationFormula(layer, "Z" + l));
                }
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
        private static string ScalarActivation(LayerSpec layer, string z) => layer.Activation switch
        {
            Activation.Sigmoid => Kernels + ".Sigmoid(" + z + ")",
            Activation.Tanh => Kernels + ".Tanh(" + z + ")",
            Activation.Relu => Kernels + ".Relu(" + z + ")",
            Activation.LeakyRelu => Kernels + ".LeakyRelu(" + z + ", " + FloatLiteral(layer.LeakySlope) + ")",
            _ => z,
        };

        private static void WriteLayerBackward(SourceWriter w, NetworkSpec spec, LayerSpec layer)
        {
            int l = layer.Index;
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l, dz = "dZ" + l, daPrev = "dA" + (l - 1);
            bool derivative = HasDerivativeStep(spec, layer);
            bool first = l == 1;

            string d = "D" + l, keep = FloatLiteral(layer.KeepProbability);
            bool columns = SamplesAsColumns(spec);
            string weightProduct = columns ? dz + "·" + aPrev + "ᵀ" : dz + "ᵀ·" + aPrev;
            string inputProduct = columns ? "W" + l + "ᵀ·" + dz : dz + "·W" + l;
            var steps = new List<string>();
            if (layer.HasDropout) steps.Add("dA" + l + " = dA" + l + " ⊙ " + d + " / " + Parser.Format(layer.KeepProbability));
            if (derivative) steps.Add(dz + " = " + DerivativeFormula(layer));
            steps.Add("dW" + l + " = (1/m)·" + weightProduct + PenaltyGradientFormula(layer));
            steps.Add("db" + l + " = (1/m)·Σ " + dz);
            if (!first) steps.Add(daPrev + " = " + inputProduct + (columns ? "" : " (the notes' W" + l + "ᵀ·" + dz + ")"));
            w.WriteLine("/// <summary>Layer " + l + " backward: " + string.Join("; ", steps) + ".</summary>");
            var parameters = new List<string>();
            if (BackwardReadsParameters(layer))
            {
                w.WriteLine("/// <param name=\"p\">The parameters.</param>");
                parameters.Add(ReadOnlySpan + " p");
            }
            w.WriteLine("/// <param name=\"" + aPrev + "\">" + Shape(spec, layer.Inputs) + ": the layer's input from the forward pass.</param>");
            parameters.Add(ReadOnlySpan + " " + aPrev);
            if (derivative)
            {
                string kept = DerivativeReadsZ(layer) ? z : a;
                w.WriteLine("/// <param name=\"" + kept + "\">" + Shape(spec, layer.Units) + ": from the forward pass, for g′.</param>");
                parameters.Add(ReadOnlySpan + " " + kept);
            }
            if (layer.HasDropout)
            {
                w.WriteLine("/// <param name=\"" + d + "\">" + Shape(spec, layer.Units) + ": the forward pass's dropout mask.</param>");
                parameters.Add(ReadOnlySpan + " " + d);
            }
            bool entersAsDa = derivative || layer.HasDropout;
            w.WriteLine("/// <param name=\"" + dz + "\">" + Shape(spec, layer.Units) + ": " + (entersAsDa ? "holds dA" + l + " on entry and " + dz + " on exit." : "holds " + dz + ".") + "</param>");
            w.WriteLine("/// <param name=\"g\">The gradients, laid out like the parameters; dW" + l + " and db" + l + " are written.</param>");
            parameters.Add(Span + " " + dz);
            parameters.Add(Span + " g");
            if (!first)
            {
                w.WriteLine("/// <param name=\"" + daPrev + "\">" + Shape(spec, layer.Inputs) + ": written.</param>");
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
                    string call = layer.Activation switch
                    {
                        Activation.Sigmoid when layer.HasDropout => Kernels + ".SigmoidBackwardFromZ(" + z + ", " + dz + ", " + dz + ");",
                        Activation.Tanh when layer.HasDropout => Kernels + ".TanhBackwardFromZ(" + z + ", " + dz + ", " + dz + ");",
                        Activation.Sigmoid => Kernels + ".SigmoidBackward(" + a + ", " + dz + ", " + dz + ");",
                        Activation.Tanh => Kernels + ".TanhBackward(" + a + ", " + dz + ", " + dz + ");",
                        Activation.Relu => Kernels + ".ReluBackward(" + z + ", " + dz + ", " + dz + ");",
                        Activation.LeakyRelu => Kernels + ".LeakyReluBackward(" + z + ", " + dz + ", " + dz + ", " + FloatLiteral(layer.LeakySlope) + ");",
                        _ => Kernels + ".SoftmaxBackward(" + a + ", " + dz + ", " + dz + ", m, " + layer.Units + ");",
                    };
                    w.WriteLine(call + " // " + dz + " = " + DerivativeFormula(layer));
                }
                w.WriteLine(Kernels + ".DenseBackwardWeights" + (columns ? "Columns(" : "(") + dz + ", " + aPrev + ", g.Slice(W" + l + "Offset, W" + l + "Length), g.Slice(B" + l + "Offset, B" + l + "Length), m, " +
                    layer.Inputs + ", " + layer.Units + "); // dW" + l + " = (1/m)·" + weightProduct + ", db" + l + " = (1/m)·Σ " + dz);
                string weights = "p.Slice(W" + l + "Offset, W" + l + "Length)", weightGradients = "g.Slice(W" + l + "Offset, W" + l + "Length)";
                if (layer.L2 > 0f)
                    w.WriteLine(Kernels + ".L2Gradient(" + weights + ", " + weightGradients + ", " + FloatLiteral(layer.L2) + " / m); // dW" + l + " += (λ/m)·W" + l + " (L2, λ = " + Parser.Format(layer.L2) + ")");
                if (layer.L1 > 0f)
                    w.WriteLine(Kernels + ".L1Gradient(" + weights + ", " + weightGradients + ", " + FloatLiteral(layer.L1) + " / (2 * m)); // dW" + l + " += (λ/2m)·sign(W" + l + ") (L1, λ = " + Parser.Format(layer.L1) + ")");
                if (!first)
                    w.WriteLine(Kernels + ".DenseBackwardInput" + (columns ? "Columns(" : "(") + dz + ", p.Slice(W" + l + "Offset, W" + l + "Length), " + daPrev + ", m, " + layer.Inputs + ", " + layer.Units +
                        "); // " + daPrev + " = " + inputProduct);
            }
            w.WriteLine();
        }

        private static string PenaltyGradientFormula(LayerSpec layer)
            => (layer.L2 > 0f ? " + (λ/m)·W" + layer.Index : "") + (layer.L1 > 0f ? " + (λ/2m)·sign(W" + layer.Index + ")" : "");

        private static string ActivationFormula(LayerSpec layer, string z) => layer.Activation switch
        {
            Activation.Sigmoid => "σ(" + z + ")",
            Activation.Tanh => "tanh(" + z + ")",
            Activation.Relu => "max(0, " + z + ")",
            Activation.LeakyRelu => z + " > 0 ? " + z + " : " + Parser.Format(layer.LeakySlope) + "·" + z,
            Activation.Softmax => "softmax(" + z + "), row by row",
            _ => z,
        };

        private static string DerivativeFormula(LayerSpec layer)
        {
            string l = layer.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string da = "dA" + l, a = "A" + l, z = "Z" + l;
            return layer.Activation switch
            {
                Activation.Sigmoid when layer.HasDropout => da + " ⊙ σ(" + z + ") ⊙ (1 − σ(" + z + "))",
                Activation.Tanh when layer.HasDropout => da + " ⊙ (1 − tanh²(" + z + "))",
                Activation.Sigmoid => da + " ⊙ " + a + " ⊙ (1 − " + a + ")",
                Activation.Tanh => da + " ⊙ (1 − " + a + "²)",
                Activation.Relu => da + " ⊙ (" + z + " > 0)",
                Activation.LeakyRelu => da + " ⊙ (" + z + " > 0 ? 1 : " + Parser.Format(layer.LeakySlope) + ")",
                Activation.Softmax => a + " ⊙ (" + da + " − Σ " + da + " ⊙ " + a + "), row by row",
                _ => da,
            };
        }
    }
}
