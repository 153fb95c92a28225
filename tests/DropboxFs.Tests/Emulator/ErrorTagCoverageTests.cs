using System.Text;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

/// <summary>Error tags not reached by the route tests elsewhere.</summary>
public class ErrorTagCoverageTests
{
    private const int Chunk = 4 * 1024 * 1024;

    [Fact]
    public async Task ConcurrentSessionRules()
    {
        await using var emu = await TestEmulator.StartAsync();
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/start", new { session_type = "concurrent", close = true }, []), "concurrent_session_close_not_allowed/");
        var id = (await OkAsync(await emu.SendContentAsync("files/upload_session/start", new { session_type = "concurrent" }, []))).GetProperty("session_id").GetString();
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 0 } }, new byte[10]), "concurrent_session_invalid_data_size/");
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 0 } }, new byte[Chunk]));
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/finish",
            new { cursor = new { session_id = id, offset = Chunk }, commit = new { path = "/c.bin" } }, []), "concurrent_session_not_closed/");
    }

    [Fact]
    public async Task ListRevisionsBeforeRevPagesAndRejectsBadRevs()
    {
        await using var emu = await TestEmulator.StartAsync();
        var revs = new List<string>();
        foreach (var v in new[] { "a", "b", "c" })
        {
            revs.Add((await emu.UploadAsync("/r.txt", v, "overwrite")).GetProperty("rev").GetString()!);
        }

        var older = await emu.RpcAsync("files/list_revisions", new { path = "/r.txt", before_rev = revs[2] });
        Assert.Equal([revs[1], revs[0]], older.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("rev").GetString()));
        await ConflictAsync(await emu.PostAsync("files/list_revisions", new { path = "/r.txt", before_rev = "0123456789" }), "invalid_before_rev/");
        await ConflictAsync(await emu.PostAsync("files/list_revisions", new { path = "/r.txt", mode = "id", before_rev = revs[2] }), "before_rev_not_supported/");
    }

    [Fact]
    public async Task AppendV1TakesTheCursorAsItsArgument()
    {
        await using var emu = await TestEmulator.StartAsync();
        var id = (await OkAsync(await emu.SendContentAsync("files/upload_session/start", new { }, "ab"u8.ToArray()))).GetProperty("session_id").GetString();
        using var ok = await emu.SendContentAsync("files/upload_session/append", new { session_id = id, offset = 2 }, "cd"u8.ToArray());
        Assert.Equal("null", await ok.Content.ReadAsStringAsync());
        var error = await ConflictAsync(await emu.SendContentAsync("files/upload_session/append", new { session_id = id, offset = 2 }, "cd"u8.ToArray()), "incorrect_offset/");
        Assert.Equal(4, error.GetProperty("correct_offset").GetInt64());
        await OkAsync(await emu.SendContentAsync("files/upload_session/finish", new { cursor = new { session_id = id, offset = 4 }, commit = new { path = "/v1.txt" } }, []));
        Assert.Equal("abcd", Encoding.UTF8.GetString(await emu.DownloadAsync("/v1.txt")));
    }

    [Fact]
    public async Task MissingArgHeaderAndBadArgJsonAreBadRequests()
    {
        await using var emu = await TestEmulator.StartAsync();
        var noArg = new HttpRequestMessage(HttpMethod.Post, "2/files/download");
        await BadRequestAsync(await emu.Http.SendAsync(noArg), "files/download", "Dropbox-API-Arg");
        var badArg = new HttpRequestMessage(HttpMethod.Post, "2/files/download");
        badArg.Headers.TryAddWithoutValidation("Dropbox-API-Arg", "{nope");
        await BadRequestAsync(await emu.Http.SendAsync(badArg), "files/download", "HTTP header \"Dropbox-API-Arg\": could not decode input as JSON");
    }

    [Fact]
    public async Task WrongVerbIsRefusedButDownloadAcceptsGet()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var get = await emu.Http.GetAsync("2/files/list_folder");
        Assert.Equal(405, (int)get.StatusCode);
    }
}

public class ClockAndCacheTests
{
    [Fact]
    public async Task DownloadEtagIsTheRevAndIfNoneMatchGives304()
    {
        await using var emu = await TestEmulator.StartAsync();
        var rev = (await emu.UploadAsync("/e.txt", "etag")).GetProperty("rev").GetString();
        var request = new HttpRequestMessage(HttpMethod.Post, "2/files/download");
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", "{\"path\":\"/e.txt\"}");
        request.Headers.TryAddWithoutValidation("If-None-Match", $"\"{rev}\"");
        using var response = await emu.Http.SendAsync(request);
        Assert.Equal(304, (int)response.StatusCode);
        Assert.Equal($"\"{rev}\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task UploadSessionsExpireAfterSevenDays()
    {
        var clock = new Clock(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emu = await TestEmulator.StartAsync(new() { TimeProvider = clock });
        var id = (await OkAsync(await emu.SendContentAsync("files/upload_session/start", new { }, "ab"u8.ToArray()))).GetProperty("session_id").GetString();
        clock.Now = clock.Now.AddDays(6);
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 2 } }, "cd"u8.ToArray()));
        clock.Now = clock.Now.AddDays(2);
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 4 } }, "ef"u8.ToArray()), "not_found/");
    }

    [Fact]
    public async Task TimestampsComeFromTheInjectedClock()
    {
        var clock = new Clock(DateTimeOffset.Parse("2031-05-06T07:08:09Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emu = await TestEmulator.StartAsync(new() { TimeProvider = clock });
        var meta = await emu.UploadAsync("/t.txt", "t");
        Assert.Equal("2031-05-06T07:08:09Z", meta.GetProperty("server_modified").GetString());
        Assert.Equal("2031-05-06T07:08:09Z", meta.GetProperty("client_modified").GetString());
    }

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
