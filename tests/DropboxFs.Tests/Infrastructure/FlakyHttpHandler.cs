using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace DropboxFs.Tests.Infrastructure;

/// <summary>Fault double in front of a real handler: scripted failures per route ("files/move_v2", matched on the
/// URL path's tail). Faults fire once each, in the order added. Counts the requests that reached the real server.</summary>
public sealed class FlakyHttpHandler : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _forwarded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lastJson = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Uri Uri, bool HasAuthorization)> _lastRequest = new(StringComparer.Ordinal);

    public FlakyHttpHandler(HttpMessageHandler? inner = null)
        : base(inner ?? new SocketsHttpHandler { AllowAutoRedirect = false })
    {
    }

    /// <summary>Answer the next request to <paramref name="route"/> with <paramref name="status"/> without sending it.</summary>
    public void FailWith(string route, HttpStatusCode status, TimeSpan? retryAfter = null, string? jsonBody = null) =>
        Add(route, new Fault(FaultKind.Status, status, retryAfter, jsonBody, 0));

    /// <summary>Fail the next request to <paramref name="route"/> as if the connection could not be opened (nothing sent).</summary>
    public void RefuseConnection(string route) => Add(route, new Fault(FaultKind.Refuse, 0, null, null, 0));

    /// <summary>Send the next request for real, then lose the answer (IOException): the outcome is unknown to the client.</summary>
    public void LoseResponse(string route) => Add(route, new Fault(FaultKind.LoseResponse, 0, null, null, 0));

    /// <summary>Send for real; the response body dies after <paramref name="bytes"/> bytes.</summary>
    public void CutBodyAfter(string route, long bytes) => Add(route, new Fault(FaultKind.CutBody, 0, null, null, bytes));

    /// <summary>The JSON argument (RPC body) of the last request to <paramref name="route"/>, or null.</summary>
    public string? LastJsonArgument(string route) => _lastJson.TryGetValue(route, out var s) ? s : null;

    /// <summary>URI and whether an Authorization header was present, for the last request to <paramref name="route"/>
    /// (recorded before any fault applies).</summary>
    public (Uri Uri, bool HasAuthorization)? LastRequest(string route) => _lastRequest.TryGetValue(route, out var r) ? r : null;

    /// <summary>Send for real; the response body stops delivering (hangs) after <paramref name="bytes"/> bytes.</summary>
    public void StallBodyAfter(string route, long bytes) => Add(route, new Fault(FaultKind.StallBody, 0, null, null, bytes));

    /// <summary>Requests to <paramref name="route"/> that reached the server.</summary>
    public int Forwarded(string route) => _forwarded.TryGetValue(route, out var n) ? n : 0;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var route = RouteOf(request.RequestUri!);
        _lastRequest[route] = (request.RequestUri!, request.Headers.Contains("Authorization"));
        if (request.Content?.Headers.ContentType?.MediaType == "application/json")
        {
            _lastJson[route] = await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        Fault? fault = _faults.TryGetValue(route, out var queue) && queue.TryDequeue(out var f) ? f : null;
        switch (fault?.Kind)
        {
            case FaultKind.Status:
                var response = new HttpResponseMessage(fault.Status)
                {
                    RequestMessage = request,
                    Content = fault.Body is null ? new StringContent("injected failure") : new StringContent(fault.Body, null, "application/json"),
                };
                if (fault.RetryAfter is { } after)
                {
                    response.Headers.RetryAfter = new RetryConditionHeaderValue(after);
                }
                return response;
            case FaultKind.Refuse:
                throw new HttpRequestException(HttpRequestError.ConnectionError, "injected: connection refused");
        }
        _forwarded.AddOrUpdate(route, 1, (_, n) => n + 1);
        var real = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        switch (fault?.Kind)
        {
            case FaultKind.LoseResponse:
                real.Dispose();
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "injected: connection reset before the answer", new IOException("reset"));
            case FaultKind.CutBody or FaultKind.StallBody:
                var body = await real.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var cut = new StreamContent(new DyingStream(body, fault.Bytes, hang: fault.Kind == FaultKind.StallBody));
                foreach (var h in real.Content.Headers)
                {
                    cut.Headers.TryAddWithoutValidation(h.Key, h.Value);
                }
                real.Content = cut;
                return real;
            default:
                return real;
        }
    }

    private void Add(string route, Fault fault) => _faults.GetOrAdd(route, _ => new ConcurrentQueue<Fault>()).Enqueue(fault);

    private static string RouteOf(Uri uri)
    {
        var path = uri.AbsolutePath.TrimStart('/');
        return path.StartsWith("2/", StringComparison.Ordinal) ? path[2..] : path;
    }

    private enum FaultKind
    {
        Status,
        Refuse,
        LoseResponse,
        CutBody,
        StallBody,
    }

    private sealed record Fault(FaultKind Kind, HttpStatusCode Status, TimeSpan? RetryAfter, string? Body, long Bytes);
}
