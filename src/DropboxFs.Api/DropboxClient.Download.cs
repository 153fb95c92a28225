using System.Buffers;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    // 1 MiB copy buffers, filled completely before they go to the sink: fewer timer resets, writes and hash
    // calls per GiB than the socket's natural 16–64 KiB reads.
    private const int CopyBufferSize = 1024 * 1024;

    /// <summary>files/download from byte <paramref name="offset"/> (Range), at most <paramref name="length"/> bytes.
    /// Returns once headers arrived; the body streams from the network (the block cache reads it directly).
    /// A start at or beyond the end yields an empty stream. Opening is retried; the body is not (see
    /// <see cref="DownloadAsync"/> for a resuming copy).</summary>
    public async Task<DownloadResponse> OpenDownloadAsync(string path, long offset = 0, long? length = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }
        var arg = new JsonObject { ["path"] = path };
        try
        {
            return await RunAsync("files/download", idempotent: true, async token =>
            {
                var response = await SendAsync("files/download", () =>
                {
                    var request = BuildContentRequest("files/download", arg, null);
                    if (offset > 0 || length is not null)
                    {
                        request.Headers.TryAddWithoutValidation("Range",
                            length is { } n ? $"bytes={offset}-{offset + Math.Max(n, 1) - 1}" : $"bytes={offset}-");
                    }
                    return request;
                }, noAuth: false, token).ConfigureAwait(false);
                try
                {
                    var meta = ParseResultHeader(response);
                    var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                    if (length is 0)
                    {
                        body.Dispose();
                        return new DownloadResponse(meta, Stream.Null, offset, 0, response);
                    }
                    var expected = length is { } len ? Math.Min(len, Math.Max(0, meta.Size - offset)) : Math.Max(0, meta.Size - offset);
                    if (response.StatusCode != HttpStatusCode.PartialContent && offset > 0 || response.StatusCode == HttpStatusCode.OK && length is not null)
                    {
                        // The server ignored Range and sent the whole file.
                        body = new WindowStream(body, offset, expected);
                    }
                    return new DownloadResponse(meta, body, offset, expected, response);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }, ct).ConfigureAwait(false);
        }
        catch (DropboxApiException ex) when (ex.StatusCode == 416 || ex.HasTag("not_satisfiable"))
        {
            // Range starts at or after the end (resuming a complete file, any range of an empty file): nothing to read.
            if (await GetMetadataAsync(path, ct: ct).ConfigureAwait(false) is FileMetadata meta && offset >= meta.Size)
            {
                return new DownloadResponse(meta, Stream.Null, offset, 0, null);
            }
            throw;
        }
    }

    /// <summary>Downloads into <paramref name="destination"/> from <paramref name="startByte"/> (at most
    /// <paramref name="length"/> bytes). If the connection breaks mid-body, it re-requests from the first missing
    /// byte (same rev, else <see cref="InvalidDataException"/>), so the bytes written are identical to an
    /// uninterrupted download.</summary>
    public Task<FileMetadata> DownloadAsync(string path, Stream destination, long startByte = 0, long? length = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return CopyDownloadAsync(path, startByte, length, (data, token) => destination.WriteAsync(data, token), ct);
    }

    /// <summary>Downloads to a local file. With <paramref name="resume"/>, an existing partial file is continued from
    /// its length (Range), else the file is replaced. With <paramref name="verifyContentHash"/> (default) the whole
    /// file's content_hash is verified at the end (<see cref="InvalidDataException"/> on mismatch), hashing as the
    /// bytes arrive (one SHA-256 pass; a resumed file's existing prefix is read once more).</summary>
    public Task<FileMetadata> DownloadToFileAsync(string path, string localPath, bool resume = false, CancellationToken ct = default) =>
        DownloadToFileAsync(path, localPath, resume, verifyContentHash: true, ct);

    /// <summary>As <see cref="DownloadToFileAsync(string, string, bool, CancellationToken)"/>, choosing whether the
    /// content_hash is verified (skipping it saves one SHA-256 pass).</summary>
    public async Task<FileMetadata> DownloadToFileAsync(string path, string localPath, bool resume, bool verifyContentHash, CancellationToken ct = default)
    {
        var options = new FileStreamOptions
        {
            Mode = resume ? FileMode.OpenOrCreate : FileMode.Create,
            Access = resume ? FileAccess.ReadWrite : FileAccess.Write,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0,
        };
        await using var file = new FileStream(localPath, options);
        using var hash = new ContentHash();
        long start = 0;
        if (resume && file.Length > 0 && verifyContentHash)
        {
            // Hash the bytes already here so the final check covers the whole file.
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
            try
            {
                int n;
                while ((n = await file.ReadAsync(buffer.AsMemory(0, CopyBufferSize), ct).ConfigureAwait(false)) > 0)
                {
                    hash.Append(buffer.AsSpan(0, n));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        if (resume)
        {
            start = file.Length;
            file.Position = start;
        }
        var meta = await CopyDownloadAsync(path, start, null, async (data, token) =>
        {
            // The write runs on the thread pool (no kernel async file I/O here) while this thread hashes the
            // same bytes: on 2 cores this overlaps the SHA-256 pass (~0.5 s/GiB) with the copy to disk.
            var write = file.WriteAsync(data, token);
            if (verifyContentHash)
            {
                hash.Append(data.Span);
            }
            await write.ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        await file.FlushAsync(ct).ConfigureAwait(false);
        if (file.Length > meta.Size)
        {
            throw new InvalidDataException($"Local file {localPath} is longer ({file.Length}) than {path} ({meta.Size}); download it again without resume");
        }
        var actual = verifyContentHash ? hash.Finish() : null;
        if (actual is not null && meta.ContentHash is { } expected && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"content_hash mismatch for {path}: expected {expected}, got {actual}; download it again without resume");
        }
        return meta;
    }

    private async Task<FileMetadata> CopyDownloadAsync(string path, long start, long? length,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, CancellationToken ct)
    {
        long done = 0;
        string? rev = null;
        var failures = 0;
        // Two buffers: while the sink writes and hashes one (on the thread pool), the next is filled from the
        // socket. On 2 cores this took `get` of 1 GiB from ~590 to ~770 MB/s against the emulator (scripts/bench/30-cli.sh).
        var buffers = new[] { ArrayPool<byte>.Shared.Rent(CopyBufferSize), ArrayPool<byte>.Shared.Rent(CopyBufferSize) };
        var current = 0;
        Task pending = Task.CompletedTask;
        try
        {
            while (true)
            {
                var remaining = length - done;
                DownloadResponse download;
                download = await OpenDownloadAsync(path, start + done, remaining, ct).ConfigureAwait(false);
                await using (download.ConfigureAwait(false))
                {
                    if (rev is not null && download.Metadata.Rev != rev)
                    {
                        throw new InvalidDataException($"{path} changed during the download (rev {rev} → {download.Metadata.Rev}); start again");
                    }
                    rev = download.Metadata.Rev;
                    var expected = download.ContentLength ?? long.MaxValue;
                    long got = 0;
                    var interrupted = false;
                    // Real clock on purpose: a stall is about the network, not about the injected TimeProvider.
                    using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var ended = false;
                    while (!ended && !interrupted)
                    {
                        var n = 0;
                        var buffer = buffers[current];
                        try
                        {
                            stall.CancelAfter(_options.StallTimeout);
                            while (n < CopyBufferSize)
                            {
                                var r = await download.Content.ReadAsync(buffer.AsMemory(n, CopyBufferSize - n), stall.Token).ConfigureAwait(false);
                                if (r == 0)
                                {
                                    ended = true;
                                    break;
                                }
                                n += r;
                            }
                        }
                        catch (Exception ex) when ((IsNetworkFailure(ex) || ex is OperationCanceledException) && !ct.IsCancellationRequested)
                        {
                            interrupted = true; // the bytes already in the buffer still go to the sink below
                            _log.LogWarning("Download of {Path} interrupted at byte {Offset} ({Error})", path, start + done + n,
                                ex is OperationCanceledException ? $"no data for {_options.StallTimeout.TotalSeconds:0} s" : ex.GetType().Name);
                        }
                        if (n == 0)
                        {
                            break;
                        }
                        // The previous chunk must be in the sink before this one: order, and its buffer is reused next.
                        await pending.ConfigureAwait(false);
                        var chunk = buffer.AsMemory(0, n);
                        pending = Task.Run(() => sink(chunk, ct).AsTask(), ct);
                        current ^= 1;
                        done += n;
                        got += n;
                    }
                    await pending.ConfigureAwait(false);
                    if (!interrupted && (download.ContentLength is null || got >= expected))
                    {
                        return download.Metadata;
                    }
                    if (++failures > _options.MaxRetries)
                    {
                        throw new IOException($"Download of {path} kept failing at byte {start + done} after {_options.MaxRetries} retries");
                    }
                    if (got > 0)
                    {
                        failures = 1; // progress was made: the budget is for consecutive failures
                    }
                }
                await Task.Delay(TimeSpan.FromTicks(_options.RetryBaseDelay.Ticks * failures), _time, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // Never hand a buffer back to the pool while the sink may still read it.
            await pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }
    }

    private static FileMetadata ParseResultHeader(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Dropbox-API-Result", out var values))
        {
            throw new InvalidDataException("Download response has no Dropbox-API-Result header");
        }
        return ApiJson.Deserialize(string.Concat(values), ApiJsonContext.Default.FileMetadata);
    }
}
