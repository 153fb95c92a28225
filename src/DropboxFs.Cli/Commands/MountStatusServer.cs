using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DropboxFs.Core;
using DropboxFs.Core.Uploads;
using DropboxFs.Fuse;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// Serves a running mount's stats to <c>dropboxfs status</c> and upload drains to <c>dropboxfs unmount</c>
/// over a Unix socket only its user can open: the socket is 0600 inside a 0700 directory
/// ($XDG_RUNTIME_DIR/dropboxfs, else ~/.cache/dropboxfs/run), named after a hash of the mountpoint.
/// Protocol: connect, send one request line (<see cref="StatusRequest"/>, <see cref="DrainRequest"/>,
/// <see cref="ForceRequest"/>), read the answer until the server closes.
/// </summary>
internal sealed partial class MountStatusServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly string _path;
    private readonly Func<byte[]> _snapshot;
    private readonly UploadQueue? _uploads;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    private MountStatusServer(Socket socket, string path, Func<byte[]> snapshot, UploadQueue? uploads, ILogger logger)
    {
        _socket = socket;
        _path = path;
        _snapshot = snapshot;
        _uploads = uploads;
        _logger = logger;
        _accept = AcceptLoopAsync();
    }

    public static string RunDirectory()
    {
        string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dropboxfs", "run")
            : Path.Combine(runtime, "dropboxfs");
    }

    public static string SocketPath(string mountPoint)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint));
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        return Path.Combine(RunDirectory(), hash + ".sock");
    }

    public static MountStatusServer Start(string mountPoint, string remoteRoot, string? stateDir, DropboxFileSystem fs, FuseMount mount, TimeProvider time, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The status socket is Unix-only (the mount verb is Linux-only).");
        }

        string path = SocketPath(mountPoint);
        var dir = Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(path); // left by a mount that died; a live mount at this path would have made ours fail as busy

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        socket.Listen(8);
        var mountedAt = time.GetUtcNow();
        int pid = Environment.ProcessId;
        var uploads = fs.Uploads;
        return new MountStatusServer(socket, path,
            () => Render(mountPoint, remoteRoot, pid, mountedAt, time.GetUtcNow(), fs.GetStats(), mount.GetStats(), UploadsSnapshot.Take(uploads, stateDir)),
            uploads, logger);
    }

    /// <summary>The stable `dropboxfs status --json` shape (snake_case, null for unknown times).</summary>
    internal static byte[] Render(string mountPoint, string remoteRoot, int pid, DateTimeOffset mountedAt, DateTimeOffset now, FileSystemStats s, FuseStats fuse, UploadsSnapshot? uploads)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("mountpoint", mountPoint);
            w.WriteString("remote_root", remoteRoot.Length == 0 ? "/" : remoteRoot);
            w.WriteNumber("pid", pid);
            w.WriteString("mounted_at", mountedAt.ToString("O", CultureInfo.InvariantCulture));
            w.WriteStartObject("sync");
            w.WriteBoolean("running", s.SyncRunning);
            WriteTime(w, "cursor_taken_at", s.CursorTakenAt, now, "cursor_age_seconds");
            WriteTime(w, "last_change_applied_at", s.LastChangeAppliedAt, now, "last_change_age_seconds");
            w.WriteNumber("changes_applied", s.ChangesApplied);
            w.WriteNumber("cursor_resets", s.CursorResets);
            w.WriteNumber("folder_listings", s.FolderListings);
            w.WriteNumber("metadata_entries", s.MetadataEntries);
            w.WriteNumber("errors", s.SyncErrors);
            w.WriteEndObject();
            w.WriteStartObject("cache");
            w.WriteNumber("used_bytes", s.CacheUsedBytes);
            w.WriteNumber("capacity_bytes", s.CacheCapacityBytes);
            w.WriteNumber("hits", s.CacheHits);
            w.WriteNumber("misses", s.CacheMisses);
            w.WriteNumber("hit_rate", Math.Round(s.CacheHitRate, 4));
            w.WriteNumber("evictions", s.CacheEvictions);
            w.WriteEndObject();
            w.WriteStartObject("nodes");
            w.WriteNumber("live", s.LiveNodes);
            w.WriteNumber("open_handles", s.OpenHandles);
            w.WriteEndObject();
            w.WriteStartObject("fuse");
            w.WriteString("protocol", $"7.{fuse.ProtocolMinor}");
            w.WriteNumber("in_flight", fuse.InFlight);
            w.WriteNumber("notifications_sent", fuse.NotificationsSent);
            w.WriteNumber("notifications_dropped", fuse.NotificationsDropped);
            w.WriteStartObject("requests");
            foreach (var (op, count) in fuse.Requests)
            {
                w.WriteNumber(op.ToLowerInvariant(), count);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("api_calls");
            foreach (var (route, count) in s.ApiCalls.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(route, count);
            }

            w.WriteEndObject();
            WriteUploads(w, uploads);
            WriteEncryption(w);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? time, DateTimeOffset now, string ageName)
    {
        if (time is { } t)
        {
            w.WriteString(name, t.ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber(ageName, Math.Round((now - t).TotalSeconds, 1));
        }
        else
        {
            w.WriteNull(name);
            w.WriteNull(ageName);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
                _ = ServeClientAsync(client); // a drain runs for minutes: never block other status requests
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                // Background-loop root: one failed status request must not end the mount.
                _logger.LogWarning(e, "A status request failed");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _accept.ConfigureAwait(false);
        await WaitForClientsAsync().ConfigureAwait(false);
        _socket.Dispose();
        File.Delete(_path);
        _stop.Dispose();
    }
}
