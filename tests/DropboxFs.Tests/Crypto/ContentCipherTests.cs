using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

public sealed class ContentCipherTests
{
    private const int B = CryptLayout.BlockDataSize;
    private static CryptKeys Keys => CryptTestKeys.Default;

    public static TheoryData<int> Sizes()
    {
        var data = new TheoryData<int> { 0, 1, 2, 13, B - 1, B, B + 1, (2 * B) - 1, 2 * B, (2 * B) + 1, 200000 };
        var random = new Random(60);
        for (int i = 0; i < 4; i++)
        {
            data.Add(random.Next(1, 5 * B)); // random multi-block sizes, fixed seed so failures repeat
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void StreamsRoundTripAndMatchTheBlockFunctions(int size)
    {
        byte[] plain = RandomBytes(size, size);
        byte[] nonce = CryptContent.CreateFileNonce();

        using var encrypting = new EncryptingStream(new MemoryStream(plain), Keys, nonce);
        Assert.Equal(CryptLayout.EncryptedSize(size), encrypting.Length);
        byte[] cipher = ReadAll(encrypting, 777);
        Assert.Equal(CryptLayout.EncryptedSize(size), cipher.LongLength);
        Assert.Equal(cipher.LongLength, encrypting.Position);

        // The stream is the header followed by EncryptBlock of each block.
        Assert.Equal("RCLONE\0\0"u8.ToArray(), cipher[..8]);
        Assert.Equal(nonce, cipher[8..32]);
        for (long i = 0; i < CryptLayout.BlockCount(size); i++)
        {
            int length = CryptLayout.PlainBlockLength(i, size);
            byte[] block = new byte[length + 16];
            CryptContent.EncryptBlock(Keys, nonce, i, plain.AsSpan((int)CryptLayout.PlainOffsetOfBlock(i), length), block);
            Assert.Equal(block, cipher.AsSpan((int)CryptLayout.CipherOffsetOfBlock(i), block.Length).ToArray());
        }

        using var decrypting = new DecryptingStream(new MemoryStream(cipher), Keys);
        Assert.Equal(plain, ReadAll(decrypting, 4093));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task AsyncStreamsRoundTripFromAnUnseekableSource(int size)
    {
        byte[] plain = RandomBytes(size, size + 1);
        await using var encrypting = new EncryptingStream(new UnseekableStream(plain), Keys);
        Assert.Throws<NotSupportedException>(() => encrypting.Length);
        using var cipher = new MemoryStream();
        await encrypting.CopyToAsync(cipher);
        Assert.Equal(CryptLayout.EncryptedSize(size), cipher.Length);

        cipher.Position = 0;
        await using var decrypting = new DecryptingStream(new UnseekableStream(cipher.ToArray()), Keys);
        using var back = new MemoryStream();
        await decrypting.CopyToAsync(back);
        Assert.Equal(plain, back.ToArray());
    }

    [Fact]
    public void EncryptingTheSameFileTwiceUsesFreshNonces()
    {
        byte[] plain = RandomBytes(100, 1);
        byte[] a = ReadAll(new EncryptingStream(new MemoryStream(plain), Keys), 4096);
        byte[] b = ReadAll(new EncryptingStream(new MemoryStream(plain), Keys), 4096);
        Assert.NotEqual(a[8..32], b[8..32]);
        Assert.NotEqual(a[32..], b[32..]);
    }

    [Fact]
    public void ARangedStreamDecryptsFromAnyBlockGivenTheHeaderNonce()
    {
        byte[] plain = RandomBytes(200000, 2);
        byte[] cipher = Encrypt(plain);
        byte[] nonce = CryptContent.ReadHeader(cipher);
        for (long block = 0; block < 4; block++)
        {
            int from = (int)CryptLayout.CipherOffsetOfBlock(block);
            using var decrypting = new DecryptingStream(new MemoryStream(cipher[from..]), Keys, nonce, block);
            Assert.Equal(plain[(int)CryptLayout.PlainOffsetOfBlock(block)..], ReadAll(decrypting, 10000));
        }
    }

    [Fact]
    public void RandomPlaintextRangesDecryptFromTheirCipherRangeAlone()
    {
        byte[] plain = RandomBytes(300000, 3);
        byte[] cipher = Encrypt(plain);
        byte[] nonce = CryptContent.ReadHeader(cipher);
        var random = new Random(4);
        for (int i = 0; i < 50; i++)
        {
            int offset = random.Next(0, plain.Length + 10);
            int length = random.Next(0, 3 * B);
            CipherRange range = CryptLayout.GetCipherRange(offset, length, plain.Length);
            byte[] slice = cipher.AsSpan((int)range.CipherOffset, (int)range.CipherLength).ToArray();
            using var decrypting = new DecryptingStream(new MemoryStream(slice), Keys, nonce, range.FirstBlock);
            byte[] got = ReadAll(decrypting, 8192).AsSpan(range.SkipInFirstBlock, (int)range.PlainLength).ToArray();
            int expectedLength = Math.Max(0, Math.Min(length, plain.Length - offset));
            Assert.Equal(plain.AsSpan(Math.Min(offset, plain.Length), expectedLength).ToArray(), got);
        }
    }

    [Fact]
    public void TheBlockNonceIsTheFileNoncePlusTheIndexWithCarry()
    {
        byte[] nonce = new byte[24];
        nonce[0] = 0xFF;
        nonce[1] = 0xFF;
        nonce[2] = 0x01;
        byte[] block = new byte[24];
        CryptContent.ComputeBlockNonce(nonce, 1, block);
        Assert.Equal(new byte[] { 0, 0, 2 }, block[..3]);

        Array.Fill(nonce, (byte)0xFF);
        CryptContent.ComputeBlockNonce(nonce, 2, block);
        Assert.Equal(1, block[0]);
        Assert.All(block[1..], b => Assert.Equal(0, b)); // wraps around all 192 bits

        nonce = new byte[24];
        nonce[7] = 0xFF;
        CryptContent.ComputeBlockNonce(nonce, 0x0100_0000_0000_0000, block);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 1 }, block[..9]); // carry past byte 7
    }

    internal static byte[] Encrypt(byte[] plain) => ReadAll(new EncryptingStream(new MemoryStream(plain), Keys), 65536);

    internal static byte[] ReadAll(Stream stream, int chunk)
    {
        using (stream)
        {
            var output = new MemoryStream();
            byte[] buffer = new byte[chunk];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
    }

    internal static byte[] RandomBytes(int size, int seed)
    {
        byte[] data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
