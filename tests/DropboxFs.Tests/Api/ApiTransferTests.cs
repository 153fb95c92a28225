using DropboxFs.Api;
using DropboxFs.Emulator;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Api;

public sealed class ApiTransferTests
{
    [Fact]
    public async Task RangedDownloadReturnsExactlyTheRequestedBytesWithWholeFileMetadata()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(100_000);
        await h.PutAsync("/range.bin", data);
        await using var dl = await h.Client.OpenDownloadAsync("/range.bin", 1000, 5000);
        var ms = new MemoryStream();
        await dl.Content.CopyToAsync(ms);
        Assert.Equal(data.AsSpan(1000, 5000).ToArray(), ms.ToArray());
        Assert.Equal(100_000, dl.Metadata.Size);
        Assert.Equal(1000, dl.Offset);
    }

    [Fact]
    public async Task RangesOnAnEmptyFileOrPastTheEndYieldNoBytes()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/empty.bin", []);
        await h.PutAsync("/five.bin", [1, 2, 3, 4, 5]);
        await using (var dl = await h.Client.OpenDownloadAsync("/empty.bin", 0, 4096))
        {
            Assert.Equal(0, dl.Metadata.Size);
            Assert.Equal(-1, dl.Content.ReadByte());
        }
        await using (var dl = await h.Client.OpenDownloadAsync("/five.bin", 5))
        {
            Assert.Equal(5, dl.Metadata.Size);
            Assert.Equal(-1, dl.Content.ReadByte());
        }
        var ms = new MemoryStream();
        await h.Client.DownloadAsync("/five.bin", ms, startByte: 3, length: 100);
        Assert.Equal(new byte[] { 4, 5 }, ms.ToArray());
    }

    [Fact]
    public async Task DownloadInterruptedAtNBytesThenResumedWithStartByteIsByteIdentical()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(3 * 1024 * 1024 + 17, seed: 3);
        var meta = await h.PutAsync("/big.bin", data);
        h.Server.Control.AddFault(new FaultRule { Route = "files/download", Kind = FaultKind.ResetConnection, AfterBytes = 1_000_000 });
        var local = Path.Combine(h.TempDir, "big.bin");
        using (var noRetry = h.NewClient(maxRetries: 0))
        {
            await Assert.ThrowsAnyAsync<IOException>(() => noRetry.DownloadToFileAsync("/big.bin", local));
        }
        var partial = new FileInfo(local).Length;
        Assert.InRange(partial, 1, data.Length - 1);
        await using (var file = new FileStream(local, FileMode.Append))
        {
            var resumed = await h.Client.DownloadAsync("/big.bin", file, startByte: partial);
            Assert.Equal(meta.Rev, resumed.Rev);
        }
        Assert.Equal(data, await File.ReadAllBytesAsync(local));
        Assert.Equal(meta.ContentHash, await ContentHash.ComputeFileAsync(local));
    }

    [Fact]
    public async Task DownloadToFileResumeContinuesFromLocalLengthAndVerifiesHash()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(500_000, seed: 4);
        await h.PutAsync("/resume.bin", data);
        var local = Path.Combine(h.TempDir, "resume.bin");
        await File.WriteAllBytesAsync(local, data.AsSpan(0, 123_456).ToArray());
        await h.Client.DownloadToFileAsync("/resume.bin", local, resume: true);
        Assert.Equal(data, await File.ReadAllBytesAsync(local));
        await h.Client.DownloadToFileAsync("/resume.bin", local, resume: true); // already complete: nothing to fetch
        Assert.Equal(data, await File.ReadAllBytesAsync(local));
    }

    [Fact]
    public async Task ResetInTheMiddleOfADownloadBodyIsRetriedFromTheMissingByte()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(2_000_000, seed: 5);
        await h.PutAsync("/mid.bin", data);
        h.Server.Control.AddFault(new FaultRule { Route = "files/download", Kind = FaultKind.ResetConnection, AfterBytes = 700_000 });
        Assert.Equal(data, await h.GetAsync("/mid.bin"));
        Assert.Equal(2, h.Server.Control.RequestCount("files/download"));
    }

    [Fact]
    public async Task StalledDownloadBodyIsAbandonedAndResumedFromTheMissingByte()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(1_500_000, seed: 14);
        await h.PutAsync("/stall.bin", data);
        h.Flaky.StallBodyAfter("files/download", 400_000);
        using var client = new DropboxClient(new DropboxClientOptions
        {
            Endpoint = h.Server.BaseUri,
            Tokens = new StaticTokenSource(h.Server.StaticToken),
            HttpMessageHandler = h.Flaky,
            TimeProvider = h.Time,
            StallTimeout = TimeSpan.FromSeconds(2),
        });
        var ms = new MemoryStream();
        await client.DownloadAsync("/stall.bin", ms);
        Assert.Equal(data, ms.ToArray());
        Assert.InRange(h.Flaky.Forwarded("files/download"), 2, 6); // the stalled attempt, then the resumption
    }

    [Fact]
    public async Task UploadSessionKilledMidwayResumesFromSavedSessionAndOffset()
    {
        await using var h = await ApiHarness.StartAsync();
        const int fragment = 256 * 1024;
        var data = ApiHarness.RandomBytes(fragment * 5 + 999, seed: 6);
        UploadSessionCursor? saved = null;
        var progressCalls = 0;
        var dying = new DyingStream(new MemoryStream(data), fragment * 3 + 100);
        var options = new ResumableUploadOptions
        {
            FragmentSize = fragment,
            OnProgress = (p, _) =>
            {
                saved = p.Cursor;
                progressCalls++;
                return ValueTask.CompletedTask;
            },
        };
        await Assert.ThrowsAsync<IOException>(() => h.Client.UploadResumableAsync("/session.bin", dying, options));
        Assert.True(dying.Died);
        Assert.Equal(3, progressCalls);
        Assert.Equal(fragment * 3L, saved!.Offset);
        Assert.Null(await h.Client.TryGetMetadataAsync("/session.bin"));

        // A later process: fresh client, the whole file again, the saved cursor.
        using var client = h.NewClient();
        var appendsBefore = h.Server.Control.RequestCount("files/upload_session/append_v2");
        var meta = await client.UploadResumableAsync("/session.bin", new MemoryStream(data), options with { Resume = saved, OnProgress = null });
        Assert.Equal(ContentHash.Compute(data), meta.ContentHash);
        Assert.Equal(data.Length, meta.Size);
        Assert.Equal(3, h.Server.Control.RequestCount("files/upload_session/append_v2") - appendsBefore); // only the rest was sent
        Assert.Equal(data, await h.GetAsync("/session.bin"));
    }

    [Fact]
    public async Task StaleSavedOffsetIsCorrectedFromCorrectOffset()
    {
        await using var h = await ApiHarness.StartAsync();
        const int fragment = 128 * 1024;
        var data = ApiHarness.RandomBytes(fragment * 4 + 5, seed: 7);
        var cursors = new List<UploadSessionCursor>();
        var options = new ResumableUploadOptions
        {
            FragmentSize = fragment,
            OnProgress = (p, _) =>
            {
                cursors.Add(p.Cursor);
                return ValueTask.CompletedTask;
            },
        };
        await Assert.ThrowsAsync<IOException>(() => h.Client.UploadResumableAsync("/stale.bin", new DyingStream(new MemoryStream(data), fragment * 3), options));
        Assert.Equal(3, cursors.Count);
        // Resume from the FIRST cursor although the server holds three fragments: it answers incorrect_offset.
        var meta = await h.Client.UploadResumableAsync("/stale.bin", new MemoryStream(data), options with { Resume = cursors[0] });
        Assert.Equal(ContentHash.Compute(data), meta.ContentHash);
        Assert.Equal(data, await h.GetAsync("/stale.bin"));
    }

    [Fact]
    public async Task LostAppendAcknowledgementAnsweredWithIncorrectOffsetIsNotResent()
    {
        await using var h = await ApiHarness.StartAsync();
        const int fragment = 64 * 1024;
        var data = ApiHarness.RandomBytes(fragment * 3 + 1, seed: 8);
        h.Server.Control.AddFault(new FaultRule { Route = "files/upload_session/append_v2", Kind = FaultKind.IncorrectOffset, Skip = 1 });
        var meta = await h.Client.UploadResumableAsync("/lostack.bin", new MemoryStream(data), new ResumableUploadOptions { FragmentSize = fragment });
        Assert.Equal(ContentHash.Compute(data), meta.ContentHash);
        Assert.Equal(data, await h.GetAsync("/lostack.bin"));
    }

    [Fact]
    public async Task ForwardOnlyStreamUploadsThroughFragmentsAndSimpleUpload()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(300_000, seed: 9);
        var small = await h.Client.UploadAsync("/fwd-simple.bin", new ForwardOnly(new MemoryStream(data)));
        Assert.Equal(ContentHash.Compute(data), small.ContentHash);
        var big = await h.Client.UploadResumableAsync("/fwd-frag.bin", new ForwardOnly(new MemoryStream(data)), new ResumableUploadOptions { FragmentSize = 100_000 });
        Assert.Equal(ContentHash.Compute(data), big.ContentHash);
    }

    [Fact]
    public async Task ForwardOnlyBlockAlignedFragmentsSendPerRequestHashesAndCommitTheRightContent()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(2 * ContentHash.BlockSize + 12_345, seed: 12);
        var meta = await h.Client.UploadResumableAsync("/aligned.bin", new ForwardOnly(new MemoryStream(data)), new ResumableUploadOptions { FragmentSize = ContentHash.BlockSize });
        Assert.Equal(ContentHash.Compute(data), meta.ContentHash);
        Assert.Equal(3, h.Server.Control.RequestCount("files/upload_session/append_v2"));
        var local = Path.Combine(h.TempDir, "aligned.bin");
        await h.Client.DownloadToFileAsync("/aligned.bin", local, resume: false, verifyContentHash: false);
        Assert.Equal(data, await File.ReadAllBytesAsync(local));
    }

    [Fact]
    public async Task ConnectionResetInTheMiddleOfAFragmentBodyIsResentFromTheSource()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(900_000, seed: 13);
        h.Server.Control.AddFault(new FaultRule { Route = "files/upload_session/append_v2", Kind = FaultKind.ResetConnection, AfterBytes = 150_000, Skip = 1 });
        var meta = await h.Client.UploadResumableAsync("/reset-frag.bin", new MemoryStream(data), new ResumableUploadOptions { FragmentSize = 300_000 });
        Assert.Equal(ContentHash.Compute(data), meta.ContentHash);
        Assert.Equal(4, h.Server.Control.RequestCount("files/upload_session/append_v2"));
        Assert.Equal(data, await h.GetAsync("/reset-frag.bin"));
    }

    [Fact]
    public async Task BatchUploadCommitsManySmallFilesInOneFinishBatch()
    {
        await using var h = await ApiHarness.StartAsync();
        var items = Enumerable.Range(0, 5).Select(i => new BatchUploadItem($"/batch/f{i}.txt", ApiHarness.RandomBytes(100 + i, i))).ToList();
        var results = await h.Client.UploadBatchAsync(items);
        Assert.All(results, r => Assert.True(r.IsSuccess, r.Failure?.Message));
        Assert.Equal(1, h.Server.Control.RequestCount("files/upload_session/finish_batch_v2"));
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(items[i].Content.ToArray(), await h.GetAsync(items[i].Path));
        }
        // A conflicting entry fails alone.
        var again = await h.Client.UploadBatchAsync([new BatchUploadItem("/batch/f0.txt", new byte[] { 1, 2, 3 }), new BatchUploadItem("/batch/new.txt", new byte[] { 4 })]);
        Assert.False(again[0].IsSuccess);
        Assert.True(again[0].Failure!.IsConflict, again[0].Failure!.TagPath);
        Assert.True(again[1].IsSuccess);
    }

    [Fact]
    public async Task UploadFileAbovePerRequestFragmentUsesSessionAndProgressFiresPerFragment()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(1_000_000, seed: 10);
        var local = Path.Combine(h.TempDir, "up.bin");
        await File.WriteAllBytesAsync(local, data);
        var progress = new List<long>();
        var meta = await h.Client.UploadFileAsync(local, "/Ünïcode 文件.bin", new ResumableUploadOptions
        {
            FragmentSize = 300_000,
            OnProgress = (p, _) =>
            {
                progress.Add(p.BytesUploaded);
                return ValueTask.CompletedTask;
            },
        });
        Assert.Equal([300_000L, 600_000, 900_000, 1_000_000], progress);
        Assert.Equal("Ünïcode 文件.bin", meta.Name);
        Assert.Equal(ContentHash.Compute(data), meta.ContentHash);
    }

    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
