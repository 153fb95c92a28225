using System.Text;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class SearchAndSharingTests
{
    [Fact]
    public async Task SearchMatchesNamesAndPagesWithACursor()
    {
        await using var emu = await TestEmulator.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await emu.UploadAsync($"/dir/Report {i}.txt", "r");
        }

        await emu.UploadAsync("/other.txt", "o");
        var first = await emu.RpcAsync("files/search_v2", new { query = "report", options = new { max_results = 2 } });
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var match = first.GetProperty("matches")[0];
        Assert.Equal("metadata", Tag(match.GetProperty("metadata")));
        Assert.Equal("file", Tag(match.GetProperty("metadata").GetProperty("metadata")));
        var next = await emu.RpcAsync("files/search/continue_v2", new { cursor = first.GetProperty("cursor").GetString() });
        Assert.Equal(1, next.GetProperty("matches").GetArrayLength());
        Assert.False(next.GetProperty("has_more").GetBoolean());
        Assert.False(next.TryGetProperty("cursor", out _));
        var scoped = await emu.RpcAsync("files/search_v2", new { query = "txt", options = new { path = "/dir" } });
        Assert.Equal(3, scoped.GetProperty("matches").GetArrayLength());
        await ConflictAsync(await emu.PostAsync("files/search_v2", new { query = "x", options = new { path = "/nope" } }), "path/not_found/");
    }

    [Fact]
    public async Task SharedLinkLifecycle()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/share.txt", "shared");
        var link = await emu.RpcAsync("sharing/create_shared_link_with_settings", new { path = "/share.txt" });
        Assert.Equal("file", Tag(link));
        var permissions = link.GetProperty("link_permissions");
        foreach (var field in new[] { "can_revoke", "visibility_policies", "can_set_expiry", "can_remove_expiry", "allow_download", "can_allow_download", "can_disallow_download", "allow_comments", "team_restricts_comments" })
        {
            Assert.True(permissions.TryGetProperty(field, out _), field);
        }

        var url = link.GetProperty("url").GetString()!;
        using var plain = new HttpClient();
        Assert.Equal("shared", Encoding.UTF8.GetString(await plain.GetByteArrayAsync(url)));

        var again = await ConflictAsync(await emu.PostAsync("sharing/create_shared_link_with_settings", new { path = "/share.txt" }), "shared_link_already_exists/");
        Assert.Equal(url, again.GetProperty("shared_link_already_exists").GetProperty("metadata").GetProperty("url").GetString());

        var listed = await emu.RpcAsync("sharing/list_shared_links", new { path = "/share.txt", direct_only = true });
        Assert.Equal(url, listed.GetProperty("links")[0].GetProperty("url").GetString());

        using var revoke = await emu.PostAsync("sharing/revoke_shared_link", new { url });
        Assert.Equal("null", await revoke.Content.ReadAsStringAsync());
        Assert.Equal(0, (await emu.RpcAsync("sharing/list_shared_links", new { })).GetProperty("links").GetArrayLength());
        await ConflictAsync(await emu.PostAsync("sharing/revoke_shared_link", new { url }), "shared_link_not_found/");
    }
}
