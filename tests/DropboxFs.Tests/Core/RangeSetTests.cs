using DropboxFs.Core.Blocks;

namespace DropboxFs.Tests.Core;

public class RangeSetTests
{
    [Fact]
    public void AdjacentAndOverlappingRangesMergeAndCountOnlyNewBytes()
    {
        var set = new RangeSet();
        Assert.Equal(10, set.Add(0, 10));
        Assert.Equal(10, set.Add(10, 20));
        Assert.Equal(1, set.Count);
        Assert.Equal(5, set.Add(15, 25));
        Assert.Equal(0, set.Add(3, 7));
        Assert.Equal(10, set.Add(30, 40));
        Assert.Equal(5, set.Add(25, 35) - 0);
        Assert.Equal(1, set.Count);
        Assert.Equal(40, set.TotalBytes);
    }

    [Fact]
    public void GapsAndContainsAgreeWithAByteMapUnderRandomAdds()
    {
        var random = new Random(1234);
        var set = new RangeSet();
        var map = new bool[5000];
        for (var round = 0; round < 300; round++)
        {
            var start = random.Next(0, 4990);
            var end = Math.Min(5000, start + random.Next(1, 200));
            var expectedNew = 0;
            for (var i = start; i < end; i++)
            {
                if (!map[i])
                {
                    expectedNew++;
                    map[i] = true;
                }
            }

            Assert.Equal(expectedNew, set.Add(start, end));
            Assert.Equal(map.Count(b => b), set.TotalBytes);

            var qs = random.Next(0, 4990);
            var qe = Math.Min(5000, qs + random.Next(1, 300));
            Assert.Equal(Enumerable.Range(qs, qe - qs).All(i => map[i]), set.Contains(qs, qe));
            var gapBytes = set.Gaps(qs, qe).Sum(g => g.End - g.Start);
            Assert.Equal(Enumerable.Range(qs, qe - qs).Count(i => !map[i]), gapBytes);
            foreach (var (gs, ge) in set.Gaps(qs, qe))
            {
                Assert.All(Enumerable.Range((int)gs, (int)(ge - gs)), i => Assert.False(map[i]));
            }
        }
    }

    [Fact]
    public void SerializedSetRoundTrips()
    {
        var set = new RangeSet();
        set.Add(5, 10);
        set.Add(100, 1L << 40);
        var copy = RangeSet.Deserialize(set.Serialize());
        Assert.Equal(set.Ranges, copy.Ranges);
        Assert.Equal(set.TotalBytes, copy.TotalBytes);
    }
}
