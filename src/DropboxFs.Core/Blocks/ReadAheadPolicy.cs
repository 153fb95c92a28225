namespace DropboxFs.Core.Blocks;

/// <summary>
/// Per open handle: how far past a read to fetch. A read that continues where the previous one
/// ended (within a small tolerance, since the kernel issues async reads slightly out of order)
/// doubles the span; anything else falls back to the random span.
/// </summary>
internal sealed class ReadAheadPolicy
{
    /// <summary>1 MiB: a random read pays one round trip for a useful amount of data, not more.</summary>
    public const long RandomSpan = 1L << 20;

    /// <summary>64 MiB: beyond this, read-ahead costs more cache than the latency it hides.</summary>
    public const long MaxSpan = 64L << 20;

    /// <summary>4 ranged downloads in flight per file keep a fat pipe full without hogging the server.</summary>
    public const int MaxDownloadsInFlight = 4;

    // 4 MiB: the kernel keeps up to max_background async reads of ≤1 MiB in flight, which may arrive reordered.
    private const long SequentialTolerance = 4L << 20;

    private readonly object _gate = new();
    private long _nextExpected = -1;
    private long _span = RandomSpan;

    public long Span => _span;

    /// <summary>The last read continued the one before it.</summary>
    public bool IsSequential { get; private set; }

    /// <summary>Records a read of [offset, offset+count) and returns the window [offset, end) to have present.</summary>
    public (long Start, long End) OnRead(long offset, int count, long fileSize)
    {
        lock (_gate)
        {
            // Behind the stream by up to a span still counts: with 4 reader threads on a busy machine one
            // READ can be answered after others that came later (measured at 20 ms latency: a late READ
            // 4+ MiB behind reset the span to 1 MiB and left one 8 MiB download in flight for ~300 ms).
            var behind = Math.Max(SequentialTolerance, _span);
            var sequential = _nextExpected >= 0 && offset >= _nextExpected - behind && offset <= _nextExpected + SequentialTolerance;
            IsSequential = sequential;
            _span = sequential ? Math.Min(_span * 2, MaxSpan) : offset == 0 ? RandomSpan * 2 : RandomSpan;
            _nextExpected = Math.Max(sequential ? _nextExpected : 0, offset + count);
            // A sequential reader keeps two spans ahead: one it is reading into and one in flight, so a
            // finished download is replaced at once (4 × 16 MiB in flight hide 20 ms of latency at ~2 GB/s).
            var reach = sequential ? 2 * _span : _span;
            var end = Math.Min(fileSize, Math.Max(offset + count, offset + reach));
            return (offset, end);
        }
    }

    /// <summary>Size of each ranged download when filling a window: a quarter of the span, at least 1 MiB.</summary>
    public long PieceSize => Math.Max(RandomSpan, _span / MaxDownloadsInFlight);
}
