using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator;

/// <summary>
/// The running content_hash of a sequential session and how many bytes it has seen. Valid while it
/// matches the session length; otherwise (restart, cut append) finish re-reads the session file.
/// </summary>
internal sealed class SessionHash
{
    public Model.ContentHasher Hasher { get; } = new();

    public long Length { get; set; }
}

/// <summary>A temporary link: one revision's bytes, served until it expires (4 h, §5.15).</summary>
internal sealed record TemporaryLink(string Hash, long Size, string Name, long ExpiresMs);

/// <summary>Everything a request handler can reach: state, shaping, faults, counters.</summary>
internal sealed class EmulatorRuntime : IDisposable
{
    private readonly string? _ownedDirectory;

    public EmulatorRuntime(EmulatorOptions options)
    {
        Options = options;
        if (options.DataDirectory == null)
        {
            _ownedDirectory = Path.Combine(Path.GetTempPath(), "dropboxfs-emulator-" + Guid.NewGuid().ToString("n"));
        }

        State = new DropboxState(options.DataDirectory ?? _ownedDirectory!, options.TimeProvider) { QuotaBytes = options.QuotaBytes };
        StaticToken = options.StaticToken ?? "emu." + DropboxState.NewOpaque(24);
        Latency = options.Latency;
        Upstream.BytesPerSecond = options.BandwidthBytesPerSecond;
        Downstream.BytesPerSecond = options.BandwidthBytesPerSecond;
    }

    public EmulatorOptions Options { get; }

    public DropboxState State { get; }

    public string StaticToken { get; }

    public Uri BaseUri { get; set; } = new("http://127.0.0.1/");

    public FaultSet Faults { get; } = new();

    /// <summary>Client → server bytes (uploads).</summary>
    public Throttle Upstream { get; } = new();

    /// <summary>Server → client bytes (downloads).</summary>
    public Throttle Downstream { get; } = new();

    public TimeSpan Latency { get; set; }

    /// <summary>When &gt; 0, long-poll results carry <c>backoff</c> with this many seconds.</summary>
    public int LongpollBackoffSeconds { get; set; }

    public ConcurrentDictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, TemporaryLink> TemporaryLinks { get; } = new(StringComparer.Ordinal);

    /// <summary>Results of the deprecated async finish_batch, by async_job_id.</summary>
    public ConcurrentDictionary<string, JsonArray> BatchJobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Running hashes of sequential sessions, so finish need not re-read the bytes.</summary>
    public ConcurrentDictionary<string, SessionHash> SessionHashers { get; } = new(StringComparer.Ordinal);

    /// <summary>Forgets a session's running hash (it no longer matches the bytes).</summary>
    public void DropSessionHash(string id)
    {
        if (SessionHashers.TryRemove(id, out var h))
        {
            h.Hasher.Dispose();
        }
    }

    /// <summary>One lock per upload session so that two appends to it never interleave.</summary>
    public ConcurrentDictionary<string, SemaphoreSlim> SessionLocks { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancelled when the server begins to stop, so waiting long-polls return at once.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    public void Count(string route) => Counters.AddOrUpdate(route, 1, (_, n) => n + 1);

    public void Dispose()
    {
        Stopping.Dispose();
        State.Dispose();
        if (_ownedDirectory != null && Directory.Exists(_ownedDirectory))
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }
    }
}
