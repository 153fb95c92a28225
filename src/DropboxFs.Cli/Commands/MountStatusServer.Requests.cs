using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DropboxFs.Core.Uploads;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

// One request per connection. A drain answers with one JSON line per change of the queue and a last line
// with "done": true; it stops when the client hangs up (Ctrl-C on `dropboxfs unmount`) or the mount stops.
internal sealed partial class MountStatusServer
{
    public const string StatusRequest = "status";
    public const string DrainRequest = "drain";
    public const string ForceRequest = "force";

    private readonly HashSet<Task> _clients = [];
    private int _forced;

    /// <summary>Set by `dropboxfs unmount --force`: the mount exits without draining (rows stay for the next mount).</summary>
    public bool ForceRequested => Volatile.Read(ref _forced) == 1;

    private Task ServeClientAsync(Socket client)
    {
        var task = ServeClientCoreAsync(client);
        lock (_clients)
        {
            _clients.Add(task);
        }

        _ = task.ContinueWith(t => { lock (_clients) { _clients.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task ServeClientCoreAsync(Socket client)
    {
        using (client)
        {
            try
            {
                switch (await ReadRequestAsync(client, _stop.Token).ConfigureAwait(false))
                {
                    case DrainRequest:
                        await DrainForClientAsync(client, _stop.Token).ConfigureAwait(false);
                        break;
                    case ForceRequest:
                        Interlocked.Exchange(ref _forced, 1);
                        await client.SendAsync("{\"force\":true}\n"u8.ToArray(), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                        break;
                    default:
                        await client.SendAsync(_snapshot(), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                        break;
                }

                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client hung up or the mount is stopping; nothing to answer.
            }
            catch (Exception e)
            {
                // Background-loop root: one failed status request must not end the mount.
                _logger.LogWarning(e, "A status request failed");
            }
        }
    }

    /// <summary>One line of at most 64 bytes within 5 s; anything else is a status request.</summary>
    private static async Task<string> ReadRequestAsync(Socket client, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = new byte[64];
        int length = 0;
        while (length < buffer.Length)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            length += n;
            if (Array.IndexOf(buffer, (byte)'\n', 0, length) >= 0)
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, length).Split('\n')[0].Trim();
    }

    private async Task DrainForClientAsync(Socket client, CancellationToken ct)
    {
        if (_uploads is null)
        {
            await SendLineAsync(client, DrainLine(new UploadDrainProgress(0, 0, 0), done: true, []), ct).ConfigureAwait(false);
            return;
        }

        using var gone = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The client sends nothing more: a read that ends means it hung up, so the drain stops waiting.
        var hangup = WatchHangupAsync(client, gone);
        var progress = new LineProgress(client, gone);
        try
        {
            await _uploads.DrainAsync(progress, gone.Token).ConfigureAwait(false);
            var failed = _uploads.GetStatus().Where(j => j.State == UploadState.Failed).ToList();
            await SendLineAsync(client, DrainLine(new UploadDrainProgress(0, failed.Count, 0), done: true, failed), ct).ConfigureAwait(false);
        }
        finally
        {
            await gone.CancelAsync().ConfigureAwait(false);
            await hangup.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task WatchHangupAsync(Socket client, CancellationTokenSource gone)
    {
        try
        {
            var one = new byte[1];
            while (await client.ReceiveAsync(one, SocketFlags.None, gone.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        await gone.CancelAsync().ConfigureAwait(false);
    }

    private static Task SendLineAsync(Socket client, byte[] line, CancellationToken ct) =>
        client.SendAsync(line, SocketFlags.None, ct).AsTask();

    /// <summary><c>{"done":false,"pending":3,"failed":0,"bytes_pending":123}</c>; the last line also lists failed rows.</summary>
    internal static byte[] DrainLine(UploadDrainProgress p, bool done, IReadOnlyList<UploadJobStatus> failed)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteBoolean("done", done);
            w.WriteNumber("pending", p.Pending);
            w.WriteNumber("failed", p.Failed);
            w.WriteNumber("bytes_pending", p.BytesPending);
            w.WriteStartArray("failed_uploads");
            foreach (var j in failed)
            {
                w.WriteStartObject();
                w.WriteString("path", j.Path);
                w.WriteString("last_error", j.LastError);
                w.WriteBoolean("no_space", j.NoSpace);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Sends each report as one line, in order, from the drain loop itself (lines are ~80 bytes, so a
    /// send does not block on a reading client); a failed send means the client is gone.</summary>
    private sealed class LineProgress(Socket client, CancellationTokenSource gone) : IProgress<UploadDrainProgress>
    {
        public void Report(UploadDrainProgress value)
        {
            try
            {
                client.Send(DrainLine(value, done: false, []));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                gone.Cancel();
            }
        }
    }

    private async Task WaitForClientsAsync()
    {
        Task[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
