using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs ls PATH`: lists a folder (all pages); a file path shows that one file.</summary>
internal static class LsCommand
{
    private static readonly Argument<string> s_path = new Argument<string>("PATH") { Description = "Remote folder or file (default: the root).", DefaultValueFactory = _ => "/" }.RejectOptionLike();
    private static readonly Option<bool> s_recursive = new("--recursive", "-R") { Description = "List the whole subtree (full paths)." };
    private static readonly Option<bool> s_long = new("--long", "-l") { Description = "Type, size, modification time and revision." };
    private static readonly Option<bool> s_json = new("--json") { Description = "Machine-readable output: {\"path\",\"entries\":[…]}." };
    private static readonly Option<bool> s_includeDeleted = new("--include-deleted") { Description = "Also show deleted entries." };

    public static Command Create()
    {
        var command = new Command("ls", "List a remote folder.") { s_path, s_recursive, s_long, s_json, s_includeDeleted };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var path = RemotePath.Normalize(ctx.Get(s_path));
        ctx.Subject.Path = RemotePath.Display(path);
        var recursive = ctx.Get(s_recursive);
        var client = await ctx.GetClientAsync();
        var options = new ListFolderOptions { Recursive = recursive, IncludeDeleted = ctx.Get(s_includeDeleted) };

        List<Metadata> entries = [];
        try
        {
            await foreach (var entry in client.ListAllAsync(path, options, ctx.Cancellation))
            {
                // A recursive listing includes the folder itself; `ls` shows only what is inside.
                if (recursive && path.Length > 0 && string.Equals(entry.PathLower, path, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                entries.Add(entry);
            }
        }
        catch (DropboxApiException e) when (e.IsNotFolder)
        {
            entries = [await client.GetMetadataAsync(path, ctx.Get(s_includeDeleted), ctx.Cancellation)];
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.PathLower ?? a.Name, b.PathLower ?? b.Name));
        if (ctx.Get(s_json))
        {
            JsonOutput.WriteLine(w =>
            {
                w.WriteStartObject();
                w.WriteString("path", RemotePath.Display(path));
                JsonOutput.WriteEntries(w, "entries", entries);
                w.WriteEndObject();
            });
        }
        else
        {
            HumanOutput.WriteEntries(entries, ctx.Get(s_long), fullPaths: recursive);
        }

        return ExitCode.Ok;
    }
}
