using System;
using System.Runtime.CompilerServices;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Z = W ⋆ A + b for stride 1 as <see cref="ImplicitProduct"/>, sample by sample: Z'[s] (filters × count) =
    /// W (filters × c_in·kh·kw) · shifted views of A[s] padded (<see cref="ConvGrid"/>), then the output columns of Z'
    /// into Z[s] (Z'[s] is Z[s] itself when ow = the padded width). Scratch: the padded copy of one sample (none when
    /// A needs no padding) and Z' of one sample. Needs stride 1 and at least two vectors of
    /// <see cref="ImplicitWidth"/> in <see cref="ConvGrid.Count"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Conv2DForwardImplicit(ref float a0, ref float w0, ref float b0, ref float z0, int samples,
        in ConvGeometry g, Span<float> scratch)
    {
        ConvGrid grid = ForwardGrid(g);
        int padded = grid.PaddedLength(g.InChannels);
        ref float xp = ref Ref(scratch);
        ref float product = ref Unsafe.Add(ref xp, padded);
        // The padding is written once: each sample's copy overwrites the same interior.
        if (padded > 0) scratch.Slice(0, padded).Clear();
        for (int s = 0; s < samples; s++)
        {
            ref float aS = ref Unsafe.Add(ref a0, (nint)s * g.InputSize);
            ref float zS = ref Unsafe.Add(ref z0, (nint)s * g.OutputSize);
            if (!grid.Alias) CopyIntoGrid(ref aS, ref xp, g.InChannels, g.InHeight, g.InWidth, grid);
            ref float x = ref grid.Alias ? ref aS : ref xp;
            ref float target = ref grid.Direct ? ref zS : ref product;
            ImplicitProduct(ref x, grid.Plane, grid.Width, ref w0, ref b0, true, ref target, g.Filters, g.InChannels,
                g.KernelHeight, g.KernelWidth, grid.Count);
            if (!grid.Direct) CopyFromGrid(ref product, ref zS, g.Filters, g.OutHeight, g.OutWidth, grid);
        }
    }
}
