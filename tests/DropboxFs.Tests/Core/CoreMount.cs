using System.Text;
using DropboxFs.Api;
using DropboxFs.Core;
using DropboxFs.Core.FileSystem;
using DropboxFs.Emulator;

namespace DropboxFs.Tests.Core;

/// <summary>
/// The real in-process emulator over HTTP on 127.0.0.1, a DropboxClient for remote changes, and a
/// DropboxFileSystem on a per-test cache folder with a recording kernel notifier.
/// </summary>
internal sealed class CoreMount : IAsyncDisposable
{
    private readonly TempFolder _temp = new();
    private readonly List<DropboxClient> _clients = [];

    private CoreMount(EmulatorServer server, DropboxClient client)
    {
        Server = server;
        Client = client;
    }

    public EmulatorServer Server { get; }

    public EmulatorControl Control => Server.Control;

    /// <summary>A separate client for making "remote" changes (as another device would).</summary>
    public DropboxClient Client { get; }

    public DropboxFileSystem Fs { get; private set; } = null!;

    public CoreRecordingNotifier Notifier { get; } = new();

    public string CacheDirectory => Path.Combine(_temp.Path, "cache");

    public string TempPath => _temp.Path;

    /// <summary>Every IndexProgress report, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<IndexProgress> Progress { get; } = new();

    public string StateDirectory => Path.Combine(_temp.Path, "state");

    /// <summary>Mount options beyond the defaults: read-only, sync-uploads, write-back delay.</summary>
    public bool ReadOnly { get; set; }

    public bool SyncUploads { get; set; }

    public TimeSpan WriteBackDelay { get; set; } = TimeSpan.FromSeconds(2);

    public static async Task<CoreMount> StartAsync(
        string remoteRoot = "", long cacheSize = 10L << 30, bool sync = true, TimeProvider? time = null, bool readOnly = false, bool syncUploads = false)
    {
        var server = await EmulatorServer.StartAsync(new EmulatorOptions { EnableControlApi = true });
        var client = NewClient(server);
        var mount = new CoreMount(server, client) { ReadOnly = readOnly, SyncUploads = syncUploads };
        await mount.OpenAsync(remoteRoot, cacheSize, sync, time);
        return mount;
    }

    public static DropboxClient NewClient(EmulatorServer server) =>
        new(new DropboxClientOptions { Endpoint = server.BaseUri, Tokens = new StaticTokenSource(server.StaticToken), MaxRetries = 1 });

    /// <summary>Opens (or re-opens after <see cref="CloseAsync"/>) the filesystem on the same cache folder.</summary>
    public async Task OpenAsync(string remoteRoot = "", long cacheSize = 10L << 30, bool sync = true, TimeProvider? time = null)
    {
        var client = NewClient(Server);
        _clients.Add(client);
        Fs = await DropboxFileSystem.OpenAsync(client, new DropboxFileSystemOptions
        {
            CacheDirectory = CacheDirectory,
            CacheSizeBytes = cacheSize,
            RemoteRoot = remoteRoot,
            IndexProgress = new Recorder(Progress),
            TimeProvider = time ?? TimeProvider.System,
            StateDirectory = StateDirectory,
            ReadOnly = ReadOnly,
            SyncUploads = SyncUploads,
            WriteBackDelay = WriteBackDelay,
        }, CancellationToken.None);
        Fs.AttachNotifier(Notifier);
        if (sync)
        {
            await Fs.SyncNowAsync(CancellationToken.None); // takes the cursor; the loop is tested on its own
        }
    }

    public async Task CloseAsync() => await Fs.DisposeAsync();

    public Task<FileMetadata> PutAsync(string path, string content) => PutAsync(path, Encoding.UTF8.GetBytes(content));

    public async Task<FileMetadata> PutAsync(string path, byte[] content)
    {
        using var stream = new MemoryStream(content);
        return await Client.UploadAsync(path, stream, new UploadOptions { Overwrite = true });
    }

    public Task<int> SyncAsync() => Fs.SyncNowAsync(CancellationToken.None);

    /// <summary>Walks a path from the root like the kernel would (one LOOKUP per component).</summary>
    public async Task<FsEntry> WalkAsync(string path)
    {
        var entry = new FsEntry(IFileSystem.RootNodeId, await Fs.GetAttrAsync(IFileSystem.RootNodeId, CancellationToken.None));
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            entry = await Fs.LookupAsync(entry.NodeId, part, CancellationToken.None);
        }

        return entry;
    }

    public async Task<byte[]> ReadAllAsync(ulong node)
    {
        var attributes = await Fs.GetAttrAsync(node, CancellationToken.None);
        var open = await Fs.OpenAsync(node, FsOpenFlags.Read, CancellationToken.None);
        try
        {
            return await ReadAsync(node, open.Handle, 0, (int)attributes.Size);
        }
        finally
        {
            await Fs.ReleaseAsync(node, open.Handle);
        }
    }

    public async Task<byte[]> ReadAsync(ulong node, ulong handle, long offset, int count)
    {
        var buffer = new byte[count];
        var total = 0;
        while (total < count)
        {
            // 128 KiB per call, as the kernel sends them.
            var n = await Fs.ReadAsync(node, handle, offset + total, buffer.AsMemory(total, Math.Min(128 << 10, count - total)), CancellationToken.None);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return buffer[..total];
    }

    /// <summary>Uploads everything pending now (the write-back delay is not waited out).</summary>
    public Task DrainAsync() => Fs.Uploads!.DrainAsync(null);

    /// <summary>The bytes the server holds at <paramref name="path"/>.</summary>
    public async Task<byte[]> DownloadAsync(string path)
    {
        using var stream = new MemoryStream();
        await Client.DownloadAsync(path, stream);
        return stream.ToArray();
    }

    public async Task<FileMetadata?> RemoteFileAsync(string path) => await Client.TryGetMetadataAsync(path) as FileMetadata;

    /// <summary>Names the server lists in a folder ("" = the root).</summary>
    public async Task<List<string>> RemoteNamesAsync(string folder)
    {
        var result = await Client.ListFolderAsync(folder);
        return result.Entries.Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>create + write + release, as `cp` does for a new file.</summary>
    public async Task<FsEntry> CreateFileAsync(ulong parent, string name, byte[] content)
    {
        var created = await Fs.CreateAsync(parent, name, FsOpenFlags.Write | FsOpenFlags.Create, CancellationToken.None);
        await WriteAllAsync(created.Entry.NodeId, created.Open.Handle, content);
        await Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle);
        return created.Entry;
    }

    /// <summary>Writes in 1 MiB WRITEs (the negotiated max_write) from offset 0.</summary>
    public async Task WriteAllAsync(ulong node, ulong handle, byte[] content, long offset = 0)
    {
        for (var done = 0; done < content.Length; done += 1 << 20)
        {
            var n = Math.Min(1 << 20, content.Length - done);
            Assert.Equal(n, await Fs.WriteAsync(node, handle, offset + done, content.AsMemory(done, n), CancellationToken.None));
        }
    }

    private sealed class Recorder(System.Collections.Concurrent.ConcurrentQueue<IndexProgress> queue) : IProgress<IndexProgress>
    {
        public void Report(IndexProgress value) => queue.Enqueue(value);
    }

    public async ValueTask DisposeAsync()
    {
        await Fs.DisposeAsync();
        Client.Dispose();
        _clients.ForEach(c => c.Dispose());
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}
