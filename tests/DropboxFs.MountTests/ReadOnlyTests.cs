using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>Every mutation through the read-only mount fails with EROFS and changes nothing remotely; `df` shows the quota.</summary>
[Collection(MountCollection.Name)]
public sealed class ReadOnlyTests(MountFixture fx)
{
    [Theory]
    [InlineData("touch 'T/new file.txt'")]
    [InlineData("touch T/readme.txt")]
    [InlineData("mkdir T/newdir")]
    [InlineData("rm T/readme.txt")]
    [InlineData("rmdir 'T/empty folder'")]
    [InlineData("mv T/readme.txt T/renamed.txt")]
    [InlineData("echo hi > T/readme.txt")]
    [InlineData("echo hi > T/brand-new.txt")]
    [InlineData("echo hi >> T/readme.txt")]
    [InlineData("truncate -s 0 T/readme.txt")]
    [InlineData("ln -s readme.txt T/link")]
    public async Task MutationFailsWithReadOnlyFileSystem(string command)
    {
        var before = await ShOkAsync($"cd {Q(fx.Tree)} && ls -la --time-style=+%s . && cat readme.txt");

        var r = await ShAsync(command.Replace("T/", Q(fx.Tree) + "/", StringComparison.Ordinal));

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Read-only file system", r.Stderr);
        Assert.Equal(before, await ShOkAsync($"cd {Q(fx.Tree)} && ls -la --time-style=+%s . && cat readme.txt"));
        Assert.Null(await fx.Client.TryGetMetadataAsync("/Tree/new file.txt"));
        Assert.Null(await fx.Client.TryGetMetadataAsync("/Tree/renamed.txt"));
        Assert.NotNull(await fx.Client.TryGetMetadataAsync("/Tree/readme.txt"));
    }

    [Fact]
    public async Task DfShowsTheAccountQuotaAsTotalSize()
    {
        var usage = await fx.Client.GetSpaceUsageAsync();
        Assert.Equal(MountFixture.QuotaBytes, usage.Allocation.Allocated);

        string[] df = (await ShOkAsync($"df -B1 --output=size,used {Q(fx.Mnt)}")).Split('\n', StringSplitOptions.RemoveEmptyEntries)[1]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(usage.Allocation.Allocated, long.Parse(df[0], System.Globalization.CultureInfo.InvariantCulture));
        long used = long.Parse(df[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(used >= 64L << 20, $"df used {used} is below the 64 MiB file in the account");
        Assert.True(used <= usage.Used + (1 << 20), $"df used {used}, get_space_usage used {usage.Used}");
    }
}
