using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen;

/// <summary>How <see cref="Trainer.Fit"/> runs the work around its steps.</summary>
internal enum FitOverlap
{
    /// <summary>Everything on the calling thread, in order.</summary>
    Sequential,

    /// <summary>The next epoch is prepared on a thread-pool thread while the calling thread trains; if no pool thread
    /// has started it by the time it is needed, the calling thread runs it itself.</summary>
    Overlapped,

    /// <summary>As <see cref="Overlapped"/> whatever the sizes, and the calling thread always waits for the pool thread
    /// (tests: proves that the work done on the other thread gives the same run).</summary>
    HelperOnly,
}

/// <summary>
/// The batches of a <see cref="Trainer.Fit"/> run, and the work it can hand to another thread. Mini-batches: the
/// samples' order of each epoch (shuffled with the run's seeded generator) and the first batch's rows are prepared one
/// epoch ahead, into buffers of their own, while the current epoch trains; the other batches are gathered and every
/// batch is augmented when its step comes. A full batch with augmentation: the next epoch's augmented copy of the whole
/// set is drawn while the current epoch's update and costs run.
/// </summary>
/// <remarks>
/// <para>The generators are drawn from in the order of the sequential loop (each epoch's shuffle before the next;
/// each augmentation after the one before it), so a run is the same, bit for bit, whichever thread does the work.</para>
/// <para>One piece of work is out at a time. The calling thread hands it over in <see cref="Post"/> and takes it back
/// in <see cref="Wait"/>; in between it touches neither what the work writes (the next order, the first batch's or the
/// augmented buffers, the generators). The state's interlocked transitions and
/// the event order the memory between the two threads. Every buffer is allocated once, here; a post queues this object
/// itself (an <see cref="IThreadPoolWorkItem"/>), so nothing is allocated per epoch.</para>
/// </remarks>
internal sealed class EpochPreparation : IThreadPoolWorkItem
{
    private const int Idle = 0, Queued = 1, Running = 2, Done = 3;

    private readonly Dataset _train;
    private readonly Augmentation? _augment;
    private readonly bool _shuffle;
    private readonly int _batch, _n0, _nL;
    private readonly bool _helperOnly;
    // Full batch (with augmentation): no order, no gather; the whole set is augmented straight from the data.
    private readonly bool _direct;

    // Double-buffered order: the epoch's (read by the steps) and the next one's (written by the preparation).
    private int[] _order, _nextOrder;
    private Rng _rng, _augmentRng;

    // The first batch's rows, this epoch's and the next one's (prepared ahead); the other batches' rows; the augmented
    // batch a step reads. For a full batch: the augmented set of this epoch and of the next one.
    private float[] _firstX, _firstY, _nextFirstX, _nextFirstY;
    private readonly float[] _batchX, _batchY;
    private float[] _augmented, _nextAugmented;

    private int _state;
    private readonly ManualResetEventSlim _done = new(false);
    private bool _pending;
    private ExceptionDispatchInfo? _error;

    /// <summary>Pieces of work a pool thread ran (not those the calling thread took back): the tests' proof that the
    /// overlap happened.</summary>
    internal int RunOnHelper;

    internal EpochPreparation(INetwork net, Dataset train, int batch, bool shuffle, ulong seed,
        Augmentation? augment, bool helperOnly)
    {
        _train = train;
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
            _firstX = _firstY = _nextFirstX = _nextFirstY = _batchX = _batchY = [];
            _augmented = augment is null ? [] : new float[m * _n0];
            _nextAugmented = augment is null ? [] : new float[m * _n0];
            return;
        }
        _order = new int[m];
        _nextOrder = new int[m];
        for (int i = 0; i < m; i++) _order[i] = _nextOrder[i] = i;
        _firstX = new float[batch * _n0];
        _firstY = new float[batch * _nL];
        _nextFirstX = new float[batch * _n0];
        _nextFirstY = new float[batch * _nL];
        _batchX = new float[batch * _n0];
        _batchY = new float[batch * _nL];
        _augmented = augment is null ? [] : new float[batch * _n0];
        _nextAugmented = [];
    }

    /// <summary>Prepares the next epoch on the calling thread.</summary>
    internal void Prepare() => Run();

    /// <summary>Hands the next epoch's preparation to a pool thread. Until <see cref="Wait"/>, the calling thread leaves
    /// alone what that work writes.</summary>
    internal void Post()
    {
        _done.Reset();
        _pending = true;
        Volatile.Write(ref _state, Queued);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Waits for the posted work, if any (running it here if no pool thread has started it).</summary>
    /// <returns>False when the calling thread had to wait for a pool thread still at the work.</returns>
    internal bool Wait()
    {
        if (!_pending)
            return true;
        _pending = false;
        if (!_helperOnly && Interlocked.CompareExchange(ref _state, Running, Queued) == Queued)
        {
            Run();
            Volatile.Write(ref _state, Done);
            return true;
        }
        bool finished = _done.IsSet;
        _done.Wait(); // set by the pool thread as the last thing it does: its writes are all visible
        return finished;
    }

    /// <summary>Makes sure no other thread works for this run any more: work not started is dropped, work running is
    /// waited for. Called on every way out of the run.</summary>
    internal void Quiesce()
    {
        _pending = false;
        if (Interlocked.CompareExchange(ref _state, Idle, Queued) == Queued)
            return;
        // Running here is a pool thread's run (the calling thread's own runs end in Done before it returns).
        if (Volatile.Read(ref _state) == Running)
            _done.Wait();
    }

    /// <summary>Starts the prepared epoch (waiting for its preparation): its order becomes the one the steps read, its
    /// augmented set the one they train on. Throws what the preparation threw, where the sequential loop would have.</summary>
    /// <returns>False when the preparation was still running on a pool thread: a whole epoch was not enough for it.</returns>
    internal bool BeginEpoch()
    {
        bool ready = Wait();
        if (_error is { } error)
        {
            _error = null;
            error.Throw();
        }
        (_order, _nextOrder) = (_nextOrder, _order);
        (_firstX, _nextFirstX) = (_nextFirstX, _firstX);
        (_firstY, _nextFirstY) = (_nextFirstY, _firstY);
        if (_direct)
            (_augmented, _nextAugmented) = (_nextAugmented, _augmented);
        return ready;
    }

    /// <summary>The inputs and targets of the step over samples [start, start + size) of the epoch's order: the rows
    /// prepared ahead for the first, gathered now for the others, augmented now when the run augments.</summary>
    internal void Batch(int start, int size, out ReadOnlySpan<float> stepX, out ReadOnlySpan<float> stepY)
    {
        if (_direct)
        {
            stepX = _augment is null ? _train.X : _augmented;
            stepY = _train.Y;
            return;
        }
        float[] x = _firstX, y = _firstY;
        if (start > 0)
        {
            x = _batchX;
            y = _batchY;
            ReadOnlySpan<int> rows = _order.AsSpan(start, size);
            Gather(_train.X, rows, _n0, x);
            Gather(_train.Y, rows, _nL, y);
        }
        stepX = x.AsSpan(0, size * _n0);
        stepY = y.AsSpan(0, size * _nL);
        if (_augment is not null)
        {
            _augment.Apply(stepX, _augmented.AsSpan(0, size * _n0), size, ref _augmentRng);
            stepX = _augmented.AsSpan(0, size * _n0);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        // A stale item (the calling thread took its work back, or the run ended) finds nothing queued.
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
            return;
        Run();
        RunOnHelper++;
        // The state stays Running: only the calling thread moves it on (Post), after it has seen the event, so a late
        // write here could never land on the next post's state.
        _done.Set();
    }

    private void Run()
    {
        try
        {
            if (_direct)
            {
                // The epoch before has drawn its augmentation already: this one comes next in the stream.
                _augment!.Apply(_train.X, _nextAugmented, _train.Count, ref _augmentRng);
                return;
            }
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
            ReadOnlySpan<int> rows = _nextOrder.AsSpan(0, Math.Min(_batch, _nextOrder.Length));
            Gather(_train.X, rows, _n0, _nextFirstX);
            Gather(_train.Y, rows, _nL, _nextFirstY);
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>Copies the rows <paramref name="rows"/> of a matrix with <paramref name="width"/> columns into
    /// <paramref name="destination"/>.</summary>
    internal static void Gather(ReadOnlySpan<float> source, ReadOnlySpan<int> rows, int width, Span<float> destination)
    {
        for (int r = 0; r < rows.Length; r++)
            source.Slice(rows[r] * width, width).CopyTo(destination.Slice(r * width, width));
    }
}
