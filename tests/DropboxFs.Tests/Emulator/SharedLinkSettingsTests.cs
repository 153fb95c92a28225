using System.Net;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class SharedLinkSettingsTests
{
    [Fact]
    public async Task PasswordAndExpiryAreHonouredAndReported()
    {
        var clock = new StepClock(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emu = await TestEmulator.StartAsync(new() { TimeProvider = clock });
        await emu.UploadAsync("/secret.txt", "s3cret");
        var link = await emu.RpcAsync("sharing/create_shared_link_with_settings", new
        {
            path = "/secret.txt",
            settings = new { require_password = true, link_password = "pw", expires = "2030-01-02T00:00:00Z" },
        });
        Assert.Equal("2030-01-02T00:00:00Z", link.GetProperty("expires").GetString());
        Assert.Equal("password", Tag(link.GetProperty("link_permissions").GetProperty("resolved_visibility")));
        var url = link.GetProperty("url").GetString()!;
        using var plain = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await plain.GetAsync(url)).StatusCode);
        Assert.Equal("s3cret", await plain.GetStringAsync(url + "&password=pw"));
        clock.Now = clock.Now.AddDays(2);
        Assert.Equal(HttpStatusCode.Gone, (await plain.GetAsync(url + "&password=pw")).StatusCode);
    }

    [Fact]
    public async Task ContradictorySettingsAreInvalidSettings()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/a.txt", "a");
        await ConflictAsync(await emu.PostAsync("sharing/create_shared_link_with_settings",
            new { path = "/a.txt", settings = new { require_password = true } }), "settings_error/invalid_settings/");
        await ConflictAsync(await emu.PostAsync("sharing/create_shared_link_with_settings",
            new { path = "/a.txt", settings = new { expires = "2001-01-01T00:00:00Z" } }), "settings_error/invalid_settings/");
    }

    private sealed class StepClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
