namespace DropboxFs.Core.Crypto;

// Runs of consecutive blocks, for read-ahead and upload fragments. Blocks are independent, so a
// run can use several cores: XSalsa20 in BouncyCastle is scalar (≈4 CPU s/GiB, ≈250 MiB/s per
// core), so one core can cap a fast sequential read; n idle cores give up to n times that.
public static partial class CryptContent
{
    /// <summary>
    /// Authenticates and decrypts consecutive stored blocks, the first being block
    /// <paramref name="firstBlock"/>: <paramref name="cipher"/> holds whole blocks of 65552 bytes,
    /// the last of which may be shorter (the end of the file). Returns the plaintext length.
    /// On failure, throws for the lowest failing block; <paramref name="plain"/> then holds only
    /// authenticated bytes of other blocks, never bytes of a failing one.
    /// </summary>
    public static int DecryptBlocks(CryptKeys keys, ReadOnlyMemory<byte> fileNonce, long firstBlock, ReadOnlyMemory<byte> cipher, Memory<byte> plain, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(keys);
        int count = (cipher.Length + CryptLayout.BlockSize - 1) / CryptLayout.BlockSize;
        if (count == 0)
        {
            return 0;
        }

        int plainLength = cipher.Length - (count * CryptLayout.BlockOverhead);
        CheckCipherBlockLength(firstBlock + count - 1, cipher.Length - ((count - 1) * CryptLayout.BlockSize));
        if (plain.Length < plainLength)
        {
            throw new ArgumentException($"The plaintext buffer needs {plainLength} bytes, got {plain.Length}.", nameof(plain));
        }

        long failed = -1;
        object gate = new();
        RunBlocks(keys, count, maxDegreeOfParallelism, (box, i) =>
        {
            Span<byte> nonce = stackalloc byte[CryptLayout.NonceSize];
            ComputeBlockNonce(fileNonce.Span, firstBlock + i, nonce);
            int start = i * CryptLayout.BlockSize;
            int length = Math.Min(CryptLayout.BlockSize, cipher.Length - start);
            if (!box.TryOpen(nonce, cipher.Span.Slice(start, length), plain.Span.Slice(i * CryptLayout.BlockDataSize)))
            {
                lock (gate)
                {
                    failed = failed < 0 ? firstBlock + i : Math.Min(failed, firstBlock + i);
                }
            }
        });

        return failed >= 0 ? throw new CryptAuthenticationException(failed) : plainLength;
    }

    /// <summary>
    /// Seals consecutive plaintext blocks, the first being block <paramref name="firstBlock"/>:
    /// <paramref name="plain"/> is whole 64 KiB blocks, only the last may be shorter. Returns the
    /// stored length (plain.Length + 16 per block) written to <paramref name="cipher"/>.
    /// </summary>
    public static int EncryptBlocks(CryptKeys keys, ReadOnlyMemory<byte> fileNonce, long firstBlock, ReadOnlyMemory<byte> plain, Memory<byte> cipher, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(keys);
        int count = (plain.Length + CryptLayout.BlockDataSize - 1) / CryptLayout.BlockDataSize;
        int cipherLength = plain.Length + (count * CryptLayout.BlockOverhead);
        if (cipher.Length < cipherLength)
        {
            throw new ArgumentException($"The ciphertext buffer needs {cipherLength} bytes, got {cipher.Length}.", nameof(cipher));
        }

        RunBlocks(keys, count, maxDegreeOfParallelism, (box, i) =>
        {
            Span<byte> nonce = stackalloc byte[CryptLayout.NonceSize];
            ComputeBlockNonce(fileNonce.Span, firstBlock + i, nonce);
            int start = i * CryptLayout.BlockDataSize;
            int length = Math.Min(CryptLayout.BlockDataSize, plain.Length - start);
            box.Seal(nonce, plain.Span.Slice(start, length), cipher.Span.Slice(i * CryptLayout.BlockSize));
        });

        return cipherLength;
    }

    private static void RunBlocks(CryptKeys keys, int count, int maxDegreeOfParallelism, Action<Secretbox, int> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        if (maxDegreeOfParallelism == 1 || count < 2)
        {
            var box = new Secretbox(keys.DataKeyArray);
            for (int i = 0; i < count; i++)
            {
                body(box, i);
            }

            return;
        }

        // One Secretbox (engines + buffers) per worker, not per block.
        Parallel.For(
            0,
            count,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => new Secretbox(keys.DataKeyArray),
            (i, _, box) =>
            {
                body(box, i);
                return box;
            },
            _ => { });
    }
}
