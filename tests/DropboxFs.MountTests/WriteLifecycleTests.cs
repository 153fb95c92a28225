using DropboxFs.Api;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// How a read-write mount ends: SIGTERM uploads what is queued before exiting; `unmount --force` leaves the
/// queue in the journal and the next mount resumes it. A 10-minute write-back delay keeps the file queued
/// until then, so what is tested is the drain, not the timer.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class WriteLifecycleTests(MountFixture fx)
{
    private const string LongDelay = "10m";

    [Fact]
    public async Task SigtermUploadsWhatIsQueuedBeforeTheMountExits()
    {
        await using var m = await WritableMount.StartAsync(fx, "sigterm-drain", "--write-back-delay", LongDelay);
        await m.ShOkAsync($"mkdir -p {Q(m.Path)}/Writes/sigterm && printf 'queued at SIGTERM\\n' > {Q(m.Path)}/Writes/sigterm/a.txt");
        Assert.Equal(1, (await m.UploadsAsync()).GetProperty("pending_count").GetInt32());

        await SignalAsync(m.Process.Id, "TERM");

        Assert.Equal(0, await m.Process.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        Assert.Contains("Uploading 1 pending file(s) before exiting", m.Process.Output);
        Assert.False(Mounts.IsMounted(m.Path));
        Assert.Equal("queued at SIGTERM\n", await DownloadTextAsync("/Writes/sigterm/a.txt"));
    }

    [Fact]
    public async Task UnmountForceLeavesTheQueueAndTheNextMountResumesIt()
    {
        await using var m = await WritableMount.StartAsync(fx, "force", "--write-back-delay", LongDelay);
        await m.ShOkAsync($"mkdir -p {Q(m.Path)}/Writes/force && printf 'left for the next mount\\n' > {Q(m.Path)}/Writes/force/b.txt");

        var forced = await m.UnmountAsync(force: true);

        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.DoesNotContain("Uploading", m.Process.Output);
        Assert.Null(await fx.Client.TryGetMetadataAsync("/Writes/force/b.txt"));

        await m.RestartAsync();
        Assert.Equal("left for the next mount\n", await m.ShOkAsync($"cat {Q(m.Path)}/Writes/force/b.txt"));
        Assert.Contains((await m.UploadsAsync()).GetProperty("pending").EnumerateArray(), j => j.GetProperty("path").GetString() == "/Writes/force/b.txt");
        var drained = await m.UnmountAsync();
        Assert.True(drained.ExitCode == 0, drained.ToString());
        Assert.Equal("left for the next mount\n", await DownloadTextAsync("/Writes/force/b.txt"));
    }

    [Fact]
    public async Task CtrlCDuringTheUnmountDrainLeavesTheMountUpAndUploading()
    {
        await using var m = await WritableMount.StartAsync(fx, "drain-interrupt", "--write-back-delay", LongDelay);
        byte[] data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(6 << 20);
        string local = Path.Combine(fx.Dir, "drain-interrupt.bin");
        await File.WriteAllBytesAsync(local, data);
        await m.ShOkAsync($"mkdir -p {Q(m.Path)}/Writes/interrupt && cp {Q(local)} {Q(m.Path)}/Writes/interrupt/c.bin");
        RunResult interrupted;
        await fx.ControlAsync("bandwidth", new { bytes_per_second = 512 << 10 }); // 6 MiB: ~12 s of drain
        try
        {
            using var unmount = DropboxfsProcess.Start("unmount", m.Path);
            await unmount.WaitForLineAsync(l => l.StartsWith("Uploading before unmount: 1 file(s)", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            await SignalAsync(unmount.Id, "INT");
            int exit = await unmount.WaitForExitAsync(TimeSpan.FromSeconds(20));
            interrupted = new RunResult(exit, "", unmount.Output);
        }
        finally
        {
            await fx.ControlAsync("bandwidth", new { bytes_per_second = 0 });
        }

        Assert.True(interrupted.ExitCode == 130, interrupted.ToString());
        Assert.Contains($"dropboxfs unmount --force {m.Path}", interrupted.Stderr);
        Assert.True(Mounts.IsMounted(m.Path), "Ctrl-C on `dropboxfs unmount` must leave the mount up");
        Assert.Equal(data, await File.ReadAllBytesAsync($"{m.Path}/Writes/interrupt/c.bin"));
        var drained = await m.UnmountAsync();
        Assert.True(drained.ExitCode == 0, drained.ToString());
        var meta = Assert.IsType<FileMetadata>(await fx.Client.GetMetadataAsync("/Writes/interrupt/c.bin"));
        Assert.Equal(await ContentHash.ComputeFileAsync(local), meta.ContentHash);
    }

    private async Task<string> DownloadTextAsync(string path)
    {
        using var bytes = new MemoryStream();
        await fx.Client.DownloadAsync(path, bytes);
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}
