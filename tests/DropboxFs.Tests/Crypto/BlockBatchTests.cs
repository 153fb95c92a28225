using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

public sealed class BlockBatchTests
{
    private const int B = CryptLayout.BlockDataSize;

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(B, 2)]
    [InlineData((5 * B) + 123, 1)]
    [InlineData((5 * B) + 123, 2)]
    [InlineData(8 * B, 4)]
    public void BatchesMatchTheStreamFormatInBothDirections(int size, int parallelism)
    {
        byte[] plain = ContentCipherTests.RandomBytes(size, size + parallelism);
        byte[] nonce = CryptContent.CreateFileNonce();
        byte[] cipher = new byte[CryptLayout.EncryptedSize(size) - CryptLayout.HeaderSize];
        Assert.Equal(cipher.Length, CryptContent.EncryptBlocks(CryptTestKeys.Default, nonce, 0, plain, cipher, parallelism));

        using var stream = new EncryptingStream(new MemoryStream(plain), CryptTestKeys.Default, nonce);
        Assert.Equal(cipher, ContentCipherTests.ReadAll(stream, 65536)[CryptLayout.HeaderSize..]);

        byte[] back = new byte[size];
        Assert.Equal(size, CryptContent.DecryptBlocks(CryptTestKeys.Default, nonce, 0, cipher, back, parallelism));
        Assert.Equal(plain, back);
    }

    [Fact]
    public void ABatchFromTheMiddleOfAFileUsesTheBlockIndexInTheNonce()
    {
        byte[] plain = ContentCipherTests.RandomBytes(5 * B, 11);
        byte[] file = ContentCipherTests.Encrypt(plain);
        byte[] nonce = CryptContent.ReadHeader(file);
        int from = (int)CryptLayout.CipherOffsetOfBlock(2);
        byte[] back = new byte[3 * B];
        Assert.Equal(3 * B, CryptContent.DecryptBlocks(CryptTestKeys.Default, nonce, 2, file.AsMemory(from), back, 2));
        Assert.Equal(plain[(2 * B)..], back);
        Assert.Throws<CryptAuthenticationException>(() => CryptContent.DecryptBlocks(CryptTestKeys.Default, nonce, 1, file.AsMemory(from), back, 2));
    }

    [Fact]
    public void TheLowestTamperedBlockIsReportedAndNoTamperedBytesAreWritten()
    {
        byte[] plain = ContentCipherTests.RandomBytes(6 * B, 12);
        byte[] nonce = CryptContent.CreateFileNonce();
        byte[] cipher = new byte[6 * CryptLayout.BlockSize];
        CryptContent.EncryptBlocks(CryptTestKeys.Default, nonce, 0, plain, cipher, 2);
        cipher[(4 * CryptLayout.BlockSize) + 100] ^= 1;
        cipher[(1 * CryptLayout.BlockSize) + 100] ^= 1;

        byte[] back = new byte[6 * B];
        var ex = Assert.Throws<CryptAuthenticationException>(() => CryptContent.DecryptBlocks(CryptTestKeys.Default, nonce, 0, cipher, back, 2));
        Assert.Equal(1, ex.BlockIndex);
        Assert.All(back.AsSpan(B, B).ToArray(), b => Assert.Equal(0, b));
        Assert.All(back.AsSpan(4 * B, B).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(plain[..B], back[..B]);
    }

    [Fact]
    public void ABatchEndingInATagWithoutDataIsAFormatError()
    {
        byte[] cipher = new byte[CryptLayout.BlockSize + 16];
        Assert.Throws<CryptFormatException>(() => CryptContent.DecryptBlocks(CryptTestKeys.Default, new byte[24], 0, cipher, new byte[2 * B], 1));
    }
}
