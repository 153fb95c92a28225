using System.Globalization;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>Bytes through the mount equal the source: whole files (sha256sum) and random ranges (dd).</summary>
[Collection(MountCollection.Name)]
public sealed class ContentTests(MountFixture fx)
{
    [Fact]
    public async Task Sha256sumOfEveryFileThroughTheMountEqualsTheSource()
    {
        // Same relative names on both sides, so the two outputs must be identical line for line.
        const string sums = "find . -type f -print0 | sort -z | xargs -0 sha256sum";
        string source = await ShOkAsync($"cd {Q(fx.Seed.Root)} && {sums}", TimeSpan.FromSeconds(120));
        string mounted = await ShOkAsync($"cd {Q(fx.Tree)} && {sums}", TimeSpan.FromSeconds(120));

        Assert.Equal(SeedTree.ManyCount + SeedTree.SmallFiles.Count + 3, source.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(source, mounted);
    }

    [Fact]
    public async Task DdWithSkipAndCountReadsRandomRangesOfTheLargeFile()
    {
        byte[] expected = await File.ReadAllBytesAsync(fx.Seed.Local(SeedTree.Large));
        string path = Path.Combine(fx.Tree, SeedTree.Large);
        var rng = new Random(4242);
        var ranges = new List<(long Skip, long Count)>
        {
            (0, 1), (expected.Length - 1, 1), (expected.Length - 5000, 10_000), (expected.Length, 10), ((1 << 20) - 3, 7),
        };
        for (int i = 0; i < 16; i++)
        {
            ranges.Add((rng.NextInt64(expected.Length), rng.Next(1, 3 << 20)));
        }

        foreach (var (skip, count) in ranges)
        {
            string tmp = Path.Combine(fx.Dir, "dd.out");
            await ShOkAsync($"dd if={Q(path)} of={Q(tmp)} bs=65536 iflag=skip_bytes,count_bytes skip={skip} count={count} status=none");
            byte[] got = await File.ReadAllBytesAsync(tmp);
            long end = Math.Min(expected.Length, skip + count);
            byte[] want = skip >= expected.Length ? [] : expected[(int)skip..(int)end];
            Assert.True(want.AsSpan().SequenceEqual(got), $"dd skip={skip} count={count}: got {got.Length} bytes, expected {want.Length}, content differs");
        }
    }

    [Fact]
    public async Task DdInFourKibBlocksReadsTheOddSizedFileIncludingItsShortTail()
    {
        byte[] expected = await File.ReadAllBytesAsync(fx.Seed.Local(SeedTree.Odd));
        string path = Path.Combine(fx.Tree, SeedTree.Odd);
        long blocks = (expected.Length + 4095) / 4096;
        foreach (long block in new[] { blocks - 1, 0, blocks / 2, 1, blocks - 2 })
        {
            string tmp = Path.Combine(fx.Dir, "dd4k.out");
            await ShOkAsync($"dd if={Q(path)} of={Q(tmp)} bs=4096 skip={block} count=1 status=none");
            long start = block * 4096;
            byte[] want = expected[(int)start..(int)Math.Min(expected.Length, start + 4096)];
            Assert.Equal(want, await File.ReadAllBytesAsync(tmp));
        }

        string size = await ShOkAsync($"wc -c < {Q(path)}");
        Assert.Equal(expected.Length.ToString(CultureInfo.InvariantCulture), size.Trim());
    }

    [Fact]
    public async Task CaseInsensitiveLookupFindsTheFileAndTheListingKeepsItsCasing()
    {
        string want = await File.ReadAllTextAsync(fx.Seed.Local("folder/file.txt"));

        Assert.Equal(want, await ShOkAsync($"cat {Q(fx.Tree)}/FOLDER/FILE.TXT"));
        Assert.Equal(want, await ShOkAsync($"cat {Q(fx.Mnt)}/tree/Folder/File.Txt"));
        Assert.Equal("file.txt\n", await ShOkAsync($"ls {Q(fx.Tree)}/FOLDER"));
    }

    [Fact]
    public async Task CaseInsensitiveLookupFoldsNonAsciiLetters()
    {
        string want = await File.ReadAllTextAsync(fx.Seed.Local("Café/crème brûlée.txt"));

        Assert.Equal(want, await ShOkAsync($"cat {Q(Path.Combine(fx.Tree, "CAFÉ", "CRÈME BRÛLÉE.TXT"))}"));
    }
}
