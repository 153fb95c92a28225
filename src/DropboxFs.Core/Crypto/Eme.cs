using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace DropboxFs.Core.Crypto;

/// <summary>
/// EME (ECB-Mix-ECB), the wide-block mode of Halevi and Rogaway (2003), over AES-256, in the
/// byte order of rclone's name encryption (github.com/rfjakob/eme): doubling in GF(2^128) treats
/// a block as a little-endian integer with the reduction constant 135. EME makes every output
/// byte depend on every input byte, so names with a common prefix share no encrypted prefix.
/// Written from the paper's pseudo-code; only the AES block primitive comes from BouncyCastle.
/// </summary>
internal static class Eme
{
    private const int BlockSize = 16;
    private const int MaxBlocks = 128; // EME's limit: 2048 bytes

    /// <summary>Enciphers (or deciphers) <paramref name="input"/>, a multiple of 16 bytes from 16 to 2048.</summary>
    public static byte[] Transform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> tweak, ReadOnlySpan<byte> input, bool encrypt)
    {
        if (tweak.Length != BlockSize)
        {
            throw new ArgumentException("The EME tweak is 16 bytes.", nameof(tweak));
        }

        int m = input.Length / BlockSize;
        if (input.Length % BlockSize != 0 || m is 0 or > MaxBlocks)
        {
            throw new ArgumentException($"EME input must be 1 to {MaxBlocks} blocks of 16 bytes, got {input.Length} bytes.", nameof(input));
        }

        IBlockCipher forward = CreateAes(key, forEncryption: true);
        IBlockCipher cipher = encrypt ? forward : CreateAes(key, forEncryption: false);

        // L_j = 2^(j+1) · AES-enc(K, 0): the table always uses the forward direction.
        byte[] table = new byte[m * BlockSize];
        Span<byte> l = stackalloc byte[BlockSize];
        l.Clear();
        forward.ProcessBlock(l, l);
        for (int j = 0; j < m; j++)
        {
            MultiplyByTwo(l);
            l.CopyTo(table.AsSpan(j * BlockSize, BlockSize));
        }

        byte[] output = new byte[input.Length];
        Span<byte> block = stackalloc byte[BlockSize];

        // First ECB pass: PPP_j = E(P_j xor L_j).
        for (int j = 0; j < m; j++)
        {
            Xor(input.Slice(j * BlockSize, BlockSize), table.AsSpan(j * BlockSize, BlockSize), block);
            cipher.ProcessBlock(block, output.AsSpan(j * BlockSize, BlockSize));
        }

        // Mix: MP = T xor (xor of all PPP_j); MC = E(MP); M = MP xor MC.
        Span<byte> mp = stackalloc byte[BlockSize];
        tweak.CopyTo(mp);
        for (int j = 0; j < m; j++)
        {
            Xor(mp, output.AsSpan(j * BlockSize, BlockSize), mp);
        }

        Span<byte> mc = stackalloc byte[BlockSize];
        cipher.ProcessBlock(mp, mc);
        Span<byte> mask = stackalloc byte[BlockSize];
        Xor(mp, mc, mask);

        // CCC_j = PPP_j xor 2^(j-1)·M for j >= 1; CCC_0 = MC xor T xor (xor of CCC_j, j >= 1).
        Span<byte> first = stackalloc byte[BlockSize];
        Xor(mc, tweak, first);
        for (int j = 1; j < m; j++)
        {
            MultiplyByTwo(mask);
            Span<byte> cj = output.AsSpan(j * BlockSize, BlockSize);
            Xor(cj, mask, cj);
            Xor(first, cj, first);
        }

        first.CopyTo(output.AsSpan(0, BlockSize));

        // Second ECB pass: C_j = E(CCC_j) xor L_j.
        for (int j = 0; j < m; j++)
        {
            Span<byte> cj = output.AsSpan(j * BlockSize, BlockSize);
            cipher.ProcessBlock(cj, block);
            Xor(block, table.AsSpan(j * BlockSize, BlockSize), cj);
        }

        return output;
    }

    private static AesEngine CreateAes(ReadOnlySpan<byte> key, bool forEncryption)
    {
        var aes = new AesEngine();
        aes.Init(forEncryption, new KeyParameter(key.ToArray()));
        return aes;
    }

    // Doubling in GF(2^128), block read as a little-endian integer: shift left one bit across
    // the bytes from index 0 up, and fold a carry out of byte 15 back in with x^7+x^2+x+1 = 135.
    private static void MultiplyByTwo(Span<byte> block)
    {
        bool carryOut = block[BlockSize - 1] >= 0x80;
        for (int j = BlockSize - 1; j > 0; j--)
        {
            block[j] = (byte)((block[j] << 1) | (block[j - 1] >> 7));
        }

        block[0] = (byte)((block[0] << 1) ^ (carryOut ? 135 : 0));
    }

    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        for (int i = 0; i < BlockSize; i++)
        {
            destination[i] = (byte)(a[i] ^ b[i]);
        }
    }
}
