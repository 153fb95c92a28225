using System.Text;
using System.Text.Json.Nodes;
using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

public sealed class ApiFeatureTests
{
    [Fact]
    public async Task RevisionsAreListedNewestFirstAndAnOldOneCanBeRestored()
    {
        await using var h = await ApiHarness.StartAsync();
        var v1 = await h.PutAsync("/rev.txt", Encoding.UTF8.GetBytes("one"));
        var v2 = await h.PutAsync("/rev.txt", Encoding.UTF8.GetBytes("two"));
        var revs = await h.Client.ListRevisionsAsync("/rev.txt", RevisionMode.Path, limit: 10);
        Assert.Equal([v2.Rev, v1.Rev], revs.Entries.Select(e => e.Rev).Take(2));
        Assert.False(revs.IsDeleted);
        var byId = await h.Client.ListRevisionsAsync(v1.Id, RevisionMode.Id, limit: 1);
        Assert.Single(byId.Entries);
        var restored = await h.Client.RestoreAsync("/rev.txt", v1.Rev);
        Assert.Equal(v1.ContentHash, restored.ContentHash);
        Assert.Equal("one", Encoding.UTF8.GetString(await h.GetAsync("/rev.txt")));
        Assert.Equal("one", Encoding.UTF8.GetString(await h.GetAsync("rev:" + v1.Rev)));
    }

    [Fact]
    public async Task SearchFiltersByFolderExtensionCategoryAndPages()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/docs/report.txt", Encoding.UTF8.GetBytes("x"));
        await h.PutAsync("/docs/report.md", Encoding.UTF8.GetBytes("x"));
        await h.PutAsync("/other/report.txt", Encoding.UTF8.GetBytes("x"));
        await h.PutAsync("/docs/photo.jpg", Encoding.UTF8.GetBytes("x"));
        var all = await h.Client.SearchAllAsync("report").ToListAsync();
        Assert.Equal(3, all.Count);
        var txt = await h.Client.SearchAllAsync("report", new SearchOptions { FileExtensions = ["txt"] }).ToListAsync();
        Assert.Equal(["/docs/report.txt", "/other/report.txt"], txt.Select(m => m.Metadata.PathLower).Order());
        var inDocs = await h.Client.SearchAllAsync("report", new SearchOptions { Path = "/docs", FilenameOnly = true }).ToListAsync();
        Assert.All(inDocs, m => Assert.StartsWith("/docs/", m.Metadata.PathLower));
        Assert.Equal(2, inDocs.Count);
        var images = await h.Client.SearchAllAsync("photo", new SearchOptions { FileCategories = ["image"] }).ToListAsync();
        Assert.Equal("/docs/photo.jpg", Assert.Single(images).Metadata.PathLower);
        var page = await h.Client.SearchAsync("report", new SearchOptions { MaxResults = 1 });
        Assert.Single(page.Matches);
        Assert.True(page.HasMore);
        var next = await h.Client.SearchContinueAsync(page.Cursor!);
        Assert.Single(next.Matches);
        Assert.NotEqual(page.Matches[0].Metadata.PathLower, next.Matches[0].Metadata.PathLower);
    }

    [Fact]
    public async Task SharedLinksAreCreatedListedAndRevoked()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/share/me.txt", [1]);
        var link = await h.Client.CreateSharedLinkAsync("/share/me.txt", new SharedLinkSettings { Visibility = "public" });
        Assert.IsType<FileLinkMetadata>(link);
        Assert.False(string.IsNullOrEmpty(link.Url));
        var again = await h.Client.CreateSharedLinkAsync("/share/me.txt"); // already exists: the same link back
        Assert.Equal(link.Url, again.Url);
        var listed = await h.Client.ListSharedLinksAsync("/share/me.txt");
        Assert.Contains(listed.Links, l => l.Url == link.Url);
        await h.Client.RevokeSharedLinkAsync(link.Url);
        Assert.DoesNotContain((await h.Client.ListSharedLinksAsync("/share/me.txt")).Links, l => l.Url == link.Url);
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => h.Client.RevokeSharedLinkAsync(link.Url));
        Assert.True(ex.HasTag("shared_link_not_found"), ex.TagPath);
    }

    [Fact]
    public async Task SharedLinkSettingsAreSentAsStoneSettings()
    {
        // The emulator accepts but ignores settings (BUGS-emulator.md), so the wire argument is what is checked.
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/secret.txt", [1]);
        var expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, 600, TimeSpan.Zero);
        var link = await h.Client.CreateSharedLinkAsync("/secret.txt", new SharedLinkSettings { Password = "pw", Visibility = "password", Expires = expires });
        Assert.False(string.IsNullOrEmpty(link.Url));
        var sent = JsonNode.Parse(h.Flaky.LastJsonArgument("sharing/create_shared_link_with_settings")!)!["settings"]!;
        Assert.Equal("2030-01-02T03:04:05Z", (string?)sent["expires"]);
        Assert.Equal("pw", (string?)sent["link_password"]);
        Assert.True((bool?)sent["require_password"]);
        Assert.Equal("password", (string?)sent["requested_visibility"]?[".tag"]);
    }

    [Fact]
    public async Task NamespaceOperationsCreateCopyMoveAndDeleteWithParentRev()
    {
        await using var h = await ApiHarness.StartAsync();
        var folder = await h.Client.CreateFolderAsync("/ns/a");
        Assert.Equal("/ns/a", folder.PathLower);
        var exists = await Assert.ThrowsAsync<DropboxApiException>(() => h.Client.CreateFolderAsync("/ns/a"));
        Assert.True(exists.IsConflict);
        var f = await h.PutAsync("/ns/a/f.txt", [1, 2, 3]);
        var copy = Assert.IsType<FileMetadata>(await h.Client.CopyAsync("/ns/a/f.txt", "/ns/b/f.txt"));
        Assert.NotEqual(f.Id, copy.Id);
        var renamedCopy = await h.Client.CopyAsync("/ns/a/f.txt", "/ns/b/f.txt", new RelocationOptions { Autorename = true });
        Assert.NotEqual("/ns/b/f.txt", renamedCopy.PathLower);
        var moved = Assert.IsType<FolderMetadata>(await h.Client.MoveAsync("/ns/a", "/ns/c", new RelocationOptions { AllowOwnershipTransfer = true }));
        Assert.Equal(folder.Id, moved.Id);
        var stale = await Assert.ThrowsAsync<DropboxApiException>(() => h.Client.DeleteAsync("/ns/c/f.txt", ifRevision: "0123456789abcdef"));
        Assert.Equal(409, stale.StatusCode);
        var deleted = await h.Client.DeleteAsync("/ns/c/f.txt", ifRevision: f.Rev);
        Assert.Equal("f.txt", deleted.Name);
        Assert.Null(await h.Client.TryGetMetadataAsync("/ns/c/f.txt"));
    }

    [Fact]
    public async Task AccountSpaceTemporaryLinkAndEscapeHatchWork()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/t.txt", Encoding.UTF8.GetBytes("temp"));
        var account = await h.Client.GetCurrentAccountAsync();
        Assert.Equal(40, account.AccountId.Length);
        var usage = await h.Client.GetSpaceUsageAsync();
        Assert.True(usage.Used >= 4);
        Assert.Equal("individual", usage.Allocation.Tag);
        var temp = await h.Client.GetTemporaryLinkAsync("/t.txt");
        using var http = new HttpClient();
        Assert.Equal("temp", await http.GetStringAsync(temp.Link));
        var raw = await h.Client.SendRpcAsync("files/get_metadata", new JsonObject { ["path"] = "/t.txt" });
        Assert.Equal("file", (string?)raw?[".tag"]);
        var echo = await h.Client.SendRpcAsync("check/user", new JsonObject { ["query"] = "ping" });
        Assert.Equal("ping", (string?)echo?["result"]);
    }
}
