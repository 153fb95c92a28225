using System.Net;

namespace DropboxFs.Api;

/// <summary>One fragment of a seekable upload source, sent as a streaming request body: bytes
/// [start, start + length) are read straight from the source (no fragment buffer) and hashed on the way into a
/// clone of the file hasher. Each attempt rewinds and starts from a fresh clone; the clone of the last attempt that
/// streamed every byte becomes the file hasher once the append is acknowledged.</summary>
internal sealed class HashingWindow(Stream source, long start, int length, ContentHash fileHashSoFar) : IDisposable
{
    private readonly Stream _source = source;
    private readonly long _start = start;
    private readonly int _length = length;
    private readonly ContentHash _fileHashSoFar = fileHashSoFar;

    // 1 MiB reads: big enough for SequentialScan file reads and socket writes to stay efficient.
    private const int ChunkSize = 1024 * 1024;

    private ContentHash? _completed;

    public int Length => _length;

    public HttpContent CreateContent() => new WindowContent(this);

    /// <summary>The file hasher advanced over this window, from an attempt that sent it all; null if none did.</summary>
    public ContentHash? TakeCompletedHasher()
    {
        var h = _completed;
        _completed = null;
        return h;
    }

    public void Dispose() => _completed?.Dispose();

    private sealed class WindowContent(HashingWindow window) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var hasher = window._fileHashSoFar.Clone();
            try
            {
                window._source.Position = window._start;
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    var left = window._length;
                    while (left > 0)
                    {
                        int n;
                        try
                        {
                            n = await window._source.ReadAsync(buffer.AsMemory(0, Math.Min(ChunkSize, left)), cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            // A local read failure is not a network failure: mark it so it is not retried.
                            throw new UploadSourceException(ex);
                        }
                        if (n == 0)
                        {
                            throw new UploadSourceException(new EndOfStreamException("The upload source ended early (was the file truncated while uploading?)"));
                        }
                        hasher.Append(buffer.AsSpan(0, n));
                        await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        left -= n;
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
                window._completed?.Dispose();
                window._completed = hasher;
                hasher = null;
            }
            finally
            {
                hasher?.Dispose();
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = window._length;
            return true;
        }
    }
}

/// <summary>Wraps an exception thrown by the caller's upload source while a request body was being sent, so the
/// retry policy can tell it from a network failure; the client rethrows the original.</summary>
internal sealed class UploadSourceException(Exception inner) : Exception(inner.Message, inner)
{
    /// <summary>Finds a wrapped source failure anywhere in an exception chain.</summary>
    public static Exception? FindIn(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is UploadSourceException source)
            {
                return source.InnerException;
            }
        }
        return null;
    }
}
