using System.Text;
using DropboxFs.Api;
using DropboxFs.Core.Uploads;

namespace DropboxFs.Tests.Uploads;

public sealed class UploadNamespaceTests
{
    [Fact]
    public async Task RenameOfPendingUploadUploadsOnceUnderNewName()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var content = Encoding.UTF8.GetBytes("rsync temp file content");

        await UploadHarness.WriteAsync(queue, "/dir/.report.txt.Ab12Cd", content);
        Assert.True(await queue.RetargetAsync("/dir/.report.txt.Ab12Cd", "/dir/report.txt", baseRevAtTarget: null));
        await h.DrainAsync(queue);

        Assert.Equal(content, await h.Emu.DownloadAsync("/dir/report.txt"));
        Assert.Equal(["report.txt"], await h.ListNamesAsync("/dir"));
        Assert.Equal(1, h.Count("files/upload_session/start"));
    }

    [Fact]
    public async Task RenameOverAnExistingFileReplacesItWithoutAConflict()
    {
        await using var h = await UploadHarness.StartAsync();
        var old = await h.Emu.UploadAsync("/doc.txt", "old contents");
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var saved = Encoding.UTF8.GetBytes("editor save");

        await UploadHarness.WriteAsync(queue, "/.doc.txt.swp", saved);
        await queue.RetargetAsync("/.doc.txt.swp", "/doc.txt", old.GetProperty("rev").GetString());
        await h.DrainAsync(queue);

        Assert.Equal(saved, await h.Emu.DownloadAsync("/doc.txt"));
        Assert.Empty(queue.GetConflicts());
        Assert.Equal(["doc.txt"], await h.ListNamesAsync(""));
    }

    [Fact]
    public async Task UnlinkOfPendingUploadUploadsNothing()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));

        await UploadHarness.WriteAsync(queue, "/tmp.lock", Encoding.UTF8.GetBytes("lock"));
        Assert.True(await queue.CancelAsync("/tmp.lock"));
        await h.DrainAsync(queue);

        Assert.Null(await h.MetadataAsync("/tmp.lock"));
        Assert.Equal(0, h.Count("files/upload_session/start") + h.Count("files/upload_session/start_batch"));
        Assert.Empty(queue.GetStatus());
        Assert.Empty(Directory.GetFiles(Path.Combine(h.StateDir, "staging")));
    }

    [Fact]
    public async Task UnlinkWhileOpenKeepsTheFileWritableButUploadsNothing()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync();

        var writer = await UploadHarness.WriteAsync(queue, "/scratch", Encoding.UTF8.GetBytes("abc"), release: false);
        await queue.CancelAsync("/scratch");
        await writer.WriteAsync(3, Encoding.UTF8.GetBytes("def"));
        var buffer = new byte[6];
        Assert.Equal(6, await writer.ReadAsync(0, buffer));
        Assert.Equal("abcdef", Encoding.UTF8.GetString(buffer));
        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        Assert.Null(await h.MetadataAsync("/scratch"));
        Assert.Empty(Directory.GetFiles(Path.Combine(h.StateDir, "staging")));
    }

    [Fact]
    public async Task ReopenWhileTheOlderGenerationIsPendingUploadsTheNewestContentWithoutConflict()
    {
        await using var h = await UploadHarness.StartAsync();
        // 8 MiB fragments: the 6 MiB file does not stream, so with a long write-back delay its job is
        // certainly still staged when the file is opened again (with 4 MiB fragments it streamed, was due
        // at release, and could commit before the re-open, which then had no base: a flaky test).
        var queue = await h.OpenQueueAsync(fragmentSize: 8 << 20, writeBackDelay: TimeSpan.FromHours(1));
        var first = UploadHarness.RandomBytes(6 << 20, seed: 30);
        var second = UploadHarness.RandomBytes(5 << 20, seed: 31);

        await UploadHarness.WriteAsync(queue, "/gen.bin", first);
        Assert.True(queue.HasPending("/gen.bin"));
        await UploadHarness.WriteAsync(queue, "/gen.bin", second, chunk: 1 << 20);
        await h.DrainAsync(queue);

        // The second open took over the staged job: one upload of the newest content, never a
        // conflicted copy of our own upload (the in-flight case is the next test).
        byte[] expected = [.. second, .. first.AsSpan(second.Length)]; // no truncate: the tail of the first stays
        Assert.Equal(ContentHash.Compute(expected), await h.RemoteHashAsync("/gen.bin"));
        Assert.Empty(queue.GetConflicts());
        Assert.Equal(["gen.bin"], await h.ListNamesAsync(""));
    }

    [Fact]
    public async Task AppendsThatReopenRightAfterEachReleaseKeepEveryLine()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var expected = new List<byte>();
        var writer = await queue.OpenForWriteAsync("/log.txt", null, truncate: false);
        for (var i = 0; i < 200; i++)
        {
            var line = Encoding.UTF8.GetBytes($"line {i}\n");
            await writer.WriteAsync(writer.Length, line);
            expected.AddRange(line);

            // `echo line >> log` in a loop: close(2) returns before the kernel's RELEASE, so the next
            // open races the last release of the previous writer. It must never share a closing writer.
            var closing = writer;
            var release = Task.Run(() => closing.ReleaseAsync());
            writer = await queue.OpenForWriteAsync("/log.txt", null, truncate: false);
            await release;
        }

        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        Assert.Equal(expected.ToArray(), await h.Emu.DownloadAsync("/log.txt"));
    }

    [Fact]
    public async Task NewGenerationWaitsForTheInFlightJobAndReplacesExactlyItsRev()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync();
        var first = UploadHarness.RandomBytes(9 << 20, seed: 32);
        var patch = UploadHarness.RandomBytes(1000, seed: 33);
        // Slow appends keep the first job in flight while the file is opened again.
        h.Emu.Control.SetLatency(TimeSpan.FromMilliseconds(300));

        var writer = await queue.OpenForWriteAsync("/chain.bin", null, truncate: false);
        for (var offset = first.Length - (1 << 20); offset >= 0; offset -= 1 << 20)
        {
            await writer.WriteAsync(offset, first.AsMemory(offset, 1 << 20)); // back to front: no streaming
        }

        await writer.ReleaseAsync();
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single().State == UploadState.Uploading, "the first job in flight");
        var second = await queue.OpenForWriteAsync("/chain.bin", null, truncate: false);
        await second.WriteAsync(5000, patch);
        await second.ReleaseAsync();
        Assert.Equal(2, queue.GetStatus().Count); // a second row follows the one in flight
        h.Emu.Control.SetLatency(TimeSpan.Zero);
        await h.DrainAsync(queue);

        var expected = (byte[])first.Clone();
        patch.CopyTo(expected, 5000);
        Assert.Equal(expected, await h.Emu.DownloadAsync("/chain.bin"));
        Assert.Empty(queue.GetConflicts());
        Assert.Equal(["chain.bin"], await h.ListNamesAsync(""));
    }

    [Fact]
    public async Task RenameWhileTheCommitIsInFlightEndsUnderTheNewName()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync();
        var content = UploadHarness.RandomBytes(9 << 20, seed: 34);
        h.Emu.Control.SetLatency(TimeSpan.FromMilliseconds(300));

        var writer = await queue.OpenForWriteAsync("/old-name.bin", null, truncate: false);
        for (var offset = content.Length - (1 << 20); offset >= 0; offset -= 1 << 20)
        {
            await writer.WriteAsync(offset, content.AsMemory(offset, 1 << 20));
        }

        await writer.ReleaseAsync();
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single().State == UploadState.Uploading, "the job in flight");
        await queue.RetargetAsync("/old-name.bin", "/new-name.bin", baseRevAtTarget: null);
        h.Emu.Control.SetLatency(TimeSpan.Zero);
        await h.DrainAsync(queue);

        Assert.Equal(content, await h.Emu.DownloadAsync("/new-name.bin"));
        Assert.Equal(["new-name.bin"], await h.ListNamesAsync(""));
    }

    [Fact]
    public async Task UnlinkWhileTheCommitIsInFlightLeavesNothingOnTheServer()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync();
        var content = UploadHarness.RandomBytes(9 << 20, seed: 35);
        h.Emu.Control.SetLatency(TimeSpan.FromMilliseconds(300));

        var writer = await queue.OpenForWriteAsync("/doomed.bin", null, truncate: false);
        for (var offset = content.Length - (1 << 20); offset >= 0; offset -= 1 << 20)
        {
            await writer.WriteAsync(offset, content.AsMemory(offset, 1 << 20));
        }

        await writer.ReleaseAsync();
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single().State == UploadState.Uploading, "the job in flight");
        Assert.True(await queue.CancelAsync("/doomed.bin"));
        h.Emu.Control.SetLatency(TimeSpan.Zero);
        await h.DrainAsync(queue);
        await UploadHarness.WaitUntilAsync(() => Directory.GetFiles(Path.Combine(h.StateDir, "staging")).Length == 0, "the in-flight job to wind down");

        Assert.Null(await h.MetadataAsync("/doomed.bin"));
        Assert.Empty(await h.ListNamesAsync(""));
    }

    [Fact]
    public async Task ReopenOfAStagedJobTakesItOverAndUploadsOnce()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var first = Encoding.UTF8.GetBytes("line one\n");
        var second = Encoding.UTF8.GetBytes("line two\n");

        await UploadHarness.WriteAsync(queue, "/log.txt", first);
        var id = queue.GetStatus().Single().Id;
        var writer = await queue.OpenForWriteAsync("/log.txt", null, truncate: false); // O_APPEND-style reopen
        await writer.WriteAsync(writer.Length, second);
        await writer.ReleaseAsync();

        Assert.Equal(id, queue.GetStatus().Single().Id); // same row, next generation
        await h.DrainAsync(queue);

        byte[] expected = [.. first, .. second];
        Assert.Equal(expected, await h.Emu.DownloadAsync("/log.txt"));
        Assert.Equal(1, h.Count("files/upload_session/start"));
        Assert.Equal(1, h.Count("files/upload_session/finish_batch_v2"));
    }
}
