using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

/// <summary>rsync on a large file: write (streamed in fragments), close, then utimens by path right after the
/// asynchronous RELEASE. The time must reach Dropbox's client_modified and the mount's mtime.</summary>
public sealed class FileSystemStreamedMtimeTests
{
    private const ulong Root = IFileSystem.RootNodeId;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task AUtimensRightAfterTheReleaseOfAStreamedFileBecomesItsClientModifiedOnTheServer()
    {
        await using var m = await CoreMount.StartAsync();
        var content = FileSystemReadTests.RandomBytes((9 << 20) + 5, seed: 9);
        var created = await m.Fs.CreateAsync(Root, ".large.bin.XyZ", FsOpenFlags.Write | FsOpenFlags.Create, None);
        await m.WriteAllAsync(created.Entry.NodeId, created.Open.Handle, content);
        // The first 8 MiB fragment is acknowledged: the file streamed, so its job is due at release (not after 2 s).
        for (var i = 0; i < 600 && (m.Fs.Uploads!.GetPending("/.large.bin.XyZ")?.BytesUploaded ?? 0) < 8 << 20; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(m.Fs.Uploads!.GetPending("/.large.bin.XyZ")!.BytesUploaded >= 8 << 20, "the first fragment was never acknowledged");
        var mtime = new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

        await m.Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle);
        await m.Fs.SetAttrAsync(created.Entry.NodeId, new FsSetAttr(null, mtime, null), None); // rsync's utimensat
        await m.Fs.RenameAsync(Root, ".large.bin.XyZ", Root, "large.bin", FsRenameFlags.None, None);
        await m.DrainAsync();
        await m.SyncAsync();

        var remote = await m.RemoteFileAsync("/large.bin");
        Assert.NotNull(remote);
        Assert.Equal(mtime, remote.ClientModified);
        Assert.Equal(mtime, (await m.Fs.GetAttrAsync(created.Entry.NodeId, None)).ModifiedTime);
        Assert.Equal(mtime, (await m.WalkAsync("/large.bin")).Attributes.ModifiedTime);
    }
}
