using System.Buffers;
using DropboxFs.Emulator.Model;
using Microsoft.Win32.SafeHandles;

namespace DropboxFs.Emulator.Http;

/// <summary>
/// Streams request bodies to files and files to responses in 256 KiB chunks, never holding a
/// whole file in memory, and applies the bandwidth cap and the mid-body connection-reset fault.
/// </summary>
internal static class BodyStreams
{
    private const int ChunkSize = 256 * 1024;

    /// <summary>
    /// Writes the request body (or <paramref name="source"/>) into <paramref name="file"/> from
    /// <paramref name="fileOffset"/>; returns its length and, when <paramref name="hashBody"/>, its
    /// content_hash ("" otherwise). <paramref name="tee"/> also sees every byte (a session's running hash).
    /// </summary>
    public static async Task<(long Length, string Hash)> ReceiveAsync(ApiRequest req, SafeFileHandle file, long fileOffset, long maxBytes,
        Func<ApiException> tooLarge, Stream? source = null, bool hashBody = true, ContentHasher? tee = null)
    {
        var body = source ?? req.Http.Request.Body;
        if (source == null && req.Http.Request.ContentLength > maxBytes)
        {
            throw tooLarge();
        }

        var abortAfter = req.Has(FaultKind.ResetConnection) ? req.Fault!.AfterBytes : -1;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            using var hasher = hashBody ? new ContentHasher() : null;
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(0, ChunkSize), req.Aborted)) > 0)
            {
                if (source == null && abortAfter >= 0 && total + n > abortAfter)
                {
                    req.Http.Abort(); // scripted fault: the connection dies mid-upload
                    throw new OperationCanceledException("connection reset by a scripted fault");
                }

                total += n;
                if (total > maxBytes)
                {
                    throw tooLarge();
                }

                await req.Runtime.Upstream.WaitAsync(n, req.Aborted);
                hasher?.Append(buffer.AsSpan(0, n));
                tee?.Append(buffer.AsSpan(0, n));
                await RandomAccess.WriteAsync(file, buffer.AsMemory(0, n), fileOffset + total - n, req.Aborted);
            }

            return (total, hasher?.Finish() ?? "");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when the request carries at least one body byte (reads at most one chunk).</summary>
    public static async Task<bool> HasBodyAsync(HttpContext ctx)
    {
        if (ctx.Request.ContentLength is long len)
        {
            return len > 0;
        }

        var buffer = new byte[1];
        return await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted) > 0;
    }

    /// <summary>Copies [offset, offset+length) of a blob to the response; aborts after <paramref name="abortAfter"/> bytes if ≥ 0.</summary>
    public static async Task SendAsync(HttpContext ctx, Throttle throttle, Stream source, long offset, long length, long abortAfter)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            source.Seek(offset, SeekOrigin.Begin);
            long sent = 0;
            while (sent < length)
            {
                var want = (int)Math.Min(ChunkSize, length - sent);
                if (abortAfter >= 0 && sent + want > abortAfter)
                {
                    want = (int)(abortAfter - sent);
                }

                var n = want > 0 ? await source.ReadAsync(buffer.AsMemory(0, want), ctx.RequestAborted) : 0;
                if (n == 0)
                {
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    ctx.Abort(); // scripted fault (or a blob shorter than recorded): cut the body
                    return;
                }

                await throttle.WaitAsync(n, ctx.RequestAborted);
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ctx.RequestAborted);
                sent += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses "bytes=a-b", "bytes=a-" or "bytes=-n" against a size; null when absent or not understood (§1.4: then send it all).</summary>
    public static (long Start, long End, bool Satisfiable)? ParseRange(string? header, long size)
    {
        if (header == null || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(','))
        {
            return null;
        }

        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }

        var a = spec[..dash].Trim();
        var b = spec[(dash + 1)..].Trim();
        if (a.Length == 0)
        {
            if (!long.TryParse(b, out var suffix) || suffix <= 0)
            {
                return null;
            }

            return size == 0 ? (0, 0, false) : (Math.Max(0, size - suffix), size - 1, true);
        }

        if (!long.TryParse(a, out var start) || start < 0)
        {
            return null;
        }

        long end = size - 1;
        if (b.Length > 0 && (!long.TryParse(b, out end) || end < start))
        {
            return null;
        }

        return start >= size ? (start, end, false) : (start, Math.Min(end, size - 1), true);
    }
}
