using DropboxFs.Api;
using DropboxFs.Core.Uploads;
using DropboxFs.Emulator;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Uploads;

public sealed class UploadRecoveryTests
{
    private const int Fragment = 4 << 20;

    [Fact]
    public async Task RestartResumesAStreamedUploadFromItsSavedOffset()
    {
        await using var h = await UploadHarness.StartAsync();
        var content = UploadHarness.RandomBytes(20 << 20, seed: 20);
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);
        _ = await UploadHarness.WriteAsync(queue, "/copy/large.bin", content, release: false);
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single().BytesUploaded >= 2 * Fragment, "two acked fragments");
        await h.StopAsync(queue); // the process dies with the file still open

        var saved = ReadRow(h).SessionOffset;
        var startsBefore = h.Count("files/upload_session/start");
        var appendsBefore = h.Count("files/upload_session/append_v2");
        var resumed = await h.OpenQueueAsync(fragmentSize: Fragment);
        await h.DrainAsync(resumed);

        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/copy/large.bin"));
        Assert.Equal(startsBefore, h.Count("files/upload_session/start")); // no new session: nothing re-sent from 0
        // At most the fragments past the saved offset, plus the one that was in flight at the stop (its ack
        // was lost, so the server's incorrect_offset answer confirms it) — far fewer than a restart's 4.
        var appendsAfter = h.Count("files/upload_session/append_v2") - appendsBefore;
        Assert.True(saved >= 2 * Fragment);
        Assert.True(appendsAfter <= (content.Length - saved) / Fragment + 1, $"{appendsAfter} appends after resuming at {saved}");
    }

    [Fact]
    public async Task RestartOfAReleasedUploadResumesAndCorrectsIncorrectOffsetFromTheServer()
    {
        await using var h = await UploadHarness.StartAsync();
        var content = UploadHarness.RandomBytes(24 << 20, seed: 21);
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);
        // Written back to front: not sequential, so nothing streams; the upload runs after close.
        var writer = await queue.OpenForWriteAsync("/resume.bin", null, truncate: false);
        for (var offset = content.Length - (1 << 20); offset >= 0; offset -= 1 << 20)
        {
            await writer.WriteAsync(offset, content.AsMemory(offset, 1 << 20));
        }

        h.Emu.Control.AddFault(new FaultRule { Route = "files/upload_session/append_v2", Kind = FaultKind.ServiceUnavailable, Skip = 3, Times = 0 });
        await writer.ReleaseAsync();
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single() is { Tries: >= 1, BytesUploaded: 4 * Fragment }, "four acked fragments, then failures");
        await h.StopAsync(queue);
        h.Emu.Control.ClearFaults();

        // The last two acks were "lost" before they were saved: the journal is behind the server.
        await SetSessionOffsetAsync(h, 2 * Fragment);
        var startsBefore = h.Count("files/upload_session/start");
        var resumed = await h.OpenQueueAsync(fragmentSize: Fragment);
        await h.DrainAsync(resumed);

        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/resume.bin"));
        Assert.Equal(startsBefore, h.Count("files/upload_session/start"));
    }

    [Fact]
    public async Task FinishIncorrectOffsetIsCorrectedAndTheFileCommits()
    {
        await using var h = await UploadHarness.StartAsync();
        var content = UploadHarness.RandomBytes(10 << 20, seed: 22);
        h.Emu.Control.AddFault(new FaultRule { Route = "files/upload_session/finish", Kind = FaultKind.IncorrectOffset, Times = 1 });
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);

        await UploadHarness.WriteAsync(queue, "/finish.bin", content);
        await h.DrainAsync(queue);

        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/finish.bin"));
        Assert.Equal(2, h.Count("files/upload_session/finish"));
    }

    [Fact]
    public async Task ExpiredSessionRestartsFromZero()
    {
        await using var h = await UploadHarness.StartAsync();
        var content = UploadHarness.RandomBytes(12 << 20, seed: 23);
        var queue = await h.OpenQueueAsync(fragmentSize: Fragment);
        _ = await UploadHarness.WriteAsync(queue, "/expired.bin", content, release: false);
        await UploadHarness.WaitUntilAsync(() => queue.GetStatus().Single().BytesUploaded >= Fragment, "an acked fragment");
        await h.StopAsync(queue);

        await SetSessionOffsetAsync(h, Fragment, sessionId: "pid_upload_session:unknown-expired");
        var resumed = await h.OpenQueueAsync(fragmentSize: Fragment);
        await h.DrainAsync(resumed);

        Assert.Equal(ContentHash.Compute(content), await h.RemoteHashAsync("/expired.bin"));
    }

    private static UploadJob ReadRow(UploadHarness h)
    {
        using var journal = UploadJournal.Open(Path.Combine(h.StateDir, "uploads.db"), NullLogger.Instance);
        return journal.Jobs.All().Single();
    }

    private static async Task SetSessionOffsetAsync(UploadHarness h, long offset, string? sessionId = null)
    {
        using var journal = UploadJournal.Open(Path.Combine(h.StateDir, "uploads.db"), NullLogger.Instance);
        var row = journal.Jobs.All().Single();
        Assert.NotNull(row.SessionId);
        await journal.WriteAsync((c, tx) => { UploadJobTable.UpdateSession(c, tx, row.Id, sessionId ?? row.SessionId, offset); });
    }
}
