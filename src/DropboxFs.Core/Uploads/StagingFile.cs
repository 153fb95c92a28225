using System.Buffers;
using DropboxFs.Api;
using DropboxFs.Core.Blocks;

namespace DropboxFs.Core.Uploads;

/// <summary>
/// One write generation's overlay: a sparse local file the size of the new content plus the set of
/// byte ranges present in it. Bytes of [0, <see cref="SourceLength"/>) that are not present come from
/// the source rev (filled before the upload); bytes at or past SourceLength that were never written
/// are zeros (the sparse file's holes), which is what a write past the end or an extending truncate
/// means. Thread-safe: <see cref="_lock"/> guards the ranges and lengths; the data goes through
/// positional I/O, which needs no lock.
/// </summary>
internal sealed class StagingFile : IDisposable
{
    // 1 MiB: large enough for sequential disk throughput, small enough to stay off the LOH pool's tail.
    private const int CopyBuffer = 1 << 20;

    private readonly object _lock = new();
    private readonly FileStream _stream;
    private RangeSet _ranges;
    private long _size;
    private long _sourceLength;
    private Task _writeback = Task.CompletedTask;

    private StagingFile(string path, FileStream stream, RangeSet ranges, long size, long sourceLength)
    {
        FullPath = path;
        _stream = stream;
        _ranges = ranges;
        _size = size;
        _sourceLength = sourceLength;
    }

    public string FullPath { get; }

    public long Size
    {
        get
        {
            lock (_lock)
            {
                return _size;
            }
        }
    }

    public long SourceLength
    {
        get
        {
            lock (_lock)
            {
                return _sourceLength;
            }
        }
    }

    /// <summary>Opens (creating when missing) the staging file of a job with the journal's ranges.</summary>
    public static StagingFile Open(string path, long size, long sourceLength, byte[] ranges, bool create = true)
    {
        var stream = new FileStream(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
        return new StagingFile(path, stream, RangeSet.Deserialize(ranges), size, Math.Min(sourceLength, size));
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await RandomAccess.WriteAsync(_stream.SafeFileHandle, data, offset, ct).ConfigureAwait(false);
        lock (_lock)
        {
            _ranges.Add(offset, offset + data.Length);
            _size = Math.Max(_size, offset + data.Length);
        }
    }

    /// <summary>Raw read of the staging bytes (holes read as zeros).</summary>
    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) =>
        RandomAccess.ReadAsync(_stream.SafeFileHandle, buffer, offset, ct);

    /// <summary>Sets the logical length. Shrinking drops written ranges and source bytes past it, so a
    /// later extension reads zeros, not the old data.</summary>
    public void Truncate(long size)
    {
        lock (_lock)
        {
            if (size < _size)
            {
                var clipped = new RangeSet();
                foreach (var (s, e) in _ranges.Ranges)
                {
                    if (s < size)
                    {
                        clipped.Add(s, Math.Min(e, size));
                    }
                }

                _ranges = clipped;
                _sourceLength = Math.Min(_sourceLength, size);
            }

            _size = size;
            _stream.SetLength(size);
        }
    }

    /// <summary>Length of the gap-free prefix available for streaming (only meaningful without a source).</summary>
    public long ContiguousFromZero()
    {
        lock (_lock)
        {
            return _sourceLength == 0 ? Math.Min(_ranges.ContiguousFrom(0), _size) : 0;
        }
    }

    /// <summary>Ranges of the source that still have to be fetched before the upload.</summary>
    public List<(long Start, long End)> MissingRanges()
    {
        lock (_lock)
        {
            return _ranges.Gaps(0, _sourceLength);
        }
    }

    public (long Size, long SourceLength, byte[] Ranges) Snapshot()
    {
        lock (_lock)
        {
            return (_size, _sourceLength, _ranges.Serialize());
        }
    }

    /// <summary>Makes the data durable: physical length = logical length, then fsync (data + metadata).</summary>
    public void FlushToDisk()
    {
        lock (_lock)
        {
            if (_stream.Length != _size)
            {
                _stream.SetLength(_size);
            }
        }

        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Starts writing the dirty pages to disk in the background (fdatasync), unless one is still running. No
    /// durability claim: release and fsync still flush. It keeps the fsync at release short: with 23 GiB of RAM the
    /// kernel starts writeback only after 30 s, so without it a 512 MiB copy left all 512 MiB dirty for the release
    /// (227 ms of fsync after cp returned, measured).</summary>
    public void StartWriteback()
    {
        lock (_lock)
        {
            if (!_writeback.IsCompleted)
            {
                return;
            }

            _writeback = Task.Run(() =>
            {
                try
                {
                    RandomAccess.FlushToDisk(_stream.SafeFileHandle);
                }
                catch (ObjectDisposedException)
                {
                    // Released meanwhile: the release flushed the file itself.
                }
                catch (IOException)
                {
                    // Only a head start; the release's fsync reports a real disk error.
                }
            });
        }
    }

    /// <summary>Fills every missing source range from <paramref name="reader"/>. Only gaps are written, so
    /// bytes written locally are never overwritten by base bytes.</summary>
    public async Task FillFromSourceAsync(IBaseContentReader reader, string rev, CancellationToken ct)
    {
        foreach (var (start, end) in MissingRanges())
        {
            await using var target = new FileStream(FullPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            target.Position = start;
            await reader.CopyRangeAsync(rev, start, end - start, target, ct).ConfigureAwait(false);
            await target.FlushAsync(ct).ConfigureAwait(false);
            if (target.Position != end)
            {
                throw new IOException($"Base rev {rev} delivered {target.Position - start} of {end - start} bytes at {start}");
            }

            lock (_lock)
            {
                _ranges.Add(start, end);
            }
        }
    }

    /// <summary>Reads the content as the upload will send it: present bytes from the staging file, the
    /// missing source ranges from <paramref name="sourceRev"/> (not stored; the fill happens before upload).</summary>
    public async ValueTask<int> ReadThroughAsync(long offset, Memory<byte> buffer, string? sourceRev, IBaseContentReader reader, CancellationToken ct)
    {
        var size = Size;
        if (offset >= size)
        {
            return 0;
        }

        var want = (int)Math.Min(buffer.Length, size - offset);
        var target = buffer[..want];
        await ReadFullyAsync(offset, target, ct).ConfigureAwait(false);
        if (sourceRev is null)
        {
            return want;
        }

        foreach (var (start, end) in MissingRanges())
        {
            var s = Math.Max(start, offset);
            var e = Math.Min(end, offset + want);
            if (s < e)
            {
                using var slice = new MemoryStream((int)(e - s));
                await reader.CopyRangeAsync(sourceRev, s, e - s, slice, ct).ConfigureAwait(false);
                slice.GetBuffer().AsSpan(0, (int)(e - s)).CopyTo(target.Span[(int)(s - offset)..]);
            }
        }

        return want;
    }

    /// <summary>Dropbox content_hash of [0, Size).</summary>
    public Task<string> ComputeContentHashAsync(CancellationToken ct) => ComputeContentHashAsync(new ContentHash(), 0, ct);

    /// <summary>Continues <paramref name="hash"/>, which already holds the first <paramref name="from"/> bytes; disposes it.</summary>
    public async Task<string> ComputeContentHashAsync(ContentHash hash, long from, CancellationToken ct)
    {
        var size = Size;
        using var owned = hash;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            for (long offset = from; offset < size;)
            {
                var want = (int)Math.Min(CopyBuffer, size - offset);
                var n = await ReadFullyAsync(offset, buffer.AsMemory(0, want), ct).ConfigureAwait(false);
                hash.Append(buffer.AsSpan(0, n));
                offset += n;
            }

            return hash.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads exactly buffer.Length bytes (zeros past the physical end, which is a hole).</summary>
    public async ValueTask<int> ReadFullyAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(_stream.SafeFileHandle, buffer[done..], offset + done, ct).ConfigureAwait(false);
            if (n == 0)
            {
                buffer.Span[done..].Clear();
                return buffer.Length;
            }

            done += n;
        }

        return done;
    }

    public void Dispose() => _stream.Dispose();
}
