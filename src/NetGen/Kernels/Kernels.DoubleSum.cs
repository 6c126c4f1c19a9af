using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen;

public static partial class Kernels
{
    /// <summary>
    /// Σ of float vectors kept in double: each vector's lanes are folded to four in float (<see
    /// cref="IVector{TSelf}.Fold128"/>, at most four terms per partial sum), then widened and added in double. The cost
    /// kernels compute their terms in float SIMD and sum them here, so that the error of a sum of thousands of terms
    /// stays that of its terms, not of its length.
    /// </summary>
    internal struct DoubleSum
    {
        private Vector128<double> _low, _high;

        /// <summary>Adds every lane of <paramref name="v"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add<TVec>(TVec v) where TVec : struct, IVector<TVec>
        {
            (Vector128<double> low, Vector128<double> high) = Vector128.Widen(TVec.Fold128(v));
            _low += low;
            _high += high;
        }

        /// <summary>The sum of everything added.</summary>
        public readonly double Total => Vector128.Sum(_low + _high);
    }
}
