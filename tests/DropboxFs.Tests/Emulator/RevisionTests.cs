using System.Text;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class RevisionTests
{
    [Fact]
    public async Task ListRevisionsIsNewestFirstWithLimit()
    {
        await using var emu = await TestEmulator.StartAsync();
        var revs = new List<string>();
        foreach (var v in new[] { "1", "2", "3" })
        {
            revs.Add((await emu.UploadAsync("/r.txt", v, "overwrite")).GetProperty("rev").GetString()!);
        }

        var all = await emu.RpcAsync("files/list_revisions", new { path = "/r.txt" });
        Assert.False(all.GetProperty("is_deleted").GetBoolean());
        var listed = all.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(revs.AsEnumerable().Reverse(), listed.Select(e => e.GetProperty("rev").GetString()));
        Assert.All(listed, e => Assert.False(HasTag(e)));
        var limited = await emu.RpcAsync("files/list_revisions", new { path = "/r.txt", limit = 2 });
        Assert.True(limited.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, limited.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task IdModeFollowsTheFileAcrossMoves()
    {
        await using var emu = await TestEmulator.StartAsync();
        var v1 = await emu.UploadAsync("/a.txt", "1");
        await emu.RpcAsync("files/move_v2", new { from_path = "/a.txt", to_path = "/b.txt" });
        await emu.UploadAsync("/b.txt", "2", "overwrite");
        var byId = await emu.RpcAsync("files/list_revisions", new { path = v1.GetProperty("id").GetString(), mode = "id" });
        Assert.Equal(2, byId.GetProperty("entries").GetArrayLength());
        var byPath = await emu.RpcAsync("files/list_revisions", new { path = "/b.txt" });
        Assert.True(byPath.GetProperty("entries").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task RestoreWritesOldContentAsANewRev()
    {
        await using var emu = await TestEmulator.StartAsync();
        var v1 = await emu.UploadAsync("/r.txt", "old");
        var v2 = await emu.UploadAsync("/r.txt", "new", "overwrite");
        var restored = await emu.RpcAsync("files/restore", new { path = "/r.txt", rev = v1.GetProperty("rev").GetString() });
        Assert.False(HasTag(restored));
        Assert.NotEqual(v2.GetProperty("rev").GetString(), restored.GetProperty("rev").GetString());
        Assert.Equal(v1.GetProperty("id").GetString(), restored.GetProperty("id").GetString());
        Assert.Equal("old", Encoding.UTF8.GetString(await emu.DownloadAsync("/r.txt")));
        await ConflictAsync(await emu.PostAsync("files/restore", new { path = "/r.txt", rev = "0123456789abcdef" }), "invalid_revision/");
    }

    [Fact]
    public async Task DeletedFileReportsIsDeletedAndCanBeRestored()
    {
        await using var emu = await TestEmulator.StartAsync();
        var v1 = await emu.UploadAsync("/gone.txt", "data");
        await emu.RpcAsync("files/delete_v2", new { path = "/gone.txt" });
        var revs = await emu.RpcAsync("files/list_revisions", new { path = "/gone.txt" });
        Assert.True(revs.GetProperty("is_deleted").GetBoolean());
        Assert.True(revs.TryGetProperty("server_deleted", out _));
        await emu.RpcAsync("files/restore", new { path = "/gone.txt", rev = v1.GetProperty("rev").GetString() });
        Assert.Equal("data", Encoding.UTF8.GetString(await emu.DownloadAsync("/gone.txt")));
    }

    [Fact]
    public async Task RevisionsOfAFolderIsNotFile()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.RpcAsync("files/create_folder_v2", new { path = "/f" });
        await ConflictAsync(await emu.PostAsync("files/list_revisions", new { path = "/f" }), "path/not_file/");
        await ConflictAsync(await emu.PostAsync("files/list_revisions", new { path = "/none" }), "path/not_found/");
    }
}
