using DropboxFs.Api;

namespace DropboxFs.Tests.Uploads;

public sealed class UploadStreamingTests
{
    private const int Fragment = 4 << 20;

    [Fact]
    public async Task SequentialWriteStreamsFragmentsBeforeClose()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);
        var content = UploadHarness.RandomBytes(20 << 20, seed: 10);

        var writer = await UploadHarness.WriteAsync(queue, "/movie.bin", content, release: false);
        // 20 MiB = 5 fragments; the session starts with the first and takes the next three as appends
        // while the file is still open (the fifth completes only at close... it is complete too, so 4).
        await UploadHarness.WaitUntilAsync(() => h.Count("files/upload_session/append_v2") >= 3, "fragments streamed while open");
        Assert.Null(await h.MetadataAsync("/movie.bin"));
        Assert.Equal(1, h.Count("files/upload_session/start"));

        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/movie.bin"));
        Assert.Equal(1, h.Count("files/upload_session/start")); // one session, never restarted
        Assert.Equal(4, h.Count("files/upload_session/append_v2")); // every byte sent once
        Assert.Equal(1, queue.PrefixHashReuses); // the 16 streamed MiB were hashed while streaming, not again
    }

    [Fact]
    public async Task WriteBehindTheStreamedOffsetAbandonsTheSessionAndStillCommitsCorrectBytes()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);
        var content = UploadHarness.RandomBytes(12 << 20, seed: 11);

        var writer = await UploadHarness.WriteAsync(queue, "/db.bin", content, release: false);
        await UploadHarness.WaitUntilAsync(() => h.Count("files/upload_session/append_v2") >= 1, "a streamed fragment");
        var header = UploadHarness.RandomBytes(4096, seed: 12);
        await writer.WriteAsync(100, header); // rewrites bytes already in the session
        header.CopyTo(content, 100);
        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/db.bin"));
        Assert.Equal(content, await h.Emu.DownloadAsync("/db.bin"));
        Assert.Equal(2, h.Count("files/upload_session/start")); // the stale session was abandoned, a new one sent
        Assert.Equal(0, queue.PrefixHashReuses); // and the prefix hash with it
    }

    [Fact]
    public async Task SequentialWriterIsHeldWithinTheStreamingWindow()
    {
        await using var h = await UploadHarness.StartAsync();
        const long window = 2 * Fragment;
        var queue = await h.OpenQueueAsync(o => new DropboxFs.Core.Uploads.UploadQueueOptions
        {
            StateDirectory = o.StateDirectory,
            WriteBackDelay = TimeSpan.Zero,
            FragmentSize = Fragment,
            SmallFileMax = Fragment,
            StreamingWindow = window,
        });
        h.Emu.Control.SetLatency(TimeSpan.FromMilliseconds(50));
        var content = UploadHarness.RandomBytes(28 << 20, seed: 13);

        var writer = await queue.OpenForWriteAsync("/held.bin", null, truncate: false);
        long worstLag = 0;
        for (var offset = 0; offset < content.Length; offset += 1 << 20)
        {
            await writer.WriteAsync(offset, content.AsMemory(offset, 1 << 20));
            worstLag = Math.Max(worstLag, offset + (1 << 20) - queue.GetStatus().Single().BytesUploaded);
        }

        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        // Without back-pressure the writer (disk speed) ends ~28 MiB ahead of the 50 ms-per-request stream.
        Assert.True(worstLag <= window + 2 * Fragment, $"writer ran {worstLag} bytes ahead of the acknowledged stream");
        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/held.bin"));
    }
}
