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
        private const string Vector = "global::System.Runtime.Intrinsics.Vector512<float>";

        /// <summary>A[l] as its vectors: lanes 0-15 in A{l}_0, 16-31 in A{l}_1.</summary>
        private static string Part(int layer, int part) => "A" + layer + "_" + part;

        private static void WritePredictInRegisters(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("/// <summary>");
            w.WriteLine("/// <see cref=\"Predict(" + CrefReadOnlySpan + ", " + CrefSpan + ")\"/> with each layer's A in registers (AVX-512): A{l}_0 holds");
            w.WriteLine("/// units 0-15, A{l}_1 units 16-31. A row of W times A is a vector of products, and sixteen rows fold into");
            w.WriteLine("/// one vector of their sums; rows of 1, 2, 4 or 8 inputs are packed 16/n to a vector against A repeated.");
            w.WriteLine("/// Lanes past a layer's width hold g(0), which the next layer's loads of W (zero past each row) cancel.");
            w.WriteLine("/// </summary>");
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
                w.WriteLine(Vector + " " + Part(0, 0) + " = " + Registers + ".Load(x, 0, " + System.Math.Min(16, spec.InputSize) + ")" +
                    (spec.InputSize > 16 ? ", " + Part(0, 1) + " = " + Registers + ".Load(x, 16, " + (spec.InputSize - 16) + ")" : "") + "; // A0 = x");
                foreach (LayerPlan layer in plan.Layers)
                    WriteLayerInRegisters(w, layer);
                LayerPlan output = plan.Output;
                w.WriteLine(Registers + ".Store(y, 0, " + Part(output.Index, 0) + ");" + (output.Units > 16 ? " " + Registers + ".Store(y, 16, " + Part(output.Index, 1) + ");" : "") + " // y = A" + output.Index);
                if (output.G.RowWise)
                    w.WriteLine(Kernels + "." + output.G.Forward + "(y, y, 1, OutputSize); // y = " + output.Formula("Z" + output.Index));
            }
            w.WriteLine();
        }

        private static void WriteLayerInRegisters(SourceWriter w, LayerPlan layerPlan)
        {
            LayerSpec layer = layerPlan.Layer;
            int l = layer.Index, nIn = layer.Inputs, nOut = layer.Units;
            bool packed = nIn is 1 or 2 or 4 or 8;
            string g = ActivationFunction(layerPlan);
            bool identity = layerPlan.G.IsLinear || layerPlan.G.RowWise;
            w.WriteLine("// Layer " + l + ": dense " + nIn + " → " + nOut + ", " + layerPlan.ActivationName + (packed
                ? "; rows of " + nIn + " input" + (nIn == 1 ? "" : "s") + ", " + 16 / nIn + " to a vector, against A" + (l - 1) + " repeated"
                : "; one vector of products per row, folded sixteen rows at a time"));
            string repeated = "X" + l;
            if (packed)
                w.WriteLine("var " + repeated + " = " + Registers + ".Repeat(" + Part(l - 1, 0) + ", " + nIn + ");");
            for (int group = 0; group * 16 < nOut; group++)
            {
                int rows = System.Math.Min(16, nOut - group * 16);
                string sums = packed ? PackedSums(layer, group, rows, repeated) : RowSums(layer, group, rows);
                string z = sums + " + " + Registers + ".Load(p, B" + l + "Offset" + Plus(group * 16) + ", " + rows + ")";
                w.WriteLine("// A" + l + "[" + group * 16 + ".." + (group * 16 + rows) + ")");
                w.WriteLine("var " + Part(l, group) + " = " + (identity ? z : g + ".Apply(" + z + ")") + ";");
            }
        }

        /// <summary>The products of a fold one to a line; the empty rows ("default") together on the last.</summary>
        private static string OnePerLine(List<string> products)
        {
            int used = products.Count;
            while (used > 0 && products[used - 1] == "default") used--;
            var lines = products.Take(used).ToList();
            if (used < products.Count) lines.Add(string.Join(", ", products.Skip(used)));
            return "\n    " + string.Join(",\n    ", lines);
        }

        private static string Plus(int offset) => offset == 0 ? "" : " + " + offset;

        /// <summary>Rows of nIn ∈ {1, 2, 4, 8} inputs: the group's 16 rows are nIn vectors of W (16/nIn rows each) times A repeated.</summary>
        private static string PackedSums(LayerSpec layer, int group, int rows, string repeated)
        {
            int nIn = layer.Inputs, floats = rows * nIn, start = group * 16 * nIn;
            var products = new List<string>();
            for (int v = 0; v < nIn; v++)
            {
                int count = System.Math.Min(16, floats - 16 * v);
                products.Add(count > 0 ? Registers + ".Load(p, W" + layer.Index + "Offset" + Plus(start + 16 * v) + ", " + count + ") * " + repeated : "default");
            }
            string fold = nIn switch { 1 => "", 2 => "FoldPairs", 4 => "FoldFours", _ => "FoldEights" };
            return nIn == 1 ? products[0] : Registers + "." + fold + "(" + OnePerLine(products) + ")";
        }

        /// <summary>Any other width: one vector of products per row (two halves joined by an FMA past 16 inputs), folded.</summary>
        private static string RowSums(LayerSpec layer, int group, int rows)
        {
            int l = layer.Index, nIn = layer.Inputs;
            var products = new List<string>();
            for (int r = 0; r < 16; r++)
            {
                if (r >= rows)
                {
                    products.Add("default");
                    continue;
                }
                int row = (group * 16 + r) * nIn;
                products.Add(nIn <= 16
                    ? Registers + ".Load(p, W" + l + "Offset" + Plus(row) + ", " + nIn + ") * " + Part(l - 1, 0)
                    : "global::System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(" + Registers + ".Load(p, W" + l + "Offset" + Plus(row) + ", 16), " + Part(l - 1, 0) + ", " +
                      Registers + ".Load(p, W" + l + "Offset" + Plus(row + 16) + ", " + (nIn - 16) + ") * " + Part(l - 1, 1) + ")");
            }
            return Registers + ".FoldRows(" + OnePerLine(products) + ")";
        }
    }
}
