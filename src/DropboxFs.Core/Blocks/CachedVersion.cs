using Microsoft.Win32.SafeHandles;

namespace DropboxFs.Core.Blocks;

/// <summary>
/// One file version in the block cache while at least one handle has it open: its sparse cache
/// file, the ranges present, and the downloads in flight. <see cref="Gate"/> guards Present and
/// InFlight; it is never held across I/O.
/// </summary>
/// <param name="Key">Version key (content hash or id@rev).</param>
/// <param name="RemotePath">The Dropbox path to download from ("rev:…"); the source pins <paramref name="Rev"/>.</param>
internal sealed record CachedVersion(string Key, long Size, string FileName, string FilePath, string RemotePath, string? Rev, string? ContentHash, RangeSet Present)
{
    internal object Gate { get; } = new();

    internal List<Download> InFlight { get; } = [];

    internal SafeFileHandle? Handle { get; set; }

    /// <summary>
    /// One download writes to the cache file at a time. The kernel serializes buffered writes to one
    /// file on its inode lock anyway (ext4: i_rwsem held for the whole write), and its waiters spin
    /// on the owner: with 4 downloads per file on a loaded 2-core machine that spin was ~7% of our CPU.
    /// </summary>
    internal SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Guarded by the cache's version lock.</summary>
    internal int RefCount { get; set; }

    /// <summary>A newer rev replaced this one remotely: delete at the last release.</summary>
    internal bool Obsolete { get; set; }

    /// <summary>Cancelled at the last release: stops this version's downloads before its file closes.</summary>
    internal CancellationTokenSource Lifetime { get; } = new();

    /// <summary>
    /// The read-ahead state of the handle that last read this version sequentially, and where it read
    /// (guarded by <see cref="Gate"/>): a finishing download starts the next pieces from it at once,
    /// instead of waiting for the next READ (at 20 ms latency that wait idled the pipe).
    /// </summary>
    internal ReadAheadPolicy? Stream { get; set; }

    internal long StreamPosition { get; set; }

    /// <summary>Present bytes not yet written to the block_files row.</summary>
    internal bool Dirty { get; set; }

    /// <summary>When the present ranges were last written to block_files (unix ms).</summary>
    internal long PersistedAt { get; set; }

    // Identity, not value: two opens of the same key share one instance, never compare equal by fields.
    public bool Equals(CachedVersion? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
