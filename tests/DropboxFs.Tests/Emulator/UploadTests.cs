using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class UploadTests
{
    [Fact]
    public async Task UploadReturnsUntaggedFileMetadataWithDropboxContentHash()
    {
        await using var emu = await TestEmulator.StartAsync();
        var meta = await emu.UploadAsync("/Hello.txt", "hello");
        Assert.False(HasTag(meta));
        Assert.Equal("9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50", meta.GetProperty("content_hash").GetString());
        Assert.Matches("^id:[A-Za-z0-9_-]{22}$", meta.GetProperty("id").GetString());
        Assert.Matches("^[0-9a-f]{9,}$", meta.GetProperty("rev").GetString());
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", meta.GetProperty("server_modified").GetString());
        Assert.True(meta.GetProperty("is_downloadable").GetBoolean());
        Assert.Equal("hello", Encoding.UTF8.GetString(await emu.DownloadAsync("/hello.txt")));
    }

    [Fact]
    public async Task AddConflictsOverwriteReplacesAndUpdateChecksTheRev()
    {
        await using var emu = await TestEmulator.StartAsync();
        var first = await emu.UploadAsync("/a.txt", "one");
        var error = await ConflictAsync(await emu.SendContentAsync("files/upload", new { path = "/a.txt" }, "two"u8.ToArray()), "path/conflict/file/");
        Assert.Equal("path", Tag(error));
        Assert.Equal("conflict", Tag(error.GetProperty("reason")));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("upload_session_id").GetString()));

        var second = await emu.UploadAsync("/a.txt", "two", "overwrite");
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.NotEqual(first.GetProperty("rev").GetString(), second.GetProperty("rev").GetString());

        var staleRev = new { path = "/a.txt", mode = new Dictionary<string, string> { [".tag"] = "update", ["update"] = first.GetProperty("rev").GetString()! } };
        await ConflictAsync(await emu.SendContentAsync("files/upload", staleRev, "three"u8.ToArray()), "path/conflict/file/");
        var goodRev = new { path = "/a.txt", mode = new Dictionary<string, string> { [".tag"] = "update", ["update"] = second.GetProperty("rev").GetString()! } };
        await OkAsync(await emu.SendContentAsync("files/upload", goodRev, "three"u8.ToArray()));
    }

    [Fact]
    public async Task FailedUploadKeepsTheBytesInASessionThatFinishCanCommit()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "one");
        var error = await ConflictAsync(await emu.SendContentAsync("files/upload", new { path = "/a.txt" }, "kept"u8.ToArray()), "path/conflict/file/");
        var session = error.GetProperty("upload_session_id").GetString();
        var finish = new { cursor = new { session_id = session, offset = 4 }, commit = new { path = "/b.txt" } };
        await OkAsync(await emu.SendContentAsync("files/upload_session/finish", finish, []));
        Assert.Equal("kept", Encoding.UTF8.GetString(await emu.DownloadAsync("/b.txt")));
    }

    [Fact]
    public async Task IdenticalContentCreatesNoNewRevUnlessStrict()
    {
        await using var emu = await TestEmulator.StartAsync();
        var first = await emu.UploadAsync("/a.txt", "same");
        var again = await emu.UploadAsync("/a.txt", "same");
        Assert.Equal(first.GetProperty("rev").GetString(), again.GetProperty("rev").GetString());
        await ConflictAsync(await emu.SendContentAsync("files/upload", new { path = "/a.txt", strict_conflict = true }, "same"u8.ToArray()), "path/conflict/file/");
    }

    [Fact]
    public async Task AutorenameNumbersAddConflictsAndNamesUpdateConflictsAsConflictedCopies()
    {
        await using var emu = await TestEmulator.StartAsync();
        var first = await emu.UploadAsync("/doc.txt", "v1");
        var renamed = await OkAsync(await emu.SendContentAsync("files/upload", new { path = "/doc.txt", autorename = true }, "v2"u8.ToArray()));
        Assert.Equal("doc (1).txt", renamed.GetProperty("name").GetString());
        var renamed2 = await OkAsync(await emu.SendContentAsync("files/upload", new { path = "/doc.txt", autorename = true }, "v3"u8.ToArray()));
        Assert.Equal("doc (2).txt", renamed2.GetProperty("name").GetString());
        await emu.UploadAsync("/doc.txt", "v4", "overwrite");
        var stale = new { path = "/doc.txt", autorename = true, mode = new Dictionary<string, string> { [".tag"] = "update", ["update"] = first.GetProperty("rev").GetString()! } };
        var copy = await OkAsync(await emu.SendContentAsync("files/upload", stale, "mine"u8.ToArray()));
        Assert.Equal("doc (conflicted copy).txt", copy.GetProperty("name").GetString());
    }

    [Fact]
    public async Task ClientModifiedIsKeptAndFractionalSecondsAreRejected()
    {
        await using var emu = await TestEmulator.StartAsync();
        var meta = await OkAsync(await emu.SendContentAsync("files/upload", new { path = "/t.txt", client_modified = "2020-01-02T03:04:05Z" }, "t"u8.ToArray()));
        Assert.Equal("2020-01-02T03:04:05Z", meta.GetProperty("client_modified").GetString());
        using var bad = await emu.SendContentAsync("files/upload", new { path = "/u.txt", client_modified = "2020-01-02T03:04:05.5Z" }, "u"u8.ToArray());
        await BadRequestAsync(bad, "files/upload", "client_modified");
    }

    [Fact]
    public async Task ContentHashMismatchIsRejected()
    {
        await using var emu = await TestEmulator.StartAsync();
        var arg = new { path = "/h.txt", content_hash = new string('0', 64) };
        await ConflictAsync(await emu.SendContentAsync("files/upload", arg, "x"u8.ToArray()), "content_hash_mismatch/");
        var ok = new { path = "/h.txt", content_hash = "bf5d3affb73efd2ec6c36ad3112dd933efed63c4e1cbffcfa88e2759c144f2d8" };
        await OkAsync(await emu.SendContentAsync("files/upload", ok, "a"u8.ToArray()));
    }

    [Theory]
    [InlineData("/desktop.ini", "path/disallowed_name/")]
    [InlineData("/dir/.DS_Store", "path/disallowed_name/")]
    [InlineData("/trailing /x.txt", "path/malformed_path/")]
    [InlineData("/a//b.txt", "path/malformed_path/")]
    [InlineData("/dir/", "path/malformed_path/")]
    public async Task BadNamesGetWriteErrors(string path, string summary)
    {
        await using var emu = await TestEmulator.StartAsync();
        await ConflictAsync(await emu.SendContentAsync("files/upload", new { path }, "x"u8.ToArray()), summary);
    }

    [Fact]
    public async Task ComponentLongerThan255IsMalformedAnd255IsFine()
    {
        await using var emu = await TestEmulator.StartAsync();
        await ConflictAsync(await emu.SendContentAsync("files/upload", new { path = "/" + new string('n', 256) }, "x"u8.ToArray()), "path/malformed_path/");
        await OkAsync(await emu.SendContentAsync("files/upload", new { path = "/" + new string('n', 255) }, "x"u8.ToArray()));
    }

    [Fact]
    public async Task NonBmpCharacterIsBadRequest()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var response = await emu.SendContentAsync("files/upload", new { path = "/smile\U0001F600.txt" }, "x"u8.ToArray());
        await BadRequestAsync(response, "files/upload", "Basic Multilingual Plane");
    }

    [Fact]
    public async Task RawUtf8ArgumentHeaderIsAccepted()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var socketClient = new System.Net.Sockets.TcpClient();
        await socketClient.ConnectAsync(emu.BaseUri.Host, emu.BaseUri.Port);
        var stream = socketClient.GetStream();
        var head = $"POST /2/files/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {emu.Token}\r\nContent-Type: application/octet-stream\r\nDropbox-API-Arg: {{\"path\":\"/Café.txt\"}}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head));
        var reply = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200", reply);
        Assert.Contains("\"name\": \"Café.txt\"", reply);
    }

    [Fact]
    public async Task ChunkedBodyIsAccepted()
    {
        await using var emu = await TestEmulator.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "2/files/upload") { Content = new StreamContent(new NonSeekableStream(new byte[300_000])) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", JsonSerializer.Serialize(new { path = "/chunked.bin" }));
        var meta = await OkAsync(await emu.Http.SendAsync(request));
        Assert.Equal(300_000, meta.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task QuotaGivesInsufficientSpace()
    {
        await using var emu = await TestEmulator.StartAsync(new() { QuotaBytes = 10 });
        await emu.UploadAsync("/a.bin", new byte[8]);
        await ConflictAsync(await emu.SendContentAsync("files/upload", new { path = "/b.bin" }, new byte[3]), "path/insufficient_space/");
        emu.Control.SetQuota(100);
        await OkAsync(await emu.SendContentAsync("files/upload", new { path = "/b.bin" }, new byte[3]));
    }

    [Fact]
    public async Task UploadUnderAFileIsFileAncestorConflict()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/f", "x");
        await ConflictAsync(await emu.SendContentAsync("files/upload", new { path = "/f/g.txt" }, "y"u8.ToArray()), "path/conflict/file_ancestor/");
    }

    [Fact]
    public async Task WrongUploadContentTypeIsBadRequest()
    {
        await using var emu = await TestEmulator.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "2/files/upload") { Content = new StringContent("x", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", "{\"path\":\"/x.txt\"}");
        await BadRequestAsync(await emu.Http.SendAsync(request), "files/upload", "Content-Type");
    }

    /// <summary>Hides the length so HttpClient must send Transfer-Encoding: chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
