using System.Globalization;
using System.Security.Cryptography;
using DropboxFs.Api;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// Issue 7 on a real mount: `.dropbox/revisions` and `revisions-by-id` through ls/cat/stat, EROFS
/// inside the views, and `mount --at`. Files live under /Changes/rev-* (never /Tree). The `--at`
/// test waits ~1 s twice on the real clock: server times have whole-second resolution.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class RevisionTests(MountFixture fx)
{
    private static readonly TimeSpan s_visibleWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ThreeUploadsShowAsExactlyThreeRevisionFilesThatReadBackByteExact()
    {
        string dir = NewRemoteFolder("three");
        byte[][] versions = [RandomBytes(10_000, 1), RandomBytes((3 << 20) + 3, 2), RandomBytes(5, 3)];
        var metas = new List<FileMetadata>();
        foreach (var v in versions)
        {
            metas.Add(await UploadAsync($"{dir}/report.txt", v));
        }

        string history = Path.Combine(fx.Mnt, ".dropbox", "revisions" + dir, "report.txt");
        var names = Lines(await ShOkAsync($"ls -U {Q(history)}")); // -U: listing order, newest first (names of one second sort by rev)

        Assert.Equal(metas.Select(m => m.Rev).Reverse(), names.Select(n => n.Split('_')[1].Split('.')[0]));
        Assert.All(names, n => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ_[0-9a-f]+\.txt$", n));
        for (int i = 0; i < 3; i++)
        {
            string file = Path.Combine(history, names[i]);
            Assert.Equal(versions[2 - i].Length.ToString(CultureInfo.InvariantCulture), (await ShOkAsync($"stat -c %s {Q(file)}")).Trim());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(versions[2 - i])), (await ShOkAsync($"sha256sum {Q(file)}")).Split(' ')[0]);
        }

        Assert.DoesNotContain(".dropbox", await ShOkAsync($"ls -a {Q(fx.Mnt)}"));
    }

    [Fact]
    public async Task WritesRenamesDeletesAndCreatesInsideTheViewsFailWithReadOnlyFileSystem()
    {
        string dir = NewRemoteFolder("erofs");
        await UploadAsync($"{dir}/a.txt", "one"u8.ToArray());
        await UploadAsync($"{dir}/a.txt", "two"u8.ToArray());
        string mnt = NewMountPoint("rw-views");
        using var mount = await fx.StartMountAsync(mnt); // not --read-only: EROFS must come from the views, not the kernel
        string history = Path.Combine(mnt, ".dropbox", "revisions" + dir, "a.txt");
        string rev = Path.Combine(history, Lines(await ShOkAsync($"ls -U {Q(history)}"))[0]);
        try
        {
            foreach (string command in new[]
            {
                $"echo x > {Q(rev)}", $"echo x >> {Q(rev)}", $"truncate -s 0 {Q(rev)}", $"touch {Q(rev)}", $"rm {Q(rev)}",
                $"mv {Q(rev)} {Q(history + "/renamed.txt")}", $"touch {Q(history + "/new.txt")}", $"mkdir {Q(history + "/sub")}",
                $"rmdir {Q(history)}", $"mv {Q(history)} {Q(mnt + "/.dropbox/elsewhere")}", $"touch {Q(mnt + "/.dropbox")}",
                $"cp {Q(rev)} {Q(mnt + "/.dropbox/")}", $"rmdir {Q(mnt + "/.dropbox")}",
            })
            {
                var r = await ShAsync(command);
                Assert.True(r.ExitCode != 0 && r.Stderr.Contains("Read-only file system", StringComparison.Ordinal), $"{command}: {r}");
            }

            Assert.NotEqual(0, (await ShAsync($"mkdir {Q(mnt + "/.dropbox")}")).ExitCode); // the name exists (hidden): EEXIST
            Assert.Equal("two", await ShOkAsync($"cat {Q(rev)}"));
            Assert.Null(await fx.Client.TryGetMetadataAsync("/.dropbox"));
            Assert.Equal(2, (await fx.Client.ListRevisionsAsync($"{dir}/a.txt", limit: 100)).Entries.Count);
        }
        finally
        {
            await StopAsync(mount, mnt);
        }
    }

    [Fact]
    public async Task TheByIdViewFollowsARenameAndADeletedFileKeepsItsHistoryByItsOldPath()
    {
        string dir = NewRemoteFolder("moves");
        var v1 = await UploadAsync($"{dir}/old.txt", "first\n"u8.ToArray());
        await UploadAsync($"{dir}/gone.txt", "gone v1\n"u8.ToArray());
        await UploadAsync($"{dir}/gone.txt", "gone v2\n"u8.ToArray());
        string live = fx.Mnt + dir;
        await ShOkAsync($"ls {Q(live)}"); // seen while mounted

        await fx.Client.MoveAsync($"{dir}/old.txt", $"{dir}/new.txt");
        await fx.Client.DeleteAsync($"{dir}/gone.txt");
        Assert.True(await PollAsync(async () => Lines(await ShOkAsync($"ls {Q(live)}")).SequenceEqual(["new.txt"]), s_visibleWithin), "the rename and delete did not reach the mount");

        string byId = Path.Combine(fx.Mnt, ".dropbox", "revisions-by-id" + dir, "new.txt");
        string first = Lines(await ShOkAsync($"ls {Q(byId)}")).Single(n => n.Contains(v1.Rev, StringComparison.Ordinal));
        Assert.Equal("first\n", await ShOkAsync($"cat {Q(Path.Combine(byId, first))}"));

        string gone = Path.Combine(fx.Mnt, ".dropbox", "revisions" + dir, "gone.txt");
        var revisions = Lines(await ShOkAsync($"ls -U {Q(gone)}"));
        Assert.Equal(2, revisions.Count);
        Assert.Equal("gone v2\n", await ShOkAsync($"cat {Q(Path.Combine(gone, revisions[0]))}"));
    }

    [Fact]
    public async Task AnAtMountShowsTheOldContentHidesLaterFilesAndIncludesDeletedOnes()
    {
        string dir = NewRemoteFolder("at");
        await UploadAsync($"{dir}/doc.txt", "version one\n"u8.ToArray());
        await UploadAsync($"{dir}/doc.txt", "version two\n"u8.ToArray());
        await UploadAsync($"{dir}/deleted-later.txt", "still here then\n"u8.ToArray());
        await Task.Delay(1100); // server_modified has whole seconds: T must fall strictly between the versions
        string at = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        await Task.Delay(1100);
        await UploadAsync($"{dir}/doc.txt", "version three\n"u8.ToArray());
        await UploadAsync($"{dir}/created-later.txt", "new\n"u8.ToArray());
        await fx.Client.DeleteAsync($"{dir}/deleted-later.txt");

        string mnt = NewMountPoint("at");
        using var mount = await fx.StartMountAsync(mnt, "--at", at);
        try
        {
            string past = mnt + dir;
            Assert.Equal(["deleted-later.txt", "doc.txt"], Lines(await ShOkAsync($"ls {Q(past)}")));
            Assert.Equal("version two\n", await ShOkAsync($"cat {Q(past + "/doc.txt")}"));
            Assert.Equal("still here then\n", await ShOkAsync($"cat {Q(past + "/deleted-later.txt")}"));
            Assert.NotEqual(0, (await ShAsync($"cat {Q(past + "/created-later.txt")}")).ExitCode);
            var write = await ShAsync($"echo x > {Q(past + "/doc.txt")}");
            Assert.Contains("Read-only file system", write.Stderr);
            Assert.Contains("Tree", await ShOkAsync($"ls {Q(mnt)}"));
        }
        finally
        {
            await StopAsync(mount, mnt);
        }
    }

    [Fact]
    public async Task CopyingARevisionOverTheLiveFileWritesItsBytesAndRestoreBringsBackVersionOne()
    {
        string dir = NewRemoteFolder("cp");
        byte[] v1 = RandomBytes((1 << 20) + 9, 4);
        var first = await UploadAsync($"{dir}/f.bin", v1);
        await UploadAsync($"{dir}/f.bin", RandomBytes(10, 5));
        string mnt = NewMountPoint("cp");
        using var mount = await fx.StartMountAsync(mnt, "--sync-uploads"); // close(2) returns once the upload is committed
        try
        {
            string history = Path.Combine(mnt, ".dropbox", "revisions" + dir, "f.bin");
            string old = Lines(await ShOkAsync($"ls -U {Q(history)}")).Single(n => n.Contains(first.Rev, StringComparison.Ordinal));

            await ShOkAsync($"cp {Q(Path.Combine(history, old))} {Q(mnt + dir + "/f.bin")}");

            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(v1)), await RemoteSha256Async($"{dir}/f.bin"));
            Assert.Equal(3, (await fx.Client.ListRevisionsAsync($"{dir}/f.bin", limit: 100)).Entries.Count);
        }
        finally
        {
            await StopAsync(mount, mnt);
        }

        // `dropboxfs restore PATH REV` (files/restore) brings version one back as the live content too.
        await UploadAsync($"{dir}/f.bin", RandomBytes(10, 6));
        var restore = await DropboxfsProcess.RunAsync(Step, "restore", $"{dir}/f.bin", first.Rev, "--endpoint", fx.BaseUri.AbsoluteUri, "--token", MountFixture.Token);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(v1)), await RemoteSha256Async($"{dir}/f.bin"));
    }

    private async Task<string> RemoteSha256Async(string path)
    {
        using var download = await fx.Client.OpenDownloadAsync(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(download.Content));
    }

    private string NewRemoteFolder(string name) => $"/Changes/rev-{name}-{Guid.NewGuid():N}"[..40];

    private string NewMountPoint(string name)
    {
        string mnt = Path.Combine(fx.Dir, "rev-" + name);
        Directory.CreateDirectory(mnt);
        return mnt;
    }

    private async Task<FileMetadata> UploadAsync(string path, byte[] content)
    {
        using var stream = new MemoryStream(content);
        return await fx.Client.UploadAsync(path, stream, new UploadOptions { Overwrite = true });
    }

    private static async Task StopAsync(DropboxfsProcess mount, string mnt)
    {
        await SignalAsync(mount.Id, "TERM");
        Assert.True(await mount.WaitForExitAsync(TimeSpan.FromSeconds(20)) == 0, mount.Output);
        Assert.False(Mounts.IsMounted(mnt), $"{mnt} is still mounted");
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
