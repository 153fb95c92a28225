using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

public sealed class EncryptingStreamSeekTests
{
    private const int BS = CryptLayout.BlockSize;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65536)]
    [InlineData(200000)]
    public void SeekingAnywhereRegeneratesTheSameCiphertext(int size)
    {
        byte[] plain = ContentCipherTests.RandomBytes(size, 21);
        var source = new MemoryStream();
        source.Write(new byte[10]); // the plaintext starts at offset 10 of its stream
        source.Write(plain);
        source.Position = 10;
        using var stream = new EncryptingStream(source, CryptTestKeys.Default, CryptContent.CreateFileNonce(), leaveOpen: true);
        Assert.True(stream.CanSeek);
        byte[] full = ReadRest(stream);
        Assert.Equal(stream.Length, full.LongLength);

        long[] offsets = [0, 5, 31, 32, 33, 32 + BS - 1, 32 + BS, 32 + BS + 7, 32 + (3 * BS) + 100, full.Length - 1, full.Length, full.Length + 10];
        foreach (long offset in offsets)
        {
            Assert.Equal(offset, stream.Seek(offset, SeekOrigin.Begin));
            byte[] rest = ReadRest(stream);
            Assert.Equal(full.AsSpan((int)Math.Min(offset, full.Length)).ToArray(), rest);
            Assert.Equal(Math.Max(offset, full.Length), stream.Position);
        }

        stream.Position = 0;
        stream.Seek(-1, SeekOrigin.End);
        Assert.Equal(full.Length == 0 ? [] : full[^1..], ReadRest(stream));
    }

    [Fact]
    public void AnUnseekableSourceMakesAnUnseekableStream()
    {
        using var stream = new EncryptingStream(new NonSeekable(), CryptTestKeys.Default);
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
    }

    private static byte[] ReadRest(Stream stream)
    {
        var output = new MemoryStream();
        byte[] buffer = new byte[3000];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private sealed class NonSeekable : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
