using System.Buffers;

namespace DropboxFs.Core.Crypto;

/// <summary>
/// What <see cref="EncryptingStream"/> and <see cref="DecryptingStream"/> share: a read-only stream over a
/// source, one secretbox, and two pooled one-block buffers (plaintext, sealed) returned exactly once on
/// dispose. The plaintext buffer is cleared before it goes back: pooled arrays are shared process-wide.
/// </summary>
public abstract class CryptStream : Stream
{
    private readonly bool _leaveOpen;

    private protected CryptStream(Stream source, CryptKeys keys, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keys);
        Source = source;
        _leaveOpen = leaveOpen;
        Box = new Secretbox(keys.DataKeyArray);
    }

    private protected Stream Source { get; }

    private protected Secretbox Box { get; }

    /// <summary>One block of plaintext (64 KiB).</summary>
    private protected byte[] PlainBuffer { get; } = ArrayPool<byte>.Shared.Rent(CryptLayout.BlockDataSize);

    /// <summary>One sealed block (64 KiB + 16), also used for the 32-byte header.</summary>
    private protected byte[] SealedBuffer { get; } = ArrayPool<byte>.Shared.Rent(CryptLayout.BlockSize);

    private protected bool Disposed { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && ReleaseBuffers() && !_leaveOpen)
        {
            Source.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (ReleaseBuffers() && !_leaveOpen)
        {
            await Source.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private bool ReleaseBuffers()
    {
        if (Disposed)
        {
            return false;
        }

        Disposed = true;
        ArrayPool<byte>.Shared.Return(SealedBuffer);
        ArrayPool<byte>.Shared.Return(PlainBuffer, clearArray: true);
        return true;
    }
}
