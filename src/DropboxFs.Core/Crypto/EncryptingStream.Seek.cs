namespace DropboxFs.Core.Crypto;

// Seeking regenerates ciphertext: with the file nonce fixed, block i is a pure function of the
// plaintext of block i. This lets an HTTP retry rewind an upload fragment, or start an upload
// session's next fragment at any stored offset, without buffering ciphertext. It assumes the
// plaintext source does not change in between, which is the caller's contract.
public sealed partial class EncryptingStream
{
    /// <summary>
    /// Moves to a ciphertext offset (requires a seekable plaintext source). Costs no I/O here;
    /// the next read re-seals the block that holds the offset.
    /// </summary>
    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (!Source.CanSeek)
        {
            throw new NotSupportedException("The plaintext source cannot seek, so neither can its encryption.");
        }

        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));

        _endOfStream = false;
        _pendingSkip = 0;
        if (target < CryptLayout.HeaderSize)
        {
            CryptContent.WriteHeader(_fileNonce, SealedBuffer);
            _outLength = CryptLayout.HeaderSize;
            _outPosition = (int)target;
            _blockIndex = 0;
            Source.Position = SourceStart;
        }
        else
        {
            long block = (target - CryptLayout.HeaderSize) / CryptLayout.BlockSize;
            _pendingSkip = (int)((target - CryptLayout.HeaderSize) % CryptLayout.BlockSize);
            _outLength = 0;
            _outPosition = 0;
            _blockIndex = block;
            Source.Position = SourceStart + CryptLayout.PlainOffsetOfBlock(block);
        }

        _position = target;
        return target;
    }
}
