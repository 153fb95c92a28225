using System.CommandLine;
using System.Diagnostics;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Core.Crypto;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// `dropboxfs get REMOTE LOCAL`: streams a file to disk (256 KiB buffers in the client; no whole-file
/// buffer). --start-byte N keeps the first N bytes of LOCAL and appends the rest (resume).
/// </summary>
internal static class GetCommand
{
    private static readonly Argument<string> s_remote = new Argument<string>("REMOTE") { Description = "Remote file (path, id:… or rev:…)." }.RejectOptionLike();
    private static readonly Argument<string> s_local = new Argument<string>("LOCAL") { Description = "Local file to write, or - for stdout." }.RejectOptionLike();
    private static readonly Option<long?> s_startByte = new("--start-byte") { Description = "Resume: keep the first N bytes of LOCAL and download from byte N." };
    private static readonly Option<string?> s_rev = new("--rev") { Description = "Download this revision (see `dropboxfs revisions`)." };
    private static readonly CryptOptions s_crypt = new();
    private static readonly Option<string?> s_cryptRoot = CryptRootOption();

    public static Command Create()
    {
        var command = new Command("get", "Download a file (and decrypt it with --password-file).") { s_remote, s_local, s_startByte, s_rev, s_cryptRoot };
        foreach (var option in s_crypt.All)
        {
            command.Options.Add(option);
        }

        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var remote = RemotePath.Normalize(ctx.Get(s_remote));
        if (s_crypt.Read(ctx) is { } crypt)
        {
            return await RunDecryptingAsync(ctx, remote, crypt);
        }

        if (ctx.Get(s_local) == "-")
        {
            return await WriteToStdoutAsync(ctx, remote);
        }

        var local = Path.GetFullPath(ctx.Get(s_local));
        var start = ctx.Get(s_startByte);
        var rev = ctx.Get(s_rev);
        ctx.Subject.Path = RemotePath.Display(remote);
        if (start is < 0)
        {
            throw new CliException(ExitCode.Usage, $"--start-byte must be 0 or more, not {start}");
        }

        if (Directory.Exists(local))
        {
            local = Path.Combine(local, Path.GetFileName(remote.TrimEnd('/')));
        }

        var source = rev is null ? remote : $"rev:{rev}";
        var client = await ctx.GetClientAsync();
        var meta = await client.GetMetadataAsync(source, ct: ctx.Cancellation) as FileMetadata
            ?? throw new CliException(ExitCode.Error, $"{RemotePath.Display(remote)} is a folder, not a file; `dropboxfs ls {RemotePath.Display(remote)}` lists it");

        var resumeFrom = PrepareLocal(local, start, meta.Size);
        ctx.Subject.AfterFailure = () => SafeLength(local) is > 0 and var have && have < meta.Size
            ? $"{local} holds the first {have} bytes; resume with `dropboxfs get {RemotePath.Display(remote)} {local} --start-byte {have}`"
                + (rev is null ? "" : $" --rev {rev}")
            : null;
        var clock = Stopwatch.StartNew();
        await TransferProgress.RunAsync($"get {meta.Name}", meta.Size, resumeFrom, async report =>
        {
            // The client writes the file itself (hashing as bytes arrive, verifying content_hash at the
            // end); progress polls the file's length so the bar needs no hook inside the client.
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            var download = client.DownloadToFileAsync(source, local, resume: resumeFrom > 0, ct: ctx.Cancellation);
            while (!download.IsCompleted && await poll.WaitForNextTickAsync(ctx.Cancellation))
            {
                report(SafeLength(local));
            }

            return await download;
        });

        var moved = meta.Size - resumeFrom;
        Console.WriteLine($"{RemotePath.Display(remote)} -> {local}: {Terminal.FormatSize(meta.Size)}"
            + (resumeFrom > 0 ? $" (resumed at byte {resumeFrom})" : "")
            + $", {Rate(moved, clock.Elapsed)}, rev {meta.Rev}");
        return ExitCode.Ok;
    }

    /// <summary>`get --password-file F REMOTE LOCAL`: REMOTE is the plaintext path below --crypt-root.</summary>
    private static async Task<ExitCode> RunDecryptingAsync(CliContext ctx, string remote, CryptSettings crypt)
    {
        if (ctx.Get(s_startByte) is not null)
        {
            throw new CliException(ExitCode.Usage, "--start-byte cannot resume an encrypted download; download again without it");
        }

        var stored = CryptTransfer.StoredPath(crypt, RemotePath.Normalize(ctx.Get(s_cryptRoot) ?? ""), remote, isDirectory: false);
        ctx.Subject.Path = RemotePath.Display(stored);
        var rev = ctx.Get(s_rev);
        var source = rev is null ? stored : $"rev:{rev}";
        var client = await ctx.GetClientAsync();
        if (ctx.Get(s_local) == "-")
        {
            await using var stdout = Console.OpenStandardOutput();
            await CryptTransfer.DownloadAsync(client, source, crypt.Keys, stdout, ctx.Cancellation);
            return ExitCode.Ok;
        }

        var local = Path.GetFullPath(ctx.Get(s_local));
        if (Directory.Exists(local))
        {
            local = Path.Combine(local, Path.GetFileName(remote.TrimEnd('/')));
        }

        var meta = await client.GetMetadataAsync(source, ct: ctx.Cancellation) as FileMetadata
            ?? throw new CliException(ExitCode.Error, $"{RemotePath.Display(remote)} is a folder, not a file");
        var clock = Stopwatch.StartNew();
        long size = await TransferProgress.RunAsync($"get {Path.GetFileName(local)}", CryptLayout.TryGetDecryptedSize(meta.Size, out long total) ? total : 0, 0,
            report => CryptTransfer.DownloadToFileAsync(client, source, crypt.Keys, local, report, ctx.Cancellation));
        Console.WriteLine($"{RemotePath.Display(remote)} (stored as {meta.PathDisplay}) -> {local}: {Terminal.FormatSize(size)} decrypted, {Rate(size, clock.Elapsed)}, rev {meta.Rev}");
        return ExitCode.Ok;
    }

    internal static Option<string?> CryptRootOption() => new("--crypt-root")
    {
        Description = "With --password-file: the Dropbox folder the encrypted tree starts at (not encrypted itself, like mount --remote-root); REMOTE is the plaintext path inside it.",
    };

    /// <summary>`get REMOTE -`: the bytes go to stdout (for pipes); no progress and no summary line.</summary>
    private static async Task<ExitCode> WriteToStdoutAsync(CliContext ctx, string remote)
    {
        ctx.Subject.Path = RemotePath.Display(remote);
        var rev = ctx.Get(s_rev);
        var start = ctx.Get(s_startByte) ?? 0;
        var client = await ctx.GetClientAsync();
        await using var stdout = Console.OpenStandardOutput();
        await client.DownloadAsync(rev is null ? remote : $"rev:{rev}", stdout, start, ct: ctx.Cancellation);
        await stdout.FlushAsync(ctx.Cancellation);
        return ExitCode.Ok;
    }

    /// <summary>Returns the byte to download from; trims LOCAL to --start-byte when it is longer.</summary>
    private static long PrepareLocal(string local, long? start, long remoteSize)
    {
        if (start is null or 0)
        {
            return 0;
        }

        var have = File.Exists(local) ? new FileInfo(local).Length : 0;
        if (have < start)
        {
            throw new CliException(ExitCode.LocalIo,
                $"--start-byte {start} is past the end of {local} ({have} bytes); resume from --start-byte {have} or download again without it");
        }

        if (start > remoteSize)
        {
            throw new CliException(ExitCode.Usage, $"--start-byte {start} is past the end of the remote file ({remoteSize} bytes)");
        }

        if (have > start)
        {
            using var file = new FileStream(local, FileMode.Open, FileAccess.Write);
            file.SetLength(start.Value);
        }

        return start.Value;
    }

    private static long SafeLength(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    internal static string Rate(long bytes, TimeSpan elapsed) =>
        elapsed.TotalSeconds > 0 ? $"{bytes / 1e6 / elapsed.TotalSeconds:0.0} MB/s" : "instant";
}
