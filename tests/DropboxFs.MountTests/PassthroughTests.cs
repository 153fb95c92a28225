using System.Security.Cryptography;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// FUSE passthrough: once a file is fully cached, a read-only open lets the kernel read the cache file
/// directly. As root on Linux 6.9+ the mount logs each backing file at debug level; elsewhere it logs
/// that passthrough is not used. Either way the bytes must be the file's.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class PassthroughTests(MountFixture fx)
{
    [Fact]
    public async Task AWarmFileReadsThroughPassthroughWithTheSourceBytes()
    {
        string mnt = Path.Combine(fx.Dir, "passthrough");
        Directory.CreateDirectory(mnt);
        using var mount = await fx.StartMountAsync(mnt, "--read-only", "--log-level", "debug");
        string file = $"{Q(mnt)}/Tree/{SeedTree.Large}";
        string want = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(fx.Seed.Local(SeedTree.Large))));

        string cold = await ShOkAsync($"sha256sum < {file}", TimeSpan.FromSeconds(60)); // fills the block cache
        await ShOkAsync("sync; echo 1 > /proc/sys/vm/drop_caches || true"); // the warm read comes from disk, not the old page cache
        string warm = await ShOkAsync($"sha256sum < {file}", TimeSpan.FromSeconds(60));
        string head = await ShOkAsync($"dd if={file} bs=4096 count=1 skip=3 status=none | sha256sum");
        await SignalAsync(mount.Id, "TERM");
        await mount.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(want, cold.Split(' ')[0]);
        Assert.Equal(want, warm.Split(' ')[0]);
        byte[] block = (await File.ReadAllBytesAsync(fx.Seed.Local(SeedTree.Large)))[(3 * 4096)..(4 * 4096)];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(block)), head.Split(' ')[0]);
        if (Environment.UserName == "root" && Environment.OSVersion.Version >= new Version(6, 9))
        {
            Assert.Contains("through passthrough", mount.Output, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("passthrough not used", mount.Output, StringComparison.OrdinalIgnoreCase);
        }
    }
}
