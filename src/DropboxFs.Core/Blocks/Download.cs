namespace DropboxFs.Core.Blocks;

/// <summary>
/// One ranged download in flight for a cached version, [Start, End). Every reader that needs part
/// of it waits on it instead of starting its own request. State is guarded by the version's gate.
/// </summary>
internal sealed class Download(long start, long end)
{
    private readonly List<(long Position, TaskCompletionSource Signal)> _waiters = [];

    public long Start { get; } = start;

    public long End { get; } = end;

    /// <summary>Bytes [Start, WrittenTo) are on disk and in the present set.</summary>
    public long WrittenTo { get; private set; } = start;

    public bool Finished { get; private set; }

    /// <summary>The running download (never faults); release waits for it before closing the file.</summary>
    public Task Task { get; set; } = Task.CompletedTask;

    public Exception? Error { get; private set; }

    public bool Overlaps(long start, long end) => Start < end && start < End;

    /// <summary>Caller holds the version gate. Null when already reached.</summary>
    public Task? WaitForLocked(long position)
    {
        if (Finished || WrittenTo >= Math.Min(position, End))
        {
            return null;
        }

        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((position, signal));
        return signal.Task;
    }

    /// <summary>Caller holds the version gate.</summary>
    public void AdvanceLocked(long writtenTo)
    {
        WrittenTo = writtenTo;
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Position <= writtenTo)
            {
                _waiters[i].Signal.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>Caller holds the version gate. Waiters wake and re-check the present set.</summary>
    public void FinishLocked(Exception? error)
    {
        Finished = true;
        Error = error;
        foreach (var (_, signal) in _waiters)
        {
            signal.TrySetResult();
        }

        _waiters.Clear();
    }
}

/// <summary>Raised to waiters of a download that could not get cache space; they read uncached instead.</summary>
internal sealed class CacheFullException() : Exception("block cache is full of open files");
