using System.CommandLine;
using System.Text.Json;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Fuse;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// <c>dropboxfs unmount MOUNTPOINT [--force]</c>: asks the running mount (status socket) to upload every
/// queued file, showing progress, then unmounts lazily; the mount process exits by itself. --force unmounts
/// at once and leaves the queue in the journal for the next mount.
/// </summary>
internal static class UnmountCommand
{
    private static readonly Argument<string> s_mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where Dropbox is mounted." }.RejectOptionLike();
    private static readonly Option<bool> s_force = new("--force") { Description = "Unmount without waiting for uploads; they stay queued and the next mount resumes them." };

    public static Command Create()
    {
        var command = new Command("unmount", "Upload what is queued, then unmount (the mount process exits once nothing uses it).") { s_mountPoint, s_force };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        string path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(ctx.Get(s_mountPoint)));
        string socket = MountStatusServer.SocketPath(path);
        DrainResult? drained = null;
        if (ctx.Get(s_force))
        {
            // Tell the mount not to drain on its way out; an old or dead mount without a socket just unmounts.
            await StatusSocket.RequestAsync(socket, MountStatusServer.ForceRequest, _ => { }, ctx.Cancellation);
        }
        else
        {
            ctx.Subject.AfterFailure = () => $"the mount at {path} is still up and keeps uploading; `dropboxfs unmount --force {path}` leaves the queue for the next mount";
            drained = await DrainAsync(socket, ctx.Cancellation);
            ctx.Subject.AfterFailure = null;
        }

        if (!FuseMount.UnmountAt(path))
        {
            throw new CliException(ExitCode.MountFailed, $"nothing is mounted at {path} (or it could not be unmounted); `grep fuse /proc/mounts` lists FUSE mounts");
        }

        Console.WriteLine($"Unmounted {path}.");
        if (drained is { Failed.Count: > 0 } d)
        {
            foreach (var (file, error) in d.Failed)
            {
                Console.Error.WriteLine($"dropboxfs: not uploaded: {file}: {error}");
            }

            throw new CliException(d.NoSpace ? ExitCode.NoSpace : ExitCode.Error,
                $"{d.Failed.Count} file(s) could not be uploaded{(d.NoSpace ? " because the Dropbox account is full" : "")}; "
                + "they stay in the upload journal and the next mount of this account retries them");
        }

        return ExitCode.Ok;
    }

    private sealed record DrainResult(IReadOnlyList<(string Path, string Error)> Failed, bool NoSpace);

    /// <summary>Streams the mount's drain progress to stderr (one rewritten line on a terminal, else one line
    /// per second at most) and returns the failed rows; null when no mount answers on the socket.</summary>
    private static async Task<DrainResult?> DrainAsync(string socket, CancellationToken ct)
    {
        DrainResult? result = null;
        var progress = new DrainProgressLine();
        bool answered = await StatusSocket.RequestAsync(socket, MountStatusServer.DrainRequest, line =>
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            int pending = r.GetProperty("pending").GetInt32();
            long bytes = r.GetProperty("bytes_pending").GetInt64();
            if (!r.GetProperty("done").GetBoolean())
            {
                progress.Show(pending, bytes);
                return;
            }

            var failed = r.GetProperty("failed_uploads").EnumerateArray()
                .Select(f => (f.GetProperty("path").GetString() ?? "", f.GetProperty("last_error").GetString() ?? "unknown error")).ToList();
            bool noSpace = r.GetProperty("failed_uploads").EnumerateArray().Any(f => f.GetProperty("no_space").GetBoolean());
            progress.Finish(failed.Count);
            result = new DrainResult(failed, noSpace);
        }, ct);
        if (answered && result is null)
        {
            throw new CliException(ExitCode.Error, "the mount stopped before its uploads were drained; they stay queued and the next mount resumes them");
        }

        return result;
    }
}
