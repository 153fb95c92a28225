using System.Security.Cryptography;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

/// <summary>
/// <see cref="FsOpenResult.BackingPath"/>: the facade offers the cache file for passthrough only when
/// it holds the whole version, and only for the version the open pins.
/// </summary>
public class BlockCacheBackingFileTests
{
    [Fact]
    public async Task AFullyCachedVersionIsOfferedAsABackingFileWithExactlyItsBytes()
    {
        await using var m = await CoreMount.StartAsync();
        var content = RandomNumberGenerator.GetBytes(5 << 20); // larger than the 2 MiB a first read at offset 0 fetches
        await m.PutAsync("/data.bin", content);
        await m.SyncAsync();
        var node = (await m.WalkAsync("/data.bin")).NodeId;

        var cold = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        Assert.Null(cold.BackingPath); // nothing cached: the kernel would read holes as zeros
        Assert.Equal(content.AsSpan(0, 1000).ToArray(), await m.ReadAsync(node, cold.Handle, 0, 1000));
        var partial = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        Assert.Null(partial.BackingPath); // some bytes only
        Assert.Equal(content, await m.ReadAsync(node, cold.Handle, 0, content.Length));

        var warm = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);

        Assert.NotNull(warm.BackingPath);
        Assert.Equal(content, await File.ReadAllBytesAsync(warm.BackingPath));
        foreach (var handle in new[] { cold.Handle, partial.Handle, warm.Handle })
        {
            await m.Fs.ReleaseAsync(node, handle);
        }
    }

    [Fact]
    public async Task ANewRemoteVersionIsNotOfferedUntilItIsCachedAndTheOldBackingFileKeepsItsBytes()
    {
        await using var m = await CoreMount.StartAsync();
        var first = RandomNumberGenerator.GetBytes(200_000);
        await m.PutAsync("/doc.bin", first);
        await m.SyncAsync();
        var node = (await m.WalkAsync("/doc.bin")).NodeId;
        await m.ReadAllAsync(node);
        var old = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        Assert.NotNull(old.BackingPath);

        var second = RandomNumberGenerator.GetBytes(100_000);
        await m.PutAsync("/doc.bin", second);
        await m.SyncAsync();
        var fresh = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);

        Assert.Null(fresh.BackingPath); // the new version is not cached yet
        Assert.Equal(first, await File.ReadAllBytesAsync(old.BackingPath)); // pinned while `old` is open
        Assert.Equal(second, await m.ReadAsync(node, fresh.Handle, 0, second.Length));
        await m.Fs.ReleaseAsync(node, old.Handle);
        await m.Fs.ReleaseAsync(node, fresh.Handle);
        var again = await m.Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        Assert.NotNull(again.BackingPath);
        Assert.Equal(second, await File.ReadAllBytesAsync(again.BackingPath));
        await m.Fs.ReleaseAsync(node, again.Handle);
    }
}
