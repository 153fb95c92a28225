using System.Text.Json.Nodes;

namespace DropboxFs.Emulator.Http;

/// <summary>
/// Every error the emulator answers, in one of the wire shapes of reference §1.8. Only
/// <see cref="Errors"/> builds these, so all errors of one kind look the same.
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(int status, JsonObject? error, string? plainText, int? retryAfter = null)
        : base(plainText ?? error?.ToJsonString())
    {
        Status = status;
        Error = error;
        PlainText = plainText;
        RetryAfter = retryAfter;
    }

    /// <summary>HTTP status: 400, 401, 409, 429, 500 or 503.</summary>
    public int Status { get; }

    /// <summary>The <c>error</c> member of a JSON error body; null for plain-text errors.</summary>
    public JsonObject? Error { get; }

    /// <summary>For 400/5xx: the text after <c>Error in call to API function "route": </c>.</summary>
    public string? PlainText { get; }

    /// <summary>Seconds for the Retry-After header.</summary>
    public int? RetryAfter { get; }

    /// <summary>Extra JSON members for OAuth errors, which use the RFC 6749 shape instead.</summary>
    public JsonObject? OAuthBody { get; init; }
}
