using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen;

/// <summary>How <see cref="Trainer.Fit"/> runs the work between its steps.</summary>
internal enum FitOverlap
{
    /// <summary>Everything on the calling thread, in order.</summary>
    Sequential,

    /// <summary>The next epoch is prepared on a thread-pool thread while the calling thread computes the epoch's costs;
    /// if no pool thread has started it by the time it is needed, the calling thread runs it itself.</summary>
    Overlapped,

    /// <summary>As <see cref="Overlapped"/>, but the calling thread always waits for the pool thread (tests: proves
    /// the work done on the other thread gives the same run).</summary>
    HelperOnly,
}

/// <summary>
/// The mini-batches of a <see cref="Trainer.Fit"/> run: the samples' order of each epoch (shuffled with the run's
/// seeded generator), the rows of each batch gathered from the training set, and their augmentation (for a full batch,
/// only the augmentation of the whole set). The first batch of
/// an epoch is prepared ahead, with the order, into buffers of its own (<see cref="Prepare"/>), so that the preparation
/// can run on another thread while the calling thread computes the previous epoch's costs; it also scans the parameters
/// for a non-finite value, which those costs do not change. Every buffer is allocated once, here; a preparation
/// allocates nothing and queues this object itself (an <see cref="IThreadPoolWorkItem"/>), so an epoch allocates
/// nothing either.
/// </summary>
/// <remarks>
/// The preparation reads the generators in the order the sequential loop does (shuffle, then the augmentation of the
/// first batch), so a run is the same, bit for bit, whichever thread prepares. Only one thread touches the generators,
/// the augmentation and the buffers at a time: the calling thread hands them over in <see cref="Post"/> and takes them
/// back in <see cref="Wait"/>, and the state's interlocked transitions order the memory between the two.
/// </remarks>
internal sealed class EpochPreparation : IThreadPoolWorkItem
{
    private const int Idle = 0, Queued = 1, Running = 2, Done = 3;

    private readonly INetwork _net;
    private readonly Dataset _train;
    private readonly Dataset? _dev;
    private readonly Augmentation? _augment;
    private readonly bool _shuffle;
    private readonly int _batch, _n0, _nL;
    private readonly bool _helperOnly;
    // Full batch (with augmentation): no order, no gather; the whole set is augmented straight from the data.
    private readonly bool _direct;

    // Double-buffered order: the epoch's (read by the steps) and the next one's (written by the preparation).
    private int[] _order, _nextOrder;
    private Rng _rng, _augmentRng;

    // The first batch of the next epoch, and the buffers of the other batches.
    private readonly float[] _firstX, _firstY, _firstAugmented;
    private readonly float[] _batchX, _batchY, _augmented;

    private int _state;
    private readonly ManualResetEventSlim _done = new(false);
    private ExceptionDispatchInfo? _error, _devError;
    private int _firstNonFinite;
    private bool _scanned;
    // What the posted work includes besides the scan: the next epoch's preparation, the dev cost.
    private bool _prepare, _devAside;
    private double _devCost;

    /// <summary>Posts that a pool thread ran (not those the calling thread took back): the tests' proof that the
    /// overlap happened.</summary>
    internal int RunOnHelper;

    internal EpochPreparation(INetwork net, Dataset train, Dataset? dev, int batch, bool shuffle, ulong seed,
        Augmentation? augment, bool helperOnly)
    {
        _net = net;
        _train = train;
        _dev = dev;
        _batch = batch;
        _augment = augment;
        _helperOnly = helperOnly;
        _n0 = net.InputSize;
        _nL = net.OutputSize;
        int m = train.Count;
        _direct = batch >= m;
        _shuffle = shuffle && !_direct; // a full batch is never shuffled: the order does not change its gradient
        _rng = new Rng(seed);
        _augmentRng = new Rng(seed ^ 0xA5A5_5A5A_C3C3_3C3CUL); // its own stream: shuffles stay as without it
        if (_direct)
        {
            _order = _nextOrder = [];
            _firstX = _firstY = _batchX = _batchY = _augmented = [];
            _firstAugmented = augment is null ? [] : new float[m * _n0];
            return;
        }
        _order = new int[m];
        _nextOrder = new int[m];
        for (int i = 0; i < m; i++) _order[i] = _nextOrder[i] = i;
        _firstX = new float[batch * _n0];
        _firstY = new float[batch * _nL];
        _batchX = new float[batch * _n0];
        _batchY = new float[batch * _nL];
        _firstAugmented = augment is null ? [] : new float[batch * _n0];
        _augmented = augment is null ? [] : new float[batch * _n0];
    }

    /// <summary>Prepares the next epoch on the calling thread: its order, its first batch.</summary>
    internal void Prepare()
    {
        _error = null;
        Run(scan: false, prepare: true, devCost: false);
    }

    /// <summary>Hands the scan of the parameters to a pool thread, with the next epoch's preparation when
    /// <paramref name="prepare"/> and the dev cost when <paramref name="devCost"/> (the network's <c>Cost</c> must then
    /// be safe beside the calling thread's: <see cref="IConcurrentCost"/>). The parameters must not change until
    /// <see cref="Wait"/>.</summary>
    internal void Post(bool prepare, bool devCost)
    {
        _done.Reset();
        _error = _devError = null;
        _scanned = false;
        _prepare = prepare;
        _devAside = devCost;
        Volatile.Write(ref _state, Queued);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Waits for the posted work (running it here if no pool thread has started it) and returns the index of
    /// the first non-finite parameter, or −1.</summary>
    internal int Wait()
    {
        if (!_helperOnly && Interlocked.CompareExchange(ref _state, Running, Queued) == Queued)
        {
            Run(scan: true, _prepare, _devAside);
            Volatile.Write(ref _state, Done);
        }
        else
            _done.Wait(); // set by the pool thread as the last thing it does: its writes are all visible
        // A failed run may not have scanned: scan here (its failure surfaces where the sequential loop would meet it).
        return _scanned ? _firstNonFinite : Dataset.FirstNonFinite(_net.Parameters);
    }

    /// <summary>The dev cost the posted work computed, after <see cref="Wait"/>; throws what that <c>Cost</c>
    /// threw, where the sequential loop would have.</summary>
    internal double DevCost()
    {
        if (_devError is { } error)
        {
            _devError = null;
            error.Throw();
        }
        return _devCost;
    }

    /// <summary>Makes sure no thread works on the buffers or reads the parameters any more: a preparation not started
    /// is dropped, one running is waited for. Called on every way out of the run.</summary>
    internal void Quiesce()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Queued) == Queued)
            return;
        // Running here is a pool thread's run (the calling thread's own runs end in Done before it returns).
        if (Volatile.Read(ref _state) == Running)
            _done.Wait();
    }

    /// <summary>Starts the prepared epoch: its order becomes the one the steps read. Throws what the preparation threw.</summary>
    internal void BeginEpoch()
    {
        if (_error is { } error)
        {
            _error = null;
            error.Throw();
        }
        (_order, _nextOrder) = (_nextOrder, _order);
    }

    /// <summary>The inputs and targets of the step over samples [start, start + size) of the epoch's order: the prepared
    /// first batch, or the rows gathered (and augmented) now.</summary>
    internal void Batch(int start, int size, out ReadOnlySpan<float> stepX, out ReadOnlySpan<float> stepY)
    {
        if (_direct)
        {
            stepX = _augment is null ? _train.X : _firstAugmented;
            stepY = _train.Y;
            return;
        }
        if (start == 0)
        {
            stepX = (_augment is null ? _firstX : _firstAugmented).AsSpan(0, size * _n0);
            stepY = _firstY.AsSpan(0, size * _nL);
            return;
        }
        Fill(_order.AsSpan(start, size), _batchX, _batchY, _augmented);
        stepX = (_augment is null ? _batchX : _augmented).AsSpan(0, size * _n0);
        stepY = _batchY.AsSpan(0, size * _nL);
    }

    void IThreadPoolWorkItem.Execute()
    {
        // A stale item (the calling thread took its work back, or the run ended) finds nothing queued.
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
            return;
        Run(scan: true, _prepare, _devAside);
        RunOnHelper++;
        // The state stays Running: only the calling thread moves it on (Post), after it has seen the event, so a late
        // write here could never land on the next post's state.
        _done.Set();
    }

    private void Run(bool scan, bool prepare, bool devCost)
    {
        if (scan)
        {
            _firstNonFinite = Dataset.FirstNonFinite(_net.Parameters);
            _scanned = true;
        }
        if (devCost)
        {
            try
            {
                _devCost = _net.Cost(_dev!.X, _dev.Y, _dev.Count);
            }
            catch (Exception e)
            {
                _devError = ExceptionDispatchInfo.Capture(e);
            }
        }
        if (!prepare)
            return;
        try
        {
            if (_shuffle)
            {
                // Fisher–Yates on a copy of the current order: what shuffling it in place would give.
                int[] next = _nextOrder;
                _order.AsSpan().CopyTo(next);
                for (int i = next.Length - 1; i > 0; i--)
                {
                    int j = _rng.NextInt(i + 1);
                    (next[i], next[j]) = (next[j], next[i]);
                }
            }
            if (_direct)
                _augment?.Apply(_train.X, _firstAugmented, _train.Count, ref _augmentRng);
            else
                Fill(_nextOrder.AsSpan(0, Math.Min(_batch, _nextOrder.Length)), _firstX, _firstY, _firstAugmented);
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>Gathers the rows <paramref name="rows"/> and augments their inputs when the run augments.</summary>
    private void Fill(ReadOnlySpan<int> rows, float[] x, float[] y, float[] augmented)
    {
        int size = rows.Length;
        Gather(_train.X, rows, _n0, x);
        Gather(_train.Y, rows, _nL, y);
        _augment?.Apply(x.AsSpan(0, size * _n0), augmented.AsSpan(0, size * _n0), size, ref _augmentRng);
    }

    /// <summary>Copies the rows <paramref name="rows"/> of a matrix with <paramref name="width"/> columns into
    /// <paramref name="destination"/>.</summary>
    internal static void Gather(ReadOnlySpan<float> source, ReadOnlySpan<int> rows, int width, Span<float> destination)
    {
        for (int r = 0; r < rows.Length; r++)
            source.Slice(rows[r] * width, width).CopyTo(destination.Slice(r * width, width));
    }
}
