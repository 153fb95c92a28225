using DropboxFs.Core.Blocks;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Core;

/// <summary>
/// The block cache's own rules (sharing, cap, eviction, persistence) against an in-memory byte
/// source, where request counts and timing are under the test's control. End-to-end reads through
/// the emulator are in <see cref="FileSystemReadTests"/>.
/// </summary>
public sealed class BlockCacheTests : IDisposable
{
    private const long MiB = 1L << 20;
    private readonly TempFolder _temp = new();
    private readonly MetadataDatabase _db;
    private readonly MemorySource _source = new();

    public BlockCacheTests()
    {
        _db = MetadataDatabase.Open(Path.Combine(_temp.Path, "metadata.db"), NullLogger.Instance);
    }

    public void Dispose()
    {
        _db.Dispose();
        _temp.Dispose();
    }

    private BlockCache NewCache(long capacity) =>
        new(Path.Combine(_temp.Path, "blocks"), new BlockFileTable(_db), _source, capacity, TimeProvider.System, NullLogger.Instance);

    private async Task<CachedVersion> OpenAsync(BlockCache cache, string key) =>
        await cache.AcquireAsync(key, _source.Files[key].Length, key, "rev" + key, null);

    private static async Task<byte[]> ReadAsync(BlockCache cache, CachedVersion v, long offset, int count, ReadAheadPolicy? policy = null)
    {
        var buffer = new byte[count];
        var n = await cache.ReadAsync(v, policy ?? new ReadAheadPolicy(), offset, buffer, CancellationToken.None);
        return buffer[..n];
    }

    [Fact]
    public async Task RandomRangesAreByteExact()
    {
        var content = _source.Add("f", (int)(5 * MiB) + 123);
        await using var cache = NewCache(1L << 30);
        var v = await OpenAsync(cache, "f");
        var random = new Random(7);
        var policy = new ReadAheadPolicy();
        for (var i = 0; i < 60; i++)
        {
            var offset = (long)random.Next(0, content.Length);
            var count = random.Next(1, 300_000);
            var got = await ReadAsync(cache, v, offset, count, policy);
            Assert.Equal(content.AsSpan((int)offset, (int)Math.Min(count, content.Length - offset)).ToArray(), got);
        }

        Assert.Empty(await ReadAsync(cache, v, content.Length, 10));
        await cache.ReleaseAsync(v);
    }

    [Fact]
    public async Task TwoReadersOfAMissingRangeShareOneDownload()
    {
        var content = _source.Add("f", (int)MiB);
        await using var cache = NewCache(1L << 30);
        var v = await OpenAsync(cache, "f");
        _source.Hold();

        var first = ReadAsync(cache, v, 1000, 4096);
        await _source.WaitForRequestsAsync(1);
        var second = ReadAsync(cache, v, 2000, 4096);
        _source.Release();

        Assert.Equal(content.AsSpan(1000, 4096).ToArray(), await first);
        Assert.Equal(content.AsSpan(2000, 4096).ToArray(), await second);
        Assert.Equal(1, _source.Requests);
        await cache.ReleaseAsync(v);
    }

    [Fact]
    public async Task LeastRecentlyUsedClosedVersionsAreEvictedToStayUnderTheCap()
    {
        _source.Add("a", (int)(2 * MiB));
        _source.Add("b", (int)(2 * MiB));
        await using var cache = NewCache(3 * MiB);

        var a = await OpenAsync(cache, "a");
        await ReadAsync(cache, a, 0, (int)(2 * MiB));
        await cache.ReleaseAsync(a);
        Assert.Equal(2 * MiB, cache.UsedBytes);

        var b = await OpenAsync(cache, "b");
        var bytes = await ReadAsync(cache, b, 0, (int)(2 * MiB));
        await cache.ReleaseAsync(b);

        Assert.Equal(_source.Files["b"], bytes);
        Assert.True(cache.UsedBytes <= 3 * MiB, $"used {cache.UsedBytes}");
        Assert.Equal(1, cache.Evictions);

        var before = _source.Requests;
        a = await OpenAsync(cache, "a");
        Assert.Equal(_source.Files["a"].AsSpan(0, 100).ToArray(), await ReadAsync(cache, a, 0, 100));
        Assert.True(_source.Requests > before, "the evicted version had to be downloaded again");
        await cache.ReleaseAsync(a);
    }

    [Fact]
    public async Task OpenVersionsAreNeverEvictedAndReadsBeyondTheCapStillSucceed()
    {
        _source.Add("a", (int)(2 * MiB));
        _source.Add("b", (int)(2 * MiB));
        await using var cache = NewCache(3 * MiB);
        var a = await OpenAsync(cache, "a");
        await ReadAsync(cache, a, 0, (int)(2 * MiB));

        var b = await OpenAsync(cache, "b");
        Assert.Equal(_source.Files["b"], await ReadAsync(cache, b, 0, (int)(2 * MiB)));
        Assert.True(cache.UsedBytes <= 3 * MiB, $"used {cache.UsedBytes}");

        var before = _source.Requests;
        Assert.Equal(_source.Files["a"], await ReadAsync(cache, a, 0, (int)(2 * MiB)));
        Assert.Equal(before, _source.Requests);
        await cache.ReleaseAsync(a);
        await cache.ReleaseAsync(b);
    }

    [Fact]
    public async Task PresentRangesPersistAcrossCacheInstances()
    {
        var content = _source.Add("f", (int)(3 * MiB));
        await using (var cache = NewCache(1L << 30))
        {
            var v = await OpenAsync(cache, "f");
            await ReadAsync(cache, v, 0, (int)MiB);
            await cache.ReleaseAsync(v);
        }

        var before = _source.Requests;
        await using var again = NewCache(1L << 30);
        var w = await OpenAsync(again, "f");
        Assert.Equal(content.AsSpan(4096, 8192).ToArray(), await ReadAsync(again, w, 4096, 8192));
        Assert.Equal(before, _source.Requests);
        Assert.True(again.UsedBytes >= MiB);
        await again.ReleaseAsync(w);
    }

    [Fact]
    public async Task ADroppedVersionLosesItsBytes()
    {
        _source.Add("f", (int)MiB);
        await using var cache = NewCache(1L << 30);
        var v = await OpenAsync(cache, "f");
        await ReadAsync(cache, v, 0, 10);
        await cache.DropAsync("f");
        Assert.True(cache.UsedBytes > 0); // still open: kept for the handle
        await cache.ReleaseAsync(v);
        Assert.Equal(0, cache.UsedBytes);
    }

    /// <summary>Serves byte arrays by key; can hold every request until released.</summary>
    private sealed class MemorySource : IBlockSource
    {
        private readonly object _gate = new();
        private TaskCompletionSource? _hold;
        private int _requests;

        public Dictionary<string, byte[]> Files { get; } = [];

        public int Requests => Volatile.Read(ref _requests);

        public byte[] Add(string key, int size)
        {
            var bytes = new byte[size];
            new Random(key.GetHashCode(StringComparison.Ordinal)).NextBytes(bytes);
            Files[key] = bytes;
            return bytes;
        }

        public void Hold()
        {
            lock (_gate)
            {
                _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public void Release()
        {
            lock (_gate)
            {
                _hold?.TrySetResult();
                _hold = null;
            }
        }

        public async Task WaitForRequestsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (Requests < count)
            {
                await Task.Delay(5, timeout.Token);
            }
        }

        public async Task<Stream> OpenRangeAsync(CachedVersion version, long start, long end, CancellationToken ct)
        {
            Interlocked.Increment(ref _requests);
            Task? hold;
            lock (_gate)
            {
                hold = _hold?.Task;
            }

            if (hold is not null)
            {
                await hold.WaitAsync(ct);
            }

            return new MemoryStream(Files[version.Key], (int)start, (int)(end - start), writable: false);
        }
    }
}
