using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// `dropboxfs changes [PATH] [--follow]`: prints changes under PATH as they happen, using
/// list_folder/longpoll (wait) + list_folder/continue (list). Without --follow it exits after the first
/// batch; with --follow it runs until Ctrl-C. The cursor to continue from goes to stderr as
/// "cursor: …" (pass it back with --cursor to pick up exactly where it stopped).
/// </summary>
internal static class ChangesCommand
{
    private static readonly Argument<string> s_path = new Argument<string>("PATH") { Description = "Remote folder to watch (default: everything).", DefaultValueFactory = _ => "/" }.RejectOptionLike();
    private static readonly Option<bool> s_follow = new("--follow", "-f") { Description = "Keep printing changes until Ctrl-C." };
    private static readonly Option<string?> s_cursor = new("--cursor") { Description = "Start from this cursor (printed by an earlier run) instead of now." };
    private static readonly Option<int> s_timeout = new("--poll-timeout") { Description = "Seconds per long-poll, 30..480.", DefaultValueFactory = _ => 60 };
    private static readonly Option<bool> s_json = new("--json") { Description = "One JSON entry per line (deletions have type \"deleted\")." };

    public static Command Create()
    {
        var command = new Command("changes", "Print changes under PATH as they happen.") { s_path, s_follow, s_cursor, s_timeout, s_json };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var path = RemotePath.Normalize(ctx.Get(s_path));
        ctx.Subject.Path = RemotePath.Display(path);
        var follow = ctx.Get(s_follow);
        var json = ctx.Get(s_json);
        var pollTimeout = TimeSpan.FromSeconds(Math.Clamp(ctx.Get(s_timeout), 30, 480));
        var client = await ctx.GetClientAsync();
        var options = new ListFolderOptions { Recursive = true };
        var cursor = ctx.Get(s_cursor) ?? await client.GetLatestCursorAsync(path, options, ctx.Cancellation);
        Console.Error.WriteLine($"watching {RemotePath.Display(path)}; cursor: {cursor}");

        try
        {
            while (true)
            {
                var (printed, next) = await DrainAsync(client, cursor, json, ctx.Cancellation);
                cursor = next;
                if (printed > 0 && !follow)
                {
                    break;
                }

                var poll = await client.WaitForChangesAsync(cursor, pollTimeout, ctx.Cancellation);
                if (!poll.Changes)
                {
                    continue;
                }
            }
        }
        catch (DropboxApiException e) when (e.IsReset)
        {
            throw new CliException(ExitCode.Error,
                "the change cursor expired or was reset by Dropbox; changes may have been missed — run `dropboxfs changes` again without --cursor and re-list with `dropboxfs ls -R`");
        }
        finally
        {
            Console.Error.WriteLine($"cursor: {cursor}");
        }

        return ExitCode.Ok;
    }

    /// <summary>Lists every page after <paramref name="cursor"/>; returns how many entries were printed and the new cursor.</summary>
    private static async Task<(int Printed, string Cursor)> DrainAsync(DropboxClient client, string cursor, bool json, CancellationToken ct)
    {
        var printed = 0;
        while (true)
        {
            var page = await client.ListChangesAsync(cursor, ct);
            foreach (var entry in page.Entries)
            {
                if (json)
                {
                    JsonOutput.WriteLine(w => JsonOutput.WriteEntry(w, entry));
                }
                else
                {
                    var mark = entry switch { FileMetadata => "+", FolderMetadata => "+", _ => "-" };
                    Console.WriteLine($"{mark} {entry.PathDisplay ?? entry.PathLower}{(entry is FolderMetadata ? "/" : "")}");
                }

                printed++;
            }

            cursor = page.Cursor;
            if (!page.HasMore)
            {
                Console.Out.Flush();
                return (printed, cursor);
            }
        }
    }
}
