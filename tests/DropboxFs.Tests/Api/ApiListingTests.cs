using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

public sealed class ApiListingTests
{
    [Fact]
    public async Task ListingPagesThroughEveryEntryWithSmallLimit()
    {
        await using var h = await ApiHarness.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await h.PutAsync($"/dir/f{i}.txt", [(byte)i]);
        }
        var first = await h.Client.ListFolderAsync("/dir", new ListFolderOptions { Limit = 2 });
        Assert.True(first.HasMore);
        var names = new List<string>();
        await foreach (var e in h.Client.ListAllAsync("/dir", new ListFolderOptions { Limit = 2 }))
        {
            names.Add(e.Name);
        }
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"f{i}.txt").Order(), names.Order());
    }

    [Fact]
    public async Task RecursiveListingIncludesNestedEntriesAndRootSlashMeansRoot()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/a/b/c.txt", [1]);
        var all = await h.Client.ListFolderCompleteAsync("/", new ListFolderOptions { Recursive = true });
        Assert.Contains(all.Entries, e => e is FolderMetadata { PathLower: "/a/b" });
        Assert.Contains(all.Entries, e => e is FileMetadata { PathLower: "/a/b/c.txt" });
        var top = await h.Client.ListFolderAsync("/");
        Assert.Single(top.Entries);
    }

    [Fact]
    public async Task IncludeDeletedListsDeletedEntries()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/d/gone.txt", [1]);
        await h.PutAsync("/d/kept.txt", [2]);
        await h.Client.DeleteAsync("/d/gone.txt");
        var without = await h.Client.ListFolderCompleteAsync("/d");
        Assert.DoesNotContain(without.Entries, e => e.Name == "gone.txt");
        var with = await h.Client.ListFolderCompleteAsync("/d", new ListFolderOptions { IncludeDeleted = true });
        Assert.Contains(with.Entries, e => e is DeletedMetadata { Name: "gone.txt" });
    }

    [Fact]
    public async Task MetadataIsAddressableByPathIdIdRelativePathAndRev()
    {
        await using var h = await ApiHarness.StartAsync();
        var file = await h.PutAsync("/Folder/Sub/note.txt", [1, 2]);
        var folder = Assert.IsType<FolderMetadata>(await h.Client.GetMetadataAsync("/folder"));
        Assert.Equal(file.Id, Assert.IsType<FileMetadata>(await h.Client.GetMetadataAsync(file.Id)).Id);
        Assert.Equal(file.Id, Assert.IsType<FileMetadata>(await h.Client.GetMetadataAsync(folder.Id + "/Sub/note.txt")).Id);
        Assert.Equal(file.Rev, Assert.IsType<FileMetadata>(await h.Client.GetMetadataAsync("rev:" + file.Rev)).Rev);
        var missing = await Assert.ThrowsAsync<DropboxApiException>(() => h.Client.GetMetadataAsync("/nope"));
        Assert.True(missing.IsNotFound);
        Assert.Equal("path/not_found", missing.TagPath);
        await h.Client.DeleteAsync("/Folder/Sub/note.txt");
        Assert.IsType<DeletedMetadata>(await h.Client.GetMetadataAsync("/Folder/Sub/note.txt", includeDeleted: true));
    }

    [Fact]
    public async Task ChangesSinceLatestCursorReportUploadsAndDeletes()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/old.txt", [1]);
        var cursor = await h.Client.GetLatestCursorAsync("", new ListFolderOptions { Recursive = true });
        await h.PutAsync("/new.txt", [2]);
        await h.Client.DeleteAsync("/old.txt");
        var changes = new List<Metadata>();
        ListFolderResult page;
        do
        {
            page = await h.Client.ListChangesAsync(cursor);
            changes.AddRange(page.Entries);
            cursor = page.Cursor;
        }
        while (page.HasMore);
        Assert.Contains(changes, e => e is FileMetadata { PathLower: "/new.txt" });
        Assert.Contains(changes, e => e is DeletedMetadata { PathLower: "/old.txt" });
        Assert.Empty((await h.Client.ListChangesAsync(cursor)).Entries);
    }

    [Fact]
    public async Task InvalidatedCursorSurfacesAsReset()
    {
        await using var h = await ApiHarness.StartAsync();
        var cursor = await h.Client.GetLatestCursorAsync("");
        h.Server.Control.ForceLongpollReset();
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => h.Client.ListChangesAsync(cursor));
        Assert.True(ex.IsReset, ex.TagPath);
    }

    [Fact]
    public async Task LongpollWakesOnChangeWithoutAuthorizationAndObeysBackoff()
    {
        await using var h = await ApiHarness.StartAsync();
        var cursor = await h.Client.GetLatestCursorAsync("");
        var wait = h.Client.WaitForChangesAsync(cursor, TimeSpan.FromSeconds(30));
        await h.PutAsync("/wake.txt", [1]);
        var result = await wait;
        Assert.True(result.Changes);

        h.Server.Control.SetLongpollBackoff(5);
        var cursor2 = await h.Client.GetLatestCursorAsync("");
        var wait2 = h.Client.WaitForChangesAsync(cursor2, TimeSpan.FromSeconds(30));
        await h.PutAsync("/wake2.txt", [1]);
        var second = await wait2;
        Assert.Equal(5, second.Backoff);
        Assert.True(h.Client.LongpollNotBefore > DateTimeOffset.UtcNow);
        var delaysBefore = h.Time.Delays.Count;
        var cursor3 = await h.Client.GetLatestCursorAsync("");
        var wait3 = h.Client.WaitForChangesAsync(cursor3, TimeSpan.FromSeconds(30));
        await h.PutAsync("/wake3.txt", [1]);
        await wait3;
        Assert.Contains(h.Time.Delays.Skip(delaysBefore), d => d > TimeSpan.FromSeconds(3) && d <= TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task LongpollOnAnInvalidatedCursorThrowsReset()
    {
        await using var h = await ApiHarness.StartAsync();
        var cursor = await h.Client.GetLatestCursorAsync("");
        h.Server.Control.ForceLongpollReset();
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => h.Client.WaitForChangesAsync(cursor, TimeSpan.FromSeconds(30)));
        Assert.True(ex.IsReset, ex.TagPath);
    }

    [Fact]
    public async Task CancellingAWaitingLongpollEndsItWithoutRetrying()
    {
        await using var h = await ApiHarness.StartAsync();
        var cursor = await h.Client.GetLatestCursorAsync("");
        using var cts = new CancellationTokenSource();
        var wait = h.Client.WaitForChangesAsync(cursor, TimeSpan.FromSeconds(480), cts.Token);
        for (var i = 0; i < 200 && h.Server.Control.RequestCount("files/list_folder/longpoll") == 0; i++)
        {
            await Task.Delay(50); // until the server holds the longpoll
        }
        Assert.False(wait.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(1, h.Client.RequestCounts["files/list_folder/longpoll"]);
    }
}
