using System.Text;
using System.Text.Json;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class DownloadTests
{
    private static HttpRequestMessage Download(object arg, string? range = null, HttpMethod? method = null)
    {
        var r = new HttpRequestMessage(method ?? HttpMethod.Post, "2/files/download");
        r.Headers.TryAddWithoutValidation("Dropbox-API-Arg", JsonSerializer.Serialize(arg));
        if (range != null)
        {
            r.Headers.TryAddWithoutValidation("Range", range);
        }

        return r;
    }

    [Fact]
    public async Task RangeGives206WithContentRangeAndWholeFileMetadata()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "hello");
        using var response = await emu.Http.SendAsync(Download(new { path = "/a.txt" }, "bytes=1-3"));
        Assert.Equal(206, (int)response.StatusCode);
        Assert.Equal("bytes 1-3/5", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal("ell", await response.Content.ReadAsStringAsync());
        var result = JsonDocument.Parse(response.Headers.GetValues("Dropbox-API-Result").Single()).RootElement;
        Assert.Equal(5, result.GetProperty("size").GetInt64());
        Assert.False(HasTag(result));
    }

    [Fact]
    public async Task OpenEndedAndSuffixRangesWork()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "hello");
        using var open = await emu.Http.SendAsync(Download(new { path = "/a.txt" }, "bytes=2-"));
        Assert.Equal("llo", await open.Content.ReadAsStringAsync());
        using var suffix = await emu.Http.SendAsync(Download(new { path = "/a.txt" }, "bytes=-2"));
        Assert.Equal("bytes 3-4/5", suffix.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task RangeOnEmptyFileIsRangeNotSatisfiable()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/empty", "");
        var error = await ConflictAsync(await emu.Http.SendAsync(Download(new { path = "/empty" }, "bytes=0-9")), "range/not_satisfiable/");
        Assert.Equal("not_satisfiable", Tag(error.GetProperty("range")));
        using var whole = await emu.Http.SendAsync(Download(new { path = "/empty" }));
        Assert.Equal(200, (int)whole.StatusCode);
        Assert.Empty(await whole.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetWithArgQueryParameterWorks()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/q.txt", "query");
        var arg = Uri.EscapeDataString("{\"path\":\"/q.txt\"}");
        using var response = await emu.Http.GetAsync($"2/files/download?arg={arg}");
        Assert.Equal("query", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ResultHeaderIsAsciiEscaped()
    {
        await using var emu = await TestEmulator.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "2/files/upload") { Content = new ByteArrayContent("x"u8.ToArray()) };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", "{\"path\":\"/caf\\u00e9 \\u65e5.txt\"}");
        await OkAsync(await emu.Http.SendAsync(request));
        using var response = await emu.Http.SendAsync(Download(new { path = "/café 日.txt" }));
        var raw = response.Headers.GetValues("Dropbox-API-Result").Single();
        Assert.All(raw, c => Assert.True(c < 128));
        Assert.Equal("café 日.txt", JsonDocument.Parse(raw).RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task DownloadOfFolderIsNotFileAndOfMissingIsNotFound()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.RpcAsync("files/create_folder_v2", new { path = "/d" });
        await ConflictAsync(await emu.Http.SendAsync(Download(new { path = "/d" })), "path/not_file/");
        await ConflictAsync(await emu.Http.SendAsync(Download(new { path = "/nope" })), "path/not_found/");
    }

    [Fact]
    public async Task OldRevisionDownloadsByRevPath()
    {
        await using var emu = await TestEmulator.StartAsync();
        var v1 = await emu.UploadAsync("/r.txt", "v1");
        await emu.UploadAsync("/r.txt", "v2", "overwrite");
        using var response = await emu.Http.SendAsync(Download(new { path = "rev:" + v1.GetProperty("rev").GetString() }));
        Assert.Equal("v1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TemporaryLinkServesTheFileWithRanges()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/t.txt", "temporary");
        var result = await emu.RpcAsync("files/get_temporary_link", new { path = "/t.txt" });
        Assert.False(HasTag(result.GetProperty("metadata")));
        var link = result.GetProperty("link").GetString()!;
        Assert.StartsWith(emu.BaseUri.ToString(), link);
        using var plain = new HttpClient();
        Assert.Equal("temporary", Encoding.UTF8.GetString(await plain.GetByteArrayAsync(link)));
        var ranged = new HttpRequestMessage(HttpMethod.Get, link);
        ranged.Headers.Range = new(0, 3);
        using var part = await plain.SendAsync(ranged);
        Assert.Equal(206, (int)part.StatusCode);
        Assert.Equal("temp", await part.Content.ReadAsStringAsync());
    }
}
