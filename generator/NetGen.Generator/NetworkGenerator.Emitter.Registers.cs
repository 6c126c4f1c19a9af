using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Helpers;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Emitter
    {
        private const string Registers = Kernels + ".InRegisters";

        /// <summary>A[l] as its vectors: lanes 0-15 in A{l}_0, 16-31 in A{l}_1.</summary>
        private static string Part(int layer, int part) => "A" + layer + "_" + part;

        private static void WritePredictInRegisters(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("/// <summary>");
            w.WriteLine("/// <see cref=\"Predict(" + CrefReadOnlySpan + ", " + CrefSpan + ")\"/> with each layer's A in registers (AVX-512): A{l}_0 holds");
            w.WriteLine("/// units 0-15, A{l}_1 units 16-31. A row of W times A is a vector of products, and up to sixteen rows fold");
            w.WriteLine("/// into one vector of their sums; rows of 1, 2, 4 or 8 inputs are packed 16/n to a vector against A repeated.");
            w.WriteLine("/// Lanes past a layer's width hold g(0), which the next layer's loads of W (zero past each row) cancel.");
            w.WriteLine("/// </summary>");
            w.WriteLine("/// <param name=\"x\">The sample: <see cref=\"InputSize\"/> floats.</param>");
            w.WriteLine("/// <param name=\"y\">Receives the prediction: <see cref=\"OutputSize\"/> floats.</param>");
            w.WriteLine("// Compiled once, fully optimized, and never inlined into Predict: there, the JIT's inlining budget ran out and left");
            w.WriteLine("// the loads and folds as calls that pass vectors through memory.");
            w.WriteLine("[global::System.Runtime.CompilerServices.MethodImpl(");
            w.WriteLine("    global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining |");
            w.WriteLine("    global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
            using (w.Open("private void PredictInRegisters(" + ReadOnlySpan + " x, " + Span + " y)"))
            {
                w.WriteLine("// Spans of constant length: every load's bounds decision below folds away when this is compiled.");
                w.WriteLine(ReadOnlySpan + " p = new(_parameters, 0, ParameterCount);");
                w.WriteLine("x = x.Slice(0, InputSize);");
                w.WriteLine("y = y.Slice(0, OutputSize);");
                w.WriteLine("// A0 = x");
                w.WriteLine("var " + Part(0, 0) + " = " + Registers + ".Load(x, 0, " + System.Math.Min(16, spec.InputSize) + ");");
                if (spec.InputSize > 16)
                    w.WriteLine("var " + Part(0, 1) + " = " + Registers + ".Load(x, 16, " + (spec.InputSize - 16) + ");");
                foreach (LayerPlan layer in plan.Layers)
                    WriteLayerInRegisters(w, layer);
                LayerPlan output = plan.Output;
                w.WriteLine("// y = A" + output.Index);
                w.WriteLine(Registers + ".Store(y, 0, " + Part(output.Index, 0) + ");");
                if (output.Units > 16)
                    w.WriteLine(Registers + ".Store(y, 16, " + Part(output.Index, 1) + ");");
                if (output.G.RowWise)
                    w.WriteLine(Kernels + "." + output.G.Forward + "(y, y, 1, OutputSize); // y = " + output.Formula("Z" + output.Index));
            }
            w.WriteLine();
        }

        /// <summary>Layer l's A from A[l-1]: per group of up to 16 units, Z = W·A + b as one vector of sums, then g.</summary>
        private static void WriteLayerInRegisters(SourceWriter w, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            int l = layer.Index, nIn = layer.Inputs, nOut = layer.Units;
            bool packed = nIn is 1 or 2 or 4 or 8;
            string g = ActivationFunction(layerPlan);
            // Linear and softmax (applied to y at the end) leave A = Z here.
            bool identity = layerPlan.G.IsLinear || layerPlan.G.RowWise;
            w.WriteLine("// Layer " + l + " forward: " + ForwardFormula(layerPlan) + (packed
                ? "; rows of " + nIn + " input" + (nIn == 1 ? "" : "s") + ", " + 16 / nIn + " to a vector, against A" + (l - 1) + " repeated"
                : "; one vector of products per row of W" + l + ", up to sixteen rows folded into one vector of sums"));
            string repeated = "X" + l;
            if (packed)
                w.WriteLine("var " + repeated + " = " + Registers + ".Repeat(" + Part(l - 1, 0) + ", " + nIn + "); // A" + (l - 1) + " repeated " + 16 / nIn + " times");
            for (int group = 0; group * 16 < nOut; group++)
            {
                int rows = System.Math.Min(16, nOut - group * 16);
                string units = "[" + group * 16 + ".." + (group * 16 + rows) + ")";
                string z = identity ? Part(l, group) : "Z" + l + "_" + group;
                w.WriteLine("// Z" + l + units + (layerPlan.G.RowWise ? " (softmax runs over y at the end)"
                    : layerPlan.G.IsLinear ? ", A" + l + units + " = Z" + l + units : ""));
                List<string> products = packed ? PackedProducts(layer, group, rows, repeated) : RowProducts(layer, group, rows);
                string fold = !packed ? "FoldRows" : nIn switch { 1 => "", 2 => "FoldPairs", 4 => "FoldFours", _ => "FoldEights" };
                string bias = "    + " + Registers + ".Load(p, B" + l + "Offset" + Plus(group * 16) + ", " + rows + ");";
                if (fold.Length == 0)
                    w.WriteLine("var " + z + " = " + products[0] + "\n" + bias);
                else
                    w.WriteLine("var " + z + " = " + Registers + "." + fold + "(\n    " + string.Join(",\n    ", products) + ")\n" + bias);
                if (!identity)
                    w.WriteLine("var " + Part(l, group) + " = " + g + ".Apply(" + z + "); // A" + l + units + " = " + layerPlan.Formula("Z" + l + units));
            }
        }

        /// <summary>"Z1 = W1·A0 + b1, A1 = max(0, Z1)": the notes' forward of one layer, as the main file's summaries
        /// write it.</summary>
        private static string ForwardFormula(LayerPlan layer)
        {
            string z = "Z" + layer.Index, a = "A" + layer.Index;
            return z + " = W" + layer.Index + "·A" + (layer.Index - 1) + " + b" + layer.Index + ", " +
                (layer.G.IsLinear ? a + " = " + z : a + " = " + layer.Formula(z));
        }

        private static string Plus(int offset) => offset == 0 ? "" : " + " + offset;

        /// <summary>Rows of nIn ∈ {1, 2, 4, 8} inputs: the group's rows are up to nIn vectors of W (16/nIn rows each)
        /// times A repeated; the vectors past the group's last row are left out (the fold takes them as zeros).</summary>
        private static List<string> PackedProducts(LayerSpec layer, int group, int rows, string repeated)
        {
            int nIn = layer.Inputs, floats = rows * nIn, start = group * 16 * nIn;
            var products = new List<string>();
            for (int v = 0; v < nIn && 16 * v < floats; v++)
            {
                int count = System.Math.Min(16, floats - 16 * v);
                products.Add(Registers + ".Load(p, W" + layer.Index + "Offset" + Plus(start + 16 * v) + ", " + count + ") * " + repeated);
            }
            return products;
        }

        /// <summary>Any other width: one vector of products per row that exists (two halves joined by an FMA past 16
        /// inputs); the fold takes the rows it is not given as zeros.</summary>
        private static List<string> RowProducts(LayerSpec layer, int group, int rows)
        {
            int l = layer.Index, nIn = layer.Inputs;
            var products = new List<string>();
            for (int r = 0; r < rows; r++)
            {
                int row = (group * 16 + r) * nIn;
                string offset = "W" + l + "Offset" + Plus(row);
                products.Add(nIn <= 16
                    ? Registers + ".Load(p, " + offset + ", " + nIn + ") * " + Part(l - 1, 0)
                    : Registers + ".Products(p, " + offset + ", " + nIn + ", " + Part(l - 1, 0) + ", " + Part(l - 1, 1) + ")");
            }
            return products;
        }
    }
}
