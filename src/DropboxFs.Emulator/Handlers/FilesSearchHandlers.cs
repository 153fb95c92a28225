using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>
/// files/search_v2 and search/continue_v2 (§5.14), by file name only: every query word must occur
/// in the name (case-insensitive). Results come in path order; the cursor holds the query and an offset.
/// </summary>
internal static class FilesSearchHandlers
{
    private sealed record SearchState(string Query, string Scope, int Max, bool Deleted, List<string>? Extensions, int Offset, List<string>? Categories = null);

    private static readonly string[] s_categories = ["image", "document", "pdf", "spreadsheet", "presentation", "audio", "video", "folder", "paper", "others"];

    // FileCategory by extension ([inf]: Dropbox does not publish its table; these are the common ones).
    private static readonly Dictionary<string, string> s_extensionCategory = new[]
    {
        ("image", "jpg jpeg png gif bmp tif tiff webp heic heif svg ppm ico raw cr2 nef"),
        ("document", "doc docx odt rtf txt md pages tex"),
        ("pdf", "pdf"),
        ("spreadsheet", "xls xlsx xlsm ods csv tsv numbers"),
        ("presentation", "ppt pptx odp key"),
        ("audio", "mp3 wav flac aac ogg oga m4a wma aiff opus"),
        ("video", "mp4 mov avi mkv webm wmv m4v mpg mpeg flv 3gp"),
        ("paper", "paper"),
    }.SelectMany(c => c.Item2.Split(' ').Select(ext => (ext, c.Item1))).ToDictionary(p => p.ext, p => p.Item2);

    private static string CategoryOf(string name, bool isFolder) => isFolder ? "folder"
        : s_extensionCategory.GetValueOrDefault(Path.GetExtension(name).TrimStart('.').ToLowerInvariant(), "others");

    public static async Task SearchAsync(ApiRequest req)
    {
        var query = req.Args.ReqString("query", 1000);
        var options = req.Args.OptObject("options");
        var scope = "";
        var max = 100;
        var deleted = false;
        List<string>? extensions = null;
        List<string>? categories = null;
        if (options != null)
        {
            var p = options.OptString("path");
            if (p != null)
            {
                PathPatterns.Check(options, "path", p, PathPatterns.PathROrId);
                scope = p;
            }

            max = (int)(options.OptLong("max_results", 1, 1000) ?? 100);
            options.OptUnion("order_by", "relevance", "last_modified_time");
            deleted = options.OptUnion("file_status", "active", "deleted")?.Tag == "deleted";
            options.Bool("filename_only");
            extensions = options.OptStringList("file_extensions");
            categories = options.OptTagList("file_categories", s_categories);
            options.Ignore("account_id");
            options.Done();
        }

        req.Args.OptObject("match_field_options")?.Ignore("include_highlights").Done();
        req.Args.Bool("include_highlights");
        req.Args.Done();
        var resolved = await req.RunAsync(() => ResolveScope(req.State, scope));
        await RunAsync(req, new SearchState(query, resolved, max, deleted, extensions, 0, categories));
    }

    public static async Task ContinueAsync(ApiRequest req)
    {
        var text = req.Args.ReqString("cursor");
        req.Args.Done();
        SearchState? state = null;
        try
        {
            state = JsonSerializer.Deserialize<SearchState>(Base64Url.DecodeFromChars(text));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }

        await RunAsync(req, state ?? throw Errors.BadRequest($"Invalid \"cursor\" parameter: '{text}'"));
    }

    private static string ResolveScope(DropboxState s, string scope)
    {
        var t = s.ResolveLocked(scope, "options.path", PathRole.Lookup, write: false);
        if (!t.IsRoot && s.Entries.GetByPath(t.Lower) is not { IsFolder: true })
        {
            throw new PathFault(PathRole.Lookup, s.Entries.GetByPath(t.Lower) == null ? Errors.NotFound : Errors.NotFolder);
        }

        return t.Lower;
    }

    private static async Task RunAsync(ApiRequest req, SearchState q)
    {
        var words = q.Query.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        bool Matches(string name, bool isFolder = false)
        {
            if (q.Categories is { Count: > 0 } && !q.Categories.Contains(CategoryOf(name, isFolder)))
            {
                return false;
            }

            var lower = name.ToLowerInvariant();
            var extOk = q.Extensions == null || q.Extensions.Any(x => lower.EndsWith("." + x.TrimStart('.').ToLowerInvariant(), StringComparison.Ordinal));
            return extOk && words.All(lower.Contains);
        }

        var all = await req.RunAsync(() => q.Deleted
            ? req.State.Changes.DeletedWithin(q.Scope, recursive: true)
                .Where(d => req.State.Entries.GetByPath(d.PathLower) == null && Matches(DbxPath.NameOf(d.PathDisplay)))
                .Select(d => MetadataJson.Deleted(d.PathLower, d.PathDisplay)).ToList()
            : req.State.Entries.AllDescendants(q.Scope).Where(e => Matches(e.Name, e.IsFolder)).Select(e => MetadataJson.Of(e, tagged: true)).ToList());

        var page = all.Skip(q.Offset).Take(q.Max).ToList();
        var hasMore = all.Count > q.Offset + q.Max;
        var result = new JsonObject
        {
            ["matches"] = new JsonArray(page.Select(m => (JsonNode)new JsonObject
            {
                ["metadata"] = Errors.Nest("metadata", m),
                ["match_type"] = Errors.Tag("filename"),
            }).ToArray()),
            ["has_more"] = hasMore,
        };
        if (hasMore)
        {
            result["cursor"] = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(q with { Offset = q.Offset + q.Max }));
        }

        await req.OkAsync(result);
    }
}
