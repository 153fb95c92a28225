using System.Text;
using DropboxFs.Api;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

/// <summary>The write path of the facade against the real emulator: files, times, durability, errors.</summary>
public sealed class FileSystemWriteTests
{
    private const ulong Root = IFileSystem.RootNodeId;
    private static readonly CancellationToken None = CancellationToken.None;

    private static byte[] Bytes(int size, int seed) => FileSystemReadTests.RandomBytes(size, seed);

    [Fact]
    public async Task ANewFileIsUploadedWithItsContentHashAfterRelease()
    {
        await using var m = await CoreMount.StartAsync();
        var content = Bytes((3 << 20) + 17, seed: 1);

        var entry = await m.CreateFileAsync(Root, "report.bin", content);
        Assert.Equal(content.Length, (await m.Fs.GetAttrAsync(entry.NodeId, None)).Size);
        await m.DrainAsync();

        var remote = await m.RemoteFileAsync("/report.bin");
        Assert.NotNull(remote);
        Assert.Equal(ContentHash.Compute(content), remote.ContentHash);
        Assert.Equal(content, await m.ReadAllAsync(entry.NodeId));
    }

    [Fact]
    public async Task ANewFileShowsInLookupsAndListingsBeforeItIsUploadedAndSurvivesTheChangeFeed()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/other.txt", "x");
        await m.SyncAsync();
        var created = await m.Fs.CreateAsync(Root, "new.txt", FsOpenFlags.Write | FsOpenFlags.Create, None);
        await m.WriteAllAsync(created.Entry.NodeId, created.Open.Handle, "hello"u8.ToArray());
        await m.Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle);

        await m.PutAsync("/third.txt", "y"); // a feed page while new.txt is pending
        await m.SyncAsync();

        Assert.Null(await m.RemoteFileAsync("/new.txt"));
        Assert.Equal(5, (await m.WalkAsync("/new.txt")).Attributes.Size);
        var listed = (await m.Fs.ReadDirAsync(Root, None)).Single(e => e.Name == "new.txt");
        Assert.Equal(5, listed.Entry.Attributes.Size);
        Assert.Equal("hello"u8.ToArray(), await m.ReadAllAsync(created.Entry.NodeId));

        await m.DrainAsync();
        m.Notifier.Take();
        await m.SyncAsync(); // the echo of our own commit

        Assert.DoesNotContain(m.Notifier.Take(), e => e.StartsWith($"inode {created.Entry.NodeId}", StringComparison.Ordinal));
        Assert.Equal(created.Entry.NodeId, (await m.WalkAsync("/new.txt")).NodeId);
        Assert.Equal("hello"u8.ToArray(), await m.DownloadAsync("/new.txt"));
    }

    [Fact]
    public async Task OpenWithTruncateReplacesAndAppendAddsAtTheEnd()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/log.txt", "old content");
        await m.SyncAsync();
        var file = await m.WalkAsync("/log.txt");

        var trunc = await m.Fs.OpenAsync(file.NodeId, FsOpenFlags.Write | FsOpenFlags.Truncate, None);
        await m.WriteAllAsync(file.NodeId, trunc.Handle, "new"u8.ToArray());
        await m.Fs.ReleaseAsync(file.NodeId, trunc.Handle);
        var append = await m.Fs.OpenAsync(file.NodeId, FsOpenFlags.Write | FsOpenFlags.Append, None);
        await m.Fs.WriteAsync(file.NodeId, append.Handle, 0, "+tail"u8.ToArray(), None); // O_APPEND ignores the offset
        await m.Fs.ReleaseAsync(file.NodeId, append.Handle);

        Assert.Equal("new+tail"u8.ToArray(), await m.ReadAllAsync(file.NodeId));
        await m.DrainAsync();
        Assert.Equal("new+tail"u8.ToArray(), await m.DownloadAsync("/log.txt"));
    }

    [Fact]
    public async Task TruncateByPathAndByHandleKeepTheBytesBelowTheNewSize()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/t.txt", "0123456789");
        await m.SyncAsync();
        var file = await m.WalkAsync("/t.txt");

        var attrs = await m.Fs.SetAttrAsync(file.NodeId, new FsSetAttr(4, null, null), None);
        Assert.Equal(4, attrs.Size);
        var open = await m.Fs.OpenAsync(file.NodeId, FsOpenFlags.Read | FsOpenFlags.Write, None);
        await m.Fs.SetAttrAsync(file.NodeId, new FsSetAttr(6, null, open.Handle), None);
        Assert.Equal("0123\0\0"u8.ToArray(), await m.ReadAsync(file.NodeId, open.Handle, 0, 100));
        await m.Fs.ReleaseAsync(file.NodeId, open.Handle);

        await m.DrainAsync();
        Assert.Equal("0123\0\0"u8.ToArray(), await m.DownloadAsync("/t.txt"));
    }

    [Fact]
    public async Task AnMtimeSetAfterCloseShowsAtOnceAndBecomesClientModified()
    {
        await using var m = await CoreMount.StartAsync();
        var entry = await m.CreateFileAsync(Root, "synced.txt", "data"u8.ToArray());
        var mtime = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);

        // rsync's order: CREATE, WRITE, RELEASE, then SETATTR utimens (with nanoseconds).
        await m.Fs.SetAttrAsync(entry.NodeId, new FsSetAttr(null, mtime.AddTicks(1234), null), None);

        Assert.Equal(mtime, (await m.Fs.GetAttrAsync(entry.NodeId, None)).ModifiedTime);
        await m.DrainAsync();
        Assert.Equal(mtime, (await m.RemoteFileAsync("/synced.txt"))!.ClientModified);
        await m.SyncAsync();
        Assert.Equal(mtime, (await m.WalkAsync("/synced.txt")).Attributes.ModifiedTime);
    }

    [Fact]
    public async Task ChmodAndChownSucceedWithoutEffect()
    {
        await using var m = await CoreMount.StartAsync();
        var entry = await m.CreateFileAsync(Root, "mode.txt", "m"u8.ToArray());

        var attrs = await m.Fs.SetAttrAsync(entry.NodeId, new FsSetAttr(null, null, null), None);

        Assert.Equal(1, attrs.Size);
        Assert.False(attrs.ReadOnly);
    }

    [Fact]
    public async Task UnlinkingAPendingFileUploadsNothing()
    {
        await using var m = await CoreMount.StartAsync();
        await m.CreateFileAsync(Root, "temp.txt", "scratch"u8.ToArray());
        m.Control.ResetRequestCounts();

        await m.Fs.UnlinkAsync(Root, "temp.txt", None);
        await m.DrainAsync();

        Assert.Empty(m.Fs.Uploads!.GetStatus());
        Assert.Null(await m.RemoteFileAsync("/temp.txt"));
        Assert.Equal(0, m.Control.RequestCount("files/upload_session/start") + m.Control.RequestCount("files/upload"));
        Assert.Equal(FsError.NotFound, (await Assert.ThrowsAsync<FsException>(async () => await m.Fs.LookupAsync(Root, "temp.txt", None))).Error);
    }

    [Fact]
    public async Task AFileUnlinkedWhileOpenStaysReadableAndWritableAndIsNotUploaded()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/open.txt", "server");
        await m.SyncAsync();
        var file = await m.WalkAsync("/open.txt");
        var open = await m.Fs.OpenAsync(file.NodeId, FsOpenFlags.Read | FsOpenFlags.Write, None);
        await m.Fs.WriteAsync(file.NodeId, open.Handle, 0, "local!"u8.ToArray(), None);

        await m.Fs.UnlinkAsync(Root, "open.txt", None);
        await m.Fs.WriteAsync(file.NodeId, open.Handle, 6, " more"u8.ToArray(), None);

        Assert.Equal("local! more"u8.ToArray(), await m.ReadAsync(file.NodeId, open.Handle, 0, 100));
        Assert.Equal(11, (await m.Fs.GetAttrAsync(file.NodeId, None)).Size);
        await m.Fs.ReleaseAsync(file.NodeId, open.Handle);
        await m.DrainAsync();
        Assert.Null(await m.RemoteFileAsync("/open.txt"));
        Assert.Empty(m.Fs.Uploads!.GetStatus());
    }

    [Fact]
    public async Task FsyncMakesTheDataDurableBeforeRelease()
    {
        await using var m = await CoreMount.StartAsync();
        var created = await m.Fs.CreateAsync(Root, "durable.txt", FsOpenFlags.Write | FsOpenFlags.Create, None);
        await m.Fs.WriteAsync(created.Entry.NodeId, created.Open.Handle, 0, "keep me"u8.ToArray(), None);

        await m.Fs.FsyncAsync(created.Entry.NodeId, created.Open.Handle, None);

        var job = Assert.Single(m.Fs.Uploads!.GetStatus());
        Assert.Equal(7, job.Size);
        await m.Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle);
    }

    [Fact]
    public async Task SyncUploadsMakeTheCloseWaitForTheCommit()
    {
        await using var m = await CoreMount.StartAsync(syncUploads: true);
        var created = await m.Fs.CreateAsync(Root, "now.txt", FsOpenFlags.Write | FsOpenFlags.Create, None);
        await m.Fs.WriteAsync(created.Entry.NodeId, created.Open.Handle, 0, "committed"u8.ToArray(), None);

        await m.Fs.FlushAsync(created.Entry.NodeId, created.Open.Handle, None); // close(2)

        Assert.Equal("committed"u8.ToArray(), await m.DownloadAsync("/now.txt"));
        await m.Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle);
        Assert.Empty(m.Fs.Uploads!.GetStatus());
    }

    [Fact]
    public async Task AFullQuotaAnswersNoSpaceAtFsyncAndCloseAndLosesNothing()
    {
        await using var m = await CoreMount.StartAsync();
        m.Control.SetQuota(1000);
        await m.CreateFileAsync(Root, "big.bin", Bytes(50_000, seed: 2));
        await m.DrainAsync(); // fails with insufficient_space: kept

        var created = await m.Fs.CreateAsync(Root, "more.bin", FsOpenFlags.Write | FsOpenFlags.Create, None);
        await m.Fs.WriteAsync(created.Entry.NodeId, created.Open.Handle, 0, Bytes(10, seed: 3), None);
        var fsync = await Assert.ThrowsAsync<FsException>(async () => await m.Fs.FsyncAsync(created.Entry.NodeId, created.Open.Handle, None));
        var close = await Assert.ThrowsAsync<FsException>(async () => await m.Fs.FlushAsync(created.Entry.NodeId, created.Open.Handle, None));
        await m.Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle);

        Assert.Equal(FsError.NoSpace, fsync.Error);
        Assert.Equal(FsError.NoSpace, close.Error);
        Assert.Equal(2, m.Fs.Uploads!.GetStatus().Count);
        m.Control.SetQuota(1L << 30);
        await m.Fs.Uploads.RetryNowAsync();
        // Drain returns at once while the rows are still Failed; wait for the retried commits instead.
        await Uploads.UploadHarness.WaitUntilAsync(() => m.Fs.Uploads.GetStatus().Count == 0, "the retried commits");
        Assert.Equal(Bytes(50_000, seed: 2), await m.DownloadAsync("/big.bin"));
        Assert.Equal(Bytes(10, seed: 3), await m.DownloadAsync("/more.bin"));
    }

    [Fact]
    public async Task PendingUploadsSurviveARestartAndStayVisible()
    {
        await using var m = await CoreMount.StartAsync();
        m.WriteBackDelay = TimeSpan.FromHours(1);
        await m.CloseAsync();
        await m.OpenAsync();
        await m.CreateFileAsync(Root, "later.txt", Encoding.UTF8.GetBytes("after restart"));

        await m.CloseAsync();
        await m.OpenAsync();

        Assert.Equal(13, (await m.WalkAsync("/later.txt")).Attributes.Size);
        await m.DrainAsync();
        Assert.Equal(Encoding.UTF8.GetBytes("after restart"), await m.DownloadAsync("/later.txt"));
    }
}
