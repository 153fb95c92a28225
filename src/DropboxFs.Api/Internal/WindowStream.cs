namespace DropboxFs.Api;

/// <summary>Read-only view that skips the first <c>skip</c> bytes of a forward-only stream and yields at most
/// <c>take</c> bytes. Used when a server ignores Range and answers 200 with the whole file.</summary>
internal sealed class WindowStream(Stream inner, long skip, long? take) : Stream
{
    private long _skip = skip;
    private long? _left = take;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_skip > 0)
        {
            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _skip)], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return 0;
            }
            _skip -= n;
        }
        if (_left is 0)
        {
            return 0;
        }
        if (_left is { } left && left < buffer.Length)
        {
            buffer = buffer[..(int)left];
        }
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _left -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var span = buffer.AsSpan(offset, count);
        while (_skip > 0)
        {
            var n = inner.Read(span[..(int)Math.Min(span.Length, _skip)]);
            if (n == 0)
            {
                return 0;
            }
            _skip -= n;
        }
        if (_left is 0)
        {
            return 0;
        }
        if (_left is { } left && left < span.Length)
        {
            span = span[..(int)left];
        }
        var read = inner.Read(span);
        _left -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
