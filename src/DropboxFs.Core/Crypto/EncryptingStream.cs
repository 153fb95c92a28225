namespace DropboxFs.Core.Crypto;

/// <summary>
/// Read-only, forward-only stream that yields the rclone crypt form of a plaintext source:
/// the 32-byte header, then each 64 KiB of plaintext sealed as it is pulled (two pooled buffers
/// of ~64 KiB, never the whole file). Suits uploads: the HTTP layer reads ciphertext fragments
/// from it while the plaintext source is read block by block.
/// </summary>
public sealed partial class EncryptingStream : CryptStream
{
    private readonly byte[] _fileNonce;
    private readonly byte[] _blockNonce = new byte[CryptLayout.NonceSize];
    private readonly long _length;
    private readonly long SourceStart;
    private int _pendingSkip; // after a seek: bytes of the next sealed block to skip
    private bool _endOfStream;
    private long _blockIndex;
    private long _position;
    private int _outPosition;
    private int _outLength;

    /// <summary>Encrypts <paramref name="plainSource"/> from its current position under a fresh random nonce.</summary>
    public EncryptingStream(Stream plainSource, CryptKeys keys, bool leaveOpen = false)
        : this(plainSource, keys, CryptContent.CreateFileNonce(), leaveOpen)
    {
    }

    /// <summary>
    /// Encrypts under a given file nonce. Reusing a nonce for different plaintext under the same
    /// key reveals their XOR, so outside tests use the constructor that draws a random one.
    /// </summary>
    public EncryptingStream(Stream plainSource, CryptKeys keys, ReadOnlySpan<byte> fileNonce, bool leaveOpen = false)
        : base(plainSource, keys, leaveOpen)
    {
        _fileNonce = fileNonce.ToArray();
        CryptContent.WriteHeader(_fileNonce, SealedBuffer);
        _outLength = CryptLayout.HeaderSize;
        SourceStart = plainSource.CanSeek ? plainSource.Position : -1;
        _length = plainSource.CanSeek ? CryptLayout.EncryptedSize(plainSource.Length - SourceStart) : -1;
    }

    /// <summary>The 24-byte nonce written into the header.</summary>
    public ReadOnlySpan<byte> FileNonce => _fileNonce;

    /// <summary>True when the plaintext source can seek; see <see cref="Seek"/>.</summary>
    public override bool CanSeek => Source.CanSeek;

    /// <summary>Stored size, known when the plaintext source can seek (its remaining length does not change while reading).</summary>
    public override long Length => _length >= 0 ? _length : throw new NotSupportedException("The plaintext source cannot seek, so the encrypted length is unknown.");

    /// <summary>Offset in the ciphertext; settable when <see cref="CanSeek"/>.</summary>
    public override long Position { get => _position; set => Seek(value, SeekOrigin.Begin); }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_outPosition == _outLength && !_endOfStream)
        {
            SealBlock(Source.ReadAtLeast(PlainBuffer.AsSpan(0, CryptLayout.BlockDataSize), CryptLayout.BlockDataSize, throwOnEndOfStream: false));
        }

        return CopyOut(buffer);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_outPosition == _outLength && !_endOfStream)
        {
            SealBlock(await Source.ReadAtLeastAsync(PlainBuffer.AsMemory(0, CryptLayout.BlockDataSize), CryptLayout.BlockDataSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false));
        }

        return CopyOut(buffer.Span);
    }

    private void SealBlock(int read)
    {
        _outPosition = 0;
        _outLength = 0;
        if (read == 0)
        {
            _endOfStream = true;
            return;
        }

        CryptContent.ComputeBlockNonce(_fileNonce, _blockIndex, _blockNonce);
        Box.Seal(_blockNonce, PlainBuffer.AsSpan(0, read), SealedBuffer);
        _outLength = read + CryptLayout.BlockOverhead;
        _outPosition = Math.Min(_pendingSkip, _outLength);
        _pendingSkip = 0;
        _blockIndex++;
        // ReadAtLeast returns less than a block only at end of the source.
        _endOfStream = read < CryptLayout.BlockDataSize;
    }

    private int CopyOut(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, _outLength - _outPosition);
        SealedBuffer.AsSpan(_outPosition, count).CopyTo(buffer);
        _outPosition += count;
        _position += count;
        return count;
    }
}
