using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Blocks;

/// <summary>
/// On-disk cache of file contents: one sparse file per version plus its present ranges (persisted in
/// block_files). A hard byte cap is enforced when a download reserves space; least-recently-used
/// versions that no handle has open are evicted to make room.
/// </summary>
/// <remarks>
/// Lock order: _budgetLock (async) → _versionsLock (async) → CachedVersion.Gate (monitor). Nothing that
/// holds _versionsLock waits for _budgetLock.
/// Downloads take only CachedVersion.Gate, briefly, per chunk.
/// </remarks>
internal sealed partial class BlockCache : IAsyncDisposable
{
    private readonly string _directory;
    private readonly BlockFileTable _table;
    private readonly IBlockSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _versionsLock = new(1, 1);
    private readonly SemaphoreSlim _budgetLock = new(1, 1);
    private readonly Dictionary<string, CachedVersion> _open = new(StringComparer.Ordinal);

    // 16 downloads at once across all files: with 1 MiB buffers that bounds download memory to 16 MiB.
    private readonly SemaphoreSlim _downloadSlots = new(16, 16);
    private readonly CancellationTokenSource _disposing = new();
    private long _usedBytes;
    private long _reservedBytes;
    private long _hits;
    private long _misses;
    private long _evictions;

    public BlockCache(string directory, BlockFileTable table, IBlockSource source, long capacityBytes, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _table = table;
        _source = source;
        _time = time;
        _logger = logger;
        CapacityBytes = capacityBytes;
        Directory.CreateDirectory(directory);
        _usedBytes = table.TotalBytes();
    }

    public long CapacityBytes { get; }

    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Every byte of a non-empty version is in its cache file (nothing left to download).</summary>
    public static bool IsComplete(CachedVersion version)
    {
        lock (version.Gate)
        {
            return version.Size > 0 && version.Handle is not null && version.Present.Contains(0, version.Size);
        }
    }

    /// <summary>Opens (or shares) the cached copy of one file version; pair with <see cref="ReleaseAsync"/>.</summary>
    public async ValueTask<CachedVersion> AcquireAsync(string key, long size, string remotePath, string? rev, string? contentHash)
    {
        await _versionsLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_open.TryGetValue(key, out var open))
            {
                open.RefCount++;
                return open;
            }

            var fileName = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16)) + ".blk";
            var path = System.IO.Path.Combine(_directory, fileName);
            var row = _table.Get(key);
            var present = row is not null && row.Size == size && File.Exists(path) ? row.Ranges : new RangeSet();
            if (row is not null && present.TotalBytes != row.Bytes)
            {
                Interlocked.Add(ref _usedBytes, present.TotalBytes - row.Bytes);
            }

            var version = new CachedVersion(key, size, fileName, path, remotePath, rev, contentHash, present) { RefCount = 1, PersistedAt = Now() };
            await _table.SaveAsync(key, fileName, size, present.Serialize(), present.TotalBytes, Now()).ConfigureAwait(false);
            if (size > 0)
            {
                // SequentialScan = POSIX_FADV_SEQUENTIAL: reads that miss the page cache (a warm file after
                // a reboot, served through READ when passthrough is unavailable) get the doubled readahead.
                version.Handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
                if (RandomAccess.GetLength(version.Handle) != size)
                {
                    RandomAccess.SetLength(version.Handle, size); // sparse: no blocks are allocated for holes
                }
            }

            _open[key] = version;
            return version;
        }
        finally
        {
            _versionsLock.Release();
        }
    }

    public async ValueTask ReleaseAsync(CachedVersion version)
    {
        await _versionsLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (--version.RefCount > 0)
            {
                return;
            }

            // Stop this version's downloads first: they write through the handle closed below. They
            // never wait on _versionsLock uncancellably, so waiting here cannot deadlock.
            await version.Lifetime.CancelAsync().ConfigureAwait(false);
            Task[] running;
            lock (version.Gate)
            {
                running = version.InFlight.Select(d => d.Task).ToArray();
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            _open.Remove(version.Key);
            version.Handle?.Dispose();
            if (version.Obsolete)
            {
                await DeleteVersionAsync(version.Key, version.FileName, version.Present.TotalBytes).ConfigureAwait(false);
                return;
            }

            await PersistAsync(version).ConfigureAwait(false);
        }
        finally
        {
            _versionsLock.Release();
        }
    }

    /// <summary>A remote change replaced this version: nobody may open it again; drop its bytes once unused.</summary>
    public async ValueTask DropAsync(string key)
    {
        await _versionsLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_open.TryGetValue(key, out var open))
            {
                open.Obsolete = true;
                return;
            }

            var row = _table.Get(key);
            if (row is not null)
            {
                await DeleteVersionAsync(key, row.FileName, row.Bytes).ConfigureAwait(false);
            }
        }
        finally
        {
            _versionsLock.Release();
        }
    }

    private async ValueTask PersistAsync(CachedVersion version)
    {
        byte[] ranges;
        long bytes;
        lock (version.Gate)
        {
            ranges = version.Present.Serialize();
            bytes = version.Present.TotalBytes;
            version.Dirty = false;
            version.PersistedAt = Now();
        }

        await _table.SaveAsync(version.Key, version.FileName, version.Size, ranges, bytes, Now()).ConfigureAwait(false);
    }

    private async ValueTask DeleteVersionAsync(string key, string fileName, long bytes)
    {
        File.Delete(System.IO.Path.Combine(_directory, fileName));
        await _table.DeleteAsync(key).ConfigureAwait(false);
        Interlocked.Add(ref _usedBytes, -bytes);
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> under the cap, evicting least-recently-used versions that
    /// are not open. False when even that cannot make room (everything cached is open).
    /// </summary>
    private async ValueTask<bool> ReserveAsync(long bytes, CancellationToken ct)
    {
        await _budgetLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var skip = 0;
            while (UsedBytes + Interlocked.Read(ref _reservedBytes) + bytes > CapacityBytes)
            {
                var batch = _table.LeastRecentlyUsed(64, skip);
                if (batch.Count == 0)
                {
                    return false;
                }

                foreach (var (key, fileName, size) in batch)
                {
                    await _versionsLock.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        if (_open.ContainsKey(key))
                        {
                            skip++;
                            continue;
                        }

                        await DeleteVersionAsync(key, fileName, size).ConfigureAwait(false);
                    }
                    finally
                    {
                        _versionsLock.Release();
                    }

                    Interlocked.Increment(ref _evictions);
                    _logger.LogDebug("Evicted cached version {Key} ({Bytes} bytes)", key, size);
                    if (UsedBytes + Interlocked.Read(ref _reservedBytes) + bytes <= CapacityBytes)
                    {
                        break;
                    }
                }
            }

            Interlocked.Add(ref _reservedBytes, bytes);
            return true;
        }
        finally
        {
            _budgetLock.Release();
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        await _versionsLock.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var version in _open.Values)
            {
                await version.Lifetime.CancelAsync().ConfigureAwait(false);
                Task[] running;
                lock (version.Gate)
                {
                    running = version.InFlight.Select(d => d.Task).ToArray();
                }

                await Task.WhenAll(running).ConfigureAwait(false);
                version.Handle?.Dispose();
                await PersistAsync(version).ConfigureAwait(false);
            }

            _open.Clear();
        }
        finally
        {
            _versionsLock.Release();
        }
    }
}
