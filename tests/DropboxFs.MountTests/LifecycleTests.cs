using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// Starting and stopping `dropboxfs mount`: SIGTERM unmounts cleanly even while the mount is busy,
/// `kill -9` leaves no dead mount, bad mountpoints fail clearly without touching a live mount.
/// Each test uses its own mountpoint next to the shared one (same emulator).
/// </summary>
[Collection(MountCollection.Name)]
public sealed class LifecycleTests(MountFixture fx)
{
    private static readonly TimeSpan s_exit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SigtermUnmountsCleanlyAndExitsZero()
    {
        string mnt = NewMountPoint("sigterm");
        using var mount = await fx.StartMountAsync(mnt, "--read-only");
        Assert.Equal(await File.ReadAllTextAsync(fx.Seed.Local("readme.txt")), await ShOkAsync($"cat {Q(mnt)}/Tree/readme.txt"));

        await SignalAsync(mount.Id, "TERM");

        Assert.True(await mount.WaitForExitAsync(s_exit) == 0, mount.Output);
        Assert.False(Mounts.IsMounted(mnt), $"{mnt} is still in /proc/mounts after SIGTERM");
        Assert.Equal("", await ShOkAsync($"ls -A {Q(mnt)}"));
    }

    [Fact]
    public async Task SigtermWhileAProcessSitsInsideDetachesAtOnceAndExitsZeroWhenItLeaves()
    {
        string mnt = NewMountPoint("busy-sigterm");
        using var mount = await fx.StartMountAsync(mnt, "--read-only");
        await using (var sitter = await SitInsideAsync(mnt))
        {
            await SignalAsync(mount.Id, "TERM");

            // Lazy unmount: the mountpoint is free at once, the daemon keeps serving the process inside.
            Assert.True(await PollAsync(() => Task.FromResult(!Mounts.IsMounted(mnt)), TimeSpan.FromSeconds(10)), "SIGTERM did not detach the busy mount");
            Assert.Equal(await File.ReadAllTextAsync(fx.Seed.Local("readme.txt")), await File.ReadAllTextAsync($"/proc/{sitter.Id}/cwd/readme.txt"));
            Assert.False(mount.HasExited, "the daemon exited while a process still used the detached mount");
        }

        Assert.True(await mount.WaitForExitAsync(s_exit) == 0, mount.Output);
    }

    [Fact]
    public async Task KillNineLeavesNoDeadMountAndTheMountPointCanBeReused()
    {
        string mnt = NewMountPoint("kill9");
        using (var mount = await fx.StartMountAsync(mnt, "--read-only"))
        {
            await ShOkAsync($"cat {Q(mnt)}/Tree/readme.txt");

            await SignalAsync(mount.Id, "KILL");
            await mount.WaitForExitAsync(s_exit);
        }

        Assert.True(await PollAsync(() => Task.FromResult(!Mounts.IsMounted(mnt)), TimeSpan.FromSeconds(10)),
            $"kill -9 left a mount at {mnt} (running as uid {Environment.GetEnvironmentVariable("USER") ?? "?"}): " +
            (await ShAsync($"ls {Q(mnt)}")).Stderr);
        Assert.Equal("", await ShOkAsync($"ls -A {Q(mnt)}"));

        using var again = await fx.StartMountAsync(mnt, "--read-only");
        await ShOkAsync($"cat {Q(mnt)}/Tree/readme.txt");
        await SignalAsync(again.Id, "TERM");
        Assert.Equal(0, await again.WaitForExitAsync(s_exit));
    }

    [Fact]
    public async Task KillNineWhileAProcessSitsInsideStillDetachesTheMount()
    {
        string mnt = NewMountPoint("kill9-busy");
        using var mount = await fx.StartMountAsync(mnt, "--read-only");
        await using (await SitInsideAsync(mnt))
        {
            await SignalAsync(mount.Id, "KILL");
            await mount.WaitForExitAsync(s_exit);

            Assert.True(await PollAsync(() => Task.FromResult(!Mounts.IsMounted(mnt)), TimeSpan.FromSeconds(10)),
                $"kill -9 with a process inside left a mount at {mnt}");
        }

        Assert.Equal("", await ShOkAsync($"ls -A {Q(mnt)}"));
    }

    [Fact]
    public async Task WarmRestartShowsChangesMadeWhileUnmountedNeverTheCachedOldState()
    {
        string mnt = NewMountPoint("restart");
        string v1 = new string('1', 200_000) + "\n";
        string v2 = new string('2', 200_000) + "\n";
        await fx.Client.CreateFolderAsync("/Changes/restart");
        await Upload("/Changes/restart/edited.txt", v1);
        await Upload("/Changes/restart/deleted.txt", "going\n");
        await Upload("/Changes/restart/moved.txt", "moving\n");

        using (var first = await fx.StartMountAsync(mnt, "--read-only"))
        {
            Assert.Equal(v1, await ShOkAsync($"cat {Q(mnt)}/Changes/restart/edited.txt"));
            Assert.Equal("deleted.txt\nedited.txt\nmoved.txt\n", await ShOkAsync($"ls {Q(mnt)}/Changes/restart"));
            await SignalAsync(first.Id, "TERM");
            Assert.Equal(0, await first.WaitForExitAsync(s_exit));
        }

        await Upload("/Changes/restart/edited.txt", v2);
        await fx.Client.DeleteAsync("/Changes/restart/deleted.txt");
        await fx.Client.MoveAsync("/Changes/restart/moved.txt", "/Changes/restart/renamed.txt");
        await Upload("/Changes/restart/added.txt", "new\n");

        // Same --cache-dir: metadata, cursor and the v1 blocks are still on disk.
        using var second = await fx.StartMountAsync(mnt, "--read-only");
        Assert.True(await PollAsync(async () => (await ShAsync($"ls {Q(mnt)}/Changes/restart")).Stdout == "added.txt\nedited.txt\nrenamed.txt\n", TimeSpan.FromSeconds(5)),
            "after a warm restart the listing does not show the changes made while unmounted: " + (await ShAsync($"ls {Q(mnt)}/Changes/restart")).Stdout);
        Assert.True(await PollAsync(async () => (await ShAsync($"cat {Q(mnt)}/Changes/restart/edited.txt")).Stdout == v2, TimeSpan.FromSeconds(5)),
            "after a warm restart the mount serves the old content of a file changed while unmounted");
        Assert.Equal("moving\n", await ShOkAsync($"cat {Q(mnt)}/Changes/restart/renamed.txt"));
        await SignalAsync(second.Id, "TERM");
        Assert.Equal(0, await second.WaitForExitAsync(s_exit));
    }

    [Fact]
    public async Task MountingOnAMountPointInUseFailsClearlyAndLeavesTheLiveMountServing()
    {
        string mnt = NewMountPoint("in-use");
        using var first = await fx.StartMountAsync(mnt, "--read-only");
        string readme = await File.ReadAllTextAsync(fx.Seed.Local("readme.txt"));
        Assert.Equal(readme, await ShOkAsync($"cat {Q(mnt)}/Tree/readme.txt"));

        using var second = fx.StartMountProcess(mnt, "--read-only");
        int exit = await second.WaitForExitAsync(s_exit);

        Assert.NotEqual(0, exit);
        Assert.Contains(mnt, second.Output);
        Assert.DoesNotContain("   at ", second.Output); // a sentence, not a stack trace
        Assert.False(first.HasExited, first.Output);
        Assert.Single(Mounts.All(), m => m.Target == mnt);
        Assert.Equal(readme, (await ShAsync($"cat {Q(mnt)}/Tree/readme.txt")).Stdout);

        await SignalAsync(first.Id, "TERM");
        Assert.Equal(0, await first.WaitForExitAsync(s_exit));
    }

    [Fact]
    public async Task MountingOnAMissingDirectoryFailsClearlyWithNonZeroExit()
    {
        string missing = Path.Combine(fx.Dir, "does-not-exist");
        using var p = fx.StartMountProcess(missing);

        int exit = await p.WaitForExitAsync(s_exit);

        Assert.NotEqual(0, exit);
        Assert.Contains(missing, p.Output);
        Assert.DoesNotContain("   at ", p.Output);
        Assert.False(Directory.Exists(missing));
        Assert.False(Mounts.IsMounted(missing));
    }

    [Fact]
    public async Task MountingOnARegularFileFailsClearlyWithNonZeroExit()
    {
        string file = Path.Combine(fx.Dir, "a-file");
        await File.WriteAllTextAsync(file, "not a directory\n");
        using var p = fx.StartMountProcess(file);

        int exit = await p.WaitForExitAsync(s_exit);

        Assert.NotEqual(0, exit);
        Assert.Contains(file, p.Output);
        Assert.DoesNotContain("   at ", p.Output);
        Assert.False(Mounts.IsMounted(file));
    }

    private Task Upload(string path, string text) =>
        fx.Client.UploadAsync(path, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), new DropboxFs.Api.UploadOptions { Overwrite = true });

    private string NewMountPoint(string name)
    {
        string mnt = Path.Combine(fx.Dir, name);
        Directory.CreateDirectory(mnt);
        return mnt;
    }

    /// <summary>A shell sitting in the mount's Tree folder (a busy mount), once it is inside; disposing kills it.</summary>
    private static async Task<Sitter> SitInsideAsync(string mnt)
    {
        var sitter = new Sitter(System.Diagnostics.Process.Start("/bin/sh", ["-c", $"cd {Q(mnt)}/Tree && exec sleep 60"]));
        try
        {
            Assert.True(await PollAsync(() => Task.FromResult(Directory.ResolveLinkTarget($"/proc/{sitter.Id}/cwd", false)?.FullName.EndsWith("/Tree", StringComparison.Ordinal) == true), TimeSpan.FromSeconds(10)),
                "the sitting process did not enter the mount");
            return sitter;
        }
        catch
        {
            await sitter.DisposeAsync();
            throw;
        }
    }

    private sealed class Sitter(System.Diagnostics.Process process) : IAsyncDisposable
    {
        public int Id => process.Id;

        public async ValueTask DisposeAsync()
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
