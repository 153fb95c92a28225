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
}
