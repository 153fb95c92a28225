using System.Text.Json;
using DropboxFs.Api;
using DropboxFs.Cli;
using DropboxFs.Emulator;

namespace DropboxFs.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class CliUsageAndAuthTests(CliFixture fx) : IDisposable
{
    private readonly CliScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private Dictionary<string, string?> IsolatedConfig() => new() { ["XDG_CONFIG_HOME"] = _scratch.Local };

    [Fact]
    public async Task UnknownOptionIsAUsageErrorWithExitCodeTwo()
    {
        var result = await CliProcess.RunAsync(["ls", "/", "--no-such-option"]);

        Assert.True(result.ExitCode == (int)ExitCode.Usage, result.ToString());
        Assert.Contains("--no-such-option", result.Stderr);
        Assert.Contains("dropboxfs ls --help", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task WithoutTokenOrLoginTheCliSaysHowToLinkAndExitsAuthRequired()
    {
        var result = await CliProcess.RunAsync(["ls", "/", "--endpoint", fx.Endpoint], IsolatedConfig());

        Assert.True(result.ExitCode == (int)ExitCode.AuthRequired, result.ToString());
        Assert.Contains("Not linked: run `dropboxfs login`", result.Stderr);
    }

    [Fact]
    public async Task ABadTokenFromTheEnvironmentExitsAuthRequiredAndIsNeverPrinted()
    {
        const string badToken = "not-a-valid-token-0123456789";
        var env = IsolatedConfig();
        env["DROPBOXFS_TOKEN"] = badToken;
        env["DROPBOXFS_ENDPOINT"] = fx.Endpoint;

        var result = await CliProcess.RunAsync(["ls", "/", "--log-level", "debug"], env);

        Assert.True(result.ExitCode == (int)ExitCode.AuthRequired, result.ToString());
        Assert.Contains("dropboxfs login", result.Stderr);
        Assert.DoesNotContain(badToken, result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task AnUnreachableEndpointExitsUnavailableAndNamesTheEndpoint()
    {
        // Port 1 on loopback refuses connections; --retries 0 makes the failure immediate.
        var result = await CliProcess.RunAsync(["ls", "/", "--endpoint", "http://127.0.0.1:1", "--token", "x-token-for-unreachable", "--retries", "0"], IsolatedConfig());

        Assert.True(result.ExitCode == (int)ExitCode.Unavailable, result.ToString());
        Assert.Contains("http://127.0.0.1:1", result.Stderr);
    }

    [Fact]
    public async Task PutIntoAFullAccountExitsNoSpace()
    {
        var local = _scratch.WriteLocal("q.bin", CliScratch.RandomBytes(4096, seed: 9));
        fx.Server.Control.SetQuota(1024);
        try
        {
            var result = await CliProcess.RunAsync(fx.Args("put", local, $"{_scratch.Remote}/q.bin"), IsolatedConfig());

            Assert.True(result.ExitCode == (int)ExitCode.NoSpace, result.ToString());
            Assert.Contains("dropboxfs about", result.Stderr);
        }
        finally
        {
            fx.Server.Control.SetQuota(new EmulatorOptions().QuotaBytes);
        }
    }

    [Fact]
    public async Task AboutJsonShowsTheLinkedAccountSpaceAndLocations()
    {
        var json = CliJson.Parse(await CliProcess.RunAsync(fx.Args("about", "--json"), IsolatedConfig()));

        Assert.False(string.IsNullOrEmpty(json.GetProperty("version").GetString()));
        Assert.StartsWith("dbid:", json.GetProperty("account").GetProperty("account_id").GetString());
        Assert.Contains("@", json.GetProperty("account").GetProperty("email").GetString());
        Assert.True(json.GetProperty("space").GetProperty("allocated").GetInt64() > 0);
        Assert.Equal(Path.Combine(_scratch.Local, "dropboxfs", "token.json"), json.GetProperty("token_file").GetString());
        Assert.EndsWith("dropboxfs", json.GetProperty("cache_dir").GetString());
    }

    [Fact]
    public async Task LoginStoresAPrivateTokenThatLaterCommandsUseAndLogoutRevokesIt()
    {
        var env = IsolatedConfig();
        using var login = CliProcess.Start(["login", "--no-browser", "--endpoint", fx.Endpoint], env);
        var url = await login.WaitForLineAsync(l => l.StartsWith("http", StringComparison.Ordinal) && l.Contains("oauth2/authorize", StringComparison.Ordinal));

        // The browser step: a plain GET with the emulator's approve-without-interaction flag; the
        // redirect lands on the CLI's loopback listener.
        using (var http = new HttpClient())
        {
            using var response = await http.GetAsync(url + "&emulator_auto_approve=1");
        }

        var result = await login.WaitForExitAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Linked", result.Stdout);
        var tokenFile = Path.Combine(_scratch.Local, "dropboxfs", "token.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        }

        var stored = JsonDocument.Parse(await File.ReadAllTextAsync(tokenFile)).RootElement;
        var accessToken = stored.GetProperty("access_token").GetString()!;
        Assert.DoesNotContain(accessToken, result.Stdout + result.Stderr);

        // No --token and no --endpoint: both come from the stored login. The access token has
        // expired meanwhile, so the CLI refreshes it invisibly and saves the new one.
        fx.Server.Control.ExpireAllAccessTokens();
        var mkdir = await CliProcess.RunAsync(["mkdir", _scratch.Remote], env);
        Assert.True(mkdir.ExitCode == 0, mkdir.ToString());
        Assert.IsType<FolderMetadata>(await fx.Client.GetMetadataAsync(_scratch.Remote));
        var refreshed = JsonDocument.Parse(await File.ReadAllTextAsync(tokenFile)).RootElement.GetProperty("access_token").GetString()!;
        Assert.NotEqual(accessToken, refreshed);
        accessToken = refreshed;

        var logout = await CliProcess.RunAsync(["logout"], env);
        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.False(File.Exists(tokenFile));
        using var revoked = new DropboxClient(new DropboxClientOptions { Endpoint = fx.Server.BaseUri, Tokens = new StaticTokenSource(accessToken), MaxRetries = 0 });
        var error = await Assert.ThrowsAsync<DropboxApiException>(() => revoked.GetCurrentAccountAsync());
        Assert.True(error.IsAuthError, error.Message);
    }
}
