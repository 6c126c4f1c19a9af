using System;
using Google.Protobuf;
using Onnx;

namespace NetGen.Benchmarks;

/// <summary>
/// Builds, in memory with OnnxSharp's protobuf classes, the ONNX model of a dense network from the generated
/// network's parameter block: per layer one <c>Gemm</c> (Z = A·Wᵀ + b, transB = 1, so W keeps the generated
/// (n[l], n[l-1]) row-major layout) and its activation node (<c>Relu</c>, <c>Sigmoid</c>, <c>Tanh</c>,
/// <c>Softmax</c> over the last axis; none for linear). Input "X" is batch × n[0], output "Y" is batch × n[L];
/// the batch is a fixed dimension, so that ONNX Runtime can plan every buffer ahead.
/// </summary>
public static class OnnxModels
{
    public const string InputName = "X";
    public const string OutputName = "Y";
    private const int Float = (int)TensorProto.Types.DataType.Float;

    public static byte[] Build(LayerSpec[] layers, ReadOnlySpan<float> parameters, int batch, string name)
    {
        var graph = new GraphProto { Name = name };
        graph.Input.Add(TensorInfo(InputName, batch, layers[0].Inputs));
        graph.Output.Add(TensorInfo(OutputName, batch, layers[^1].Units));

        string previous = InputName;
        int offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            LayerSpec layer = layers[l];
            int n = l + 1;
            bool last = l == layers.Length - 1;
            string W = $"W{n}", b = $"b{n}", Z = $"Z{n}";
            string A = last ? OutputName : $"A{n}";

            graph.Initializer.Add(Tensor(W, parameters.Slice(offset, layer.WeightCount), layer.Units, layer.Inputs));
            graph.Initializer.Add(Tensor(b, parameters.Slice(offset + layer.WeightCount, layer.Units), layer.Units));
            offset += layer.ParameterCount;

            string gemmOut = layer.Activation == Activation.Linear ? A : Z;
            var gemm = new NodeProto { Name = $"Gemm{n}", OpType = "Gemm", Input = { previous, W, b }, Output = { gemmOut } };
            gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            graph.Node.Add(gemm);

            if (layer.Activation != Activation.Linear)
            {
                var act = new NodeProto { Name = $"{OpType(layer.Activation)}{n}", OpType = OpType(layer.Activation), Input = { Z }, Output = { A } };
                if (layer.Activation == Activation.Softmax)
                    act.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
                graph.Node.Add(act);
            }
            previous = A;
        }
        if (offset != parameters.Length)
            throw new InvalidOperationException($"the layers use {offset} parameters, the block has {parameters.Length}");

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "NetGen.Benchmarks",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static string OpType(Activation g) => g switch
    {
        Activation.Relu => "Relu",
        Activation.Sigmoid => "Sigmoid",
        Activation.Tanh => "Tanh",
        Activation.Softmax => "Softmax",
        _ => throw new NotSupportedException($"no ONNX node for {g} in the benchmarks"),
    };

    private static ValueInfoProto TensorInfo(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Float, Shape = shape } },
        };
    }

    private static TensorProto Tensor(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values.ToArray());
        return t;
    }
}
