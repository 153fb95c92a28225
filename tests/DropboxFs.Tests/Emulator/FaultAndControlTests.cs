using System.Net;
using System.Text;
using System.Text.Json;
using DropboxFs.Emulator;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class FaultAndControlTests
{
    [Theory]
    [InlineData(FaultKind.TooManyRequests, "too_many_requests/")]
    [InlineData(FaultKind.TooManyWriteOperations, "too_many_write_operations/")]
    public async Task RateLimitFaultIs429WithRetryAfterAndJsonBodyThenPasses(FaultKind kind, string summary)
    {
        await using var emu = await TestEmulator.StartAsync();
        emu.Control.AddFault(new FaultRule { Route = "files/list_folder", Kind = kind, RetryAfterSeconds = 7 });
        using var limited = await emu.PostAsync("files/list_folder", new { path = "" });
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("7", limited.Headers.GetValues("Retry-After").Single());
        var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith(summary, body.GetProperty("error_summary").GetString());
        Assert.Equal(7, body.GetProperty("error").GetProperty("retry_after").GetInt32());
        await OkAsync(await emu.PostAsync("files/list_folder", new { path = "" }));
    }

    [Fact]
    public async Task ServerErrorsAndSkipCount()
    {
        await using var emu = await TestEmulator.StartAsync();
        emu.Control.AddFault(new FaultRule { Route = "check/user", Kind = FaultKind.ServiceUnavailable, Skip = 1, Times = 2 });
        await OkAsync(await emu.PostAsync("check/user", new { query = "" }));
        Assert.Equal(503, (int)(await emu.PostAsync("check/user", new { query = "" })).StatusCode);
        Assert.Equal(503, (int)(await emu.PostAsync("check/user", new { query = "" })).StatusCode);
        await OkAsync(await emu.PostAsync("check/user", new { query = "" }));
        emu.Control.AddFault(new FaultRule { Kind = FaultKind.InternalServerError });
        Assert.Equal(500, (int)(await emu.PostAsync("check/user", new { query = "" })).StatusCode);
    }

    [Fact]
    public async Task ConnectionResetMidDownloadCutsTheBody()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/big.bin", new byte[1_000_000]);
        emu.Control.AddFault(new FaultRule { Route = "files/download", Kind = FaultKind.ResetConnection, AfterBytes = 1000 });
        await Assert.ThrowsAnyAsync<Exception>(async () => await emu.DownloadAsync("/big.bin"));
        Assert.Equal(1_000_000, (await emu.DownloadAsync("/big.bin")).Length);
    }

    [Fact]
    public async Task ConnectionResetMidUploadStoresNothing()
    {
        await using var emu = await TestEmulator.StartAsync();
        emu.Control.AddFault(new FaultRule { Route = "files/upload", Kind = FaultKind.ResetConnection, AfterBytes = 1000 });
        await Assert.ThrowsAnyAsync<Exception>(async () => await emu.UploadAsync("/cut.bin", new byte[1_000_000]));
        await ConflictAsync(await emu.PostAsync("files/get_metadata", new { path = "/cut.bin" }), "path/not_found/");
    }

    [Fact]
    public async Task IncorrectOffsetFaultActsLikeALostAck()
    {
        await using var emu = await TestEmulator.StartAsync();
        var id = (await OkAsync(await emu.SendContentAsync("files/upload_session/start", new { }, "ab"u8.ToArray()))).GetProperty("session_id").GetString();
        emu.Control.AddFault(new FaultRule { Route = "files/upload_session/append_v2", Kind = FaultKind.IncorrectOffset });
        var error = await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 2 } }, "cd"u8.ToArray()), "incorrect_offset/");
        Assert.Equal(4, error.GetProperty("correct_offset").GetInt64());
        await OkAsync(await emu.SendContentAsync("files/upload_session/finish", new { cursor = new { session_id = id, offset = 4 }, commit = new { path = "/lost-ack.txt" } }, []));
        Assert.Equal("abcd", Encoding.UTF8.GetString(await emu.DownloadAsync("/lost-ack.txt")));
    }

    [Fact]
    public async Task InsufficientSpaceFault()
    {
        await using var emu = await TestEmulator.StartAsync();
        emu.Control.AddFault(new FaultRule { Route = "files/upload", Kind = FaultKind.InsufficientSpace });
        await ConflictAsync(await emu.SendContentAsync("files/upload", new { path = "/x" }, "x"u8.ToArray()), "path/insufficient_space/");
    }

    [Fact]
    public async Task RequestCountersCountPerRoute()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a", "a");
        await emu.DownloadAsync("/a");
        await emu.DownloadAsync("/a");
        Assert.Equal(2, emu.Control.RequestCount("files/download"));
        Assert.Equal(3, emu.Control.TotalApiRequests);
        emu.Control.ResetRequestCounts();
        Assert.Equal(0, emu.Control.TotalApiRequests);
    }

    [Fact]
    public async Task HttpControlApiAddsFaultsResetsAndReportsCounters()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/keep.txt", "k");
        using var plain = new HttpClient { BaseAddress = emu.BaseUri };
        var fault = new StringContent("{\"route\":\"check/user\",\"kind\":\"503\",\"retry_after\":3}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await plain.PostAsync("_emulator/faults", fault)).StatusCode);
        using var failed = await emu.PostAsync("check/user", new { query = "" });
        Assert.Equal(503, (int)failed.StatusCode);
        Assert.Equal("3", failed.Headers.GetValues("Retry-After").Single());
        var counters = JsonDocument.Parse(await plain.GetStringAsync("_emulator/counters")).RootElement;
        Assert.Equal(1, counters.GetProperty("routes").GetProperty("check/user").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await plain.PostAsync("_emulator/reset", null)).StatusCode);
        await ConflictAsync(await emu.PostAsync("files/get_metadata", new { path = "/keep.txt" }), "path/not_found/");
    }

    [Fact]
    public async Task ControlApiIsUnreachableUnlessEnabled()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using var plain = new HttpClient { BaseAddress = server.BaseUri };
        Assert.Equal(HttpStatusCode.NotFound, (await plain.PostAsync("_emulator/reset", null)).StatusCode);
    }

    [Fact]
    public async Task SeedCopiesALocalTree()
    {
        await using var emu = await TestEmulator.StartAsync();
        var dir = Directory.CreateTempSubdirectory("seed-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sub"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "sub", "f.txt"), "seeded");
            await emu.Control.SeedFromDirectoryAsync(dir.FullName, "/Seed");
            Assert.Equal("seeded", Encoding.UTF8.GetString(await emu.DownloadAsync("/seed/sub/f.txt")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public class ShapingAndHeaderTests
{
    [Fact]
    public async Task ShapedTrafficStillDeliversExactBytesAndStatusReportsTheSettings()
    {
        await using var emu = await TestEmulator.StartAsync();
        emu.Control.SetLatency(TimeSpan.FromMilliseconds(5));
        emu.Control.SetBandwidth(8 * 1024 * 1024);
        var data = new byte[600_000];
        Random.Shared.NextBytes(data);
        await emu.UploadAsync("/shaped.bin", data);
        Assert.Equal(data, await emu.DownloadAsync("/shaped.bin"));
        using var plain = new HttpClient { BaseAddress = emu.BaseUri };
        var status = JsonDocument.Parse(await plain.GetStringAsync("_emulator/status")).RootElement;
        Assert.Equal(8 * 1024 * 1024, status.GetProperty("bandwidth_bytes_per_second").GetInt64());
        Assert.Equal(5, status.GetProperty("latency_ms").GetDouble());
        Assert.Equal(600_000, status.GetProperty("used_bytes").GetInt64());
    }

    [Fact]
    public async Task PathRootHeaderAcceptsOwnNamespaceAndRejectsOthers()
    {
        await using var emu = await TestEmulator.StartAsync();
        var ns = (await emu.RpcAsync("users/get_current_account", null)).GetProperty("root_info").GetProperty("root_namespace_id").GetString();
        async Task<HttpResponseMessage> ListWithRoot(string header)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "2/files/list_folder") { Content = new StringContent("{\"path\":\"\"}") };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TryAddWithoutValidation("Dropbox-API-Path-Root", header);
            return await emu.Http.SendAsync(request);
        }

        await OkAsync(await ListWithRoot("{\".tag\":\"home\"}"));
        await OkAsync(await ListWithRoot($"{{\".tag\":\"namespace_id\",\"namespace_id\":\"{ns}\"}}"));
        using var other = await ListWithRoot("{\".tag\":\"root\",\"root\":\"42\"}");
        Assert.Equal(422, (int)other.StatusCode);
        Assert.StartsWith("invalid_root/", JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement.GetProperty("error_summary").GetString());
    }
}
