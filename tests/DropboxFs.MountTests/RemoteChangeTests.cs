using System.Text;
using DropboxFs.Api;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// A change made through the API reaches the mount within 5 s (issue 4 §5). Each test first looks at
/// the folder (and at the missing name) through the mount, so the kernel and the metadata cache hold
/// the old state, including a negative entry, and only invalidation can make the change visible.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class RemoteChangeTests(MountFixture fx)
{
    private static readonly TimeSpan s_visibleWithin = TimeSpan.FromSeconds(5);

    private string Changes => Path.Combine(fx.Mnt, "Changes");

    [Fact]
    public async Task NewFileUploadedThroughTheApiAppearsWithItsContent()
    {
        await PrimeAsync("new file.txt");

        await UploadAsync("/Changes/new file.txt", "hello from elsewhere\n");

        await AssertWithinAsync(async () => (await ShAsync($"cat {Q(Path.Combine(Changes, "new file.txt"))}")).Stdout == "hello from elsewhere\n", "new file");
        Assert.Contains("new file.txt", await ShOkAsync($"ls {Q(Changes)}"));
    }

    [Fact]
    public async Task DeletedFileDisappears()
    {
        await UploadAsync("/Changes/doomed.txt", "bye\n");
        await AssertWithinAsync(() => ExistsAsync("doomed.txt"), "setup: doomed.txt visible");
        await ShOkAsync($"cat {Q(Path.Combine(Changes, "doomed.txt"))}");

        await fx.Client.DeleteAsync("/Changes/doomed.txt");

        await AssertWithinAsync(async () => !await ExistsAsync("doomed.txt"), "delete");
        Assert.DoesNotContain("doomed.txt", await ShOkAsync($"ls {Q(Changes)}"));
    }

    [Fact]
    public async Task RenamedFileMovesToTheNewNameWithItsContent()
    {
        await UploadAsync("/Changes/before.txt", "moving\n");
        await AssertWithinAsync(() => ExistsAsync("before.txt"), "setup: before.txt visible");
        await PrimeAsync("after.txt");

        await fx.Client.MoveAsync("/Changes/before.txt", "/Changes/after.txt");

        await AssertWithinAsync(async () => !await ExistsAsync("before.txt") && await ExistsAsync("after.txt"), "rename");
        Assert.Equal("moving\n", await ShOkAsync($"cat {Q(Path.Combine(Changes, "after.txt"))}"));
    }

    [Fact]
    public async Task OverwrittenFileServesTheNewBytesNeverTheCachedOldOnes()
    {
        // Same length on purpose: a size check alone cannot notice the change.
        string v1 = new string('1', 300_000) + "\n";
        string v2 = new string('2', 300_000) + "\n";
        await UploadAsync("/Changes/versioned.txt", v1);
        await AssertWithinAsync(async () => (await ShAsync($"cat {Q(Path.Combine(Changes, "versioned.txt"))}")).Stdout == v1, "setup: v1 readable");

        await fx.Client.UploadAsync("/Changes/versioned.txt", new MemoryStream(Encoding.UTF8.GetBytes(v2)), new UploadOptions { Overwrite = true });

        string last = "";
        await AssertWithinAsync(async () => (last = (await ShAsync($"cat {Q(Path.Combine(Changes, "versioned.txt"))}")).Stdout) == v2, "new content");
        Assert.Equal(v2, await ShOkAsync($"dd if={Q(Path.Combine(Changes, "versioned.txt"))} bs=4096 status=none"));
    }

    [Fact]
    public async Task NewFolderAppearsAndCanBeListed()
    {
        await PrimeAsync("Fresh Folder");

        await fx.Client.CreateFolderAsync("/Changes/Fresh Folder");
        await UploadAsync("/Changes/Fresh Folder/inside.txt", "in\n");

        await AssertWithinAsync(async () => (await ShAsync($"ls {Q(Path.Combine(Changes, "Fresh Folder"))}")).Stdout == "inside.txt\n", "new folder");
        Assert.Equal("directory\n", await ShOkAsync($"stat -c %F {Q(Path.Combine(Changes, "Fresh Folder"))}"));
    }

    private async Task PrimeAsync(string missing)
    {
        await ShOkAsync($"ls -l {Q(Changes)}");
        var r = await ShAsync($"stat {Q(Path.Combine(Changes, missing))}");
        Assert.NotEqual(0, r.ExitCode);
    }

    private async Task<bool> ExistsAsync(string name) =>
        (await ShAsync($"stat {Q(Path.Combine(Changes, name))}")).ExitCode == 0;

    private Task UploadAsync(string path, string text) =>
        fx.Client.UploadAsync(path, new MemoryStream(Encoding.UTF8.GetBytes(text)), new UploadOptions { Overwrite = true });

    private static async Task AssertWithinAsync(Func<Task<bool>> condition, string what) =>
        Assert.True(await PollAsync(condition, s_visibleWithin), $"{what}: not visible through the mount within {s_visibleWithin.TotalSeconds} s");
}
