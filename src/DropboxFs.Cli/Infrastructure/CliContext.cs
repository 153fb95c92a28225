using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Commands;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// What a verb gets: parsed values, cancellation, logging, and the ONE place that builds a
/// <see cref="DropboxClient"/> from the global options.
/// Token precedence: --token / DROPBOXFS_TOKEN (static), else the TokenStore written by `login`
/// (refreshing), else exit AuthRequired. Endpoint precedence: --endpoint / DROPBOXFS_ENDPOINT, else
/// the endpoint the stored token was issued by, else real Dropbox.
/// </summary>
internal sealed class CliContext : IDisposable
{
    private DropboxClient? _client;
    private DropboxOAuth? _oauth;

    public CliContext(ParseResult parse, CancellationToken cancellation)
    {
        Parse = parse;
        Cancellation = cancellation;
        Endpoint = GlobalOptions.ResolveEndpoint(parse);
        Token = GlobalOptions.ResolveToken(parse);
        LoggerFactory = CliLogging.Create(parse.GetValue(GlobalOptions.LogLevel) ?? "warning", [Token]);
        Logger = LoggerFactory.CreateLogger("dropboxfs");
    }

    public ParseResult Parse { get; }
    public CancellationToken Cancellation { get; }
    public string? Endpoint { get; private set; }
    public string? Token { get; }
    public ILoggerFactory LoggerFactory { get; }
    public ILogger Logger { get; }
    public ErrorSubject Subject { get; } = new();
    public TokenStore TokenStore { get; } = new();

    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;
    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    /// <summary>The endpoint as a URI (validated), or null for real Dropbox.</summary>
    public Uri? EndpointUri => Endpoint is null ? null : ParseEndpoint(Endpoint);

    public async Task<DropboxClient> GetClientAsync()
    {
        if (_client is not null)
        {
            return _client;
        }

        ITokenSource tokens;
        if (Token is not null)
        {
            tokens = new StaticTokenSource(Token);
        }
        else
        {
            var stored = await LoadStoredTokenAsync()
                ?? throw new CliException(ExitCode.AuthRequired,
                    "Not linked: run `dropboxfs login` (or pass --token / set DROPBOXFS_TOKEN)");
            Endpoint ??= stored.Endpoint;
            _oauth = CreateOAuth(stored.ClientId);
            tokens = new RefreshingTokenSource(stored, _oauth, TokenStore);
        }

        var retries = Parse.GetValue(GlobalOptions.Retries);
        if (retries is < 0 or > 100)
        {
            throw new CliException(ExitCode.Usage, $"--retries must be 0..100, not {retries}");
        }

        _client = new DropboxClient(new DropboxClientOptions
        {
            Endpoint = EndpointUri,
            Tokens = tokens,
            LoggerFactory = LoggerFactory,
            MaxRetries = retries,
        });
        return _client;
    }

    private async Task<StoredToken?> LoadStoredTokenAsync()
    {
        try
        {
            return await TokenStore.LoadAsync(Cancellation);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new CliException(ExitCode.AuthRequired,
                $"the token file {TokenStore.FilePath} is damaged: run `dropboxfs login` again");
        }
    }

    public DropboxOAuth CreateOAuth(string? clientId = null)
    {
        var options = new DropboxOAuthOptions { Endpoint = EndpointUri };
        if (!string.IsNullOrEmpty(clientId))
        {
            options = options with { ClientId = clientId };
        }

        return new DropboxOAuth(options);
    }

    public void Dispose()
    {
        _client?.Dispose();
        _oauth?.Dispose();
        LoggerFactory.Dispose();
    }

    private static Uri ParseEndpoint(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException(ExitCode.Usage, $"--endpoint must be an http(s) URL such as http://127.0.0.1:8080, not '{endpoint}'");
        }

        // Routes are resolved relative to the endpoint ("2/files/…"), so it must end in '/'.
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
