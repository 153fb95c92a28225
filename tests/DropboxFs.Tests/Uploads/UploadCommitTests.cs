using System.Text;
using DropboxFs.Api;
using DropboxFs.Core.Uploads;

namespace DropboxFs.Tests.Uploads;

public sealed class UploadCommitTests
{
    [Fact]
    public async Task StagedFileCommitsWithTheRightContentHash()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync();
        var content = UploadHarness.RandomBytes(300_000, seed: 1);

        await UploadHarness.WriteAsync(queue, "/Docs/report.bin", content);
        await h.DrainAsync(queue);

        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/Docs/report.bin"));
        Assert.Empty(queue.GetStatus());
        Assert.Empty(Directory.GetFiles(Path.Combine(h.StateDir, "staging")));
    }

    [Fact]
    public async Task ReleaseReturnsOnlyAfterTheJournalRowAndStagingAreDurable()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var content = Encoding.UTF8.GetBytes("acknowledged means durable");

        await UploadHarness.WriteAsync(queue, "/a.txt", content);

        var status = Assert.Single(queue.GetStatus());
        Assert.Equal(UploadState.Staged, status.State);
        Assert.Equal(content.Length, status.Size);
        var staged = Assert.Single(Directory.GetFiles(Path.Combine(h.StateDir, "staging")));
        Assert.Equal(content, await File.ReadAllBytesAsync(staged));
        Assert.Null(await h.MetadataAsync("/a.txt")); // the write-back delay has not passed
    }

    [Fact]
    public async Task PartialOverwriteFillsUnwrittenRangesFromTheBaseRev()
    {
        await using var h = await UploadHarness.StartAsync();
        var original = UploadHarness.RandomBytes(3_000_000, seed: 2);
        var meta = await h.Emu.UploadAsync("/big.bin", original);
        var queue = await h.OpenQueueAsync();
        var patch = Encoding.ASCII.GetBytes("PATCHED");

        var writer = await queue.OpenForWriteAsync("/big.bin", new WriteBase(meta.GetProperty("rev").GetString()!, original.Length), truncate: false);
        await writer.WriteAsync(1_000_000, patch);
        var expected = (byte[])original.Clone();
        patch.CopyTo(expected, 1_000_000);
        var around = new byte[10_000];
        Assert.Equal(around.Length, await writer.ReadAsync(995_000, around)); // written bytes + base bytes around them
        Assert.Equal(expected.AsSpan(995_000, around.Length).ToArray(), around);
        await writer.ReleaseAsync();
        await h.DrainAsync(queue);

        Assert.Equal(expected, await h.Emu.DownloadAsync("/big.bin"));
        Assert.Empty(queue.GetConflicts());
    }

    [Fact]
    public async Task IdenticalContentIsNotUploadedAgain()
    {
        await using var h = await UploadHarness.StartAsync();
        var content = UploadHarness.RandomBytes(100_000, seed: 3);
        var meta = await h.Emu.UploadAsync("/same.bin", content);
        var rev = meta.GetProperty("rev").GetString()!;
        var queue = await h.OpenQueueAsync();
        h.Emu.Control.ResetRequestCounts();

        await UploadHarness.WriteAsync(queue, "/same.bin", content, new WriteBase(rev, content.Length));
        await h.DrainAsync(queue);

        Assert.Equal(0, h.Count("files/upload_session/start") + h.Count("files/upload_session/append_v2") + h.Count("files/upload"));
        Assert.Equal(0, h.Count("files/upload_session/finish_batch_v2") + h.Count("files/upload_session/finish"));
        Assert.Equal(rev, (await h.MetadataAsync("/same.bin"))!.Value.GetProperty("rev").GetString());
        Assert.Empty(queue.GetStatus());
    }

    [Fact]
    public async Task ConcurrentRemoteEditKeepsBothVersionsAsAConflictedCopy()
    {
        await using var h = await UploadHarness.StartAsync();
        var original = Encoding.UTF8.GetBytes("version 0");
        var meta = await h.Emu.UploadAsync("/notes/todo.txt", original);
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var ours = Encoding.UTF8.GetBytes("our local edit");
        var theirs = Encoding.UTF8.GetBytes("their remote edit");

        await UploadHarness.WriteAsync(queue, "/notes/todo.txt", ours, new WriteBase(meta.GetProperty("rev").GetString()!, original.Length));
        await h.Emu.UploadAsync("/notes/todo.txt", theirs, mode: "overwrite");
        await h.DrainAsync(queue);

        Assert.Equal(theirs, await h.Emu.DownloadAsync("/notes/todo.txt"));
        var conflict = Assert.Single(queue.GetConflicts());
        Assert.Equal("/notes/todo.txt", conflict.Path);
        Assert.NotEqual("/notes/todo.txt", conflict.ConflictPath, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(ours, await h.Emu.DownloadAsync(conflict.ConflictPath));
        Assert.Equal(2, (await h.ListNamesAsync("/notes")).Count);
    }

    [Fact]
    public async Task FullQuotaKeepsTheJobWithTheErrorAndCommitsAfterTheQuotaIsRaised()
    {
        await using var h = await UploadHarness.StartAsync();
        h.Emu.Control.SetQuota(1000);
        var queue = await h.OpenQueueAsync();
        var content = UploadHarness.RandomBytes(50_000, seed: 4);

        await UploadHarness.WriteAsync(queue, "/full.bin", content);
        await h.DrainAsync(queue); // returns once the row is failed (kept, not dropped)

        var status = Assert.Single(queue.GetStatus());
        Assert.Equal(UploadState.Failed, status.State);
        Assert.True(status.NoSpace);
        Assert.Contains("insufficient_space", status.LastError);
        Assert.True(queue.IsQuotaExceeded);
        Assert.Null(await h.MetadataAsync("/full.bin"));
        Assert.Single(Directory.GetFiles(Path.Combine(h.StateDir, "staging")));

        h.Emu.Control.SetQuota(1L << 30);
        await queue.RetryNowAsync();
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Count == 0, "the retried commit");

        Assert.Equal(content, await h.Emu.DownloadAsync("/full.bin"));
    }

    [Fact]
    public async Task SyncUploadsReleaseWaitsForTheCommitAndReportsNoSpace()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(o => new UploadQueueOptions
        {
            StateDirectory = o.StateDirectory,
            SyncUploads = true,
            WriteBackDelay = TimeSpan.Zero,
            FailedRetryDelay = TimeSpan.FromHours(1),
        });
        var content = Encoding.UTF8.GetBytes("synchronous");

        await UploadHarness.WriteAsync(queue, "/sync.txt", content);
        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/sync.txt")); // no drain: release waited

        h.Emu.Control.SetQuota(1);
        var writer = await UploadHarness.WriteAsync(queue, "/nospace.bin", UploadHarness.RandomBytes(10_000, 5), release: false);
        var error = await Assert.ThrowsAsync<UploadFailedException>(() => writer.ReleaseAsync());
        Assert.True(error.NoSpace);
        Assert.Equal(UploadState.Failed, queue.GetPending("/nospace.bin")!.State);
    }

    [Fact]
    public async Task ReadsAfterCloseSeeThePendingContentUntilItIsCommitted()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var content = Encoding.UTF8.GetBytes("fresh bytes, not yet on the server");

        await UploadHarness.WriteAsync(queue, "/Pending.txt", content);
        var buffer = new byte[100];
        var n = await queue.ReadPendingAsync("/pending.TXT", 6, buffer);
        Assert.Equal(content.Length - 6, n);
        Assert.Equal(content.AsSpan(6).ToArray(), buffer.AsSpan(0, n!.Value).ToArray());

        var reports = new List<UploadDrainProgress>();
        await queue.DrainAsync(new Progress<UploadDrainProgress>(reports.Add), UploadHarness.Hang());

        Assert.Null(await queue.ReadPendingAsync("/Pending.txt", 0, buffer));
        Assert.Equal(content, await h.Emu.DownloadAsync("/Pending.txt"));
        await UploadHarness.WaitUntilAsync(() => { lock (reports) { return reports.Count > 0; } }, "a progress report");
    }

    [Fact]
    public async Task ClientModifiedSetByUtimensSurvivesTheUpload()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var mtime = new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

        var writer = await UploadHarness.WriteAsync(queue, "/photo.jpg", UploadHarness.RandomBytes(5000, 40), release: false);
        writer.SetClientModified(mtime);
        await writer.ReleaseAsync();
        Assert.Equal(mtime, queue.GetPending("/photo.jpg")!.ClientModified); // shown at once, before the upload
        await h.DrainAsync(queue);

        var meta = (await h.MetadataAsync("/photo.jpg"))!.Value;
        Assert.Equal(mtime, DateTimeOffset.Parse(meta.GetProperty("client_modified").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
