using System.Text.Json;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class ListFolderAndCursorTests
{
    private static List<JsonElement> Entries(JsonElement page) => page.GetProperty("entries").EnumerateArray().ToList();

    private static string Cursor(JsonElement page) => page.GetProperty("cursor").GetString()!;

    [Fact]
    public async Task RootIsEmptyStringAndSlashIsBadRequest()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "a");
        var page = await emu.RpcAsync("files/list_folder", new { path = "" });
        var e = Assert.Single(Entries(page));
        Assert.Equal("file", Tag(e));
        Assert.False(page.GetProperty("has_more").GetBoolean());
        using var slash = await emu.PostAsync("files/list_folder", new { path = "/" });
        await BadRequestAsync(slash, "files/list_folder", "Specify the root folder as an empty string");
    }

    [Fact]
    public async Task RecursiveListingIncludesTheFolderItselfButNotTheRoot()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/Docs/Sub/x.txt", "x");
        var sub = Entries(await emu.RpcAsync("files/list_folder", new { path = "/docs", recursive = true }));
        Assert.Equal(["/docs", "/docs/sub", "/docs/sub/x.txt"], sub.Select(e => e.GetProperty("path_lower").GetString()));
        Assert.Equal("/Docs/Sub/x.txt", sub[2].GetProperty("path_display").GetString());
        var root = Entries(await emu.RpcAsync("files/list_folder", new { path = "", recursive = true }));
        Assert.Equal(3, root.Count);
        var flat = Entries(await emu.RpcAsync("files/list_folder", new { path = "/Docs" }));
        Assert.Equal("Sub", Assert.Single(flat).GetProperty("name").GetString());
    }

    [Fact]
    public async Task PagingWithLimitVisitsEveryEntryOnce()
    {
        await using var emu = await TestEmulator.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await emu.UploadAsync($"/f{i}.txt", $"{i}");
        }

        var page = await emu.RpcAsync("files/list_folder", new { path = "", limit = 3 });
        var names = Entries(page).Select(e => e.GetProperty("name").GetString()).ToList();
        var pages = 1;
        while (page.GetProperty("has_more").GetBoolean())
        {
            page = await emu.RpcAsync("files/list_folder/continue", new { cursor = Cursor(page) });
            names.AddRange(Entries(page).Select(e => e.GetProperty("name").GetString()));
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"f{i}.txt"), names);
    }

    [Fact]
    public async Task ListingAFileIsNotFolderAndMissingIsNotFound()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "a");
        await ConflictAsync(await emu.PostAsync("files/list_folder", new { path = "/a.txt" }), "path/not_folder/");
        await ConflictAsync(await emu.PostAsync("files/list_folder", new { path = "/nope" }), "path/not_found/");
    }

    [Fact]
    public async Task ContinueReportsDeletesAsDeletedEntries()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "a");
        var cursor = Cursor(await emu.RpcAsync("files/list_folder", new { path = "" }));
        await emu.RpcAsync("files/delete_v2", new { path = "/a.txt" });
        var delta = await emu.RpcAsync("files/list_folder/continue", new { cursor });
        var e = Assert.Single(Entries(delta));
        Assert.Equal("deleted", Tag(e));
        Assert.Equal("/a.txt", e.GetProperty("path_lower").GetString());
        Assert.False(e.TryGetProperty("id", out _));
    }

    [Fact]
    public async Task FolderMoveIsDeleteThenAddWithWholeSubtreeOnRecursiveCursor()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/A/b/c.txt", "c");
        var cursor = Cursor(await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "", recursive = true }));
        await emu.RpcAsync("files/move_v2", new { from_path = "/A", to_path = "/Z" });
        var delta = Entries(await emu.RpcAsync("files/list_folder/continue", new { cursor }));
        var seen = delta.Select(e => $"{Tag(e)} {e.GetProperty("path_lower").GetString()}").ToList();
        Assert.Contains("deleted /a", seen);
        Assert.Contains("folder /z", seen);
        Assert.Contains("folder /z/b", seen);
        Assert.Contains("file /z/b/c.txt", seen);
        Assert.True(seen.IndexOf("deleted /a") < seen.IndexOf("folder /z"));
        Assert.True(seen.IndexOf("folder /z") < seen.IndexOf("file /z/b/c.txt"));
    }

    [Fact]
    public async Task NonRecursiveCursorSeesOnlyDirectChildren()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.RpcAsync("files/create_folder_v2", new { path = "/d" });
        var cursor = Cursor(await emu.RpcAsync("files/list_folder", new { path = "/d" }));
        await emu.UploadAsync("/d/x.txt", "x");
        await emu.UploadAsync("/d/sub/y.txt", "y");
        await emu.UploadAsync("/other.txt", "o");
        var delta = Entries(await emu.RpcAsync("files/list_folder/continue", new { cursor }));
        Assert.Equal(["/d/sub", "/d/x.txt"], delta.Select(e => e.GetProperty("path_lower").GetString()).Order());
    }

    [Fact]
    public async Task OverwritesCollapseIntoOneEntryWithTheNewestRev()
    {
        await using var emu = await TestEmulator.StartAsync();
        var cursor = Cursor(await emu.RpcAsync("files/list_folder", new { path = "" }));
        await emu.UploadAsync("/a.txt", "1");
        await emu.UploadAsync("/a.txt", "2", "overwrite");
        var last = await emu.UploadAsync("/a.txt", "3", "overwrite");
        var e = Assert.Single(Entries(await emu.RpcAsync("files/list_folder/continue", new { cursor })));
        Assert.Equal(last.GetProperty("rev").GetString(), e.GetProperty("rev").GetString());
    }

    [Fact]
    public async Task GarbageCursorIsBadRequestAndStaleCursorIsReset()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var bad = await emu.PostAsync("files/list_folder/continue", new { cursor = "garbage" });
        await BadRequestAsync(bad, "files/list_folder/continue", "Invalid \"cursor\" parameter: 'garbage'");
        var cursor = Cursor(await emu.RpcAsync("files/list_folder", new { path = "" }));
        emu.Control.ForceLongpollReset();
        var error = await ConflictAsync(await emu.PostAsync("files/list_folder/continue", new { cursor }), "reset/");
        Assert.Equal("reset", Tag(error));
    }

    [Fact]
    public async Task IncludeDeletedShowsHistoricDeletionsInTheInitialListing()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/gone.txt", "g");
        await emu.RpcAsync("files/delete_v2", new { path = "/gone.txt" });
        Assert.Empty(Entries(await emu.RpcAsync("files/list_folder", new { path = "" })));
        var withDeleted = Entries(await emu.RpcAsync("files/list_folder", new { path = "", include_deleted = true }));
        Assert.Equal("deleted", Tag(Assert.Single(withDeleted)));
    }

    [Fact]
    public async Task GetMetadataIsTaggedAndIncludeDeletedReturnsDeletedMetadata()
    {
        await using var emu = await TestEmulator.StartAsync();
        var up = await emu.UploadAsync("/Dir/A.txt", "a");
        var byPath = await emu.RpcAsync("files/get_metadata", new { path = "/dir/a.TXT" });
        Assert.Equal("file", Tag(byPath));
        Assert.Equal("/Dir/A.txt", byPath.GetProperty("path_display").GetString());
        var byId = await emu.RpcAsync("files/get_metadata", new { path = up.GetProperty("id").GetString() });
        Assert.Equal("/dir/a.txt", byId.GetProperty("path_lower").GetString());
        Assert.Equal("folder", Tag(await emu.RpcAsync("files/get_metadata", new { path = "/dir" })));
        await emu.RpcAsync("files/delete_v2", new { path = "/Dir/A.txt" });
        await ConflictAsync(await emu.PostAsync("files/get_metadata", new { path = "/Dir/A.txt" }), "path/not_found/");
        var deleted = await emu.RpcAsync("files/get_metadata", new { path = "/Dir/A.txt", include_deleted = true });
        Assert.Equal("deleted", Tag(deleted));
        using var root = await emu.PostAsync("files/get_metadata", new { path = "" });
        await BadRequestAsync(root, "files/get_metadata");
    }
}
