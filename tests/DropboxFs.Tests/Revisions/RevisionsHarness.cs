using System.Text;
using DropboxFs.Api;
using DropboxFs.Core;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Revisions;
using DropboxFs.Emulator;
using DropboxFs.Tests.Core;

namespace DropboxFs.Tests.Revisions;

/// <summary>A real clock moved forward on demand, so revisions get distinct, known server times without sleeping.</summary>
internal sealed class AdvancingClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

/// <summary>
/// The in-process emulator (on an advancing clock), a client for "remote" changes, the real facade on
/// a per-test cache folder, and the revision views decorator over it.
/// </summary>
internal sealed class RevisionsHarness : IAsyncDisposable
{
    private readonly TempFolder _temp;
    private readonly DropboxClient _fsClient;

    private RevisionsHarness(EmulatorServer server, AdvancingClock clock, TempFolder temp, DropboxClient fsClient, DropboxFileSystem inner, TimeSpan? historyMaxAge)
    {
        Server = server;
        Clock = clock;
        _temp = temp;
        _fsClient = fsClient;
        Inner = inner;
        Client = CoreMount.NewClient(server);
        Fs = new RevisionsFileSystem(inner, historyMaxAge);
    }

    public EmulatorServer Server { get; }

    /// <summary>The emulator's clock: revisions uploaded after an <see cref="AdvancingClock.Advance"/> get later server times.</summary>
    public AdvancingClock Clock { get; }

    /// <summary>A separate client for "remote" changes (as another device would make them).</summary>
    public DropboxClient Client { get; }

    public DropboxFileSystem Inner { get; }

    public RevisionsFileSystem Fs { get; }

    public EmulatorControl Control => Server.Control;

    public static async Task<RevisionsHarness> StartAsync(TimeSpan? historyMaxAge = null)
    {
        var clock = new AdvancingClock();
        var server = await EmulatorServer.StartAsync(new EmulatorOptions { EnableControlApi = true, TimeProvider = clock });
        var temp = new TempFolder();
        var fsClient = CoreMount.NewClient(server);
        var inner = await DropboxFileSystem.OpenAsync(fsClient, new DropboxFileSystemOptions
        {
            CacheDirectory = Path.Combine(temp.Path, "cache"),
            CacheSizeBytes = 1L << 30,
            StateDirectory = Path.Combine(temp.Path, "state"),
            SyncUploads = true, // a write through the mount is on the server when release returns
        }, CancellationToken.None);
        await inner.SyncNowAsync(CancellationToken.None);
        return new RevisionsHarness(server, clock, temp, fsClient, inner, historyMaxAge);
    }

    public async Task<FileMetadata> PutAsync(string path, byte[] content, TimeSpan? thenAdvance = null)
    {
        using var stream = new MemoryStream(content);
        var meta = await Client.UploadAsync(path, stream, new UploadOptions { Overwrite = true });
        Clock.Advance(thenAdvance ?? TimeSpan.FromMinutes(1));
        return meta;
    }

    public Task<FileMetadata> PutAsync(string path, string content, TimeSpan? thenAdvance = null) => PutAsync(path, Encoding.UTF8.GetBytes(content), thenAdvance);

    public Task<int> SyncAsync() => Inner.SyncNowAsync(CancellationToken.None);

    public ValueTask<FsEntry> WalkAsync(string path) => WalkAsync(Fs, path);

    /// <summary>One LOOKUP per component from the root, as the kernel does.</summary>
    public static async ValueTask<FsEntry> WalkAsync(IFileSystem fs, string path)
    {
        var entry = new FsEntry(IFileSystem.RootNodeId, await fs.GetAttrAsync(IFileSystem.RootNodeId, CancellationToken.None));
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            entry = await fs.LookupAsync(entry.NodeId, part, CancellationToken.None);
        }

        return entry;
    }

    public static async Task<IReadOnlyList<FsDirEntry>> ListAsync(IFileSystem fs, string path) =>
        await fs.ReadDirAsync((await WalkAsync(fs, path)).NodeId, CancellationToken.None);

    public static async Task<byte[]> ReadAllAsync(IFileSystem fs, ulong node)
    {
        var size = (await fs.GetAttrAsync(node, CancellationToken.None)).Size;
        var open = await fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        try
        {
            var buffer = new byte[size];
            var total = 0;
            while (total < size)
            {
                // 128 KiB per call, as the kernel sends them.
                var n = await fs.ReadAsync(node, open.Handle, total, buffer.AsMemory(total, (int)Math.Min(128 << 10, size - total)), CancellationToken.None);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return buffer[..total];
        }
        finally
        {
            await fs.ReleaseAsync(node, open.Handle);
        }
    }

    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await Fs.DisposeAsync();
        await Inner.DisposeAsync();
        Client.Dispose();
        _fsClient.Dispose();
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}
