using DropboxFs.Core.Metadata;
using static DropboxFs.Tests.Core.SyncHarness;

namespace DropboxFs.Tests.Core;

/// <summary>Deltas applied as state (API reference §7) and the exact kernel invalidations they cause.</summary>
public class ChangeApplierTests
{
    [Fact]
    public async Task NewFileInAKnownFolderInvalidatesOnlyItsName()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", Folder("/Docs", "id:d"));
        var docs = h.Lookup(h.Nodes.Root, "docs");
        await h.ListAsync("/docs");
        h.Notifier.Take();

        await h.FeedAsync(File("/Docs/New.txt", "id:n"));

        Assert.Equal([$"entry {docs.NodeId} New.txt"], h.Notifier.Take());
        Assert.Equal("New.txt", h.Entries.Get("/docs/new.txt")!.Name);
    }

    [Fact]
    public async Task ChangesInFoldersTheKernelNeverSawInvalidateNothing()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", Folder("/a", "id:a"));
        h.Notifier.Take();

        await h.FeedAsync(File("/a/x.txt", "id:x"), Folder("/a/b", "id:b"), File("/a/b/y", "id:y"), Deleted("/a/gone"));

        Assert.Empty(h.Notifier.Take());
        Assert.NotNull(h.Entries.Get("/a/b/y"));
    }

    [Fact]
    public async Task DeleteOfAFolderRemovesItsSubtreeAndInvalidatesItsName()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", Folder("/d", "id:d"), File("/keep", "id:k"));
        await h.ListAsync("/d", File("/d/f1", "id:1"), Folder("/d/sub", "id:s"));
        await h.ListAsync("/d/sub", File("/d/sub/f2", "id:2"));
        var d = h.Lookup(h.Nodes.Root, "d");
        var f1 = h.Lookup(d, "f1");
        h.Notifier.Take();

        await h.FeedAsync(Deleted("/d"));

        Assert.Equal(["entry 1 d"], h.Notifier.Take());
        Assert.Null(h.Entries.Get("/d"));
        Assert.Null(h.Entries.Get("/d/sub/f2"));
        Assert.NotNull(h.Entries.Get("/keep"));
        Assert.Null(h.Nodes.GetKey(f1)); // detached: its handles keep working, lookups fail
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FileRenameInAnyOrderKeepsTheNodeAndInvalidatesBothNames(bool deletedFirst)
    {
        using var h = new SyncHarness();
        await h.ListAsync("", Folder("/a", "id:a"), Folder("/b", "id:b"));
        var a = h.Lookup(h.Nodes.Root, "a");
        var b = h.Lookup(h.Nodes.Root, "b");
        await h.ListAsync("/a", File("/a/old.txt", "id:f"));
        await h.ListAsync("/b");
        var file = h.Lookup(a, "old.txt");
        h.Notifier.Take();

        var moved = File("/b/New.txt", "id:f");
        await (deletedFirst ? h.FeedAsync(Deleted("/a/old.txt"), moved) : h.FeedAsync(moved, Deleted("/a/old.txt")));

        Assert.Equal(new[] { $"entry {a.NodeId} old.txt", $"entry {b.NodeId} New.txt" }.Order(), h.Notifier.Take().Order());
        Assert.Equal("/b/new.txt", h.Nodes.GetKey(file));
        Assert.Null(h.Entries.Get("/a/old.txt"));
        Assert.Equal("id:f", h.Entries.Get("/b/new.txt")!.Id);
    }

    [Fact]
    public async Task FolderMoveCarriesLiveDescendantsWithTheirNodeIds()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", Folder("/old", "id:o"));
        var old = h.Lookup(h.Nodes.Root, "old");
        await h.ListAsync("/old", Folder("/old/sub", "id:s"));
        var sub = h.Lookup(old, "sub");
        await h.ListAsync("/old/sub", File("/old/sub/f", "id:f"));
        var f = h.Lookup(sub, "f");
        h.Notifier.Take();

        // Recursive cursor: the old folder is deleted, the new one and every descendant appear.
        await h.FeedAsync(Deleted("/old"), Folder("/New", "id:o"), Folder("/New/sub", "id:s"), File("/New/sub/f", "id:f"));

        Assert.Equal(new[] { "entry 1 old", "entry 1 New" }.Order(), h.Notifier.Take().Order());
        Assert.Equal("/new/sub/f", h.Nodes.GetKey(f));
        Assert.Equal(f.NodeId, h.Nodes.FindByKey("/new/sub/f")!.NodeId);
        Assert.Null(h.Entries.Get("/old/sub"));
        Assert.NotNull(h.Entries.Get("/new/sub/f"));
    }

    [Fact]
    public async Task OverwriteInvalidatesTheInodeAndDropsTheOldVersion()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", File("/f", "id:f", rev: "aaaaaaaaa1"));
        var f = h.Lookup(h.Nodes.Root, "f");
        h.Notifier.Take();

        await h.FeedAsync(File("/f", "id:f", rev: "bbbbbbbbb2", size: 99));

        Assert.Equal([$"inode {f.NodeId}"], h.Notifier.Take());
        Assert.Equal(99, f.Entry.Size);
        Assert.Equal(["h:hash-aaaaaaaaa1"], h.Dropped);
    }

    [Fact]
    public async Task AnUnchangedEntryInvalidatesNothing()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", File("/f", "id:f"));
        h.Lookup(h.Nodes.Root, "f");
        h.Notifier.Take();

        await h.FeedAsync(File("/f", "id:f"));

        Assert.Empty(h.Notifier.Take());
    }

    [Fact]
    public async Task NewFolderUnderACompleteParentNeedsNoListingButOneFromAListingDoes()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", Folder("/listed", "id:l"));
        await h.FeedAsync(Folder("/fresh", "id:f"));

        Assert.True(h.Entries.Get("/fresh")!.Complete);
        Assert.False(h.Entries.Get("/listed")!.Complete);
        Assert.Equal(["entry 1 fresh"], h.Notifier.Take()); // root is known to the kernel
    }

    [Fact]
    public async Task AFileReplacingAFolderRemovesTheFoldersChildren()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", Folder("/x", "id:x"));
        await h.ListAsync("/x", File("/x/child", "id:c"));
        var x = h.Lookup(h.Nodes.Root, "x");
        h.Notifier.Take();

        await h.FeedAsync(File("/x", "id:newfile"));

        Assert.Null(h.Entries.Get("/x/child"));
        Assert.Equal(DropboxFs.Core.FileSystem.FsNodeKind.File, h.Entries.Get("/x")!.Kind);
        Assert.Equal(["entry 1 x"], h.Notifier.Take());
        Assert.Null(h.Nodes.GetKey(x));
    }

    [Fact]
    public async Task TheLastOccurrenceOfAnIdWins()
    {
        using var h = new SyncHarness();
        await h.ListAsync("");
        await h.FeedAsync(File("/first", "id:same"), File("/second", "id:same", rev: "ccccccccc3"));

        Assert.Null(h.Entries.Get("/first"));
        Assert.Equal("ccccccccc3", h.Entries.Get("/second")!.Rev);
    }

    [Fact]
    public async Task ChildrenMayArriveBeforeTheirParent()
    {
        using var h = new SyncHarness();
        await h.ListAsync("");
        await h.FeedAsync(File("/p/q/leaf", "id:leaf"), Folder("/p/q", "id:q"), Folder("/p", "id:p"));

        Assert.Equal(["/p"], h.Entries.GetChildren("").Select(e => e.Key));
        Assert.Equal(["/p/q/leaf"], h.Entries.GetChildren("/p/q").Select(e => e.Key));
    }

    [Fact]
    public async Task ARelistingDeletesChildrenThatDisappearedAndInvalidatesThem()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", File("/a", "id:a"), File("/b", "id:b"));
        var a = h.Lookup(h.Nodes.Root, "a");
        h.Notifier.Take();
        await h.Applier.ApplyResetAsync("new-cursor", CancellationToken.None);
        Assert.Equal(new[] { $"inode 1", $"inode {a.NodeId}", "entry 1 a" }.Order(), h.Notifier.Take().Order());
        Assert.False(h.Entries.Get("")!.Complete);

        await h.ListAsync("", File("/b", "id:b"), File("/c", "id:c"));

        Assert.Null(h.Entries.Get("/a"));
        // Only the vanished name: a relisting after a reset does not announce names (reset dropped everything).
        Assert.Equal(["entry 1 a"], h.Notifier.Take());
        Assert.Equal("new-cursor", new SyncStateTable(h.Db).Get(SyncStateTable.Cursor));
    }

    [Fact]
    public async Task TheCursorIsStoredWithItsPage()
    {
        using var h = new SyncHarness();
        await h.Applier.ApplyFeedPageAsync([File("/z", "id:z")], "c-42", CancellationToken.None);

        Assert.Equal("c-42", new SyncStateTable(h.Db).Get(SyncStateTable.Cursor));
        Assert.NotNull(h.Entries.Get("/z"));
    }

    [Fact]
    public async Task ACaseVariantTheKernelLookedUpIsInvalidatedToo()
    {
        using var h = new SyncHarness();
        await h.ListAsync("", File("/Report.txt", "id:r"));
        h.Lookup(h.Nodes.Root, "REPORT.TXT");
        h.Notifier.Take();

        await h.FeedAsync(Deleted("/report.txt"));

        Assert.Equal(new[] { "entry 1 Report.txt", "entry 1 REPORT.TXT" }.Order(), h.Notifier.Take().Order());
    }
}
