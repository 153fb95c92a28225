using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Core.Crypto;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// `dropboxfs put LOCAL REMOTE`: streams a local file up. Files above the 150 MiB simple-upload limit
/// (or with --resumable) go through an upload session in --fragment-size pieces; memory is one pooled
/// fragment buffer inside the client, never the whole file.
/// </summary>
internal static class PutCommand
{
    private static readonly Argument<string> s_local = new Argument<string>("LOCAL") { Description = "Local file to upload." }.RejectOptionLike();
    private static readonly Argument<string> s_remote = new Argument<string>("REMOTE") { Description = "Remote path (a path ending in '/' keeps the local name)." }.RejectOptionLike();
    private static readonly Option<bool> s_resumable = new("--resumable") { Description = "Always use an upload session (fragments)." };
    private static readonly Option<long?> s_fragmentSize = new("--fragment-size") { Description = "Fragment size in bytes for session uploads (default 10 MiB, at most 150 MiB)." };
    private static readonly Option<string?> s_ifRevision = new("--if-revision") { Description = "Only replace this revision; otherwise fail (or keep both with --rename-if-exists)." };
    private static readonly Option<bool> s_renameIfExists = new("--rename-if-exists") { Description = "On a conflict keep both: the upload gets a new name." };
    private static readonly Option<bool> s_overwrite = new("--overwrite") { Description = "Replace an existing file." };
    private static readonly Option<string?> s_clientModified = new("--client-modified") { Description = "Modification time to record (ISO 8601, e.g. 2024-05-01T12:00:00Z); default: the local file's." };
    private static readonly Option<bool> s_mute = new("--mute") { Description = "Do not notify the account's devices." };
    private static readonly CryptOptions s_crypt = new();
    private static readonly Option<string?> s_cryptRoot = GetCommand.CryptRootOption();

    public static Command Create()
    {
        var command = new Command("put", "Upload a file. Identical content already there is a no-op.")
        {
            s_local, s_remote, s_resumable, s_fragmentSize, s_ifRevision, s_renameIfExists, s_overwrite, s_clientModified, s_mute, s_cryptRoot,
        };
        foreach (var option in s_crypt.All)
        {
            command.Options.Add(option);
        }

        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var local = Path.GetFullPath(ctx.Get(s_local));
        var rawRemote = ctx.Get(s_remote);
        var remote = RemotePath.Normalize(rawRemote);
        if (rawRemote.EndsWith('/') || remote.Length == 0)
        {
            remote = $"{remote}/{Path.GetFileName(local)}";
        }

        var crypt = s_crypt.Read(ctx);
        var plainRemote = remote;
        var cryptRoot = RemotePath.Normalize(ctx.Get(s_cryptRoot) ?? "");
        if (crypt is not null)
        {
            remote = CryptTransfer.StoredPath(crypt, cryptRoot, remote, isDirectory: false);
        }

        ctx.Subject.Path = remote;
        ctx.Subject.ConflictHint = "pass --overwrite to replace it or --rename-if-exists to keep both";
        if (!File.Exists(local))
        {
            throw new CliException(ExitCode.LocalIo, Directory.Exists(local)
                ? $"{local} is a folder; put uploads one file"
                : $"no such local file: {local}");
        }

        var fragment = ctx.Get(s_fragmentSize);
        if (fragment is not null and (<= 0 or > DropboxClient.MaxRequestBody))
        {
            throw new CliException(ExitCode.Usage, $"--fragment-size must be 1..{DropboxClient.MaxRequestBody} bytes (150 MiB), not {fragment}");
        }

        var options = new UploadOptions
        {
            IfRevision = ctx.Get(s_ifRevision),
            RenameIfExists = ctx.Get(s_renameIfExists),
            Overwrite = ctx.Get(s_overwrite),
            ClientModified = ParseTime(ctx.Get(s_clientModified), "--client-modified") ?? File.GetLastWriteTimeUtc(local),
            Mute = ctx.Get(s_mute),
        };

        var client = await ctx.GetClientAsync();
        if (crypt is not null)
        {
            await CryptPasswordCheck.VerifyAsync(client, crypt, cryptRoot, ctx.Cancellation);
        }

        var clock = Stopwatch.StartNew();
        FileMetadata result;
        long length;
        await using (var file = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            // Encrypted: the seekable EncryptingStream seals one block at a time and can rewind for retries.
            await using Stream source = crypt is null ? file : new EncryptingStream(file, crypt.Keys, leaveOpen: true);
            length = source.Length;
            result = await TransferProgress.RunAsync($"put {Path.GetFileName(local)}", length, 0, async report =>
            {
                await using var counted = new CountingStream(source, 0, report);
                if (!ctx.Get(s_resumable) && length <= DropboxClient.MaxRequestBody)
                {
                    return await client.UploadAsync(remote, counted, options, ctx.Cancellation);
                }

                return await client.UploadResumableAsync(remote, counted, new ResumableUploadOptions
                {
                    Upload = options,
                    FragmentSize = (int?)fragment,
                }, ctx.Cancellation);
            });
        }

        Console.WriteLine($"{local} -> {(crypt is null ? result.PathDisplay : $"{RemotePath.Display(plainRemote)} (stored encrypted as {result.PathDisplay})")}: {Terminal.FormatSize(result.Size)}, {GetCommand.Rate(length, clock.Elapsed)}, rev {result.Rev}");
        return ExitCode.Ok;
    }

    internal static DateTimeOffset? ParseTime(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new CliException(ExitCode.Usage, $"{option} must be a time such as 2024-05-01T12:00:00Z, not '{text}'");
    }
}
