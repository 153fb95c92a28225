using System.Net.Http.Headers;
using System.Text;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class UsersAndCheckRoutesTests
{
    [Fact]
    public async Task CurrentAccountAcceptsEmptyBodyAndHasFortyCharacterAccountId()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var response = await emu.Http.PostAsync("2/users/get_current_account", null);
        var account = await OkAsync(response);
        Assert.Equal(40, account.GetProperty("account_id").GetString()!.Length);
        Assert.False(HasTag(account));
        Assert.Equal("user", Tag(account.GetProperty("root_info")));
        Assert.Equal("basic", Tag(account.GetProperty("account_type")));
        Assert.Equal(2, account.GetProperty("country").GetString()!.Length);
    }

    [Fact]
    public async Task VoidRouteAcceptsJsonNullBody()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var response = await emu.PostAsync("users/get_current_account", "null");
        await OkAsync(response);
    }

    [Fact]
    public async Task SpaceUsageCountsUploadedBytesAndQuota()
    {
        await using var emu = await TestEmulator.StartAsync(new() { QuotaBytes = 1000 });
        await emu.UploadAsync("/a.bin", new byte[123]);
        var usage = await emu.RpcAsync("users/get_space_usage", null);
        Assert.Equal(123, usage.GetProperty("used").GetInt64());
        var allocation = usage.GetProperty("allocation");
        Assert.Equal("individual", Tag(allocation));
        Assert.Equal(1000, allocation.GetProperty("allocated").GetInt64());
    }

    [Fact]
    public async Task CheckUserEchoesQuery()
    {
        await using var emu = await TestEmulator.StartAsync();
        var result = await emu.RpcAsync("check/user", new { query = "ping" });
        Assert.Equal("ping", result.GetProperty("result").GetString());
    }

    [Fact]
    public async Task RpcWithWrongContentTypeIsPlainTextBadRequest()
    {
        await using var emu = await TestEmulator.StartAsync();
        var content = new StringContent("{\"query\":\"x\"}", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/xml");
        using var response = await emu.Http.PostAsync("2/check/user", content);
        await BadRequestAsync(response, "check/user", "Bad HTTP \"Content-Type\" header");
    }

    [Fact]
    public async Task UnknownFieldAndMissingFieldAreBadRequests()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var unknown = await emu.PostAsync("files/list_folder", new { path = "", bogus = 1 });
        await BadRequestAsync(unknown, "files/list_folder", "unknown field 'bogus'");
        using var missing = await emu.PostAsync("files/list_folder", new { recursive = true });
        await BadRequestAsync(missing, "files/list_folder", "missing required field 'path'");
        using var malformed = await emu.PostAsync("files/list_folder", "{not json");
        await BadRequestAsync(malformed, "files/list_folder", "could not decode input as JSON");
    }

    [Fact]
    public async Task UnknownRouteIsBadRequest()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var response = await emu.PostAsync("files/no_such_route", new { });
        await BadRequestAsync(response, "files/no_such_route");
    }
}
