using System;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>
/// The quick mode's kernel-level cases for issue 14: LeNet-5's conv and pool layers (conv 5 × 5 1→6 Same on 28 × 28,
/// max pool 2, conv 5 × 5 6→16 Valid on 14 × 14, max pool 2) forward at 1 and 64 samples and backward at 64, the
/// direct loops ("simple") and the fast paths in alternating batches of the same run; then the whole LeNet-5 as the
/// sum of its kernels (conv, pool, ReLU, dense, softmax-free: the loss and the plan's copies are not in it), forward
/// per sample and a training step of 64 (forward, backward, plain gradient descent).
/// </summary>
public static class ConvKernels
{
    private const int Batches = 41;

    private enum Op
    {
        Conv1Forward, Conv1ForwardSimple, Pool1Forward, Pool1ForwardSimple, Conv2Forward, Conv2ForwardSimple,
        Pool2Forward, Pool2ForwardSimple, Relu1, Relu2, Dense1, Dense2, Dense3,
        Conv1Weights, Conv1WeightsSimple, Conv2Weights, Conv2WeightsSimple, Conv2Input, Conv2InputSimple,
        Pool1Backward, Pool1BackwardSimple, Pool2Backward, Pool2BackwardSimple, Relu1Backward, Relu2Backward,
        Dense1Backward, Dense2Backward, Dense3Backward, Update,
    }

    /// <summary>The buffers of one LeNet-5 step of <see cref="Samples"/> samples.</summary>
    private sealed class LeNet
    {
        public readonly int Samples;
        public readonly ConvGeometry G1 = new(1, 28, 28, 6, 5, 5, 1, 2, 2, 28, 28);
        public readonly ConvGeometry G2 = new(6, 14, 14, 16, 5, 5, 1, 0, 0, 10, 10);
        public readonly PoolGeometry P1 = new(6, 28, 28, 2, 2, 2, 14, 14);
        public readonly PoolGeometry P2 = new(16, 10, 10, 2, 2, 2, 5, 5);
        public readonly float[] X, W1, B1, Z1, A1, S1, W2, B2, Z2, A2, S2, Scratch;
        public readonly float[] Wd1, Bd1, Zd1, Wd2, Bd2, Zd2, Wd3, Bd3, Zd3, Parameters, Gradients;
        public readonly float[] dZ1, dA1, dS1, dZ2, dA2, dS2, dW1, dB1, dW2, dB2, dZd1, dZd2, dZd3, dWd1, dBd1, dWd2, dBd2, dWd3, dBd3;

        public LeNet(int samples)
        {
            Samples = samples;
            var rng = new Random(14);
            float[] R(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
            X = R(samples * 784);
            W1 = R(G1.WeightCount); B1 = R(6); Z1 = new float[samples * G1.OutputSize]; A1 = new float[Z1.Length];
            S1 = new float[samples * P1.OutputSize];
            W2 = R(G2.WeightCount); B2 = R(16); Z2 = new float[samples * G2.OutputSize]; A2 = new float[Z2.Length];
            S2 = new float[samples * P2.OutputSize];
            Scratch = new float[Math.Max(Kernels.Conv2DScratchLength(G1, samples), Kernels.Conv2DScratchLength(G2, samples))];
            Wd1 = R(120 * 400); Bd1 = R(120); Zd1 = new float[samples * 120];
            Wd2 = R(84 * 120); Bd2 = R(84); Zd2 = new float[samples * 84];
            Wd3 = R(10 * 84); Bd3 = R(10); Zd3 = R(samples * 10);
            Parameters = R(ParameterCount); Gradients = R(ParameterCount);
            dZ1 = R(Z1.Length); dA1 = R(Z1.Length); dS1 = R(S1.Length); dZ2 = R(Z2.Length); dA2 = R(Z2.Length);
            dS2 = R(S2.Length); dW1 = new float[W1.Length]; dB1 = new float[6]; dW2 = new float[W2.Length]; dB2 = new float[16];
            dZd1 = R(Zd1.Length); dZd2 = R(Zd2.Length); dZd3 = R(Zd3.Length);
            dWd1 = new float[Wd1.Length]; dBd1 = new float[120]; dWd2 = new float[Wd2.Length]; dBd2 = new float[84];
            dWd3 = new float[Wd3.Length]; dBd3 = new float[10];
            // Realistic maps for the pools' branches: the forward once.
            Kernels.Conv2DForward(X, W1, B1, Z1, samples, G1, Scratch);
            Kernels.Relu(Z1, A1);
            Kernels.MaxPoolForward(A1, S1, samples, P1);
            Kernels.Conv2DForward(S1, W2, B2, Z2, samples, G2, Scratch);
            Kernels.Relu(Z2, A2);
        }

        public const int ParameterCount = 150 + 6 + 2400 + 16 + 48000 + 120 + 10080 + 84 + 840 + 10;
    }

    private struct Call(LeNet n, Op op) : IOperation
    {
        public void Invoke()
        {
            int m = n.Samples;
            switch (op)
            {
                case Op.Conv1Forward: Kernels.Conv2DForward(n.X, n.W1, n.B1, n.Z1, m, n.G1, n.Scratch); break;
                case Op.Conv1ForwardSimple: Kernels.Conv2DForwardDirect(n.X, n.W1, n.B1, n.Z1, m, n.G1); break;
                case Op.Relu1: Kernels.Relu(n.Z1, n.A1); break;
                case Op.Pool1Forward: Kernels.MaxPoolForward(n.A1, n.S1, m, n.P1); break;
                case Op.Pool1ForwardSimple: Kernels.MaxPoolForwardDirect(n.A1, n.S1, m, n.P1); break;
                case Op.Conv2Forward: Kernels.Conv2DForward(n.S1, n.W2, n.B2, n.Z2, m, n.G2, n.Scratch); break;
                case Op.Conv2ForwardSimple: Kernels.Conv2DForwardDirect(n.S1, n.W2, n.B2, n.Z2, m, n.G2); break;
                case Op.Relu2: Kernels.Relu(n.Z2, n.A2); break;
                case Op.Pool2Forward: Kernels.MaxPoolForward(n.A2, n.S2, m, n.P2); break;
                case Op.Pool2ForwardSimple: Kernels.MaxPoolForwardDirect(n.A2, n.S2, m, n.P2); break;
                case Op.Dense1: Kernels.DenseForward(n.S2, n.Wd1, n.Bd1, n.Zd1, m, 400, 120, new Kernels.ReluFunction()); break;
                case Op.Dense2: Kernels.DenseForward(n.Zd1, n.Wd2, n.Bd2, n.Zd2, m, 120, 84, new Kernels.ReluFunction()); break;
                case Op.Dense3: Kernels.DenseForward(n.Zd2, n.Wd3, n.Bd3, n.Zd3, m, 84, 10); break;
                case Op.Dense3Backward:
                    Kernels.DenseBackwardWeights(n.dZd3, n.Zd2, n.dWd3, n.dBd3, m, 84, 10);
                    Kernels.DenseBackwardInput(n.dZd3, n.Wd3, n.dZd2, m, 84, 10);
                    break;
                case Op.Dense2Backward:
                    Kernels.DenseBackwardWeights(n.dZd2, n.Zd1, n.dWd2, n.dBd2, m, 120, 84);
                    Kernels.DenseBackwardInput(n.dZd2, n.Wd2, n.dZd1, m, 120, 84);
                    break;
                case Op.Dense1Backward:
                    Kernels.DenseBackwardWeights(n.dZd1, n.S2, n.dWd1, n.dBd1, m, 400, 120);
                    Kernels.DenseBackwardInput(n.dZd1, n.Wd1, n.dS2, m, 400, 120);
                    break;
                case Op.Pool2Backward: Kernels.MaxPoolBackward(n.A2, n.dS2, n.dA2, m, n.P2); break;
                case Op.Pool2BackwardSimple: Kernels.MaxPoolBackwardDirect(n.A2, n.dS2, n.dA2, m, n.P2); break;
                case Op.Relu2Backward: Kernels.ReluBackward(n.Z2, n.dA2, n.dZ2); break;
                case Op.Conv2Weights: Kernels.Conv2DBackwardWeights(n.S1, n.dZ2, n.dW2, n.dB2, m, n.G2, n.Scratch); break;
                case Op.Conv2WeightsSimple: Kernels.Conv2DBackwardWeightsDirect(n.S1, n.dZ2, n.dW2, n.dB2, m, n.G2); break;
                case Op.Conv2Input: Kernels.Conv2DBackwardInput(n.dZ2, n.W2, n.dS1, m, n.G2, n.Scratch); break;
                case Op.Conv2InputSimple: Kernels.Conv2DBackwardInputDirect(n.dZ2, n.W2, n.dS1, m, n.G2); break;
                case Op.Pool1Backward: Kernels.MaxPoolBackward(n.A1, n.dS1, n.dA1, m, n.P1); break;
                case Op.Pool1BackwardSimple: Kernels.MaxPoolBackwardDirect(n.A1, n.dS1, n.dA1, m, n.P1); break;
                case Op.Relu1Backward: Kernels.ReluBackward(n.Z1, n.dA1, n.dZ1); break;
                case Op.Conv1Weights: Kernels.Conv2DBackwardWeights(n.X, n.dZ1, n.dW1, n.dB1, m, n.G1, n.Scratch); break;
                case Op.Conv1WeightsSimple: Kernels.Conv2DBackwardWeightsDirect(n.X, n.dZ1, n.dW1, n.dB1, m, n.G1); break;
                case Op.Update: Kernels.GradientDescent(n.Parameters, n.Gradients, 1e-9f); break;
            }
        }
    }

    private static (Series Simple, Series Fast) Pair(LeNet n, Op simple, Op fast)
    {
        var a = new Call(n, simple);
        var b = new Call(n, fast);
        var sa = new Series { CallsPerBatch = Harness.CallsFor(Harness.WarmUp(ref a)) };
        var sb = new Series { CallsPerBatch = Harness.CallsFor(Harness.WarmUp(ref b)) };
        GC.Collect();
        for (int r = 0; r < Batches; r++)
        {
            Harness.Batch(ref a, sa.CallsPerBatch, sa);
            Harness.Batch(ref b, sb.CallsPerBatch, sb);
        }
        return (sa, sb);
    }

    private static Series One(LeNet n, Op op)
    {
        var a = new Call(n, op);
        return Harness.Single(ref a, Batches);
    }

    private static string Us(double ns) => (ns / 1e3).ToString(ns < 1e4 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    /// <summary>Prints the kernel table and the LeNet-5 estimate; <paramref name="fma"/> is one core's measured FMA
    /// throughput in GFLOP/s.</summary>
    public static void Run(TextWriter w, double fma)
    {
        var one = new LeNet(1);
        var batch = new LeNet(64);
        w.WriteLine();
        w.WriteLine($"LeNet-5 conv and pool kernels (issue 14): direct loops vs fast paths, alternating batches; medians; GFLOP/s = 2·multiply-adds / time; FMA {fma:0.0} GFLOP/s measured");
        w.WriteLine("  (medians; \"best µs\" is the fastest batch, the figure least inflated by other processes on a shared machine;");
        w.WriteLine("   GFLOP/s and the share of the FMA peak are from the median, and from the best batch in brackets)");
        w.WriteLine($"  {"case",-44} {"samples",7} {"simple µs",10} {"fast µs",10} {"best µs",10} {"speed-up",8} {"fast GFLOP/s",16} {"of FMA",11} {"B/call",6}");
        double forward1 = 0, forward64 = 0, backward64 = 0, best1 = 0, best64 = 0, bestBackward = 0;
        string Rate(double macs, int samples, Series f)
            => macs > 0 ? string.Create(CultureInfo.InvariantCulture,
                $"{2 * macs * samples / f.MedianNs:0.0} ({2 * macs * samples / f.MinNs:0.0})") : "—";
        string Share(double macs, int samples, Series f)
            => macs > 0 ? string.Create(CultureInfo.InvariantCulture,
                $"{2 * macs * samples / f.MedianNs / fma:0%} ({2 * macs * samples / f.MinNs / fma:0%})") : "—";
        void Row(string name, LeNet n, Op simple, Op fast, double macs, ref double total, ref double best)
        {
            (Series s, Series f) = Pair(n, simple, fast);
            total += f.MedianNs;
            best += f.MinNs;
            w.WriteLine($"  {name,-44} {n.Samples,7} {Us(s.MedianNs),10} {Us(f.MedianNs),10} {Us(f.MinNs),10} {s.MedianNs / f.MedianNs,7:0.0}× " +
                        $"{Rate(macs, n.Samples, f),16} {Share(macs, n.Samples, f),11} {f.BytesPerCall,6:0}");
        }
        void Alone(string name, LeNet n, Op op, double macs, ref double total, ref double best)
        {
            Series f = One(n, op);
            total += f.MedianNs;
            best += f.MinNs;
            w.WriteLine($"  {name,-44} {n.Samples,7} {"",10} {Us(f.MedianNs),10} {Us(f.MinNs),10} {"",8} " +
                        $"{Rate(macs, n.Samples, f),16} {Share(macs, n.Samples, f),11} {f.BytesPerCall,6:0}");
        }
        const double c1 = 6 * 784 * 25, c2 = 16 * 100 * 150, d1 = 400 * 120, d2 = 120 * 84, d3 = 84 * 10;
        foreach (LeNet n in new[] { one, batch })
        {
            ref double total = ref n.Samples == 1 ? ref forward1 : ref forward64;
            ref double best = ref n.Samples == 1 ? ref best1 : ref best64;
            Row("conv 5×5 1→6 Same 28×28, forward", n, Op.Conv1ForwardSimple, Op.Conv1Forward, c1, ref total, ref best);
            Alone("  ReLU 28×28×6", n, Op.Relu1, 0, ref total, ref best);
            Row("max pool 2 on 28×28×6, forward", n, Op.Pool1ForwardSimple, Op.Pool1Forward, 0, ref total, ref best);
            Row("conv 5×5 6→16 Valid 14×14, forward", n, Op.Conv2ForwardSimple, Op.Conv2Forward, c2, ref total, ref best);
            Alone("  ReLU 10×10×16", n, Op.Relu2, 0, ref total, ref best);
            Row("max pool 2 on 10×10×16, forward", n, Op.Pool2ForwardSimple, Op.Pool2Forward, 0, ref total, ref best);
            Alone("  dense 400→120→84→10 (DenseForward)", n, Op.Dense1, d1, ref total, ref best);
            Alone("", n, Op.Dense2, d2, ref total, ref best);
            Alone("", n, Op.Dense3, d3, ref total, ref best);
        }
        Alone("  dense 10→84→120→400 backward (dW, dA)", batch, Op.Dense3Backward, 2 * d3, ref backward64, ref bestBackward);
        Alone("", batch, Op.Dense2Backward, 2 * d2, ref backward64, ref bestBackward);
        Alone("", batch, Op.Dense1Backward, 2 * d1, ref backward64, ref bestBackward);
        Row("max pool 2 on 10×10×16, backward", batch, Op.Pool2BackwardSimple, Op.Pool2Backward, 0, ref backward64, ref bestBackward);
        Alone("  ReLU backward 10×10×16", batch, Op.Relu2Backward, 0, ref backward64, ref bestBackward);
        Row("conv 6→16 Valid, dW", batch, Op.Conv2WeightsSimple, Op.Conv2Weights, c2, ref backward64, ref bestBackward);
        Row("conv 6→16 Valid, dA", batch, Op.Conv2InputSimple, Op.Conv2Input, c2, ref backward64, ref bestBackward);
        Row("max pool 2 on 28×28×6, backward", batch, Op.Pool1BackwardSimple, Op.Pool1Backward, 0, ref backward64, ref bestBackward);
        Alone("  ReLU backward 28×28×6", batch, Op.Relu1Backward, 0, ref backward64, ref bestBackward);
        Row("conv 1→6 Same, dW (no dA: it is the input)", batch, Op.Conv1WeightsSimple, Op.Conv1Weights, c1, ref backward64, ref bestBackward);
        Alone($"  gradient descent over {LeNet.ParameterCount} parameters", batch, Op.Update, 0, ref backward64, ref bestBackward);

        double forwardFlops = 2 * (c1 + c2 + d1 + d2 + d3), trainFlops = 64 * (3 * forwardFlops - 2 * c1);
        double step = forward64 + backward64, bestStep = best64 + bestBackward;
        w.WriteLine($"  LeNet-5 from its kernels (median; best batches in brackets):");
        w.WriteLine($"    forward, 1 sample:      {Us(forward1)} µs ({Us(best1)}): {forwardFlops / forward1:0.0} GFLOP/s = {forwardFlops / forward1 / fma:0%} of FMA ({forwardFlops / best1 / fma:0%})");
        w.WriteLine($"    forward, 64 samples:    {Us(forward64)} µs ({Us(best64)}): {64 * forwardFlops / forward64:0.0} GFLOP/s = {64 * forwardFlops / forward64 / fma:0%} of FMA ({64 * forwardFlops / best64 / fma:0%})");
        w.WriteLine($"    training step of 64:    {Us(step)} µs ({Us(bestStep)}): {trainFlops / step:0.0} GFLOP/s = {trainFlops / step / fma:0%} of FMA ({trainFlops / bestStep / fma:0%})");
        w.WriteLine($"    one epoch of 60 000:    {step * 60000 / 64 / 1e9:0.00} s ({bestStep * 60000 / 64 / 1e9:0.00} s); target ≤ 2.5 s");
        Network(w, fma, forwardFlops, trainFlops);
        Switch(w);
    }

    /// <summary>The generated LeNet-5 itself (<see cref="LeNet5"/>): Predict and PredictBatch of 64 against ONNX
    /// Runtime on the model <c>SaveOnnx</c> writes from the same parameters (alternating batches, after a check that
    /// both give the same outputs), and TrainStep of 64, the parameters restored before each training batch.</summary>
    private static void Network(TextWriter w, double fma, double forwardFlops, double trainFlops)
    {
        var net = new LeNet5();
        float[] saved = net.Parameters.ToArray();
        var rng = new Random(5);
        var X = new float[64 * 784];
        var Y = new float[64 * 10];
        for (int i = 0; i < X.Length; i++) X[i] = (float)rng.NextDouble();
        for (int s = 0; s < 64; s++) Y[s * 10 + rng.Next(10)] = 1f;
        string path = Path.Combine(Path.GetTempPath(), $"netgen-lenet5-{Environment.ProcessId}.onnx");
        net.SaveOnnx(path);
        byte[] model = File.ReadAllBytes(path);
        File.Delete(path);
        using var ort1 = new OnnxRunner(model, 1, 784, 10, Onnx.InputName, Onnx.OutputName);
        using var ort64 = new OnnxRunner(model, 64, 784, 10, Onnx.InputName, Onnx.OutputName);
        Array.Copy(X, ort1.X, 784);
        X.CopyTo(ort64.X, 0);
        var x = (float[])ort1.X.Clone();
        var y = new float[10];
        var Yhat = new float[64 * 10];
        net.PredictBatch(X, Yhat, 64);
        ort64.Run();
        double worst = 0;
        for (int i = 0; i < Yhat.Length; i++) worst = Math.Max(worst, Math.Abs(Yhat[i] - ort64.Y[i]));
        w.WriteLine($"  The generated LeNet-5 against ONNX Runtime {OnnxRunner.Version} on its SaveOnnx model: " +
                    $"max |Δ| = {worst:0.00e+00} over 640 probabilities" + (worst <= 1e-5 ? "" : " — DISAGREE"));
        var predict = new LeNet5PredictCall(net, x, y);
        var batch = new LeNet5PredictBatchCall(net, X, Yhat, 64);
        var train = new LeNet5TrainStepCall(net, X, Y, 64, 1e-4f);
        var run1 = new OnnxRun(ort1);
        var bound1 = new OnnxRunBound(ort1);
        var run64 = new OnnxRun(ort64);
        var bound64 = new OnnxRunBound(ort64);
        var (p, po, _) = Harness.Trio(ref predict, ref run1, ref bound1, Batches);
        var (b, bo, _) = Harness.Trio(ref batch, ref run64, ref bound64, Batches);
        Series t = Harness.Single(ref train, Batches, () => saved.CopyTo(net.Parameters));
        saved.CopyTo(net.Parameters);
        void Line(string name, Series s, double flops)
            => w.WriteLine($"    {name,-22} {Us(s.MedianNs),9} µs median, {Us(s.MinNs),9} µs best: {flops / s.MedianNs:0.0} GFLOP/s = " +
                           $"{flops / s.MedianNs / fma:0%} of FMA ({flops / s.MinNs / fma:0%} best); {s.BytesPerCall:0} B/call");
        void Versus(string name, Series netGen, Series onnx, double flops, double target)
        {
            Line(name, netGen, flops);
            Line("  ONNX Runtime Run", onnx, flops);
            double ratio = onnx.MedianNs / netGen.MedianNs;
            w.WriteLine($"    → NetGen {ratio:0.00}× ONNX Runtime (medians; {onnx.MinNs / netGen.MinNs:0.00}× best); " +
                        $"target ≥ {target:0.#}×: {(ratio >= target ? "met" : "NOT MET")}");
        }
        Versus("Predict, 1 sample", p, po, forwardFlops, 2);
        Versus("PredictBatch, 64", b, bo, 64 * forwardFlops, 1);
        Line("TrainStep, 64", t, trainFlops);
        w.WriteLine($"    one epoch of 60 000 in TrainStep(64): {t.MedianNs * 60000 / 64 / 1e9:0.00} s median, {t.MinNs * 60000 / 64 / 1e9:0.00} s best; target ≤ 2.5 s");
    }

    /// <summary>Where the direct loops give way to the implicit product: small stride-1 forward convolutions of one
    /// sample, both paths forced, with their multiply-adds (<see cref="Kernels.ImplicitMinimumMultiplyAdds"/> is the
    /// switch).</summary>
    private static void Switch(TextWriter w)
    {
        w.WriteLine($"  Switch point (forward, 1 sample, both paths forced; the implicit product is taken from {Kernels.ImplicitMinimumMultiplyAdds} multiply-adds):");
        w.WriteLine($"  {"c×h×w → f, k×k",-30} {"multiply-adds",13} {"direct ns",10} {"implicit ns",11} {"direct/implicit",15}");
        int[][] shapes =
        [
            [1, 4, 4, 1, 3], [1, 5, 5, 2, 3], [1, 6, 6, 2, 3], [2, 6, 6, 4, 3], [1, 8, 8, 4, 3],
            [3, 8, 8, 6, 3], [1, 12, 12, 6, 5], [6, 10, 10, 16, 3],
        ];
        foreach (int[] s in shapes)
        {
            int c = s[0], h = s[1], wd = s[2], f = s[3], k = s[4];
            var g = new ConvGeometry(c, h, wd, f, k, k, 1, (k - 1) / 2, (k - 1) / 2, h, wd);
            if (Kernels.ImplicitWidth(Kernels.ForwardGrid(g).Count) == 0) continue;
            var op = new Forced(g);
            var direct = new Forced(g) { Direct = true };
            var sa = new Series { CallsPerBatch = Harness.CallsFor(Harness.WarmUp(ref direct)) };
            var sb = new Series { CallsPerBatch = Harness.CallsFor(Harness.WarmUp(ref op)) };
            for (int r = 0; r < Batches; r++)
            {
                Harness.Batch(ref direct, sa.CallsPerBatch, sa);
                Harness.Batch(ref op, sb.CallsPerBatch, sb);
            }
            long macs = (long)f * h * wd * c * k * k;
            w.WriteLine($"  {$"{c}×{h}×{wd} → {f}, {k}×{k} Same",-30} {macs,13} {sa.MinNs,10:0} {sb.MinNs,11:0} {sa.MinNs / sb.MinNs,14:0.00}×");
        }
    }

    private struct Forced(ConvGeometry g) : IOperation
    {
        public bool Direct;
        private readonly float[] _a = new float[g.InputSize], _w = new float[g.WeightCount], _b = new float[g.Filters];
        private readonly float[] _z = new float[g.OutputSize], _scratch = new float[Kernels.ImplicitForwardLength(g)];

        public void Invoke()
        {
            if (Direct) Kernels.Conv2DForwardDirect(_a, _w, _b, _z, 1, g);
            else Kernels.Conv2DForwardImplicit(ref _a[0], ref _w[0], ref _b[0], ref _z[0], 1, g, _scratch);
        }
    }
}
