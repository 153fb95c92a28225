using System.Security.Cryptography;

namespace DropboxFs.Core.Crypto;

/// <summary>
/// Block-level functions of the rclone crypt content format, for random access: a reader that
/// knows the file nonce (from the 32-byte header) can decrypt block i from its stored bytes
/// alone. Every function is thread-safe; each call allocates its own engines (a few hundred
/// bytes, small next to the 64 KiB of work per block).
/// </summary>
public static partial class CryptContent
{
    private static ReadOnlySpan<byte> Magic => "RCLONE\0\0"u8;

    /// <summary>A fresh random 24-byte file nonce. Never reuse a nonce for two files.</summary>
    public static byte[] CreateFileNonce() => RandomNumberGenerator.GetBytes(CryptLayout.NonceSize);

    /// <summary>Writes the 32-byte header (<c>RCLONE\0\0</c> + nonce) into <paramref name="destination"/>.</summary>
    public static void WriteHeader(ReadOnlySpan<byte> fileNonce, Span<byte> destination)
    {
        CheckNonce(fileNonce);
        Magic.CopyTo(destination);
        fileNonce.CopyTo(destination[CryptLayout.MagicSize..CryptLayout.HeaderSize]);
    }

    /// <summary>
    /// Reads the file nonce out of a header; false if <paramref name="header"/> is shorter than
    /// 32 bytes or does not start with <c>RCLONE\0\0</c> (not an encrypted file).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, Span<byte> fileNonce)
    {
        if (header.Length < CryptLayout.HeaderSize || !header.StartsWith(Magic))
        {
            return false;
        }

        header[CryptLayout.MagicSize..CryptLayout.HeaderSize].CopyTo(fileNonce);
        return true;
    }

    /// <summary>Like <see cref="TryReadHeader"/>, returning the nonce or throwing <see cref="CryptFormatException"/>.</summary>
    public static byte[] ReadHeader(ReadOnlySpan<byte> header)
    {
        byte[] nonce = new byte[CryptLayout.NonceSize];
        if (!TryReadHeader(header, nonce))
        {
            throw new CryptFormatException(header.Length < CryptLayout.HeaderSize
                ? $"The file is {header.Length} bytes, shorter than the {CryptLayout.HeaderSize}-byte header of an encrypted file."
                : "The file is not encrypted: it does not start with the RCLONE magic.");
        }

        return nonce;
    }

    /// <summary>Nonce of block <paramref name="blockIndex"/>: the file nonce plus the index, as 192-bit little-endian integers.</summary>
    public static void ComputeBlockNonce(ReadOnlySpan<byte> fileNonce, long blockIndex, Span<byte> blockNonce)
    {
        CheckNonce(fileNonce);
        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        ulong add = (ulong)blockIndex;
        uint carry = 0;
        for (int i = 0; i < CryptLayout.NonceSize; i++)
        {
            uint sum = fileNonce[i] + (uint)(add & 0xFF) + carry;
            blockNonce[i] = (byte)sum;
            carry = sum >> 8;
            add >>= 8;
        }
    }

    /// <summary>
    /// Seals plaintext block <paramref name="blockIndex"/> (1 to 65536 bytes; only the last block
    /// of a file may be short) into <paramref name="output"/>; returns the bytes written (plain + 16).
    /// </summary>
    public static int EncryptBlock(CryptKeys keys, ReadOnlySpan<byte> fileNonce, long blockIndex, ReadOnlySpan<byte> plain, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (plain.Length is 0 or > CryptLayout.BlockDataSize)
        {
            throw new ArgumentException($"A block holds 1 to {CryptLayout.BlockDataSize} bytes, got {plain.Length}.", nameof(plain));
        }

        Span<byte> nonce = stackalloc byte[CryptLayout.NonceSize];
        ComputeBlockNonce(fileNonce, blockIndex, nonce);
        new Secretbox(keys.DataKeyArray).Seal(nonce, plain, output);
        return plain.Length + CryptLayout.BlockOverhead;
    }

    /// <summary>
    /// Authenticates and decrypts stored block <paramref name="blockIndex"/> (17 to 65552 bytes)
    /// into <paramref name="output"/>; returns the plaintext length. Nothing is written to
    /// <paramref name="output"/> unless the block authenticates.
    /// </summary>
    /// <exception cref="CryptAuthenticationException">Tampered or truncated block, or wrong key.</exception>
    /// <exception cref="CryptFormatException">The block is too short to hold any data, or too long.</exception>
    public static int DecryptBlock(CryptKeys keys, ReadOnlySpan<byte> fileNonce, long blockIndex, ReadOnlySpan<byte> cipherBlock, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(keys);
        CheckCipherBlockLength(blockIndex, cipherBlock.Length);
        Span<byte> nonce = stackalloc byte[CryptLayout.NonceSize];
        ComputeBlockNonce(fileNonce, blockIndex, nonce);
        if (!new Secretbox(keys.DataKeyArray).TryOpen(nonce, cipherBlock, output))
        {
            throw new CryptAuthenticationException(blockIndex);
        }

        return cipherBlock.Length - CryptLayout.BlockOverhead;
    }

    /// <summary>
    /// True when the start of a stored file (its header and at least part of block 0) has the
    /// rclone header and its first block authenticates under <paramref name="keys"/>: the check
    /// for "does this password open this file". The decrypted bytes are cleared, never returned.
    /// </summary>
    public static bool FirstBlockAuthenticates(CryptKeys keys, ReadOnlySpan<byte> start)
    {
        Span<byte> nonce = stackalloc byte[CryptLayout.NonceSize];
        if (start.Length <= CryptLayout.HeaderSize + CryptLayout.BlockOverhead || !TryReadHeader(start, nonce))
        {
            return false;
        }

        var block = start[CryptLayout.HeaderSize..];
        byte[] plain = new byte[CryptLayout.BlockDataSize];
        try
        {
            DecryptBlock(keys, nonce, 0, block[..Math.Min(block.Length, CryptLayout.BlockSize)], plain);
            return true;
        }
        catch (CryptException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    internal static void CheckCipherBlockLength(long blockIndex, int length)
    {
        if (length <= CryptLayout.BlockOverhead)
        {
            throw new CryptFormatException($"Encrypted block {blockIndex} is truncated: {length} bytes cannot hold the 16-byte tag and any data.");
        }

        if (length > CryptLayout.BlockSize)
        {
            throw new CryptFormatException($"Encrypted block {blockIndex} is {length} bytes, longer than the {CryptLayout.BlockSize}-byte maximum.");
        }
    }

    private static void CheckNonce(ReadOnlySpan<byte> fileNonce)
    {
        if (fileNonce.Length != CryptLayout.NonceSize)
        {
            throw new ArgumentException($"A file nonce is {CryptLayout.NonceSize} bytes, got {fileNonce.Length}.", nameof(fileNonce));
        }
    }
}
