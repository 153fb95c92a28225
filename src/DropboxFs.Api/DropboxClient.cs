using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace DropboxFs.Api;

/// <summary>Typed async Dropbox API v2 client. One pooled HttpClient; streaming bodies; cancellation everywhere;
/// retries with back-off and Retry-After (Polly); transparent token refresh; mutations whose outcome is unknown
/// are checked before being repeated. Thread-safe. See README.md in this folder for the surface and invariants.</summary>
public sealed partial class DropboxClient : IDisposable
{
    private static readonly Uri s_apiHost = new("https://api.dropboxapi.com/");
    private static readonly Uri s_contentHost = new("https://content.dropboxapi.com/");
    private static readonly Uri s_notifyHost = new("https://notify.dropboxapi.com/");

    private readonly DropboxClientOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _log;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly Uri? _endpoint;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _requestCounts = new(StringComparer.Ordinal);
    private long _longpollNotBeforeTicks;

    /// <summary>Creates a client; dispose it when done.</summary>
    public DropboxClient(DropboxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Tokens);
        if (options.FragmentSize is <= 0 or > MaxRequestBody)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "FragmentSize must be 1 byte .. 150 MiB");
        }
        _options = options;
        _endpoint = WithTrailingSlash(options.Endpoint);
        _time = options.TimeProvider;
        _log = options.LoggerFactory?.CreateLogger<DropboxClient>() ?? NullLogger<DropboxClient>.Instance;
        HttpMessageHandler handler = options.HttpMessageHandler ?? new SocketsHttpHandler
        {
            // 5 min: pick up DNS changes; connections are otherwise reused for every request.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
            // Dropbox-API-Result should be ASCII-escaped, but decode raw UTF-8 correctly if a server sends it.
            ResponseHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        };
        _http = new HttpClient(handler, disposeHandler: options.HttpMessageHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // per-call timeouts; transfers and longpolls are long
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        _pipeline = BuildPipeline();
    }

    /// <summary>150 MiB: the body limit of one upload request.</summary>
    public const int MaxRequestBody = 150 * 1024 * 1024;

    /// <summary>The options in use.</summary>
    public DropboxClientOptions Options => _options;

    /// <summary>HTTP requests sent per route (e.g. "files/download"), retries and refresh repeats included; a snapshot
    /// for status displays.</summary>
    public IReadOnlyDictionary<string, long> RequestCounts => new Dictionary<string, long>(_requestCounts, StringComparer.Ordinal);

    /// <summary>All HTTP requests sent so far.</summary>
    public long TotalRequests => _requestCounts.Values.Sum();

    private Uri HostFor(RouteHost host) => _endpoint ?? host switch
    {
        RouteHost.Content => s_contentHost,
        RouteHost.Notify => s_notifyHost,
        _ => s_apiHost,
    };

    private Uri RouteUri(RouteHost host, string route) => new(HostFor(host), "2/" + route);

    /// <summary>"http://h:1/prefix" → "http://h:1/prefix/", so routes resolve under the prefix.</summary>
    internal static Uri? WithTrailingSlash(Uri? endpoint) =>
        endpoint is null || endpoint.AbsolutePath.EndsWith('/') ? endpoint : new Uri(endpoint.GetLeftPart(UriPartial.Path) + "/");

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}

internal enum RouteHost
{
    Api,
    Content,
    Notify,
}
