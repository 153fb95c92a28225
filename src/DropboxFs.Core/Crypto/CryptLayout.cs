namespace DropboxFs.Core.Crypto;

/// <summary>
/// Pure size and offset arithmetic of the rclone crypt content format:
/// a 32-byte header, then plaintext in 64 KiB blocks, each stored as a 16-byte Poly1305 tag
/// followed by the same number of ciphertext bytes. Only the last block may be short, and
/// an empty file is the header alone.
/// </summary>
public static class CryptLayout
{
    /// <summary>Length of the magic string <c>RCLONE\0\0</c>.</summary>
    public const int MagicSize = 8;
    /// <summary>Length of the XSalsa20 nonce stored in the header.</summary>
    public const int NonceSize = 24;
    /// <summary>Magic plus nonce.</summary>
    public const int HeaderSize = MagicSize + NonceSize;
    /// <summary>Plaintext bytes per block (64 KiB).</summary>
    public const int BlockDataSize = 64 * 1024;
    /// <summary>Poly1305 tag bytes added to every block.</summary>
    public const int BlockOverhead = 16;
    /// <summary>Stored bytes of one full block: tag plus 64 KiB.</summary>
    public const int BlockSize = BlockOverhead + BlockDataSize;

    /// <summary>Stored size of a file of <paramref name="plainSize"/> plaintext bytes.</summary>
    public static long EncryptedSize(long plainSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainSize);
        long fullBlocks = plainSize / BlockDataSize;
        long residue = plainSize % BlockDataSize;
        long size = HeaderSize + (fullBlocks * BlockSize);
        return residue == 0 ? size : size + BlockOverhead + residue;
    }

    /// <summary>
    /// Plaintext size of a stored file of <paramref name="encryptedSize"/> bytes; false when no
    /// plaintext produces that size (shorter than the header, or a trailing block of 1–16 bytes,
    /// which could hold a tag but no data).
    /// </summary>
    public static bool TryGetDecryptedSize(long encryptedSize, out long plainSize)
    {
        plainSize = 0;
        long body = encryptedSize - HeaderSize;
        if (body < 0)
        {
            return false;
        }

        long fullBlocks = body / BlockSize;
        long residue = body % BlockSize;
        if (residue is > 0 and <= BlockOverhead)
        {
            return false;
        }

        plainSize = (fullBlocks * BlockDataSize) + (residue == 0 ? 0 : residue - BlockOverhead);
        return true;
    }

    /// <summary>Like <see cref="TryGetDecryptedSize"/>, throwing <see cref="CryptFormatException"/> for impossible sizes.</summary>
    public static long DecryptedSize(long encryptedSize)
    {
        if (!TryGetDecryptedSize(encryptedSize, out long plainSize))
        {
            throw new CryptFormatException(encryptedSize < HeaderSize
                ? $"A stored size of {encryptedSize} bytes is shorter than the {HeaderSize}-byte header of an encrypted file."
                : $"A stored size of {encryptedSize} bytes ends in a truncated block: no plaintext size encrypts to it.");
        }

        return plainSize;
    }

    /// <summary>Number of blocks a file of <paramref name="plainSize"/> bytes has (0 for an empty file).</summary>
    public static long BlockCount(long plainSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainSize);
        return (plainSize + BlockDataSize - 1) / BlockDataSize;
    }

    /// <summary>Index of the block holding plaintext byte <paramref name="plainOffset"/>.</summary>
    public static long BlockIndexOf(long plainOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainOffset);
        return plainOffset / BlockDataSize;
    }

    /// <summary>Plaintext offset where block <paramref name="blockIndex"/> starts.</summary>
    public static long PlainOffsetOfBlock(long blockIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        return blockIndex * BlockDataSize;
    }

    /// <summary>Stored offset where block <paramref name="blockIndex"/> (its tag) starts.</summary>
    public static long CipherOffsetOfBlock(long blockIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        return HeaderSize + (blockIndex * BlockSize);
    }

    /// <summary>Plaintext bytes in block <paramref name="blockIndex"/> of a file of <paramref name="plainSize"/> bytes; 0 past the end.</summary>
    public static int PlainBlockLength(long blockIndex, long plainSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainSize);
        long remaining = plainSize - PlainOffsetOfBlock(blockIndex);
        return remaining <= 0 ? 0 : (int)Math.Min(remaining, BlockDataSize);
    }

    /// <summary>Stored bytes of block <paramref name="blockIndex"/> of a file of <paramref name="plainSize"/> bytes; 0 past the end.</summary>
    public static int CipherBlockLength(long blockIndex, long plainSize)
    {
        int plain = PlainBlockLength(blockIndex, plainSize);
        return plain == 0 ? 0 : plain + BlockOverhead;
    }

    /// <summary>
    /// The stored byte range to fetch to serve plaintext bytes [<paramref name="plainOffset"/>,
    /// <paramref name="plainOffset"/> + <paramref name="length"/>) of a file of
    /// <paramref name="plainSize"/> bytes. The request is clipped at end of file; a request at
    /// or past the end gives an empty range.
    /// </summary>
    public static CipherRange GetCipherRange(long plainOffset, long length, long plainSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegative(plainSize);
        long end = Math.Min(plainSize, plainOffset + Math.Min(length, long.MaxValue - plainOffset));
        if (plainOffset >= end)
        {
            long block = BlockIndexOf(plainOffset);
            return new CipherRange(block, 0, CipherOffsetOfBlock(block), 0, 0, 0);
        }

        long first = plainOffset / BlockDataSize;
        long last = (end - 1) / BlockDataSize;
        long cipherStart = CipherOffsetOfBlock(first);
        long cipherEnd = Math.Min(CipherOffsetOfBlock(last + 1), EncryptedSize(plainSize));
        int skip = (int)(plainOffset - PlainOffsetOfBlock(first));
        return new CipherRange(first, last - first + 1, cipherStart, cipherEnd - cipherStart, skip, end - plainOffset);
    }
}

/// <summary>
/// Stored bytes covering a plaintext range: blocks [<see cref="FirstBlock"/>,
/// <see cref="FirstBlock"/> + <see cref="BlockCount"/>) at [<see cref="CipherOffset"/>,
/// <see cref="CipherOffset"/> + <see cref="CipherLength"/>). After decrypting them, skip
/// <see cref="SkipInFirstBlock"/> plaintext bytes and take <see cref="PlainLength"/>.
/// </summary>
public readonly record struct CipherRange(
    long FirstBlock, long BlockCount, long CipherOffset, long CipherLength, int SkipInFirstBlock, long PlainLength);
