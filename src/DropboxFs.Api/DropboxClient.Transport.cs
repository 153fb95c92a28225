using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private static readonly MediaTypeHeaderValue s_octets = new("application/octet-stream");

    /// <summary>Escape hatch: calls any RPC route on the api host with a JSON argument (null = no body) and returns
    /// the JSON result. Retries only what is safe for an unknown route (429, 503, connection failures).</summary>
    public Task<JsonNode?> SendRpcAsync(string route, JsonNode? arg, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(route);
        return RpcAsync(route.TrimStart('/').StartsWith("2/", StringComparison.Ordinal) ? route.TrimStart('/')[2..] : route.TrimStart('/'),
            arg, idempotent: false, ct);
    }

    internal async Task<JsonNode?> RpcAsync(string route, JsonNode? arg, bool idempotent, CancellationToken ct,
        RouteHost host = RouteHost.Api, bool noAuth = false, TimeSpan? timeout = null)
    {
        var body = arg is null ? null : Encoding.UTF8.GetBytes(arg.ToJsonString());
        var perAttempt = timeout ?? _options.RpcTimeout;
        return await RunAsync(route, idempotent, async token =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
            cts.CancelAfter(perAttempt);
            try
            {
                using var response = await SendAsync(route, () =>
                {
                    var r = new HttpRequestMessage(HttpMethod.Post, RouteUri(host, route));
                    if (body is not null)
                    {
                        r.Content = new ByteArrayContent(body);
                        r.Content.Headers.ContentType = s_json;
                    }
                    return r;
                }, noAuth, cts.Token).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
                return text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new TimeoutException($"Dropbox {route} did not answer within {perAttempt.TotalSeconds:0} s");
            }
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Sends one request (headers read, body not yet), adding Authorization; on 401 expired_access_token
    /// refreshes once and repeats. Non-2xx answers become <see cref="DropboxApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(string route, Func<HttpRequestMessage> build, bool noAuth, CancellationToken ct)
    {
        var refreshed = false;
        while (true)
        {
            string? auth = null;
            HttpResponseMessage response;
            using (var request = build())
            {
                if (!noAuth)
                {
                    auth = await _options.Tokens.GetAuthorizationAsync(ct).ConfigureAwait(false);
                    request.Headers.TryAddWithoutValidation("Authorization", auth);
                }
                _requestCounts.AddOrUpdate(route, 1, static (_, n) => n + 1);
                var started = _time.GetTimestamp();
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                _log.LogDebug("Dropbox {Route} answered {Status} in {Elapsed} ms", route, (int)response.StatusCode,
                    (long)_time.GetElapsedTime(started).TotalMilliseconds);
            }
            if ((int)response.StatusCode is >= 200 and < 300)
            {
                return response;
            }
            DropboxApiException error;
            using (response)
            {
                error = await ReadErrorAsync(route, response, ct).ConfigureAwait(false);
            }
            if (error.IsExpiredToken && !refreshed && auth is not null
                && await _options.Tokens.TryRefreshAsync(auth, ct).ConfigureAwait(false))
            {
                refreshed = true;
                _log.LogInformation("Access token expired during {Route}; refreshed it and repeating the request", route);
                continue;
            }
            throw error;
        }
    }

    internal static async Task<DropboxApiException> ReadErrorAsync(string route, HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            text = "";
        }
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } d } => d,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
            _ => (TimeSpan?)null,
        };
        var requestId = response.Headers.TryGetValues("X-Dropbox-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        JsonNode? root = null;
        if (text.StartsWith('{'))
        {
            try
            {
                root = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                root = null;
            }
        }
        if (root is not JsonObject obj)
        {
            var plain = text.Length > 2000 ? text[..2000] : text;
            return new DropboxApiException(route, status, status == 429 ? "too_many_requests" : null,
                string.IsNullOrEmpty(plain) ? response.ReasonPhrase : plain, retryAfter: retryAfter, requestId: requestId);
        }
        var summary = (string?)obj["error_summary"];
        var error = obj["error"];
        if (retryAfter is null && error?["retry_after"] is JsonValue ra && ra.TryGetValue<long>(out var seconds))
        {
            retryAfter = TimeSpan.FromSeconds(seconds);
        }
        var tagPath = ErrorTags.TagPathOf(error);
        if (string.IsNullOrEmpty(tagPath))
        {
            tagPath = ErrorTags.TagPathOfSummary(summary);
        }
        var userMessage = (string?)obj["user_message"]?["text"];
        return new DropboxApiException(route, status, tagPath, summary, error, retryAfter, userMessage, requestId);
    }

    private HttpRequestMessage BuildContentRequest(string route, JsonNode arg, HttpContent? content, RouteHost host = RouteHost.Content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, RouteUri(host, route));
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", ApiJson.ToHeaderValue(arg));
        if (content is not null)
        {
            content.Headers.ContentType = s_octets;
            request.Content = content;
        }
        return request;
    }
}
