using DropboxFs.Api;
using DropboxFs.Emulator;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Api;

/// <summary>One in-memory emulator on 127.0.0.1 plus a client wired through a <see cref="FlakyHttpHandler"/> and a
/// <see cref="RecordingTimeProvider"/> (delays recorded, then run 100× faster). Per test; writes only in TempDir.</summary>
internal sealed class ApiHarness : IAsyncDisposable
{
    private ApiHarness(EmulatorServer server, string tempDir)
    {
        Server = server;
        TempDir = tempDir;
        Client = NewClient();
    }

    public EmulatorServer Server { get; }
    public FlakyHttpHandler Flaky { get; } = new();
    public RecordingTimeProvider Time { get; } = new();
    public DropboxClient Client { get; private set; }
    public string TempDir { get; }

    public static async Task<ApiHarness> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions();
        configure?.Invoke(options);
        var server = await EmulatorServer.StartAsync(options);
        var dir = Path.Combine(Path.GetTempPath(), "dbxfs-api-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return new ApiHarness(server, dir);
    }

    public DropboxClient NewClient(ITokenSource? tokens = null, int maxRetries = 5, int fragmentSize = 10 * 1024 * 1024) =>
        new(new DropboxClientOptions
        {
            Endpoint = Server.BaseUri,
            Tokens = tokens ?? new StaticTokenSource(Server.StaticToken),
            HttpMessageHandler = Flaky,
            TimeProvider = Time,
            MaxRetries = maxRetries,
            FragmentSize = fragmentSize,
            RetryBaseDelay = TimeSpan.FromMilliseconds(200),
        });

    public void ReplaceClient(DropboxClient client)
    {
        Client.Dispose();
        Client = client;
    }

    public DropboxOAuth NewOAuth() => new(new DropboxOAuthOptions { Endpoint = Server.BaseUri, ClientId = DropboxOAuthOptions.EmulatorClientId });

    public static byte[] RandomBytes(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public async Task<FileMetadata> PutAsync(string path, byte[] data, UploadOptions? options = null) =>
        await Client.UploadAsync(path, new MemoryStream(data), options ?? new UploadOptions { Overwrite = true });

    public async Task<byte[]> GetAsync(string path)
    {
        var ms = new MemoryStream();
        await Client.DownloadAsync(path, ms);
        return ms.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Flaky.Dispose();
        await Server.DisposeAsync();
        if (Directory.Exists(TempDir))
        {
            Directory.Delete(TempDir, true);
        }
    }
}
