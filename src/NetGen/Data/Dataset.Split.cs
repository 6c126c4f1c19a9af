using System;
using System.Collections.Generic;

namespace NetGen;

public sealed partial class Dataset
{
    /// <summary>
    /// Splits the samples into training, development (hold-out) and test sets in the ratios
    /// <paramref name="train"/> : <paramref name="dev"/> : <paramref name="test"/> — the notes' 70/30/0, 60/20/20,
    /// 98/1/1 or 99.5/0.25/0.25, or any other.
    /// </summary>
    /// <param name="train">The share of the training set, ≥ 0.</param>
    /// <param name="dev">The share of the development set, ≥ 0.</param>
    /// <param name="test">The share of the test set, ≥ 0; the three shares sum to 1 (within 1e-9).</param>
    /// <param name="seed">Seeds the shuffle (<see cref="Rng"/>): the same seed gives the same split on every machine.</param>
    /// <param name="stratify">Keep the class proportions in each part: a class of m_c samples puts within one of
    /// m_c·ratio of them in each part (the class of a sample is <see cref="ClassOf"/>: the largest output, or output &gt; 0.5).</param>
    /// <returns>
    /// Three new data sets, disjoint and together holding every sample once, each in shuffled order. Each part has
    /// within one of m·ratio samples: the counts are rounded by largest remainder, so they sum to m.
    /// </returns>
    /// <exception cref="ArgumentException">A ratio is negative or not finite, or the ratios do not sum to 1.</exception>
    public (Dataset Train, Dataset Dev, Dataset Test) Split(double train, double dev, double test, ulong seed, bool stratify = false)
    {
        double[] ratios = [train, dev, test];
        string[] names = [nameof(train), nameof(dev), nameof(test)];
        for (int p = 0; p < 3; p++)
            if (!double.IsFinite(ratios[p]) || ratios[p] < 0)
                throw new ArgumentException($"the ratios must be ≥ 0, but {names[p]} = {ratios[p]}.", names[p]);
        double sum = train + dev + test;
        if (Math.Abs(sum - 1.0) > 1e-9)
            throw new ArgumentException($"the ratios must sum to 1, but {train} + {dev} + {test} = {sum}.", nameof(train));
        for (int p = 0; p < 3; p++)
            ratios[p] /= sum;

        int m = Count;
        var order = new int[m];
        for (int i = 0; i < m; i++)
            order[i] = i;
        var rng = new Rng(seed);
        for (int i = m - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        // part[i]: which set sample i goes to.
        var part = new byte[m];
        int[] totals = LargestRemainder(m, ratios);
        if (!stratify)
        {
            for (int k = 0, p = 0, filled = 0; k < m; k++)
            {
                while (filled == totals[p])
                {
                    p++;
                    filled = 0;
                }
                part[order[k]] = (byte)p;
                filled++;
            }
        }
        else
        {
            StratifiedParts(order, ratios, totals, part);
        }

        var sizes = new int[3];
        foreach (byte p in part)
            sizes[p]++;
        var indices = new int[][] { new int[sizes[0]], new int[sizes[1]], new int[sizes[2]] };
        var next = new int[3];
        foreach (int i in order)
        {
            int p = part[i];
            indices[p][next[p]++] = i;
        }
        return (Gather(indices[0]), Gather(indices[1]), Gather(indices[2]));
    }

    /// <summary>Counts n_p with Σ n_p = <paramref name="m"/> and each n_p the floor or the ceiling of m·ratio_p (Hamilton's method).</summary>
    private static int[] LargestRemainder(int m, ReadOnlySpan<double> ratios)
    {
        var counts = new int[ratios.Length];
        var remainders = new double[ratios.Length];
        int assigned = 0;
        for (int p = 0; p < ratios.Length; p++)
        {
            double exact = Snap(m * ratios[p]);
            counts[p] = (int)Math.Floor(exact);
            remainders[p] = exact - counts[p];
            assigned += counts[p];
        }
        for (int left = m - assigned; left > 0; left--)
        {
            int best = -1;
            for (int p = 0; p < ratios.Length; p++)
                if (remainders[p] > 0 && (best < 0 || remainders[p] > remainders[best]))
                    best = p;
            if (best < 0) // only by rounding error: the remainders summed to less than what is left
                best = 0;
            counts[best]++;
            remainders[best] = 0;
        }
        return counts;
    }

    /// <summary>m·ratio without its rounding noise: 1 000 000 × 0.995 is 995 000, not 994 999.9999999999.</summary>
    private static double Snap(double value)
    {
        double nearest = Math.Round(value);
        return Math.Abs(value - nearest) <= 1e-9 * Math.Max(1.0, Math.Abs(value)) ? nearest : value;
    }

    /// <summary>
    /// Assigns each sample to a part so that every class c puts floor or ceiling of m_c·ratio_p samples in part p and
    /// every part p gets exactly <paramref name="totals"/>[p] (a controlled rounding of the table m_c·ratio_p, found as a
    /// small flow: the classes' rounded-up cells must add up to each part's own rounding). Within a class, samples are
    /// taken in shuffled order.
    /// </summary>
    private void StratifiedParts(int[] order, double[] ratios, int[] totals, byte[] part)
    {
        // Classes, numbered densely in order of first appearance in the shuffle.
        var classOf = new int[Count];
        var classIndex = new Dictionary<int, int>();
        var classSizes = new List<int>();
        for (int i = 0; i < Count; i++)
        {
            int label = ClassOf(i);
            if (!classIndex.TryGetValue(label, out int c))
            {
                c = classSizes.Count;
                classIndex.Add(label, c);
                classSizes.Add(0);
            }
            classOf[i] = c;
            classSizes[c]++;
        }
        int k = classSizes.Count;

        // floor[c, p] and the cells that may round up.
        var cells = new int[k, 3];
        var canRound = new bool[k, 3];
        var need = new int[k];       // how many cells of class c must round up
        var partNeed = new int[3];   // how many rounded-up cells part p must receive
        Array.Copy(totals, partNeed, 3);
        for (int c = 0; c < k; c++)
        {
            int assigned = 0;
            for (int p = 0; p < 3; p++)
            {
                double exact = Snap(classSizes[c] * ratios[p]);
                cells[c, p] = (int)Math.Floor(exact);
                canRound[c, p] = exact > cells[c, p];
                assigned += cells[c, p];
                partNeed[p] -= cells[c, p];
            }
            need[c] = classSizes[c] - assigned;
        }

        if (!RoundUp(cells, canRound, need, partNeed))
        {
            // The parts' own largest-remainder counts are not reachable from the class cells; any counts within one
            // of m·ratio are (the fractional table is a feasible flow), so try the others, nearest first.
            bool done = false;
            for (int mask = 0; mask < 8 && !done; mask++)
            {
                var alternative = new int[3];
                int sum = 0;
                for (int p = 0; p < 3; p++)
                {
                    double exact = Snap(Count * ratios[p]);
                    alternative[p] = (mask & (1 << p)) != 0 ? (int)Math.Ceiling(exact) : (int)Math.Floor(exact);
                    sum += alternative[p];
                }
                if (sum != Count)
                    continue;
                for (int c = 0; c < k; c++)
                    for (int p = 0; p < 3; p++)
                        alternative[p] -= cells[c, p];
                done = RoundUp(cells, canRound, need, alternative);
            }
            if (!done)
                throw new InvalidOperationException("no stratified rounding found; this is a bug in Dataset.Split.");
        }

        var filled = new int[k, 3];
        var current = new int[k];
        foreach (int i in order)
        {
            int c = classOf[i];
            while (filled[c, current[c]] == cells[c, current[c]])
                current[c]++;
            part[i] = (byte)current[c];
            filled[c, current[c]]++;
        }
    }

    /// <summary>
    /// Picks, for each class c, <paramref name="need"/>[c] of its cells that may round up, so that part p receives
    /// exactly <paramref name="partNeed"/>[p] of them (augmenting paths on the class–part graph); adds them to
    /// <paramref name="cells"/> on success and leaves it unchanged otherwise.
    /// </summary>
    private static bool RoundUp(int[,] cells, bool[,] canRound, int[] need, int[] partNeed)
    {
        int k = need.Length;
        int total = 0;
        foreach (int n in need)
            total += n;
        int partTotal = 0;
        foreach (int n in partNeed)
        {
            if (n < 0)
                return false;
            partTotal += n;
        }
        if (total != partTotal)
            return false;

        var chosen = new bool[k, 3];
        var classLeft = (int[])need.Clone();
        var partLeft = (int[])partNeed.Clone();
        for (int unit = 0; unit < total; unit++)
        {
            // Breadth-first search from classes with room to parts with room, alternating along unchosen
            // (class → part) and chosen (part → class) cells.
            var previousClass = new int[3];
            var reachedPart = new bool[3];
            var reachedClass = new bool[k];
            var previousPart = new int[k];
            var queue = new Queue<int>();
            for (int c = 0; c < k; c++)
                if (classLeft[c] > 0)
                {
                    reachedClass[c] = true;
                    previousPart[c] = -1;
                    queue.Enqueue(c);
                }
            int end = -1;
            while (queue.Count > 0 && end < 0)
            {
                int c = queue.Dequeue();
                for (int p = 0; p < 3 && end < 0; p++)
                {
                    if (reachedPart[p] || !canRound[c, p] || chosen[c, p])
                        continue;
                    reachedPart[p] = true;
                    previousClass[p] = c;
                    if (partLeft[p] > 0)
                    {
                        end = p;
                        break;
                    }
                    for (int c2 = 0; c2 < k; c2++)
                        if (!reachedClass[c2] && chosen[c2, p])
                        {
                            reachedClass[c2] = true;
                            previousPart[c2] = p;
                            queue.Enqueue(c2);
                        }
                }
            }
            if (end < 0)
                return false;
            partLeft[end]--;
            for (int p = end; ;)
            {
                int c = previousClass[p];
                chosen[c, p] = true;
                int back = previousPart[c];
                if (back < 0)
                {
                    classLeft[c]--;
                    break;
                }
                chosen[c, back] = false;
                p = back;
            }
        }
        for (int c = 0; c < k; c++)
            for (int p = 0; p < 3; p++)
                if (chosen[c, p])
                    cells[c, p]++;
        return true;
    }
}
