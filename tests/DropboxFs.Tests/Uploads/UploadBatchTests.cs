using System.Text;
using DropboxFs.Api;
using DropboxFs.Emulator;

namespace DropboxFs.Tests.Uploads;

public sealed class UploadBatchTests
{
    [Fact]
    public async Task HundredSmallFilesCommitThroughFinishBatchWithoutErrors()
    {
        await using var h = await UploadHarness.StartAsync();
        // A long write-back delay holds the files until the drain releases them together.
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var files = Enumerable.Range(0, 100).Select(i => ($"/batch/f{i:D3}.txt", Encoding.UTF8.GetBytes($"file {i} " + new string('x', i * 10)))).ToList();

        foreach (var (path, content) in files)
        {
            await UploadHarness.WriteAsync(queue, path, content);
        }

        await h.DrainAsync(queue);

        Assert.Empty(queue.GetStatus());
        Assert.Equal(1, h.Count("files/upload_session/finish_batch_v2"));
        Assert.Equal(0, h.Count("files/upload_session/finish") + h.Count("files/upload"));
        foreach (var (path, content) in files)
        {
            Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync(path));
        }
    }

    [Fact]
    public async Task TenPercentFaultRateWhileCommittingFiftySmallFilesLosesNothing()
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync();
        foreach (var kind in new[] { FaultKind.TooManyRequests, FaultKind.InternalServerError, FaultKind.ServiceUnavailable, FaultKind.ResetConnection })
        {
            h.Emu.Control.AddFault(new FaultRule { Kind = kind, Rate = 0.025, Times = 0, AfterBytes = 10 });
        }

        h.Emu.Control.AddFault(new FaultRule { Route = "files/upload_session/finish_batch_v2", Kind = FaultKind.TooManyWriteOperations, Times = 2 });
        var files = Enumerable.Range(0, 50).Select(i => ($"/faulty/{i}.bin", UploadHarness.RandomBytes(1000 + i * 97, seed: 100 + i))).ToList();

        foreach (var (path, content) in files)
        {
            await UploadHarness.WriteAsync(queue, path, content);
        }

        await h.DrainAsync(queue);
        h.Emu.Control.ClearFaults();

        Assert.Empty(queue.GetStatus());
        Assert.Empty(queue.GetConflicts());
        foreach (var (path, content) in files)
        {
            Assert.Equal(content, await h.Emu.DownloadAsync(path));
        }

        Assert.Equal(50, (await h.ListNamesAsync("/faulty")).Count); // no duplicates from repeated commits
    }

    [Theory]
    [InlineData(FaultKind.InternalServerError)]
    [InlineData(FaultKind.ResetConnection)]
    public async Task BatchFinishWithAnUnknownOutcomeIsCheckedAndCommitsEachFileOnce(FaultKind kind)
    {
        await using var h = await UploadHarness.StartAsync();
        var queue = await h.OpenQueueAsync(writeBackDelay: TimeSpan.FromHours(1));
        var files = Enumerable.Range(0, 20).Select(i => ($"/unknown/{i}.txt", Encoding.UTF8.GetBytes($"content {i}"))).ToList();
        foreach (var (path, content) in files)
        {
            await UploadHarness.WriteAsync(queue, path, content);
        }

        h.Emu.Control.AddFault(new FaultRule { Route = "files/upload_session/finish_batch_v2", Kind = kind, Times = 1 });
        await h.DrainAsync(queue);

        Assert.Empty(queue.GetStatus());
        Assert.Empty(queue.GetConflicts());
        Assert.True(h.Count("files/upload_session/finish_batch_v2") >= 2); // the failed one, checked, then the retry
        foreach (var (path, content) in files)
        {
            Assert.Equal(content, await h.Emu.DownloadAsync(path));
        }

        Assert.Equal(20, (await h.ListNamesAsync("/unknown")).Count);
    }
}
