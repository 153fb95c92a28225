using System.Text.Json;
using DropboxFs.Api;
using DropboxFs.Core.Uploads;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Uploads;

/// <summary>An in-process emulator, a client over real HTTP on 127.0.0.1 (its retry delays run 100× faster),
/// and a per-test state folder for the upload journal and staging. Queues opened here are disposed with it.</summary>
internal sealed class UploadHarness : IAsyncDisposable
{
    // Hang protection only: no assertion is about time.
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(120);
    private readonly List<UploadQueue> _queues = [];

    private UploadHarness(TestEmulator emu, string dir)
    {
        Emu = emu;
        StateDir = dir;
        Client = new DropboxClient(new DropboxClientOptions
        {
            Endpoint = emu.BaseUri,
            Tokens = new StaticTokenSource(emu.Token),
            TimeProvider = new RecordingTimeProvider(),
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            MaxRetries = 8,
        });
    }

    public TestEmulator Emu { get; }

    public string StateDir { get; }

    public DropboxClient Client { get; }

    public static async Task<UploadHarness> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dbxfs-uploads-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return new UploadHarness(await TestEmulator.StartAsync(), dir);
    }

    public async Task<UploadQueue> OpenQueueAsync(Func<UploadQueueOptions, UploadQueueOptions>? configure = null, int fragmentSize = 4 << 20, TimeSpan? writeBackDelay = null)
    {
        var options = new UploadQueueOptions
        {
            StateDirectory = StateDir,
            WriteBackDelay = writeBackDelay ?? TimeSpan.Zero,
            FragmentSize = fragmentSize,
            SmallFileMax = fragmentSize,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            FailedRetryDelay = TimeSpan.FromHours(1),
        };
        var queue = await UploadQueue.OpenAsync(Client, configure?.Invoke(options) ?? options);
        _queues.Add(queue);
        return queue;
    }

    /// <summary>Force-stops a queue (as a crash or `unmount --force` would); its rows stay.</summary>
    public async Task StopAsync(UploadQueue queue)
    {
        _queues.Remove(queue);
        await queue.DisposeAsync();
    }

    public static CancellationToken Hang() => new CancellationTokenSource(s_hang).Token;

    /// <summary>Creates (or overwrites from 0) a file through a writer and releases it.</summary>
    public static async Task<UploadWriter> WriteAsync(UploadQueue queue, string path, byte[] content, WriteBase? writeBase = null, int chunk = 1 << 20, bool release = true)
    {
        var writer = await queue.OpenForWriteAsync(path, writeBase, truncate: writeBase is not null);
        for (var offset = 0; offset < content.Length; offset += chunk)
        {
            await writer.WriteAsync(offset, content.AsMemory(offset, Math.Min(chunk, content.Length - offset)));
        }

        if (release)
        {
            await writer.ReleaseAsync();
        }

        return writer;
    }

    public async Task DrainAsync(UploadQueue queue) => await queue.DrainAsync(null, Hang());

    /// <summary>Polls until <paramref name="condition"/> holds (hang-protected).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var ct = Hang();
        while (!condition())
        {
            if (ct.IsCancellationRequested)
            {
                throw new TimeoutException("Gave up waiting for " + what);
            }

            await Task.Delay(10);
        }
    }

    public async Task<JsonElement?> MetadataAsync(string path)
    {
        using var response = await Emu.PostAsync("files/get_metadata", new { path });
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : null;
    }

    public async Task<string?> RemoteHashAsync(string path) => (await MetadataAsync(path))?.GetProperty("content_hash").GetString();

    public async Task<List<string>> ListNamesAsync(string folder)
    {
        var result = await Emu.RpcAsync("files/list_folder", new { path = folder });
        return result.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public long Count(string route) => Emu.Control.RequestCount(route);

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DisposeAsync();
        }

        Client.Dispose();
        await Emu.DisposeAsync();
        try
        {
            Directory.Delete(StateDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
