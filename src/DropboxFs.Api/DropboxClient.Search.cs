using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>files/search_v2: first page of matches.</summary>
    public async Task<SearchResult> SearchAsync(string query, SearchOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        options ??= new SearchOptions();
        var opts = new JsonObject()
            .AddIf("path", options.Path is null ? null : NormalizeRoot(options.Path))
            .AddIf("max_results", options.MaxResults is { } max ? Math.Clamp(max, 1, 1000) : null)
            .AddIf("file_status", options.Deleted ? ApiJson.Tag("deleted") : null)
            .AddIf("filename_only", options.FilenameOnly ? true : null)
            .AddIf("file_extensions", options.FileExtensions is { Count: > 0 } ext ? new JsonArray(ext.Select(e => (JsonNode)e.TrimStart('.')).ToArray()) : null)
            .AddIf("file_categories", options.FileCategories is { Count: > 0 } cat ? new JsonArray(cat.Select(c => (JsonNode)ApiJson.Tag(c)).ToArray()) : null);
        var arg = new JsonObject { ["query"] = query };
        if (opts.Count > 0)
        {
            arg["options"] = opts;
        }
        var result = await RpcAsync("files/search_v2", arg, idempotent: true, ct).ConfigureAwait(false);
        return ParseSearch(result);
    }

    /// <summary>files/search/continue_v2.</summary>
    public async Task<SearchResult> SearchContinueAsync(string cursor, CancellationToken ct = default)
    {
        var result = await RpcAsync("files/search/continue_v2", new JsonObject { ["cursor"] = cursor }, idempotent: true, ct).ConfigureAwait(false);
        return ParseSearch(result);
    }

    /// <summary>All matches across pages.</summary>
    public async IAsyncEnumerable<SearchMatch> SearchAllAsync(string query, SearchOptions? options = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var page = await SearchAsync(query, options, ct).ConfigureAwait(false);
        while (true)
        {
            foreach (var m in page.Matches)
            {
                yield return m;
            }
            if (!page.HasMore || page.Cursor is null)
            {
                yield break;
            }
            page = await SearchContinueAsync(page.Cursor, ct).ConfigureAwait(false);
        }
    }

    private static SearchResult ParseSearch(JsonNode? result)
    {
        var matches = new List<SearchMatch>();
        foreach (var m in result?["matches"]?.AsArray() ?? [])
        {
            // MetadataV2 union: {".tag":"metadata","metadata":{<Metadata with .tag>}}
            var wrapper = m?["metadata"];
            var inner = (string?)wrapper?[".tag"] == "metadata" ? wrapper?["metadata"] : wrapper;
            if (inner is null)
            {
                continue; // other MetadataV2 members
            }
            var meta = ApiJson.Deserialize(inner, ApiJsonContext.Default.Metadata);
            var matchType = m?["match_type"] switch
            {
                JsonObject o => (string?)o[".tag"],
                JsonValue v => (string?)v,
                _ => null,
            };
            matches.Add(new SearchMatch(meta, matchType));
        }
        return new SearchResult
        {
            Matches = matches,
            HasMore = (bool?)result?["has_more"] ?? false,
            Cursor = (string?)result?["cursor"],
        };
    }
}
