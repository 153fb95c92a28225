using DropboxFs.Core.Blocks;

namespace DropboxFs.Tests.Core;

public class ReadAheadPolicyTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void RandomReadsFetchAboutOneMebibyte()
    {
        var policy = new ReadAheadPolicy();
        var (start, end) = policy.OnRead(500L << 20, 4096, GiB);
        Assert.Equal(500L << 20, start);
        Assert.Equal(ReadAheadPolicy.RandomSpan, end - start);
        (start, end) = policy.OnRead(100L << 20, 4096, GiB);
        Assert.Equal(ReadAheadPolicy.RandomSpan, end - start);
    }

    [Fact]
    public void SequentialReadsDoubleTheSpanUpTo64MiBAndAJumpResetsIt()
    {
        var policy = new ReadAheadPolicy();
        long offset = 0;
        var spans = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            var (start, end) = policy.OnRead(offset, 128 << 10, GiB);
            spans.Add(end - start);
            offset += 128 << 10;
        }

        Assert.True(spans.Zip(spans.Skip(1)).All(p => p.Second >= p.First));
        Assert.Equal(ReadAheadPolicy.MaxSpan, policy.Span);
        Assert.Equal(2 * ReadAheadPolicy.MaxSpan, spans[^1]); // a sequential reader keeps two spans ahead
        Assert.Equal(ReadAheadPolicy.MaxSpan / ReadAheadPolicy.MaxDownloadsInFlight, policy.PieceSize);

        var (s, e) = policy.OnRead(900L << 20, 4096, GiB);
        Assert.Equal(ReadAheadPolicy.RandomSpan, e - s);
    }

    [Fact]
    public void ALateReadBehindTheStreamKeepsTheSpan()
    {
        var policy = new ReadAheadPolicy();
        for (var i = 0; i < 40; i++)
        {
            policy.OnRead((long)i << 20, 1 << 20, GiB);
        }

        policy.OnRead(30L << 20, 1 << 20, GiB); // answered late by a slow reader thread: 10 MiB behind
        Assert.True(policy.IsSequential);
        Assert.Equal(ReadAheadPolicy.MaxSpan, policy.Span);
        policy.OnRead(41L << 20, 1 << 20, GiB); // the stream goes on where it was
        Assert.True(policy.IsSequential);
        policy.OnRead(200L << 20, 1 << 20, GiB); // a real jump still resets
        Assert.Equal(ReadAheadPolicy.RandomSpan, policy.Span);
    }

    [Fact]
    public void WindowNeverPassesTheEndOfTheFile()
    {
        var policy = new ReadAheadPolicy();
        var (_, end) = policy.OnRead(1000, 100, 1500);
        Assert.Equal(1500, end);
    }
}
