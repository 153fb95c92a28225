using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Revisions;

namespace DropboxFs.Tests.Revisions;

/// <summary>The <c>.dropbox/revisions</c> views through the decorator, over the real facade and emulator.</summary>
public class RevisionViewTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ThreeUploadsListExactlyThreeRevisionsThatReadBackByteExact()
    {
        await using var h = await RevisionsHarness.StartAsync();
        byte[][] versions = [RevisionsHarness.RandomBytes(1000, 1), RevisionsHarness.RandomBytes((3 << 20) + 5, 2), RevisionsHarness.RandomBytes(7, 3)];
        var metas = new List<FileMetadata>();
        foreach (var v in versions)
        {
            metas.Add(await h.PutAsync("/docs/report.txt", v));
        }

        await h.SyncAsync();
        h.Control.ResetRequestCounts();

        var listing = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/docs/report.txt");

        metas.Reverse(); // newest first
        Assert.Equal(metas.Select(RevisionFileNode.FileName), listing.Select(e => e.Name));
        Assert.Equal(metas.Select(m => m.Size), listing.Select(e => e.Entry.Attributes.Size));
        Assert.All(listing, e => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ_[0-9a-f]{9,}\.txt$", e.Name));
        Assert.All(listing, e => Assert.True(e.Entry.Attributes.ReadOnly));
        Assert.Equal(metas.Select(m => m.ClientModified), listing.Select(e => e.Entry.Attributes.ModifiedTime));
        for (var i = 0; i < 3; i++)
        {
            var node = (await h.WalkAsync("/.dropbox/revisions/docs/report.txt/" + listing[i].Name)).NodeId;
            Assert.Equal(versions[2 - i], await RevisionsHarness.ReadAllAsync(h.Fs, node));
        }

        // One list_revisions for the listing and every lookup after it (served from the 10 s cache).
        Assert.Equal(1, h.Control.RequestCount("files/list_revisions"));
    }

    [Fact]
    public async Task ARangedReadOfARevisionDownloadsOnlyAroundTheRangeAndIsCached()
    {
        await using var h = await RevisionsHarness.StartAsync();
        var old = RevisionsHarness.RandomBytes(16 << 20, 4);
        await h.PutAsync("/big.bin", old);
        await h.PutAsync("/big.bin", RevisionsHarness.RandomBytes(10, 5));
        await h.SyncAsync();
        var listing = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/big.bin");
        var node = (await h.WalkAsync("/.dropbox/revisions/big.bin/" + listing[1].Name)).NodeId;

        var open = await h.Fs.OpenAsync(node, FsOpenFlags.Read, None);
        var buffer = new byte[4096];
        Assert.Equal(4096, await h.Fs.ReadAsync(node, open.Handle, 12 << 20, buffer, None));
        Assert.Equal(old.AsSpan(12 << 20, 4096).ToArray(), buffer);
        var usedAfterOneRead = h.Inner.GetStats().CacheUsedBytes;
        await h.Fs.ReleaseAsync(node, open.Handle);
        Assert.InRange(usedAfterOneRead, 4096, 8 << 20); // a window around the read, not the 16 MiB file

        h.Control.ResetRequestCounts();
        open = await h.Fs.OpenAsync(node, FsOpenFlags.Read, None);
        Assert.Equal(4096, await h.Fs.ReadAsync(node, open.Handle, 12 << 20, buffer, None));
        await h.Fs.ReleaseAsync(node, open.Handle);
        Assert.Equal(0, h.Control.RequestCount("files/download"));
    }

    [Fact]
    public async Task DotDropboxIsHiddenFromTheRootAndItsNameCannotBeCreatedOrRemoved()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/visible.txt", "v");
        await h.SyncAsync();
        var root = IFileSystem.RootNodeId;

        Assert.Equal(["visible.txt"], (await h.Fs.ReadDirAsync(root, None)).Select(e => e.Name));
        Assert.Equal(["revisions", "revisions-by-id"], (await RevisionsHarness.ListAsync(h.Fs, "/.dropbox")).Select(e => e.Name));

        await AssertReadOnlyAsync(async () => await h.Fs.CreateAsync(root, ".dropbox", FsOpenFlags.Write | FsOpenFlags.Create, None));
        await AssertReadOnlyAsync(async () => await h.Fs.MkdirAsync(root, ".Dropbox", None));
        await AssertReadOnlyAsync(async () => await h.Fs.RenameAsync(root, "visible.txt", root, ".dropbox", FsRenameFlags.None, None));
        await AssertReadOnlyAsync(async () => await h.Fs.RenameAsync(root, ".dropbox", root, "x", FsRenameFlags.None, None));
        await AssertReadOnlyAsync(async () => await h.Fs.RmdirAsync(root, ".dropbox", None));
        await AssertReadOnlyAsync(async () => await h.Fs.UnlinkAsync(root, ".dropbox", None));
    }

    [Fact]
    public async Task WritingRenamingDeletingOrCreatingInsideTheViewsIsReadOnly()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/a.txt", "one");
        await h.PutAsync("/a.txt", "two");
        await h.SyncAsync();
        var history = (await h.WalkAsync("/.dropbox/revisions/a.txt")).NodeId;
        var name = (await h.Fs.ReadDirAsync(history, None))[0].Name;
        var revision = (await h.WalkAsync("/.dropbox/revisions/a.txt/" + name)).NodeId;
        var folders = new[] { (await h.WalkAsync("/.dropbox")).NodeId, (await h.WalkAsync("/.dropbox/revisions")).NodeId, history };

        await AssertReadOnlyAsync(async () => await h.Fs.OpenAsync(revision, FsOpenFlags.Write, None));
        await AssertReadOnlyAsync(async () => await h.Fs.OpenAsync(revision, FsOpenFlags.Read | FsOpenFlags.Truncate, None));
        await AssertReadOnlyAsync(async () => await h.Fs.SetAttrAsync(revision, new FsSetAttr(0, null, null), None));
        await AssertReadOnlyAsync(async () => await h.Fs.SetAttrAsync(history, new FsSetAttr(null, DateTimeOffset.UnixEpoch, null), None));
        var open = await h.Fs.OpenAsync(revision, FsOpenFlags.Read, None);
        await AssertReadOnlyAsync(async () => await h.Fs.WriteAsync(revision, open.Handle, 0, new byte[] { 1 }, None));
        await h.Fs.ReleaseAsync(revision, open.Handle);
        foreach (var folder in folders)
        {
            await AssertReadOnlyAsync(async () => await h.Fs.CreateAsync(folder, "new.txt", FsOpenFlags.Write | FsOpenFlags.Create, None));
            await AssertReadOnlyAsync(async () => await h.Fs.MkdirAsync(folder, "sub", None));
            await AssertReadOnlyAsync(async () => await h.Fs.UnlinkAsync(folder, name, None));
            await AssertReadOnlyAsync(async () => await h.Fs.RmdirAsync(folder, "a.txt", None));
            await AssertReadOnlyAsync(async () => await h.Fs.RenameAsync(folder, name, IFileSystem.RootNodeId, "stolen.txt", FsRenameFlags.None, None));
            await AssertReadOnlyAsync(async () => await h.Fs.RenameAsync(IFileSystem.RootNodeId, "a.txt", folder, "in.txt", FsRenameFlags.None, None));
        }

        // Nothing reached the server: the live file still has its two revisions and the root only a.txt.
        Assert.Equal(2, (await h.Client.ListRevisionsAsync("/a.txt", limit: 100)).Entries.Count);
        Assert.Equal(["a.txt"], (await h.Fs.ReadDirAsync(IFileSystem.RootNodeId, None)).Select(e => e.Name));
    }

    [Fact]
    public async Task TheByIdViewFollowsARenameAndThePathViewDoesNot()
    {
        await using var h = await RevisionsHarness.StartAsync();
        var v1 = await h.PutAsync("/old-name.txt", "first");
        var v2 = await h.PutAsync("/old-name.txt", "second");
        await h.Client.MoveAsync("/old-name.txt", "/new-name.txt");
        await h.SyncAsync();

        var byId = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions-by-id/new-name.txt");
        var byPath = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/new-name.txt");

        Assert.Contains(byId, e => e.Name.Contains(v1.Rev, StringComparison.Ordinal));
        Assert.Contains(byId, e => e.Name.Contains(v2.Rev, StringComparison.Ordinal));
        Assert.DoesNotContain(byPath, e => e.Name.Contains(v1.Rev, StringComparison.Ordinal));
        var first = byId.Single(e => e.Name.Contains(v1.Rev, StringComparison.Ordinal));
        Assert.Equal("first"u8.ToArray(), await RevisionsHarness.ReadAllAsync(h.Fs, first.Entry.NodeId));
    }

    [Fact]
    public async Task ADeletedFileSeenWhileMountedKeepsItsHistoryByItsOldPath()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/keep/gone.txt", "one");
        await h.PutAsync("/keep/gone.txt", "two!");
        await h.PutAsync("/keep/stays.txt", "s");
        await h.SyncAsync();
        await RevisionsHarness.ListAsync(h.Fs, "/keep"); // seen while mounted
        await h.Client.DeleteAsync("/keep/gone.txt");
        await h.SyncAsync();

        Assert.Equal(["stays.txt"], (await RevisionsHarness.ListAsync(h.Fs, "/keep")).Select(e => e.Name));
        Assert.Equal(["gone.txt", "stays.txt"], (await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/keep")).Select(e => e.Name).Order());
        foreach (var view in new[] { "revisions", "revisions-by-id" })
        {
            var history = await RevisionsHarness.ListAsync(h.Fs, $"/.dropbox/{view}/keep/gone.txt");
            Assert.Equal([4L, 3L], history.Select(e => e.Entry.Attributes.Size));
            Assert.Equal("two!"u8.ToArray(), await RevisionsHarness.ReadAllAsync(h.Fs, history[0].Entry.NodeId));
        }
    }

    [Fact]
    public async Task FilesOfADeletedFolderKeepTheirHistoryUnderTheFolderName()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/Old Folder/inner/f.txt", "v1");
        await h.PutAsync("/Old Folder/inner/f.txt", "v22");
        await h.SyncAsync();
        await RevisionsHarness.ListAsync(h.Fs, "/Old Folder/inner"); // seen while mounted
        await h.Client.DeleteAsync("/Old Folder");
        await h.SyncAsync();

        Assert.Empty(await h.Fs.ReadDirAsync(IFileSystem.RootNodeId, None));
        Assert.Equal(["Old Folder"], (await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions")).Select(e => e.Name));
        var history = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/old folder/INNER/f.txt");
        Assert.Equal([3L, 2L], history.Select(e => e.Entry.Attributes.Size));
        Assert.Equal("v1"u8.ToArray(), await RevisionsHarness.ReadAllAsync(h.Fs, history[1].Entry.NodeId));
    }

    [Fact]
    public async Task AFolderInTheViewListsItsChildrenAndAMissingPathIsNotFound()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/dir/sub/deep.txt", "d");
        await h.PutAsync("/dir/top.txt", "t");
        await h.SyncAsync();

        var children = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/dir");
        Assert.Equal(["sub", "top.txt"], children.Select(e => e.Name));
        Assert.All(children, e => Assert.Equal(FsNodeKind.Directory, e.Entry.Attributes.Kind));
        Assert.Single(await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/DIR/Sub/deep.txt")); // case-insensitive, as live names
        var missing = await Assert.ThrowsAsync<FsException>(async () => await h.WalkAsync("/.dropbox/revisions/dir/nope.txt"));
        Assert.Equal(FsError.NotFound, missing.Error);
        var notDir = await Assert.ThrowsAsync<FsException>(async () => await h.WalkAsync("/.dropbox/revisions/dir/top.txt/x/y"));
        Assert.Equal(FsError.NotFound, notDir.Error);
    }

    [Fact]
    public async Task AHistoryOfAPathThatBecameAFolderOnTheServerIsNotADirectoryNotACrash()
    {
        await using var h = await RevisionsHarness.StartAsync(historyMaxAge: TimeSpan.Zero);
        await h.PutAsync("/x.txt", "file");
        await h.SyncAsync();
        var history = (await h.WalkAsync("/.dropbox/revisions/x.txt")).NodeId;
        await h.Client.DeleteAsync("/x.txt");
        await h.Client.CreateFolderAsync("/x.txt"); // the mount has not applied these yet

        var e = await Assert.ThrowsAsync<FsException>(async () => await h.Fs.ReadDirAsync(history, None));
        Assert.Equal(FsError.NotDirectory, e.Error);
        Assert.Contains("is a folder on the server", e.Message);
    }

    [Fact]
    public async Task AFileNotYetUploadedHasAnEmptyHistoryInBothViewsUntilItIs()
    {
        await using var h = await RevisionsHarness.StartAsync(historyMaxAge: TimeSpan.Zero);
        var created = await h.Fs.CreateAsync(IFileSystem.RootNodeId, "pending.txt", FsOpenFlags.Write | FsOpenFlags.Create, None);
        await h.Fs.WriteAsync(created.Entry.NodeId, created.Open.Handle, 0, "draft"u8.ToArray(), None);

        Assert.Empty(await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/pending.txt"));
        Assert.Empty(await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions-by-id/pending.txt"));

        await h.Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle); // --sync-uploads: committed on return
        var history = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions-by-id/pending.txt");
        Assert.Equal("draft"u8.ToArray(), await RevisionsHarness.ReadAllAsync(h.Fs, Assert.Single(history).Entry.NodeId));
    }

    [Fact]
    public async Task VirtualNodesAreFreedWhenTheKernelForgetsThem()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/f.txt", "x");
        await h.SyncAsync();
        var path = new[] { ".dropbox", "revisions", "f.txt" };
        var parent = IFileSystem.RootNodeId;
        var looked = new List<ulong>();
        foreach (var part in path)
        {
            parent = (await h.Fs.LookupAsync(parent, part, None)).NodeId;
            looked.Add(parent);
        }

        Assert.Equal(parent, (await h.Fs.LookupAsync(looked[1], "F.TXT", None)).NodeId); // same node for the same name
        Assert.All(looked, n => Assert.True(RevisionsFileSystem.IsVirtual(n)));
        Assert.Equal(3, h.Fs.VirtualNodeCount);
        h.Fs.Forget(parent, 2);
        h.Fs.Forget(looked[1], 1);
        h.Fs.Forget(looked[0], 1);
        Assert.Equal(0, h.Fs.VirtualNodeCount);
        Assert.Equal(FsError.NotFound, (await Assert.ThrowsAsync<FsException>(async () => await h.Fs.GetAttrAsync(parent, None))).Error);

        // Listed but never remembered (a READDIRPLUS reply cut short): freed with their folder.
        var dot = (await h.Fs.LookupAsync(IFileSystem.RootNodeId, ".dropbox", None)).NodeId;
        var listed = await h.Fs.ReadDirAsync(dot, None);
        h.Fs.Remember(listed[0].Entry.NodeId);
        Assert.Equal(3, h.Fs.VirtualNodeCount);
        h.Fs.Forget(dot, 1);
        Assert.Equal(1, h.Fs.VirtualNodeCount); // the remembered child stays until its own FORGET
        h.Fs.Forget(listed[0].Entry.NodeId, 1);
        Assert.Equal(0, h.Fs.VirtualNodeCount);
    }

    [Fact]
    public async Task AHistoryOlderThanItsMaxAgeIsListedAgain()
    {
        await using var h = await RevisionsHarness.StartAsync(historyMaxAge: TimeSpan.Zero);
        await h.PutAsync("/f.txt", "1");
        await h.SyncAsync();
        Assert.Single(await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/f.txt"));

        await h.PutAsync("/f.txt", "22");
        Assert.Equal(2, (await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/f.txt")).Count);
    }

    [Fact]
    public async Task CopyingARevisionOverTheLiveFileIsAnOrdinaryWrite()
    {
        await using var h = await RevisionsHarness.StartAsync();
        var v1 = RevisionsHarness.RandomBytes((2 << 20) + 11, 6);
        await h.PutAsync("/c.bin", v1);
        await h.PutAsync("/c.bin", RevisionsHarness.RandomBytes(100, 7));
        await h.SyncAsync();
        var listing = await RevisionsHarness.ListAsync(h.Fs, "/.dropbox/revisions/c.bin");
        var source = (await h.WalkAsync("/.dropbox/revisions/c.bin/" + listing[1].Name)).NodeId;
        var target = (await h.WalkAsync("/c.bin")).NodeId;

        var input = await h.Fs.OpenAsync(source, FsOpenFlags.Read, None);
        var output = await h.Fs.OpenAsync(target, FsOpenFlags.Write | FsOpenFlags.Truncate, None);
        Assert.Equal(v1.Length, await h.Fs.CopyFileRangeAsync(source, input.Handle, 0, target, output.Handle, 0, v1.Length, None));
        await h.Fs.ReleaseAsync(target, output.Handle);
        await h.Fs.ReleaseAsync(source, input.Handle);

        using var download = await h.Client.OpenDownloadAsync("/c.bin");
        using var bytes = new MemoryStream();
        await download.Content.CopyToAsync(bytes);
        Assert.Equal(v1, bytes.ToArray());
        Assert.Equal(3, (await h.Client.ListRevisionsAsync("/c.bin", limit: 100)).Entries.Count); // a new revision, nothing replaced

        var reverse = await h.Fs.OpenAsync(target, FsOpenFlags.Read, None);
        input = await h.Fs.OpenAsync(source, FsOpenFlags.Read, None);
        await AssertReadOnlyAsync(async () => await h.Fs.CopyFileRangeAsync(target, reverse.Handle, 0, source, input.Handle, 0, 10, None));
        await h.Fs.ReleaseAsync(source, input.Handle);
        await h.Fs.ReleaseAsync(target, reverse.Handle);
    }

    internal static async Task AssertReadOnlyAsync(Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<FsException>(action);
        Assert.Equal(FsError.ReadOnly, e.Error);
    }
}
