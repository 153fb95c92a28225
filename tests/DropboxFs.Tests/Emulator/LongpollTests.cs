using System.Text.Json;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class LongpollTests
{
    private static HttpClient NoAuthClient(TestEmulator emu) => new() { BaseAddress = emu.BaseUri, Timeout = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task LongpollWakesWhenSomethingChanges()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoAuthClient(emu);
        var cursor = (await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "", recursive = true })).GetProperty("cursor").GetString();
        var poll = client.PostAsync("2/files/list_folder/longpoll", JsonContent(new { cursor, timeout = 480 }));
        await Task.Delay(200); // let the poll start waiting; correctness does not depend on it
        Assert.False(poll.IsCompleted);
        await emu.UploadAsync("/new.txt", "n");
        using var response = await poll;
        var result = await OkAsync(response);
        Assert.True(result.GetProperty("changes").GetBoolean());
    }

    [Fact]
    public async Task LongpollReturnsAtOnceWhenChangesAlreadyExistAndCarriesBackoff()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoAuthClient(emu);
        var cursor = (await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "" })).GetProperty("cursor").GetString();
        await emu.UploadAsync("/x.txt", "x");
        emu.Control.SetLongpollBackoff(5);
        var result = await OkAsync(await client.PostAsync("2/files/list_folder/longpoll", JsonContent(new { cursor })));
        Assert.True(result.GetProperty("changes").GetBoolean());
        Assert.Equal(5, result.GetProperty("backoff").GetInt32());
    }

    [Fact]
    public async Task LongpollRejectsAnAuthorizationHeader()
    {
        await using var emu = await TestEmulator.StartAsync();
        var cursor = (await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "" })).GetProperty("cursor").GetString();
        using var response = await emu.PostAsync("files/list_folder/longpoll", new { cursor });
        await BadRequestAsync(response, "files/list_folder/longpoll", "includes an Authorization header");
    }

    [Fact]
    public async Task LongpollTimeoutOutsideRangeIsBadRequest()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoAuthClient(emu);
        var cursor = (await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "" })).GetProperty("cursor").GetString();
        using var response = await client.PostAsync("2/files/list_folder/longpoll", JsonContent(new { cursor, timeout = 10 }));
        await BadRequestAsync(response, "files/list_folder/longpoll", "timeout");
    }

    [Fact]
    public async Task ForcedResetWakesAWaitingLongpollWithReset()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoAuthClient(emu);
        var cursor = (await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "" })).GetProperty("cursor").GetString();
        var poll = client.PostAsync("2/files/list_folder/longpoll", JsonContent(new { cursor, timeout = 480 }));
        await Task.Delay(200);
        emu.Control.ForceLongpollReset();
        await ConflictAsync(await poll, "reset/");
    }

    [Fact]
    public async Task ScriptedLongpollResetFaultAnswersReset()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoAuthClient(emu);
        var cursor = (await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "" })).GetProperty("cursor").GetString();
        emu.Control.AddFault(new() { Route = "files/list_folder/longpoll", Kind = DropboxFs.Emulator.FaultKind.LongpollReset });
        await ConflictAsync(await client.PostAsync("2/files/list_folder/longpoll", JsonContent(new { cursor })), "reset/");
    }

    private static StringContent JsonContent(object o)
    {
        var c = new StringContent(JsonSerializer.Serialize(o));
        c.Headers.ContentType = new("application/json");
        return c;
    }
}

public class LongpollShutdownTests
{
    [Fact]
    public async Task StoppingTheServerReleasesAWaitingLongpoll()
    {
        var emu = await TestEmulator.StartAsync();
        using var client = new HttpClient { BaseAddress = emu.BaseUri };
        var cursor = (await emu.RpcAsync("files/list_folder/get_latest_cursor", new { path = "" })).GetProperty("cursor").GetString();
        var body = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { cursor, timeout = 480 }));
        body.Headers.ContentType = new("application/json");
        var poll = client.PostAsync("2/files/list_folder/longpoll", body);
        for (var i = 0; i < 500 && emu.Control.RequestCount("files/list_folder/longpoll") == 0; i++)
        {
            await Task.Delay(20); // wait until the server has the poll; no timing is asserted
        }

        await emu.DisposeAsync();
        using var response = await poll; // completes (changes:false) instead of hanging for 480 s
        Assert.False(System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("changes").GetBoolean());
    }
}
