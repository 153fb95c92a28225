using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

public sealed class CryptLayoutTests
{
    private const int B = CryptLayout.BlockDataSize;

    public static TheoryData<long, long> KnownSizes => new()
    {
        // plaintext size, stored size (the fixture files have these exact sizes)
        { 0, 32 },
        { 1, 49 },
        { 13, 61 },
        { 65535, 65583 },
        { 65536, 65584 },
        { 65537, 65601 },
        { 131071, 131135 },
        { 131072, 131136 },
        { 131073, 131153 },
        { 200000, 200096 },
    };

    [Theory]
    [MemberData(nameof(KnownSizes))]
    public void EncryptedSizeAddsHeaderAndSixteenBytesPerBlock(long plain, long stored)
    {
        Assert.Equal(stored, CryptLayout.EncryptedSize(plain));
        Assert.Equal(plain, CryptLayout.DecryptedSize(stored));
    }

    [Fact]
    public void DecryptedSizeInvertsEncryptedSizeAroundEveryBoundaryOfTheFirstFourBlocks()
    {
        for (long block = 0; block <= 4; block++)
        {
            for (long delta = -20; delta <= 20; delta++)
            {
                long plain = (block * B) + delta;
                if (plain < 0)
                {
                    continue;
                }

                long stored = CryptLayout.EncryptedSize(plain);
                Assert.True(CryptLayout.TryGetDecryptedSize(stored, out long back));
                Assert.Equal(plain, back);
                Assert.Equal(32 + plain + (16 * CryptLayout.BlockCount(plain)), stored);
            }
        }
    }

    [Fact]
    public void StoredSizesThatNoPlaintextProducesAreRejected()
    {
        // Every stored size from 0 to three blocks: valid exactly when it is the image of a plaintext size.
        var images = new HashSet<long>();
        for (long plain = 0; plain <= 3 * B; plain++)
        {
            images.Add(CryptLayout.EncryptedSize(plain));
        }

        for (long stored = 0; stored <= CryptLayout.EncryptedSize(3 * B); stored++)
        {
            Assert.Equal(images.Contains(stored), CryptLayout.TryGetDecryptedSize(stored, out _));
        }

        Assert.Throws<CryptFormatException>(() => CryptLayout.DecryptedSize(31));
        Assert.Throws<CryptFormatException>(() => CryptLayout.DecryptedSize(32 + 16));
        Assert.Throws<CryptFormatException>(() => CryptLayout.DecryptedSize(32 + CryptLayout.BlockSize + 1));
    }

    [Fact]
    public void HugeSizesDoNotOverflow()
    {
        long plain = 1L << 50; // 1 PiB
        long stored = CryptLayout.EncryptedSize(plain);
        Assert.Equal(32 + plain + ((plain / B) * 16), stored);
        Assert.Equal(plain, CryptLayout.DecryptedSize(stored));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 0, 1)]
    [InlineData(65535, 0, 65535)]
    [InlineData(65536, 1, 0)]
    [InlineData(65537, 1, 1)]
    [InlineData(131071, 1, 65535)]
    [InlineData(131072, 2, 0)]
    [InlineData(131073, 2, 1)]
    public void PlainOffsetMapsToItsBlockAndOffsetInside(long offset, long block, int inside)
    {
        Assert.Equal(block, CryptLayout.BlockIndexOf(offset));
        Assert.Equal(offset - inside, CryptLayout.PlainOffsetOfBlock(block));
        Assert.Equal(32 + (block * 65552), CryptLayout.CipherOffsetOfBlock(block));
    }

    [Fact]
    public void BlockLengthsSumToTheStoredSize()
    {
        foreach (long plain in new long[] { 0, 1, 65535, 65536, 65537, 131071, 131072, 131073, 200000 })
        {
            long count = CryptLayout.BlockCount(plain);
            long plainSum = 0;
            long cipherSum = 32;
            for (long i = 0; i < count; i++)
            {
                Assert.InRange(CryptLayout.PlainBlockLength(i, plain), 1, B);
                plainSum += CryptLayout.PlainBlockLength(i, plain);
                cipherSum += CryptLayout.CipherBlockLength(i, plain);
            }

            Assert.Equal(0, CryptLayout.PlainBlockLength(count, plain));
            Assert.Equal(plain, plainSum);
            Assert.Equal(CryptLayout.EncryptedSize(plain), cipherSum);
        }
    }

    [Fact]
    public void CipherRangeCoversExactlyTheBlocksOfEveryRangeNearBoundaries()
    {
        long[] interesting = [0, 1, 2, B - 2, B - 1, B, B + 1, (2 * B) - 1, 2 * B, (2 * B) + 1, 200000 - 1, 200000];
        long[] sizes = [0, 1, B - 1, B, B + 1, (2 * B) - 1, 2 * B, (2 * B) + 1, 200000];
        foreach (long size in sizes)
        {
            foreach (long offset in interesting)
            {
                foreach (long length in interesting)
                {
                    AssertRangeMatchesBruteForce(offset, length, size);
                }
            }
        }
    }

    [Fact]
    public void CipherRangeOfUnboundedLengthStopsAtEndOfFile()
    {
        CipherRange range = CryptLayout.GetCipherRange(B + 5, long.MaxValue, 200000);
        Assert.Equal(1, range.FirstBlock);
        Assert.Equal(3, range.BlockCount);
        Assert.Equal(200000 - B - 5, range.PlainLength);
        Assert.Equal(CryptLayout.EncryptedSize(200000), range.CipherOffset + range.CipherLength);
    }

    private static void AssertRangeMatchesBruteForce(long offset, long length, long size)
    {
        CipherRange range = CryptLayout.GetCipherRange(offset, length, size);
        long end = Math.Min(size, offset + length);
        if (offset >= end)
        {
            Assert.Equal(0, range.BlockCount);
            Assert.Equal(0, range.CipherLength);
            Assert.Equal(0, range.PlainLength);
            return;
        }

        // Brute force: the blocks touched are those whose plaintext span intersects [offset, end).
        var blocks = new List<long>();
        for (long i = 0; i < CryptLayout.BlockCount(size); i++)
        {
            long start = i * B;
            long stop = Math.Min(size, start + B);
            if (start < end && stop > offset)
            {
                blocks.Add(i);
            }
        }

        Assert.Equal(blocks[0], range.FirstBlock);
        Assert.Equal(blocks.Count, range.BlockCount);
        Assert.Equal(32 + (blocks[0] * (B + 16)), range.CipherOffset);
        long cipherLength = blocks.Sum(i => (long)CryptLayout.CipherBlockLength(i, size));
        Assert.Equal(cipherLength, range.CipherLength);
        Assert.Equal(offset - (blocks[0] * B), range.SkipInFirstBlock);
        Assert.Equal(end - offset, range.PlainLength);
    }
}
