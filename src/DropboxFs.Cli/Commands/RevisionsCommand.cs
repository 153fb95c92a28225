using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs revisions PATH`: a file's revisions, newest first.</summary>
internal static class RevisionsCommand
{
    private static readonly Argument<string> s_path = new Argument<string>("PATH") { Description = "Remote file (or id:… with --mode id)." }.RejectOptionLike();
    private static readonly Option<string> s_mode = CreateMode();
    private static readonly Option<int> s_limit = new("--limit") { Description = "How many revisions, 1..100.", DefaultValueFactory = _ => 10 };
    private static readonly Option<bool> s_json = new("--json") { Description = "Machine-readable output: {\"path\",\"is_deleted\",\"server_deleted\",\"entries\":[…]}." };

    public static Command Create()
    {
        var command = new Command("revisions", "List a file's revisions, newest first (restore one with `dropboxfs restore PATH REV`).")
        {
            s_path, s_mode, s_limit, s_json,
        };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var path = RemotePath.Normalize(ctx.Get(s_path));
        ctx.Subject.Path = RemotePath.Display(path);
        var limit = ctx.Get(s_limit);
        if (limit is < 1 or > 100)
        {
            throw new CliException(ExitCode.Usage, $"--limit must be 1..100, not {limit}");
        }

        var mode = ctx.Get(s_mode) == "id" ? RevisionMode.Id : RevisionMode.Path;
        var client = await ctx.GetClientAsync();
        var result = await client.ListRevisionsAsync(path, mode, limit, ctx.Cancellation);
        if (ctx.Get(s_json))
        {
            JsonOutput.WriteLine(w =>
            {
                w.WriteStartObject();
                w.WriteString("path", RemotePath.Display(path));
                w.WriteBoolean("is_deleted", result.IsDeleted);
                if (result.ServerDeleted is { } deleted)
                {
                    w.WriteString("server_deleted", JsonOutput.Iso(deleted));
                }
                else
                {
                    w.WriteNull("server_deleted");
                }

                JsonOutput.WriteEntries(w, "entries", result.Entries);
                w.WriteBoolean("has_more", result.HasMore);
                w.WriteEndObject();
            });
            return ExitCode.Ok;
        }

        if (result.IsDeleted)
        {
            Console.WriteLine($"# {RemotePath.Display(path)} is deleted"
                + (result.ServerDeleted is { } when ? $" (since {JsonOutput.Iso(when)})" : "")
                + "; `dropboxfs restore PATH REV` brings a revision back");
        }

        foreach (var rev in result.Entries)
        {
            Console.WriteLine($"{rev.Rev,-16} {JsonOutput.Iso(rev.ServerModified)} {rev.Size,14} {rev.PathDisplay}");
        }

        return ExitCode.Ok;
    }

    private static Option<string> CreateMode()
    {
        var option = new Option<string>("--mode") { Description = "path: revisions at this path; id: follow the file across moves.", DefaultValueFactory = _ => "path" };
        option.AcceptOnlyFromAmong("path", "id");
        return option;
    }
}
