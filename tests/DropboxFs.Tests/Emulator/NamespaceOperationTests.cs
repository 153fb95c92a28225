using System.Text;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class NamespaceOperationTests
{
    [Fact]
    public async Task CreateFolderReturnsUntaggedMetadataAndConflictsWhenItExists()
    {
        await using var emu = await TestEmulator.StartAsync();
        var created = await emu.RpcAsync("files/create_folder_v2", new { path = "/New/Deep" });
        Assert.False(HasTag(created.GetProperty("metadata")));
        Assert.Equal("/New/Deep", created.GetProperty("metadata").GetProperty("path_display").GetString());
        Assert.Equal("folder", Tag(await emu.RpcAsync("files/get_metadata", new { path = "/new" })));
        await ConflictAsync(await emu.PostAsync("files/create_folder_v2", new { path = "/new/deep" }), "path/conflict/folder/");
        var renamed = await emu.RpcAsync("files/create_folder_v2", new { path = "/new/deep", autorename = true });
        Assert.Equal("Deep (1)", renamed.GetProperty("metadata").GetProperty("name").GetString());
        using var byId = await emu.PostAsync("files/create_folder_v2", new { path = "id:abc" });
        await BadRequestAsync(byId, "files/create_folder_v2", "did not match pattern");
    }

    [Fact]
    public async Task DeleteReturnsTaggedMetadataAndRemovesTheSubtree()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/d/x.txt", "x");
        var deleted = await emu.RpcAsync("files/delete_v2", new { path = "/D" });
        Assert.Equal("folder", Tag(deleted.GetProperty("metadata")));
        await ConflictAsync(await emu.PostAsync("files/get_metadata", new { path = "/d/x.txt" }), "path/not_found/");
        await ConflictAsync(await emu.PostAsync("files/delete_v2", new { path = "/d" }), "path_lookup/not_found/");
    }

    [Fact]
    public async Task DeleteWithStaleParentRevConflicts()
    {
        await using var emu = await TestEmulator.StartAsync();
        var v1 = await emu.UploadAsync("/p.txt", "1");
        var v2 = await emu.UploadAsync("/p.txt", "2", "overwrite");
        await ConflictAsync(await emu.PostAsync("files/delete_v2", new { path = "/p.txt", parent_rev = v1.GetProperty("rev").GetString() }), "path_write/conflict/");
        var ok = await emu.RpcAsync("files/delete_v2", new { path = "/p.txt", parent_rev = v2.GetProperty("rev").GetString() });
        Assert.Equal("file", Tag(ok.GetProperty("metadata")));
    }

    [Fact]
    public async Task MoveKeepsTheIdAndCarriesChildren()
    {
        await using var emu = await TestEmulator.StartAsync();
        var file = await emu.UploadAsync("/src/a.txt", "a");
        var moved = await emu.RpcAsync("files/move_v2", new { from_path = "/src", to_path = "/dst/inner" });
        Assert.Equal("folder", Tag(moved.GetProperty("metadata")));
        var after = await emu.RpcAsync("files/get_metadata", new { path = "/dst/inner/a.txt" });
        Assert.Equal(file.GetProperty("id").GetString(), after.GetProperty("id").GetString());
        await ConflictAsync(await emu.PostAsync("files/get_metadata", new { path = "/src" }), "path/not_found/");
    }

    [Fact]
    public async Task MoveErrorsUseFromLookupToAndIntoItself()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "a");
        await emu.UploadAsync("/b.txt", "b");
        await emu.RpcAsync("files/create_folder_v2", new { path = "/f" });
        await ConflictAsync(await emu.PostAsync("files/move_v2", new { from_path = "/missing", to_path = "/x" }), "from_lookup/not_found/");
        await ConflictAsync(await emu.PostAsync("files/move_v2", new { from_path = "/a.txt", to_path = "/b.txt" }), "to/conflict/file/");
        await ConflictAsync(await emu.PostAsync("files/move_v2", new { from_path = "/a.txt", to_path = "/desktop.ini" }), "to/disallowed_name/");
        await ConflictAsync(await emu.PostAsync("files/move_v2", new { from_path = "/f", to_path = "/f/g" }), "cant_move_folder_into_itself/");
        var renamed = await emu.RpcAsync("files/move_v2", new { from_path = "/a.txt", to_path = "/b.txt", autorename = true });
        Assert.Equal("b (1).txt", renamed.GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public async Task CaseOnlyRenameChangesTheDisplayName()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/name.txt", "n");
        var moved = await emu.RpcAsync("files/move_v2", new { from_path = "/name.txt", to_path = "/NAME.txt" });
        Assert.Equal("NAME.txt", moved.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("/NAME.txt", (await emu.RpcAsync("files/get_metadata", new { path = "/name.txt" })).GetProperty("path_display").GetString());
    }

    [Fact]
    public async Task CopyGivesNewIdsAndSameContent()
    {
        await using var emu = await TestEmulator.StartAsync();
        var original = await emu.UploadAsync("/dir/a.txt", "content");
        await emu.RpcAsync("files/copy_v2", new { from_path = "/dir", to_path = "/dir2" });
        var copy = await emu.RpcAsync("files/get_metadata", new { path = "/dir2/a.txt" });
        Assert.NotEqual(original.GetProperty("id").GetString(), copy.GetProperty("id").GetString());
        Assert.Equal(original.GetProperty("content_hash").GetString(), copy.GetProperty("content_hash").GetString());
        Assert.Equal("content", Encoding.UTF8.GetString(await emu.DownloadAsync("/dir2/a.txt")));
        Assert.Equal("content", Encoding.UTF8.GetString(await emu.DownloadAsync("/dir/a.txt")));
    }

    [Fact]
    public async Task IdPathsWorkForDeleteAndMove()
    {
        await using var emu = await TestEmulator.StartAsync();
        var file = await emu.UploadAsync("/byid.txt", "x");
        var id = file.GetProperty("id").GetString();
        await emu.RpcAsync("files/move_v2", new { from_path = id, to_path = "/moved.txt" });
        var deleted = await emu.RpcAsync("files/delete_v2", new { path = id });
        Assert.Equal("/moved.txt", deleted.GetProperty("metadata").GetProperty("path_lower").GetString());
    }
}

public class PathDisplayTests
{
    [Fact]
    public async Task NewItemsUnderExistingFoldersTakeTheStoredAncestorCasing()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.RpcAsync("files/create_folder_v2", new { path = "/Docs" });
        var meta = await emu.UploadAsync("/docs/New/File.txt", "x");
        Assert.Equal("/Docs/New/File.txt", meta.GetProperty("path_display").GetString());
        var folder = await emu.RpcAsync("files/get_metadata", new { path = "/DOCS/NEW" });
        Assert.Equal("/Docs/New", folder.GetProperty("path_display").GetString());
    }
}
