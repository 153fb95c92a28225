using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

public sealed class TokenStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dbxfs-api-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task TokenFileIsCreated0600AndRoundTrips()
    {
        var store = new TokenStore(Path.Combine(_dir, "cfg", "token.json"));
        var token = new StoredToken
        {
            AccessToken = "sl.secret",
            RefreshToken = "rt.secret",
            ExpiresAt = new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero),
            AccountId = "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
            Endpoint = "http://127.0.0.1:1234",
        };
        await store.SaveAsync(token);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(store.FilePath)!));
        }
        Assert.Equal(token, await store.LoadAsync());
        await store.SaveAsync(token with { AccessToken = "sl.second" });
        Assert.Equal("sl.second", (await store.LoadAsync())!.AccessToken);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
        }
        Assert.DoesNotContain("secret", token.ToString());
        Assert.True(store.Delete());
        Assert.Null(await store.LoadAsync());
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }
}
