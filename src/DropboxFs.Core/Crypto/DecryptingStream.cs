namespace DropboxFs.Core.Crypto;

/// <summary>
/// Read-only, forward-only stream that turns rclone crypt bytes into plaintext one 64 KiB block
/// at a time (two pooled buffers of ~64 KiB, never the whole file). A block that fails
/// authentication throws <see cref="CryptAuthenticationException"/> before any of its bytes are
/// returned; a short header or a trailing block of 1–16 bytes throws <see cref="CryptFormatException"/>.
/// Note the format cannot detect a file cut exactly at a block boundary; compare the plaintext
/// size from the listing (<see cref="CryptLayout.DecryptedSize"/>) when that matters.
/// </summary>
public sealed class DecryptingStream : CryptStream
{
    private readonly byte[] _fileNonce = new byte[CryptLayout.NonceSize];
    private readonly byte[] _blockNonce = new byte[CryptLayout.NonceSize];
    private CryptException? _failure; // sticky: after a bad block the stream never resumes
    private bool _headerRead;
    private bool _endOfStream;
    private long _blockIndex;
    private int _plainPosition;
    private int _plainLength;

    /// <summary>Decrypts a whole stored file; <paramref name="cipherSource"/> is positioned at its first byte (the header).</summary>
    public DecryptingStream(Stream cipherSource, CryptKeys keys, bool leaveOpen = false)
        : base(cipherSource, keys, leaveOpen)
    {
    }

    /// <summary>
    /// Decrypts from block <paramref name="firstBlockIndex"/> on, for ranged reads:
    /// <paramref name="cipherSource"/> is positioned at <see cref="CryptLayout.CipherOffsetOfBlock"/>
    /// and <paramref name="fileNonce"/> came from the file's header.
    /// </summary>
    public DecryptingStream(Stream cipherSource, CryptKeys keys, ReadOnlySpan<byte> fileNonce, long firstBlockIndex, bool leaveOpen = false)
        : this(cipherSource, keys, leaveOpen)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBlockIndex);
        if (fileNonce.Length != CryptLayout.NonceSize)
        {
            throw new ArgumentException($"A file nonce is {CryptLayout.NonceSize} bytes.", nameof(fileNonce));
        }

        fileNonce.CopyTo(_fileNonce);
        _blockIndex = firstBlockIndex;
        _headerRead = true;
    }

    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        ThrowIfFailed();
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_plainPosition == _plainLength && !_endOfStream)
        {
            if (!_headerRead)
            {
                AcceptHeader(Source.ReadAtLeast(SealedBuffer.AsSpan(0, CryptLayout.HeaderSize), CryptLayout.HeaderSize, throwOnEndOfStream: false));
            }

            AcceptBlock(Source.ReadAtLeast(SealedBuffer.AsSpan(0, CryptLayout.BlockSize), CryptLayout.BlockSize, throwOnEndOfStream: false));
        }

        return CopyOut(buffer);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        ThrowIfFailed();
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_plainPosition == _plainLength && !_endOfStream)
        {
            if (!_headerRead)
            {
                AcceptHeader(await Source.ReadAtLeastAsync(SealedBuffer.AsMemory(0, CryptLayout.HeaderSize), CryptLayout.HeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false));
            }

            AcceptBlock(await Source.ReadAtLeastAsync(SealedBuffer.AsMemory(0, CryptLayout.BlockSize), CryptLayout.BlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false));
        }

        return CopyOut(buffer.Span);
    }

    private void AcceptHeader(int read)
    {
        if (!CryptContent.TryReadHeader(SealedBuffer.AsSpan(0, read), _fileNonce))
        {
            _failure = new CryptFormatException(read < CryptLayout.HeaderSize
                ? $"The file is {read} bytes, shorter than the {CryptLayout.HeaderSize}-byte header of an encrypted file."
                : "The file is not encrypted: it does not start with the RCLONE magic.");
            throw _failure;
        }

        _headerRead = true;
    }

    private void AcceptBlock(int read)
    {
        if (read == 0)
        {
            _endOfStream = true;
            return;
        }

        if (read <= CryptLayout.BlockOverhead)
        {
            _failure = new CryptFormatException($"Encrypted block {_blockIndex} is truncated: {read} bytes cannot hold the 16-byte tag and any data.");
            throw _failure;
        }

        CryptContent.ComputeBlockNonce(_fileNonce, _blockIndex, _blockNonce);
        if (!Box.TryOpen(_blockNonce, SealedBuffer.AsSpan(0, read), PlainBuffer))
        {
            _failure = new CryptAuthenticationException(_blockIndex);
            throw _failure;
        }

        _blockIndex++;
        _plainPosition = 0;
        _plainLength = read - CryptLayout.BlockOverhead;
        // A short block is the last one: ReadAtLeast only returns less than asked at end of stream.
        _endOfStream = read < CryptLayout.BlockSize;
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw _failure;
        }
    }

    private int CopyOut(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, _plainLength - _plainPosition);
        PlainBuffer.AsSpan(_plainPosition, count).CopyTo(buffer);
        _plainPosition += count;
        return count;
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
}
