using System.Text;
using DropboxFs.Emulator;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>
/// One in-memory emulator per test class, reached through a raw <see cref="HttpClient"/>: these
/// tests check bytes on the wire, so no Dropbox client library sits in between.
/// </summary>
public sealed class WireServer : IAsyncLifetime
{
    public EmulatorServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string Token => Server.StaticToken;

    public async Task InitializeAsync()
    {
        Server = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0 });
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
        await Server.DisposeAsync();
    }
}
