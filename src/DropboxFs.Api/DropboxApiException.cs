using System.Net;
using System.Text.Json.Nodes;

namespace DropboxFs.Api;

/// <summary>Every failure answered by Dropbox (or the emulator): HTTP status, the union tag path of the error
/// (e.g. "path/not_found", "path/conflict/file", "reset", "expired_access_token"), the error_summary,
/// and Retry-After when the server sent one.</summary>
public sealed class DropboxApiException : Exception
{
    /// <summary>Creates an exception; normally built by the client from a response.</summary>
    public DropboxApiException(string route, int statusCode, string? tagPath, string? errorSummary,
        JsonNode? error = null, TimeSpan? retryAfter = null, string? userMessage = null, string? requestId = null)
        : base(BuildMessage(route, statusCode, tagPath, errorSummary, userMessage))
    {
        Route = route;
        StatusCode = statusCode;
        TagPath = tagPath ?? "";
        ErrorSummary = errorSummary ?? "";
        Error = error;
        RetryAfter = retryAfter;
        UserMessage = userMessage;
        RequestId = requestId;
    }

    /// <summary>Route, e.g. "files/upload".</summary>
    public string Route { get; }
    /// <summary>HTTP status (409 route error, 401 auth, 429 rate limit, 400 bad input, 5xx server).</summary>
    public int StatusCode { get; }
    /// <summary>Union tags joined with '/', no trailing dots (e.g. "lookup_failed/incorrect_offset"). Empty for
    /// plain-text errors.</summary>
    public string TagPath { get; }
    /// <summary>The server's error_summary verbatim (or the plain-text body for 400/5xx).</summary>
    public string ErrorSummary { get; }
    /// <summary>The raw "error" object, when JSON.</summary>
    public JsonNode? Error { get; }
    /// <summary>Retry-After header, or the 429 body's retry_after.</summary>
    public TimeSpan? RetryAfter { get; }
    /// <summary>user_message.text, if the server sent one.</summary>
    public string? UserMessage { get; }
    /// <summary>X-Dropbox-Request-Id.</summary>
    public string? RequestId { get; }

    /// <summary>True when the tag path contains <paramref name="tag"/> as a whole segment.</summary>
    public bool HasTag(string tag) => Array.IndexOf(TagPath.Split('/'), tag) >= 0;

    /// <summary>Something in the path was not found (path/not_found, from_lookup/not_found, not_found…).</summary>
    public bool IsNotFound => HasTag("not_found");
    /// <summary>Write conflict (path/conflict/file, to/conflict/folder, …).</summary>
    public bool IsConflict => HasTag("conflict");
    /// <summary>Quota exceeded.</summary>
    public bool IsInsufficientSpace => HasTag("insufficient_space") || HasTag("insufficient_quota");
    /// <summary>429, or the 409 forms of too_many_write_operations / too_many_requests; retry later.</summary>
    public bool IsRateLimited => StatusCode == 429 || HasTag("too_many_write_operations") || HasTag("too_many_requests");
    /// <summary>401 expired_access_token: refresh and retry.</summary>
    public bool IsExpiredToken => StatusCode == 401 && HasTag("expired_access_token");
    /// <summary>401 of any kind (invalid, expired, revoked token; missing scope), or a refused OAuth exchange or
    /// refresh (e.g. invalid_grant for a revoked refresh token): the user must log in again.</summary>
    public bool IsAuthError => StatusCode == 401 || Route.StartsWith("oauth2/", StringComparison.Ordinal);
    /// <summary>Cursor invalid: relist from scratch.</summary>
    public bool IsReset => HasTag("reset");
    /// <summary>Upload session offset mismatch; see <see cref="CorrectOffset"/>.</summary>
    public bool IsIncorrectOffset => HasTag("incorrect_offset");
    /// <summary>Bad path syntax or name.</summary>
    public bool IsMalformedPath => HasTag("malformed_path");
    /// <summary>Reserved name (desktop.ini, .dropbox …).</summary>
    public bool IsDisallowedName => HasTag("disallowed_name");
    /// <summary>Path is not a file (e.g. download of a folder).</summary>
    public bool IsNotFile => HasTag("not_file");
    /// <summary>Path is not a folder.</summary>
    public bool IsNotFolder => HasTag("not_folder");
    /// <summary>Read-only location.</summary>
    public bool IsNoWritePermission => HasTag("no_write_permission");
    /// <summary>Worth retrying with back-off: rate limits and 5xx.</summary>
    public bool IsTransient => IsRateLimited || StatusCode >= 500;

    /// <summary>For incorrect_offset: the number of bytes the server holds.</summary>
    public long? CorrectOffset => FindNumber(Error, "correct_offset");

    private static long? FindNumber(JsonNode? node, string name)
    {
        if (node is not JsonObject obj)
        {
            return null;
        }
        foreach (var (key, value) in obj)
        {
            if (key == name && value is JsonValue v && v.TryGetValue<long>(out var n))
            {
                return n;
            }
            if (FindNumber(value, name) is { } inner)
            {
                return inner;
            }
        }
        return null;
    }

    private static string BuildMessage(string route, int status, string? tagPath, string? summary, string? userMessage)
    {
        var what = !string.IsNullOrEmpty(tagPath) ? tagPath : summary;
        var text = $"Dropbox {route} failed ({status} {(HttpStatusCode)status}): {what}";
        return userMessage is null ? text : $"{text} ({userMessage})";
    }
}
