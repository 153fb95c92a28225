namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// Stored names that listings skipped because they do not decrypt: counted once each, with the
/// last few kept for <c>dropboxfs status</c>. Thread-safe.
/// </summary>
public sealed class UndecryptableNames
{
    // 5 names: enough to spot a pattern ("conflicted copy") without flooding the status output.
    private const int RecentCount = 5;

    private readonly object _lock = new();
    private readonly HashSet<(ulong Folder, string Name)> _seen = [];
    private readonly Queue<string> _recent = new();

    /// <summary>Distinct stored entries skipped so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>The last few stored names skipped, oldest first.</summary>
    public IReadOnlyList<string> Recent
    {
        get
        {
            lock (_lock)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Records a skipped entry; true the first time (so the caller logs it once).</summary>
    public bool Add(ulong folder, string storedName)
    {
        lock (_lock)
        {
            if (!_seen.Add((folder, storedName)))
            {
                return false;
            }

            _recent.Enqueue(storedName);
            if (_recent.Count > RecentCount)
            {
                _recent.Dequeue();
            }

            return true;
        }
    }
}
