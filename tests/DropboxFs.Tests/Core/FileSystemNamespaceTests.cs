using DropboxFs.Api;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

/// <summary>mkdir, rmdir, rename and copy_file_range through the facade against the real emulator.</summary>
public sealed class FileSystemNamespaceTests
{
    private const ulong Root = IFileSystem.RootNodeId;
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<FsError> ErrorOf(Func<Task> action) => (await Assert.ThrowsAsync<FsException>(action)).Error;

    [Fact]
    public async Task MkdirCreatesTheFolderOnTheServerAndRmdirOfANonEmptyFolderAnswersNotEmpty()
    {
        await using var m = await CoreMount.StartAsync();
        var dir = await m.Fs.MkdirAsync(Root, "Projects", None);
        await m.CreateFileAsync(dir.NodeId, "pending.txt", "p"u8.ToArray()); // not uploaded yet

        Assert.IsType<FolderMetadata>(await m.Client.TryGetMetadataAsync("/Projects"));
        Assert.Equal(FsError.NotEmpty, await ErrorOf(async () => await m.Fs.RmdirAsync(Root, "Projects", None)));
        Assert.Equal(FsError.Exists, await ErrorOf(async () => await m.Fs.MkdirAsync(Root, "projects", None)));

        await m.Fs.UnlinkAsync(dir.NodeId, "pending.txt", None);
        await m.Fs.RmdirAsync(Root, "Projects", None);
        Assert.Null(await m.Client.TryGetMetadataAsync("/Projects"));
        Assert.DoesNotContain(await m.Fs.ReadDirAsync(Root, None), e => e.Name == "Projects");
    }

    [Fact]
    public async Task RenameOverAnExistingFileReplacesItOnTheServer()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/a.txt", "source");
        await m.PutAsync("/b.txt", "target");
        await m.SyncAsync();
        var a = await m.WalkAsync("/a.txt");

        await m.Fs.RenameAsync(Root, "a.txt", Root, "b.txt", FsRenameFlags.None, None);

        Assert.Equal(["b.txt"], await m.RemoteNamesAsync(""));
        Assert.Equal("source"u8.ToArray(), await m.DownloadAsync("/b.txt"));
        var b = await m.WalkAsync("/b.txt");
        Assert.Equal(a.NodeId, b.NodeId);
        Assert.Equal("source"u8.ToArray(), await m.ReadAllAsync(b.NodeId));
    }

    [Fact]
    public async Task RenameNoReplaceAnswersExistsAndExchangeAnswersInvalidArgument()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/a.txt", "a");
        await m.PutAsync("/b.txt", "b");
        await m.SyncAsync();

        Assert.Equal(FsError.Exists, await ErrorOf(async () => await m.Fs.RenameAsync(Root, "a.txt", Root, "b.txt", FsRenameFlags.NoReplace, None)));
        Assert.Equal(FsError.InvalidArgument, await ErrorOf(async () => await m.Fs.RenameAsync(Root, "a.txt", Root, "b.txt", FsRenameFlags.Exchange, None)));
        Assert.Equal("b"u8.ToArray(), await m.DownloadAsync("/b.txt"));
        Assert.Equal("a"u8.ToArray(), await m.DownloadAsync("/a.txt"));
    }

    [Fact]
    public async Task ACaseOnlyRenameChangesTheNameOnTheServer()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/readme.md", "r");
        await m.SyncAsync();

        await m.Fs.RenameAsync(Root, "readme.md", Root, "README.md", FsRenameFlags.None, None);

        Assert.Equal(["README.md"], await m.RemoteNamesAsync(""));
        Assert.Equal(["README.md"], (await m.Fs.ReadDirAsync(Root, None)).Select(e => e.Name).ToList());
    }

    [Fact]
    public async Task RenamingAPendingFileUploadsItOnceUnderItsFinalName()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/f10.txt", "old version");
        await m.SyncAsync();
        m.Control.ResetRequestCounts();

        // rsync: write a temp file, set its mtime, rename it over the target.
        var temp = await m.CreateFileAsync(Root, ".f10.txt.Ab12Cd", "new version"u8.ToArray());
        var mtime = new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);
        await m.Fs.SetAttrAsync(temp.NodeId, new FsSetAttr(null, mtime, null), None);
        await m.Fs.RenameAsync(Root, ".f10.txt.Ab12Cd", Root, "f10.txt", FsRenameFlags.None, None);
        Assert.Equal(11, (await m.WalkAsync("/f10.txt")).Attributes.Size);
        await m.DrainAsync();

        Assert.Equal(["f10.txt"], await m.RemoteNamesAsync(""));
        Assert.Equal("new version"u8.ToArray(), await m.DownloadAsync("/f10.txt"));
        Assert.Equal(mtime, (await m.RemoteFileAsync("/f10.txt"))!.ClientModified);
        Assert.Equal(1, m.Control.RequestCount("files/upload_session/start"));
        Assert.Equal(0, m.Control.RequestCount("files/move_v2") + m.Control.RequestCount("files/delete_v2"));
        Assert.Empty(m.Fs.Uploads!.GetConflicts());
    }

    [Fact]
    public async Task RepeatedLockFileRenamesOverAPendingTargetReplaceTheServerFileOnce()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/index", "v1");
        await m.SyncAsync();

        // git: write index.lock, rename it over index; again before the first one was uploaded.
        await m.CreateFileAsync(Root, "index.lock", "v2"u8.ToArray());
        await m.Fs.RenameAsync(Root, "index.lock", Root, "index", FsRenameFlags.None, None);
        await m.CreateFileAsync(Root, "index.lock", "v3"u8.ToArray());
        await m.Fs.RenameAsync(Root, "index.lock", Root, "index", FsRenameFlags.None, None);
        await m.DrainAsync();

        Assert.Equal(["index"], await m.RemoteNamesAsync(""));
        Assert.Equal("v3"u8.ToArray(), await m.DownloadAsync("/index"));
        Assert.Empty(m.Fs.Uploads!.GetConflicts());
    }

    [Fact]
    public async Task RenamingAServerFileOverAPendingReplacementReplacesTheServerFile()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/a.txt", "old a");
        await m.PutAsync("/b.txt", "b");
        await m.SyncAsync();
        await m.CreateFileAsync(Root, "tmp", "new a"u8.ToArray());
        await m.Fs.RenameAsync(Root, "tmp", Root, "a.txt", FsRenameFlags.None, None); // pending, replaces the server's a.txt

        await m.Fs.RenameAsync(Root, "b.txt", Root, "a.txt", FsRenameFlags.None, None);
        await m.DrainAsync();

        Assert.Equal(["a.txt"], await m.RemoteNamesAsync(""));
        Assert.Equal("b"u8.ToArray(), await m.DownloadAsync("/a.txt"));
        Assert.Empty(m.Fs.Uploads!.GetConflicts());
    }

    [Fact]
    public async Task RenamingAFolderKeepsThePendingFilesBelowIt()
    {
        await using var m = await CoreMount.StartAsync();
        var dir = await m.Fs.MkdirAsync(Root, "src", None);
        await m.CreateFileAsync(dir.NodeId, "main.c", "int main;"u8.ToArray());

        await m.Fs.RenameAsync(Root, "src", Root, "Source", FsRenameFlags.None, None);
        Assert.Equal(9, (await m.WalkAsync("/Source/main.c")).Attributes.Size);
        await m.DrainAsync();

        Assert.Equal("int main;"u8.ToArray(), await m.DownloadAsync("/Source/main.c"));
        Assert.Null(await m.Client.TryGetMetadataAsync("/src"));
    }

    [Fact]
    public async Task CopyFileRangeOfAWholeUnchangedFileIsAServerSideCopy()
    {
        await using var m = await CoreMount.StartAsync();
        var content = FileSystemReadTests.RandomBytes(300_000, seed: 5);
        await m.PutAsync("/photo.jpg", content);
        await m.SyncAsync();
        var source = await m.WalkAsync("/photo.jpg");
        var input = await m.Fs.OpenAsync(source.NodeId, FsOpenFlags.Read, None);
        var output = await m.Fs.CreateAsync(Root, "copy.jpg", FsOpenFlags.Write | FsOpenFlags.Create, None);
        m.Control.ResetRequestCounts();

        var copied = await m.Fs.CopyFileRangeAsync(source.NodeId, input.Handle, 0, output.Entry.NodeId, output.Open.Handle, 0, 1L << 30, None);
        await m.Fs.ReleaseAsync(output.Entry.NodeId, output.Open.Handle);
        await m.Fs.ReleaseAsync(source.NodeId, input.Handle);
        await m.DrainAsync();

        Assert.Equal(content.Length, copied);
        Assert.Equal(1, m.Control.RequestCount("files/copy_v2"));
        Assert.Equal(0, m.Control.RequestCount("files/upload_session/start") + m.Control.RequestCount("files/upload"));
        Assert.Equal(content, await m.DownloadAsync("/copy.jpg"));
        Assert.Equal(content.Length, (await m.WalkAsync("/copy.jpg")).Attributes.Size);
    }

    [Fact]
    public async Task CopyFileRangeOfAPartCopiesTheBytes()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/src.txt", "0123456789");
        await m.SyncAsync();
        var source = await m.WalkAsync("/src.txt");
        var input = await m.Fs.OpenAsync(source.NodeId, FsOpenFlags.Read, None);
        var output = await m.Fs.CreateAsync(Root, "part.txt", FsOpenFlags.Write | FsOpenFlags.Create, None);

        var copied = await m.Fs.CopyFileRangeAsync(source.NodeId, input.Handle, 2, output.Entry.NodeId, output.Open.Handle, 0, 5, None);
        await m.Fs.ReleaseAsync(output.Entry.NodeId, output.Open.Handle);
        await m.Fs.ReleaseAsync(source.NodeId, input.Handle);
        await m.DrainAsync();

        Assert.Equal(5, copied);
        Assert.Equal("23456"u8.ToArray(), await m.DownloadAsync("/part.txt"));
        Assert.Equal(0, m.Control.RequestCount("files/copy_v2"));
    }

    [Fact]
    public async Task EveryMutationOfAReadOnlyMountStillAnswersReadOnly()
    {
        await using var m = await CoreMount.StartAsync(readOnly: true);
        await m.PutAsync("/f.txt", "f");
        await m.SyncAsync();
        var f = await m.WalkAsync("/f.txt");
        var read = await m.Fs.OpenAsync(f.NodeId, FsOpenFlags.Read, None);

        Assert.Null(m.Fs.Uploads);
        Assert.Equal(FsError.ReadOnly, await ErrorOf(async () => await m.Fs.SetAttrAsync(f.NodeId, new FsSetAttr(null, DateTimeOffset.UnixEpoch, null), None)));
        Assert.Equal(FsError.ReadOnly, await ErrorOf(async () => await m.Fs.OpenAsync(f.NodeId, FsOpenFlags.Append, None)));
        Assert.Equal(FsError.ReadOnly, await ErrorOf(async () => await m.Fs.WriteAsync(f.NodeId, read.Handle, 0, new byte[1], None)));
        Assert.Equal(FsError.ReadOnly, await ErrorOf(async () => await m.Fs.CopyFileRangeAsync(f.NodeId, read.Handle, 0, f.NodeId, read.Handle, 0, 1, None)));
        Assert.Equal(FsError.ReadOnly, await ErrorOf(async () => await m.Fs.RenameAsync(Root, "f.txt", Root, "F.txt", FsRenameFlags.Exchange, None)));
        Assert.Equal(FsError.ReadOnly, await ErrorOf(async () => await m.Fs.CreateAsync(Root, "~$x.docx", FsOpenFlags.Read | FsOpenFlags.Create, None)));
        await m.Fs.ReleaseAsync(f.NodeId, read.Handle);
        Assert.True((await m.Fs.GetAttrAsync(Root, None)).ReadOnly);
    }
}
