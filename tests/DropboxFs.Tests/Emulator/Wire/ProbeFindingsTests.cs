using static DropboxFs.Tests.Emulator.Wire.WireRequests;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>
/// Behaviour an external client relies on, found while probing the emulator with curl and the SDK
/// (see /work/wt/notes/BUGS-emulator.md for the reports these tests back).
/// </summary>
public sealed class ProbeFindingsTests(WireServer wire) : IClassFixture<WireServer>
{
    private readonly HttpClient _http = wire.Http;
    private string Token => wire.Token;

    [Fact]
    public async Task SearchFileCategoriesFilterKeepsOnlyThatCategory()
    {
        var folder = UniqueFolder();
        foreach (var name in new[] { "catprobe.jpg", "catprobe.txt", "catprobe.pdf" })
        {
            using var up = await _http.SendAsync(Upload("files/upload", Json(new { path = $"{folder}/{name}" }), [1], Token));
            up.EnsureSuccessStatusCode();
        }

        var arg = Json(new { query = "catprobe", options = new { path = folder, file_categories = new[] { "image" } } });
        using var response = await _http.SendAsync(Rpc("files/search_v2", arg, Token));
        response.EnsureSuccessStatusCode();
        var names = (await ReadJsonAsync(response)).GetProperty("matches").EnumerateArray()
            .Select(m => m.GetProperty("metadata").GetProperty("metadata").GetProperty("name").GetString())
            .ToList();
        Assert.Equal(["catprobe.jpg"], names);
    }

    [Fact]
    public async Task SearchFileCategoryPdfAndFolderSelectByKind()
    {
        var folder = UniqueFolder();
        using var mk = await _http.SendAsync(Rpc("files/create_folder_v2", Json(new { path = $"{folder}/kindprobe-dir" }), Token));
        mk.EnsureSuccessStatusCode();
        using var up = await _http.SendAsync(Upload("files/upload", Json(new { path = $"{folder}/kindprobe.pdf" }), [1], Token));
        up.EnsureSuccessStatusCode();

        async Task<List<string?>> SearchAsync(string category)
        {
            var arg = Json(new { query = "kindprobe", options = new { path = folder, file_categories = new[] { category } } });
            using var r = await _http.SendAsync(Rpc("files/search_v2", arg, Token));
            r.EnsureSuccessStatusCode();
            return (await ReadJsonAsync(r)).GetProperty("matches").EnumerateArray()
                .Select(m => m.GetProperty("metadata").GetProperty("metadata").GetProperty("name").GetString()).ToList();
        }

        Assert.Equal(["kindprobe.pdf"], await SearchAsync("pdf"));
        Assert.Equal(["kindprobe-dir"], await SearchAsync("folder"));
    }

    [Fact]
    public async Task ListFolderWithASharedLinkListsTheLinkedFolderNotTheRoot()
    {
        var folder = UniqueFolder();
        foreach (var name in new[] { "in-link-a.txt", "in-link-b.txt" })
        {
            using var up = await _http.SendAsync(Upload("files/upload", Json(new { path = $"{folder}/linked/{name}" }), [1], Token));
            up.EnsureSuccessStatusCode();
        }

        using var create = await _http.SendAsync(Rpc("sharing/create_shared_link_with_settings", Json(new { path = $"{folder}/linked" }), Token));
        create.EnsureSuccessStatusCode();
        var url = (await ReadJsonAsync(create)).GetProperty("url").GetString();

        // ListFolderArg.shared_link: "path" is then relative to the link's root (reference §5.1).
        using var list = await _http.SendAsync(Rpc("files/list_folder", Json(new { path = "", shared_link = new { url } }), Token));
        var text = await list.Content.ReadAsStringAsync();
        Assert.True(list.IsSuccessStatusCode, text);
        var names = (await ReadJsonAsync(list)).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()).Order().ToList();
        Assert.Equal(["in-link-a.txt", "in-link-b.txt"], names);
    }

    [Fact]
    public async Task ListFolderWithAnUnknownSharedLinkIsAnErrorNotTheRootListing()
    {
        var arg = Json(new { path = "", shared_link = new { url = "https://www.dropbox.com/s/doesnotexist/x?dl=0" } });
        using var list = await _http.SendAsync(Rpc("files/list_folder", arg, Token));
        Assert.False(list.IsSuccessStatusCode, await list.Content.ReadAsStringAsync());
        Assert.NotEqual(System.Net.HttpStatusCode.InternalServerError, list.StatusCode);
    }
}
