using DropboxFs.Api;
using DropboxFs.Core.Uploads;

namespace DropboxFs.Tests.Uploads;

/// <summary>The pipelined streaming pump (the next fragment is read and sent while the previous ack is hashed and
/// saved) and its global cap on streaming files.</summary>
public sealed class UploadPipelineTests
{
    private const int Fragment = 1 << 20;

    [Fact]
    public async Task PipelinedStreamingSendsEveryByteOnceInOrderAndReusesThePrefixHash()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);
        // 12.5 fragments written in odd-sized pieces, so fragment ends fall inside writes.
        var content = UploadHarness.RandomBytes((12 * Fragment) + (Fragment / 2), seed: 40);

        var writer = await UploadHarness.WriteAsync(queue, "/pipe.bin", content, chunk: 300_000, release: false);
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single().BytesUploaded >= 10 * Fragment, "ten fragments acked while open");
        Assert.Null(await h.MetadataAsync("/pipe.bin"));
        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        Assert.Equal(content, await h.Emu.DownloadAsync("/pipe.bin"));
        Assert.Equal(1, h.Count("files/upload_session/start"));
        // 12 whole fragments streamed (start + 11 appends) and the half fragment after close: nothing sent twice.
        Assert.Equal(12, h.Count("files/upload_session/append_v2"));
        Assert.Equal(1, queue.PrefixHashReuses);
        Assert.Equal(0, queue.StreamingFiles); // the pump gave its slot back
    }

    [Fact]
    public async Task RewriteWhileFragmentsAreInFlightNeverCommitsStaleBytes()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);
        var content = UploadHarness.RandomBytes(8 * Fragment, seed: 41);
        var writer = await UploadHarness.WriteAsync(queue, "/rewrite.bin", content, release: false);
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single().BytesUploaded >= Fragment, "a fragment acked");

        // Rewrites one byte in every fragment, the streamed ones, the in-flight one and the unsent ones alike.
        for (var f = 0; f < 8; f++)
        {
            var offset = (f * Fragment) + 17;
            content[offset] ^= 0xFF;
            await writer.WriteAsync(offset, content.AsMemory(offset, 1));
        }

        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        Assert.Equal(content, await h.Emu.DownloadAsync("/rewrite.bin"));
        Assert.Equal(2, h.Count("files/upload_session/start")); // the streamed session was abandoned, not finished
        Assert.Equal(0, queue.PrefixHashReuses);
    }

    [Fact]
    public async Task FilesBeyondTheStreamingCapAreNotHeldBackAndCommitIntact()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(o => new UploadQueueOptions
        {
            StateDirectory = o.StateDirectory,
            WriteBackDelay = o.WriteBackDelay,
            FragmentSize = o.FragmentSize,
            SmallFileMax = o.SmallFileMax,
            RetryBaseDelay = o.RetryBaseDelay,
            RetryMaxDelay = o.RetryMaxDelay,
            FailedRetryDelay = o.FailedRetryDelay,
            MaxStreamingFiles = 1,
        }, fragmentSize: Fragment);
        var contents = Enumerable.Range(0, 3).Select(i => UploadHarness.RandomBytes(6 * Fragment, seed: 50 + i)).ToArray();
        var writers = new List<UploadWriter>();
        for (var i = 0; i < contents.Length; i++)
        {
            writers.Add(await queue.OpenForWriteAsync($"/many/{i}.bin", null, truncate: false));
        }

        // Round-robin writes, as `cp -r` with several jobs would do.
        var peak = 0;
        for (var offset = 0; offset < 6 * Fragment; offset += Fragment / 4)
        {
            for (var i = 0; i < writers.Count; i++)
            {
                await writers[i].WriteAsync(offset, contents[i].AsMemory(offset, Fragment / 4));
                peak = Math.Max(peak, queue.StreamingFiles);
            }
        }

        foreach (var writer in writers)
        {
            await writer.ReleaseAsync();
        }

        await h.DrainAsync(queue);
        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal(ContentHash.Compute(contents[i]), await h.RemoteHashAsync($"/many/{i}.bin"));
        }

        Assert.Equal(1, peak); // streaming happened, one file at a time
        Assert.Equal(0, queue.StreamingFiles);
    }
}
