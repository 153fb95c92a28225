using System.Globalization;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>`find`, `ls -lR` and `stat` through the mount show the seeded tree: names, types, sizes, mtimes.</summary>
[Collection(MountCollection.Name)]
public sealed class ListingTests(MountFixture fx)
{
    [Fact]
    public async Task FindShowsEverySeededNameTypeAndSize()
    {
        string output = await ShOkAsync($"find {Q(fx.Tree)} -mindepth 1 -printf '%P\\t%y\\t%s\\n'", TimeSpan.FromSeconds(60));
        var seen = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split('\t');
            seen[f[0]] = f[1] == "d" ? -1 : long.Parse(f[2], CultureInfo.InvariantCulture);
        }

        var expected = fx.Seed.Expected();
        Assert.Equal(expected.Count, seen.Count);
        Assert.Empty(expected.Where(e => !seen.TryGetValue(e.Key, out long s) || s != e.Value).Select(e => e.Key).Take(20));
    }

    [Fact]
    public async Task LsLrShowsTheSameFilesSizesAndMtimesAsTheSourceTree()
    {
        var mounted = ParseLsLr(await ShOkAsync($"cd {Q(fx.Tree)} && ls -lR --time-style=+%s .", TimeSpan.FromSeconds(60)));
        var source = ParseLsLr(await ShOkAsync($"cd {Q(fx.Seed.Root)} && ls -lR --time-style=+%s .", TimeSpan.FromSeconds(60)));

        Assert.Equal(SeedTree.ManyCount, mounted.Keys.Count(k => k.StartsWith("./many/", StringComparison.Ordinal)));
        Assert.Equal(source.Keys, mounted.Keys);
        var differing = source.Where(s => s.Value != mounted[s.Key]).Select(s => $"{s.Key}: source {s.Value}, mount {mounted[s.Key]}").Take(20).ToList();
        Assert.Empty(differing);
    }

    [Fact]
    public async Task StatShowsSizeMtimeTypeAndBlocksOfEachSeededFile()
    {
        var files = SeedTree.SmallFiles.Concat([SeedTree.Large, SeedTree.Odd, "empty.bin", "many/f09999.txt"]).ToList();
        string output = await ShOkAsync("stat -c '%s %Y %F %b' " + string.Join(' ', files.Select(f => Q(Path.Combine(fx.Tree, f)))));
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Count, lines.Length);
        for (int i = 0; i < files.Count; i++)
        {
            var info = new FileInfo(fx.Seed.Local(files[i]));
            long mtime = new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds();
            string type = info.Length == 0 ? "regular empty file" : "regular file";
            Assert.Equal($"{info.Length} {mtime} {type} {(info.Length + 511) / 512}", lines[i]);
        }

        Assert.Equal("directory", (await ShOkAsync($"stat -c %F {Q(Path.Combine(fx.Tree, "empty folder"))}")).Trim());
        Assert.Equal("", await ShOkAsync($"ls -A {Q(Path.Combine(fx.Tree, "empty folder"))}"));
    }

    /// <summary>"./dir/name" → "type size [mtime for files]"; folder mtimes are not part of the Dropbox model.</summary>
    private static Dictionary<string, string> ParseLsLr(string output)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        string dir = ".";
        foreach (string line in output.Split('\n'))
        {
            if (line.EndsWith(':') && !line.StartsWith('-') && !line.StartsWith('d'))
            {
                dir = line[..^1];
                continue;
            }

            if (line.Length == 0 || line.StartsWith("total ", StringComparison.Ordinal))
            {
                continue;
            }

            // perms links user group size mtime name (name may contain spaces)
            string[] f = line.Split(' ', 7, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(f.Length == 7, $"unexpected ls line: {line}");
            bool isDir = f[0][0] == 'd';
            map[dir + "/" + f[6].TrimStart()] = isDir ? "d" : $"{f[0][0]} {f[4]} {f[5]}";
        }

        return map;
    }
}
