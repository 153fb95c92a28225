using System.Text;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Revisions;

namespace DropboxFs.Tests.Revisions;

/// <summary><c>mount --at</c>: the tree as it was, through <see cref="PointInTimeFileSystem"/> on the real emulator.</summary>
public class PointInTimeTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ATimeBetweenVersionTwoAndThreeShowsVersionTwoHidesLaterFilesAndIncludesDeletedOnes()
    {
        await using var h = await RevisionsHarness.StartAsync();
        var hour = TimeSpan.FromHours(1);
        await h.PutAsync("/dir/doc.txt", "version one", hour);
        await h.PutAsync("/dir/doc.txt", "version two", hour);
        await h.PutAsync("/dir/deleted-later.txt", "was there", hour);
        await h.PutAsync("/dir/deleted-before.txt", "gone by then", hour);
        await h.Client.DeleteAsync("/dir/deleted-before.txt");
        await h.PutAsync("/dir/unchanged.txt", "same", hour);
        var at = h.Clock.GetUtcNow();
        h.Clock.Advance(hour);
        await h.PutAsync("/dir/doc.txt", "version three", hour);
        await h.PutAsync("/dir/created-later.txt", "new", hour);
        await h.Client.DeleteAsync("/dir/deleted-later.txt");
        await using var past = new PointInTimeFileSystem(h.Inner, at);

        var names = (await RevisionsHarness.ListAsync(past, "/dir")).Select(e => e.Name).ToList();

        Assert.Equal(["deleted-later.txt", "doc.txt", "unchanged.txt"], names);
        Assert.Equal("version two", await ReadTextAsync(past, "/dir/doc.txt"));
        Assert.Equal("was there", await ReadTextAsync(past, "/dir/deleted-later.txt"));
        Assert.Equal("same", await ReadTextAsync(past, "/dir/unchanged.txt"));
        foreach (var hidden in new[] { "/dir/created-later.txt", "/dir/deleted-before.txt", "/dir/nothing.txt" })
        {
            var e = await Assert.ThrowsAsync<FsException>(async () => await RevisionsHarness.WalkAsync(past, hidden));
            Assert.Equal(FsError.NotFound, e.Error);
        }

        var doc = await RevisionsHarness.WalkAsync(past, "/dir/doc.txt");
        Assert.Equal("version two".Length, doc.Attributes.Size);
        Assert.True(doc.Attributes.ReadOnly);
        Assert.Equal(at, (await RevisionsHarness.WalkAsync(past, "/dir")).Attributes.ModifiedTime);
    }

    [Fact]
    public async Task FileLookupsAreLazyCachedAndFreeForFilesUnchangedSinceTheTime()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/a.txt", "a1");
        await h.PutAsync("/b.txt", "b1");
        var at = h.Clock.GetUtcNow();
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.PutAsync("/b.txt", "b2");
        await using var past = new PointInTimeFileSystem(h.Inner, at);
        h.Control.ResetRequestCounts();

        Assert.Equal("a1", await ReadTextAsync(past, "/a.txt"));
        Assert.Equal(0, h.Control.RequestCount("files/list_revisions")); // unchanged since: its listed rev is the one
        Assert.Equal("b1", await ReadTextAsync(past, "/b.txt"));
        Assert.Equal(1, h.Control.RequestCount("files/list_revisions"));
        await RevisionsHarness.ListAsync(past, "/");
        Assert.Equal("b1", await ReadTextAsync(past, "/b.txt"));
        Assert.Equal(1, h.Control.RequestCount("files/list_revisions"));
        Assert.Equal(1, h.Control.RequestCount("files/list_folder"));
    }

    [Fact]
    public async Task AFileRenamedSinceTheTimeShowsOnceUnderItsCurrentNameWithItsOldContent()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/r/before.txt", "old content");
        var at = h.Clock.GetUtcNow();
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.Client.MoveAsync("/r/before.txt", "/r/after.txt");
        await h.PutAsync("/r/after.txt", "new content");
        await using var past = new PointInTimeFileSystem(h.Inner, at);

        Assert.Equal(["after.txt"], (await RevisionsHarness.ListAsync(past, "/r")).Select(e => e.Name));
        Assert.Equal("old content", await ReadTextAsync(past, "/r/after.txt"));
        Assert.Equal(FsError.NotFound, (await Assert.ThrowsAsync<FsException>(async () => await RevisionsHarness.WalkAsync(past, "/r/before.txt"))).Error);
    }

    [Fact]
    public async Task EveryMutationOfThePastTreeIsReadOnly()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/d/f.txt", "f");
        await using var past = new PointInTimeFileSystem(h.Inner, h.Clock.GetUtcNow());
        var root = IFileSystem.RootNodeId;
        var file = (await RevisionsHarness.WalkAsync(past, "/d/f.txt")).NodeId;

        await RevisionViewTests.AssertReadOnlyAsync(async () => await past.OpenAsync(file, FsOpenFlags.Write, None));
        await RevisionViewTests.AssertReadOnlyAsync(async () => await past.SetAttrAsync(file, new FsSetAttr(0, null, null), None));
        await RevisionViewTests.AssertReadOnlyAsync(async () => await past.CreateAsync(root, "n.txt", FsOpenFlags.Create | FsOpenFlags.Write, None));
        await RevisionViewTests.AssertReadOnlyAsync(async () => await past.MkdirAsync(root, "n", None));
        await RevisionViewTests.AssertReadOnlyAsync(async () => await past.UnlinkAsync(root, "d", None));
        await RevisionViewTests.AssertReadOnlyAsync(async () => await past.RmdirAsync(root, "d", None));
        await RevisionViewTests.AssertReadOnlyAsync(async () => await past.RenameAsync(root, "d", root, "e", FsRenameFlags.None, None));
        Assert.Equal("f", (await h.Client.ListRevisionsAsync("/d/f.txt")).Entries.Single().Name[..1]);
    }

    private static async Task<string> ReadTextAsync(IFileSystem fs, string path) =>
        Encoding.UTF8.GetString(await RevisionsHarness.ReadAllAsync(fs, (await RevisionsHarness.WalkAsync(fs, path)).NodeId));
}
