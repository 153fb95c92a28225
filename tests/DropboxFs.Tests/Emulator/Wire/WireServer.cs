using System.Text;
using DropboxFs.Emulator;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>
/// One in-memory emulator (the shared <see cref="TestEmulator"/>) per test class, reached through a
/// raw <see cref="HttpClient"/> without default headers: these tests check bytes on the wire and
/// choose every header themselves (no token, a bad token, raw UTF-8).
/// </summary>
public sealed class WireServer : IAsyncLifetime
{
    private TestEmulator _emulator = null!;

    public EmulatorServer Server => _emulator.Server;

    public HttpClient Http { get; private set; } = null!;

    public string Token => Server.StaticToken;

    public async Task InitializeAsync()
    {
        _emulator = await TestEmulator.StartAsync(new EmulatorOptions { Port = 0 });
        Http = CreateClient();
    }

    /// <summary>A client that can send raw UTF-8 header bytes (as rclone's Go client does) and sees redirects.</summary>
    public HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        };
        // 60 s: longer than any single call here, shorter than a hung test run.
        return new HttpClient(handler) { BaseAddress = Server.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _emulator.DisposeAsync();
    }
}
