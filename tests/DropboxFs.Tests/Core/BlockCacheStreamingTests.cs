using DropboxFs.Core.Blocks;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Core;

/// <summary>
/// Sequential reads against a source whose range bodies stop after their first MiB until the test
/// opens the gate: bytes are served while their download still runs, and finished downloads keep a
/// sequential reader's read-ahead filled without waiting for its next read.
/// </summary>
public sealed class BlockCacheStreamingTests : IDisposable
{
    private const int MiB = 1 << 20;
    private readonly TempFolder _temp = new();
    private readonly MetadataDatabase _db;
    private readonly GatedSource _source = new();

    public BlockCacheStreamingTests()
    {
        _db = MetadataDatabase.Open(Path.Combine(_temp.Path, "metadata.db"), NullLogger.Instance);
    }

    public void Dispose()
    {
        _db.Dispose();
        _temp.Dispose();
    }

    private BlockCache NewCache() =>
        new(Path.Combine(_temp.Path, "blocks"), new BlockFileTable(_db), _source, 1L << 30, TimeProvider.System, NullLogger.Instance);

    /// <summary>A policy that has seen <paramref name="reads"/> sequential 1 MiB reads from offset 0 (span 64 MiB).</summary>
    private static ReadAheadPolicy SequentialPolicy(int reads)
    {
        var policy = new ReadAheadPolicy();
        for (var i = 0; i < reads; i++)
        {
            policy.OnRead((long)i * MiB, MiB, long.MaxValue);
        }

        return policy;
    }

    [Fact]
    public async Task AReadIsServedFromARangeWhoseDownloadIsStillRunning()
    {
        var content = _source.Add("f", 40 * MiB);
        await using var cache = NewCache();
        var v = await cache.AcquireAsync("f", content.Length, "f", "rev", null);
        var buffer = new byte[4096];

        // Sequential at 6 MiB with a 64 MiB span: one 16 MiB download covers the read; its body stalls after 1 MiB.
        var n = await cache.ReadAsync(v, SequentialPolicy(6), 6L * MiB + 1000, buffer, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4096, n);
        Assert.Equal(content.AsSpan(6 * MiB + 1000, 4096).ToArray(), buffer);
        Assert.Equal(0, _source.Completed); // no body was read to its end: the bytes came from a running download
        _source.Open();
        await cache.ReleaseAsync(v);
    }

    [Fact]
    public async Task FinishedDownloadsKeepASequentialReadersWindowFilledWithoutFurtherReads()
    {
        var content = _source.Add("f", 72 * MiB);
        await using var cache = NewCache();
        var v = await cache.AcquireAsync("f", content.Length, "f", "rev", null);
        _source.Open();

        // One read at 6 MiB starts 4 × 16 MiB ([6, 70) MiB): the cap on downloads in flight leaves [70, 72) MiB.
        await cache.ReadAsync(v, SequentialPolicy(6), 6L * MiB, new byte[4096], CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!Present(v, 6L * MiB, 72L * MiB))
        {
            await Task.Delay(10, timeout.Token); // fails by timeout if nothing tops the window up
        }

        Assert.False(Present(v, 0, MiB)); // behind the reader: never fetched
        var tail = new byte[MiB];
        Assert.Equal(MiB, await cache.ReadAsync(v, new ReadAheadPolicy(), 71L * MiB, tail, CancellationToken.None));
        Assert.Equal(content.AsSpan(71 * MiB, MiB).ToArray(), tail);
        await cache.ReleaseAsync(v);
    }

    private static bool Present(CachedVersion v, long start, long end)
    {
        lock (v.Gate)
        {
            return v.Present.Contains(start, end);
        }
    }

    /// <summary>Each range body serves its first MiB at once and the rest only after <see cref="Open"/>.</summary>
    private sealed class GatedSource : IBlockSource
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Dictionary<string, byte[]> _files = [];
        private int _completed;

        public int Completed => Volatile.Read(ref _completed);

        public byte[] Add(string key, int size)
        {
            var bytes = new byte[size];
            new Random(size).NextBytes(bytes);
            _files[key] = bytes;
            return bytes;
        }

        public void Open() => _gate.TrySetResult();

        public Task<Stream> OpenRangeAsync(CachedVersion version, long start, long end, CancellationToken ct) =>
            Task.FromResult<Stream>(new GatedStream(this, _files[version.Key].AsMemory((int)start, (int)(end - start))));

        private sealed class GatedStream(GatedSource source, ReadOnlyMemory<byte> body) : Stream
        {
            private int _position;

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => body.Length;

            public override long Position { get => _position; set => throw new NotSupportedException(); }

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
            {
                if (_position >= MiB)
                {
                    await source._gate.Task.WaitAsync(ct);
                }

                var limit = _position < MiB ? Math.Min(MiB, body.Length) : body.Length;
                var n = Math.Min(buffer.Length, limit - _position);
                body.Slice(_position, n).CopyTo(buffer);
                _position += n;
                if (n > 0 && _position == body.Length)
                {
                    Interlocked.Increment(ref source._completed);
                }

                return n;
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
