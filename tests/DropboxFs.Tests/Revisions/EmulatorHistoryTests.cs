using DropboxFs.Api;

namespace DropboxFs.Tests.Revisions;

/// <summary>The emulator behaviours `mount --at` relies on, through the real client (API reference §5.1, §5.12).</summary>
public class EmulatorHistoryTests
{
    [Fact]
    public async Task AFileMovedAwayLeavesADeletedEntryWhosePathHistoryEndsAtTheMove()
    {
        await using var h = await RevisionsHarness.StartAsync();
        var v1 = await h.PutAsync("/d/a.txt", "a1");
        var v2 = await h.PutAsync("/d/a.txt", "a22");
        var movedAt = h.Clock.GetUtcNow();
        await h.Client.MoveAsync("/d/a.txt", "/d/b.txt");

        var listing = await h.Client.ListFolderCompleteAsync("/d", new ListFolderOptions { IncludeDeleted = true });
        var atOldPath = await h.Client.ListRevisionsAsync("/d/a.txt", RevisionMode.Path, 100);
        var byId = await h.Client.ListRevisionsAsync(v1.Id, RevisionMode.Id, 100);

        Assert.Contains(listing.Entries, e => e is DeletedMetadata && e.Name == "a.txt");
        Assert.Contains(listing.Entries, e => e is FileMetadata && e.Name == "b.txt");
        Assert.True(atOldPath.IsDeleted);
        Assert.NotNull(atOldPath.ServerDeleted);
        Assert.InRange(atOldPath.ServerDeleted!.Value, movedAt.AddSeconds(-1), movedAt.AddSeconds(1));
        Assert.Equal([v2.Rev, v1.Rev], atOldPath.Entries.Select(e => e.Rev));
        Assert.False(byId.IsDeleted);
        Assert.Equal([v2.Rev, v1.Rev], byId.Entries.Select(e => e.Rev).Distinct());
    }

    [Fact]
    public async Task ANonRecursiveIncludeDeletedListingShowsOnlyTheFoldersOwnDeletedChildren()
    {
        await using var h = await RevisionsHarness.StartAsync();
        await h.PutAsync("/top/gone.txt", "g");
        await h.PutAsync("/top/sub/deep-gone.txt", "d");
        await h.PutAsync("/top/sub/keep.txt", "k");
        await h.Client.DeleteAsync("/top/gone.txt");
        await h.Client.DeleteAsync("/top/sub/deep-gone.txt");

        var names = (await h.Client.ListFolderCompleteAsync("/top", new ListFolderOptions { IncludeDeleted = true })).Entries
            .Select(e => (Type: e.GetType().Name, e.Name)).OrderBy(x => x.Name).ToList();

        Assert.Equal([("DeletedMetadata", "gone.txt"), ("FolderMetadata", "sub")], names);
    }
}
