namespace DropboxFs.Tests.Infrastructure;

/// <summary>Read-only wrapper that yields <c>dieAfter</c> bytes of the inner stream and then throws IOException, like
/// a connection reset or a process killed mid-transfer — or, with <c>hang</c>, never answers again (a stalled
/// connection; only cancellation ends the read). Seeking is passed through while alive (so it can stand in for
/// a file), and <see cref="Died"/> tells whether it fired.</summary>
public sealed class DyingStream(Stream inner, long dieAfter, bool hang = false) : Stream
{
    private long _delivered;

    public bool Died { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var allowed = Allowed(buffer.Length);
        var n = inner.Read(buffer[..allowed]);
        _delivered += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (hang && buffer.Length > 0 && _delivered >= dieAfter)
        {
            Died = true;
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        var allowed = Allowed(buffer.Length);
        var n = await inner.ReadAsync(buffer[..allowed], cancellationToken).ConfigureAwait(false);
        _delivered += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Allowed(int wanted)
    {
        if (wanted == 0)
        {
            return 0;
        }
        var left = dieAfter - _delivered;
        if (left <= 0)
        {
            Died = true;
            throw new IOException($"injected: stream died after {_delivered} bytes");
        }
        return (int)Math.Min(wanted, left);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
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
