using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs search QUERY`: search_v2 with filters, following pages up to --max matches.</summary>
internal static class SearchCommand
{
    private static readonly Argument<string> s_query = new Argument<string>("QUERY") { Description = "Words to look for." }.RejectOptionLike();
    private static readonly Option<string?> s_path = new("--path") { Description = "Only inside this folder." };
    private static readonly Option<string[]> s_ext = new("--ext") { Description = "Only these file extensions (repeatable, without the dot).", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string[]> s_category = CreateCategory();
    private static readonly Option<bool> s_namesOnly = new("--names-only") { Description = "Match file names only, not content." };
    private static readonly Option<int> s_max = new("--max") { Description = "At most this many matches (1..10000).", DefaultValueFactory = _ => 100 };
    private static readonly Option<bool> s_json = new("--json") { Description = "Machine-readable output: {\"query\",\"matches\":[{…entry, \"match_type\"}]}." };

    public static Command Create()
    {
        var command = new Command("search", "Search file and folder names (and content where Dropbox indexes it).")
        {
            s_query, s_path, s_ext, s_category, s_namesOnly, s_max, s_json,
        };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var query = ctx.Get(s_query);
        var max = ctx.Get(s_max);
        if (max is < 1 or > 10000)
        {
            throw new CliException(ExitCode.Usage, $"--max must be 1..10000, not {max}");
        }

        var folder = ctx.Get(s_path) is { } p ? RemotePath.Normalize(p) : null;
        ctx.Subject.Path = folder is null ? "/" : RemotePath.Display(folder);
        var extensions = ctx.Get(s_ext) is { Length: > 0 } ext ? ext.Select(e => e.TrimStart('.')).ToArray() : null;
        var categories = ctx.Get(s_category) is { Length: > 0 } cat ? cat : null;
        var options = new SearchOptions
        {
            Path = string.IsNullOrEmpty(folder) ? null : folder,
            MaxResults = Math.Min(max, 1000),
            FilenameOnly = ctx.Get(s_namesOnly),
            FileExtensions = extensions,
            FileCategories = categories,
        };

        var client = await ctx.GetClientAsync();
        var matches = new List<SearchMatch>();
        await foreach (var match in client.SearchAllAsync(query, options, ctx.Cancellation))
        {
            matches.Add(match);
            if (matches.Count >= max)
            {
                break;
            }
        }

        if (ctx.Get(s_json))
        {
            JsonOutput.WriteLine(w =>
            {
                w.WriteStartObject();
                w.WriteString("query", query);
                w.WriteStartArray("matches");
                foreach (var match in matches)
                {
                    JsonOutput.WriteEntry(w, match.Metadata, match.MatchType);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        else
        {
            HumanOutput.WriteEntries(matches.Select(m => m.Metadata), longFormat: false, fullPaths: true);
        }

        return ExitCode.Ok;
    }

    private static Option<string[]> CreateCategory()
    {
        var option = new Option<string[]>("--category") { Description = "Only these categories (repeatable)." };
        option.AcceptOnlyFromAmong("image", "document", "pdf", "spreadsheet", "presentation", "audio", "video", "folder", "paper", "others");
        return option;
    }
}
