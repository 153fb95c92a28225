using System.Runtime.InteropServices;
using DropboxFs.Core;
using DropboxFs.Core.Uploads;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

// What happens to queued uploads when the mount ends without `dropboxfs unmount` having drained it
// (SIGTERM, Ctrl-C, fusermount3 -u): upload for a bounded time, then exit. Nothing is lost either way:
// every row is durable in the journal and the next mount resumes it.
internal static partial class MountCommand
{
    /// <summary>30 s: enough for the write-back delay (2 s) plus a few hundred small files or ~1 GiB on a
    /// fast link, and well inside systemd's 90 s stop timeout.</summary>
    private static readonly TimeSpan s_exitDrainLimit = TimeSpan.FromSeconds(30);

    private static async Task DrainOnExitAsync(DropboxFileSystem fs, ILogger logger)
    {
        if (fs.Uploads is not { } uploads)
        {
            return;
        }

        int pending = uploads.GetStatus().Count(j => j.State != UploadState.Failed);
        if (pending > 0)
        {
            using var stop = new CancellationTokenSource(s_exitDrainLimit);
            // The first signal unmounted; another one now means "exit at once" (the rows are durable).
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            Console.WriteLine($"Uploading {pending} pending file(s) before exiting (up to {s_exitDrainLimit.TotalSeconds:0} s; "
                + "Ctrl-C or SIGTERM again stops now and leaves them queued for the next mount).");
            try
            {
                await uploads.DrainAsync(null, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Reported below from the journal itself.
            }
        }

        var left = uploads.GetStatus();
        int failed = left.Count(j => j.State == UploadState.Failed);
        if (left.Count > failed)
        {
            Console.WriteLine($"{left.Count - failed} upload(s) stay queued in the journal; the next mount of this account resumes them.");
        }

        if (failed > 0)
        {
            logger.LogWarning("{Count} upload(s) failed and stay in the journal (first: {Path}: {Error}); the next mount retries them",
                failed, left.First(j => j.State == UploadState.Failed).Path, left.First(j => j.State == UploadState.Failed).LastError);
            Console.WriteLine($"{failed} upload(s) failed and stay in the journal; the next mount retries them (`dropboxfs status` shows why).");
        }
    }
}
