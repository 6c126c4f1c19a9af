using System.Collections.Generic;
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
               ((spec.Loss == LossKind.BinaryCrossEntropy && layer.Activation == ActivationKind.Sigmoid) ||
                (spec.Loss == LossKind.CrossEntropy && layer.Activation == ActivationKind.Softmax));

        private static bool HasDerivativeStep(NetworkSpec spec, LayerSpec layer)
            => layer.Activation != ActivationKind.Linear && !IsFusedOutput(spec, layer);

        /// <summary>ReLU and leaky ReLU read g′ from Z; sigmoid, tanh and softmax from A.</summary>
        private static bool DerivativeReadsZ(LayerSpec layer)
            => layer.Activation is ActivationKind.Relu or ActivationKind.LeakyRelu;

        private static string Shape(LayerSpec layer) => "m × " + layer.Units;

        private static void WriteLayerForward(SourceWriter w, NetworkSpec spec, LayerSpec layer)
        {
            int l = layer.Index;
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l;
            bool linear = layer.Activation == ActivationKind.Linear;
            w.WriteLine("// ───── Layer " + l + ": dense " + layer.Inputs + " → " + layer.Units + ", " + ActivationName(layer) + " ─────");
            w.WriteLine();
            w.WriteLine("/// <summary>Layer " + l + " forward: " + z + " = " + aPrev + "·W" + l + "ᵀ + b" + l + " (the notes' W" + l + "·" + aPrev + " + b" + l + "), " +
                (linear ? a + " = " + z : a + " = " + ActivationFormula(layer, z)) + ".</summary>");
            w.WriteLine("/// <param name=\"p\">The parameters.</param>");
            w.WriteLine("/// <param name=\"" + aPrev + "\">m × " + layer.Inputs + ": the layer's input.</param>");
            w.WriteLine("/// <param name=\"" + z + "\">" + Shape(layer) + ": written" + (linear ? "; it is also " + a + " (linear)." : ".") + "</param>");
            if (!linear)
                w.WriteLine("/// <param name=\"" + a + "\">" + Shape(layer) + ": written; may be " + z + " itself.</param>");
            w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
            string signature = "private static void Layer" + l + "Forward(" + ReadOnlySpan + " p, " + ReadOnlySpan + " " + aPrev + ", " + Span + " " + z +
                (linear ? "" : ", " + Span + " " + a) + ", int m)";
            using (w.Open(signature))
            {
                w.WriteLine(Kernels + ".DenseForward(" + aPrev + ", p.Slice(W" + l + "Offset, W" + l + "Length), p.Slice(B" + l + "Offset, B" + l + "Length), " + z +
                    ", m, " + layer.Inputs + ", " + layer.Units + "); // " + z + " = " + aPrev + "·W" + l + "ᵀ + b" + l);
                string call = layer.Activation switch
                {
                    ActivationKind.Sigmoid => Kernels + ".Sigmoid(" + z + ", " + a + ");",
                    ActivationKind.Tanh => Kernels + ".Tanh(" + z + ", " + a + ");",
                    ActivationKind.Relu => Kernels + ".Relu(" + z + ", " + a + ");",
                    ActivationKind.LeakyRelu => Kernels + ".LeakyRelu(" + z + ", " + a + ", " + FloatLiteral(layer.LeakySlope) + ");",
                    ActivationKind.Softmax => Kernels + ".Softmax(" + z + ", " + a + ", m, " + layer.Units + ");",
                    _ => "",
                };
                if (call.Length > 0)
                    w.WriteLine(call + " // " + a + " = " + ActivationFormula(layer, z));
            }
            w.WriteLine();
        }

        private static void WriteLayerBackward(SourceWriter w, NetworkSpec spec, LayerSpec layer)
        {
            int l = layer.Index;
            string aPrev = "A" + (l - 1), z = "Z" + l, a = "A" + l, dz = "dZ" + l, daPrev = "dA" + (l - 1);
            bool derivative = HasDerivativeStep(spec, layer);
            bool first = l == 1;

            var steps = new List<string>();
            if (derivative) steps.Add(dz + " = " + DerivativeFormula(layer));
            steps.Add("dW" + l + " = (1/m)·" + dz + "ᵀ·" + aPrev);
            steps.Add("db" + l + " = (1/m)·Σ " + dz);
            if (!first) steps.Add(daPrev + " = " + dz + "·W" + l + " (the notes' W" + l + "ᵀ·" + dz + ")");
            w.WriteLine("/// <summary>Layer " + l + " backward: " + string.Join("; ", steps) + ".</summary>");
            w.WriteLine("/// <param name=\"p\">The parameters.</param>");
            w.WriteLine("/// <param name=\"" + aPrev + "\">m × " + layer.Inputs + ": the layer's input from the forward pass.</param>");
            var parameters = new List<string> { ReadOnlySpan + " p", ReadOnlySpan + " " + aPrev };
            if (derivative)
            {
                string kept = DerivativeReadsZ(layer) ? z : a;
                w.WriteLine("/// <param name=\"" + kept + "\">" + Shape(layer) + ": from the forward pass, for g′.</param>");
                parameters.Add(ReadOnlySpan + " " + kept);
            }
            w.WriteLine("/// <param name=\"" + dz + "\">" + Shape(layer) + ": " + (derivative ? "holds dA" + l + " on entry and " + dz + " on exit." : "holds " + dz + ".") + "</param>");
            w.WriteLine("/// <param name=\"g\">The gradients, laid out like the parameters; dW" + l + " and db" + l + " are written.</param>");
            parameters.Add(Span + " " + dz);
            parameters.Add(Span + " g");
            if (!first)
            {
                w.WriteLine("/// <param name=\"" + daPrev + "\">m × " + layer.Inputs + ": written.</param>");
                parameters.Add(Span + " " + daPrev);
            }
            w.WriteLine("/// <param name=\"m\">The number of samples.</param>");
            parameters.Add("int m");
            using (w.Open("private static void Layer" + l + "Backward(" + string.Join(", ", parameters) + ")"))
            {
                if (derivative)
                {
                    string call = layer.Activation switch
                    {
                        ActivationKind.Sigmoid => Kernels + ".SigmoidBackward(" + a + ", " + dz + ", " + dz + ");",
                        ActivationKind.Tanh => Kernels + ".TanhBackward(" + a + ", " + dz + ", " + dz + ");",
                        ActivationKind.Relu => Kernels + ".ReluBackward(" + z + ", " + dz + ", " + dz + ");",
                        ActivationKind.LeakyRelu => Kernels + ".LeakyReluBackward(" + z + ", " + dz + ", " + dz + ", " + FloatLiteral(layer.LeakySlope) + ");",
                        _ => Kernels + ".SoftmaxBackward(" + a + ", " + dz + ", " + dz + ", m, " + layer.Units + ");",
                    };
                    w.WriteLine(call + " // " + dz + " = " + DerivativeFormula(layer));
                }
                w.WriteLine(Kernels + ".DenseBackwardWeights(" + dz + ", " + aPrev + ", g.Slice(W" + l + "Offset, W" + l + "Length), g.Slice(B" + l + "Offset, B" + l + "Length), m, " +
                    layer.Inputs + ", " + layer.Units + "); // dW" + l + " = (1/m)·" + dz + "ᵀ·" + aPrev + ", db" + l + " = (1/m)·Σ " + dz);
                if (!first)
                    w.WriteLine(Kernels + ".DenseBackwardInput(" + dz + ", p.Slice(W" + l + "Offset, W" + l + "Length), " + daPrev + ", m, " + layer.Inputs + ", " + layer.Units +
                        "); // " + daPrev + " = " + dz + "·W" + l);
            }
            w.WriteLine();
        }

        private static string ActivationFormula(LayerSpec layer, string z) => layer.Activation switch
        {
            ActivationKind.Sigmoid => "σ(" + z + ")",
            ActivationKind.Tanh => "tanh(" + z + ")",
            ActivationKind.Relu => "max(0, " + z + ")",
            ActivationKind.LeakyRelu => z + " > 0 ? " + z + " : " + Parser.Format(layer.LeakySlope) + "·" + z,
            ActivationKind.Softmax => "softmax(" + z + "), row by row",
            _ => z,
        };

        private static string DerivativeFormula(LayerSpec layer)
        {
            string l = layer.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string da = "dA" + l, a = "A" + l, z = "Z" + l;
            return layer.Activation switch
            {
                ActivationKind.Sigmoid => da + " ⊙ " + a + " ⊙ (1 − " + a + ")",
                ActivationKind.Tanh => da + " ⊙ (1 − " + a + "²)",
                ActivationKind.Relu => da + " ⊙ (" + z + " > 0)",
                ActivationKind.LeakyRelu => da + " ⊙ (" + z + " > 0 ? 1 : " + Parser.Format(layer.LeakySlope) + ")",
                ActivationKind.Softmax => a + " ⊙ (" + da + " − Σ " + da + " ⊙ " + a + "), row by row",
                _ => da,
            };
        }
    }
}
