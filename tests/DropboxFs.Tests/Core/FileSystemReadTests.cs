using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

/// <summary>Reads through the facade and the block cache, from the real emulator.</summary>
public class FileSystemReadTests
{
    private const int MiB = 1 << 20;

    internal static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task WholeFilesAndRandomRangesAreByteExact()
    {
        await using var m = await CoreMount.StartAsync();
        var content = RandomBytes(3 * MiB + 17, 1);
        await m.PutAsync("/data.bin", content);
        await m.PutAsync("/empty", []);
        await m.SyncAsync();
        var node = (await m.WalkAsync("/data.bin")).NodeId;

        Assert.Equal(content, await m.ReadAllAsync(node));
        Assert.Empty(await m.ReadAllAsync((await m.WalkAsync("/empty")).NodeId));

        var open = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        var random = new Random(2);
        for (var i = 0; i < 40; i++)
        {
            var offset = random.Next(0, content.Length + 10);
            var count = random.Next(1, 200_000);
            var expected = content.AsSpan(Math.Min(offset, content.Length), Math.Max(0, Math.Min(count, content.Length - offset))).ToArray();
            Assert.Equal(expected, await m.ReadAsync(node, open.Handle, offset, count));
        }

        await m.Fs.ReleaseAsync(node, open.Handle);
    }

    [Fact]
    public async Task ACachedFileIsReadAgainWithoutDownloads()
    {
        await using var m = await CoreMount.StartAsync();
        var content = RandomBytes(2 * MiB, 3);
        await m.PutAsync("/cached.bin", content);
        await m.SyncAsync();
        var node = (await m.WalkAsync("/cached.bin")).NodeId;
        await m.ReadAllAsync(node);
        m.Control.ResetRequestCounts();

        Assert.Equal(content, await m.ReadAllAsync(node));
        Assert.Equal(0, m.Control.RequestCount("files/download"));
        Assert.True(m.Fs.GetStats().CacheHits > 0);
    }

    [Fact]
    public async Task ARemoteContentChangeNeverServesStaleBytes()
    {
        await using var m = await CoreMount.StartAsync();
        var v1 = RandomBytes(2 * MiB, 10);
        var v2 = RandomBytes(2 * MiB, 20);
        await m.PutAsync("/doc.bin", v1);
        await m.SyncAsync();
        var node = (await m.WalkAsync("/doc.bin")).NodeId;

        var first = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        Assert.False(first.KeepCache);
        Assert.Equal(v1.AsSpan(0, 4096).ToArray(), await m.ReadAsync(node, first.Handle, 0, 4096));

        await m.PutAsync("/doc.bin", v2);
        await m.SyncAsync();

        // A new open sees the new bytes and must not keep the kernel's pages of the old version.
        var second = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        Assert.False(second.KeepCache);
        Assert.Equal(v2, await m.ReadAsync(node, second.Handle, 0, v2.Length));

        // The handle opened before the change keeps reading the version it opened, never a mix.
        Assert.Equal(v1, await m.ReadAsync(node, first.Handle, 0, v1.Length));
        await m.Fs.ReleaseAsync(node, first.Handle);
        await m.Fs.ReleaseAsync(node, second.Handle);

        var third = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        Assert.True(third.KeepCache); // same rev as the kernel last saw
        await m.Fs.ReleaseAsync(node, third.Handle);
    }

    [Fact]
    public async Task TheCacheStaysUnderASmallCapByEvictingClosedFiles()
    {
        await using var m = await CoreMount.StartAsync(cacheSize: 3L * MiB);
        var files = new[] { RandomBytes(2 * MiB, 31), RandomBytes(2 * MiB, 32), RandomBytes(2 * MiB, 33) };
        for (var i = 0; i < files.Length; i++)
        {
            await m.PutAsync($"/f{i}.bin", files[i]);
        }

        await m.SyncAsync();
        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(files[i], await m.ReadAllAsync((await m.WalkAsync($"/f{i}.bin")).NodeId));
            Assert.True(m.Fs.GetStats().CacheUsedBytes <= 3L * MiB);
        }

        Assert.True(m.Fs.GetStats().CacheEvictions >= 2);
        var onDisk = Directory.GetFiles(Path.Combine(m.CacheDirectory, "blocks")).Length;
        Assert.True(onDisk <= 2, $"{onDisk} cache files left");
    }

    [Fact]
    public async Task TwoReadersOfTheSameRangeShareOneDownload()
    {
        await using var m = await CoreMount.StartAsync();
        var content = RandomBytes(MiB, 40);
        await m.PutAsync("/shared.bin", content);
        await m.SyncAsync();
        var node = (await m.WalkAsync("/shared.bin")).NodeId;
        var h1 = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        var h2 = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        m.Control.ResetRequestCounts();
        m.Control.SetLatency(TimeSpan.FromMilliseconds(300)); // the first download is still in flight when the second reader asks

        var a = m.ReadAsync(node, h1.Handle, 0, 64 << 10);
        var b = m.ReadAsync(node, h2.Handle, 0, 64 << 10);
        var results = await Task.WhenAll(a, b);
        m.Control.SetLatency(TimeSpan.Zero);

        Assert.All(results, r => Assert.Equal(content.AsSpan(0, 64 << 10).ToArray(), r));
        Assert.Equal(1, m.Control.RequestCount("files/download"));
        await m.Fs.ReleaseAsync(node, h1.Handle);
        await m.Fs.ReleaseAsync(node, h2.Handle);
    }

    [Fact]
    public async Task AConnectionDroppedMidDownloadIsFetchedAgainAndTheBytesAreExact()
    {
        await using var m = await CoreMount.StartAsync();
        var content = RandomBytes(3 * MiB, 50);
        await m.PutAsync("/flaky.bin", content);
        await m.SyncAsync();
        var node = (await m.WalkAsync("/flaky.bin")).NodeId;
        m.Control.AddFault(new DropboxFs.Emulator.FaultRule { Route = "files/download", Kind = DropboxFs.Emulator.FaultKind.ResetConnection, AfterBytes = 300_000, Times = 1 });

        Assert.Equal(content, await m.ReadAllAsync(node));
    }

    [Fact]
    public async Task ADownloadThatKeepsFailingIsAnIoError()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/broken.bin", RandomBytes(MiB, 51));
        await m.SyncAsync();
        var node = (await m.WalkAsync("/broken.bin")).NodeId;
        m.Control.AddFault(new DropboxFs.Emulator.FaultRule { Route = "files/download", Kind = DropboxFs.Emulator.FaultKind.ResetConnection, AfterBytes = 1000, Times = 0 });

        var open = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        var error = await Assert.ThrowsAsync<FsException>(() => m.ReadAsync(node, open.Handle, 0, 4096));
        Assert.Equal(FsError.IoError, error.Error);

        m.Control.ClearFaults();
        Assert.Equal(4096, (await m.ReadAsync(node, open.Handle, 0, 4096)).Length); // nothing poisoned
        await m.Fs.ReleaseAsync(node, open.Handle);
    }

    [Fact]
    public async Task OpeningAFolderOrAnUnknownHandleFails()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/dir/f", "x");
        await m.SyncAsync();
        var dir = await m.WalkAsync("/dir");
        var f = await m.WalkAsync("/dir/f");

        Assert.Equal(FsError.IsDirectory, (await Assert.ThrowsAsync<FsException>(async () => await m.Fs.OpenAsync(dir.NodeId, FsOpenFlags.Read, CancellationToken.None))).Error);
        Assert.Equal(FsError.BadHandle, (await Assert.ThrowsAsync<FsException>(async () => await m.Fs.ReadAsync(f.NodeId, 999, 0, new byte[1], CancellationToken.None))).Error);
        Assert.Equal(FsError.NotDirectory, (await Assert.ThrowsAsync<FsException>(async () => await m.Fs.LookupAsync(f.NodeId, "x", CancellationToken.None))).Error);
    }
}
