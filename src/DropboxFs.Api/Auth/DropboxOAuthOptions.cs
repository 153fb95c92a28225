namespace DropboxFs.Api;

/// <summary>Settings of <see cref="DropboxOAuth"/>.</summary>
public sealed record DropboxOAuthOptions
{
    /// <summary>Placeholder app key accepted by the emulator. Real Dropbox needs your own app key: register an
    /// app and set DROPBOXFS_CLIENT_ID.</summary>
    public const string EmulatorClientId = "dropboxfs-emulator";

    /// <summary>The app key: DROPBOXFS_CLIENT_ID, else <see cref="EmulatorClientId"/>.</summary>
    public string ClientId { get; init; } = Environment.GetEnvironmentVariable("DROPBOXFS_CLIENT_ID") is { Length: > 0 } id ? id : EmulatorClientId;
    /// <summary>App secret; not needed with PKCE.</summary>
    public string? ClientSecret { get; init; }
    /// <summary>One origin for /oauth2/authorize and /oauth2/token (the emulator); null = real Dropbox hosts.</summary>
    public Uri? Endpoint { get; init; }
    /// <summary>Scopes to request; null = the app's defaults.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }
    /// <summary>For tests.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; init; }
    /// <summary>Clock for expiry computation.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Options of the loopback (installed-app) flow.</summary>
public sealed record LoopbackAuthorizeOptions
{
    /// <summary>Port for the redirect listener on 127.0.0.1; 0 = random free port.</summary>
    public int Port { get; init; }
    /// <summary>Do not launch a browser; only <see cref="ShowUrl"/> is called.</summary>
    public bool NoBrowser { get; init; }
    /// <summary>Called with the authorize URL (print it). Default: nothing.</summary>
    public Action<Uri>? ShowUrl { get; init; }
    /// <summary>Replaces the browser launch (xdg-open/open/start). Tests do a plain HTTP GET here.</summary>
    public Func<Uri, CancellationToken, Task>? OpenBrowser { get; init; }
    /// <summary>Extra authorize parameters (e.g. the emulator's auto-approve flag).</summary>
    public IReadOnlyDictionary<string, string>? ExtraParameters { get; init; }
    /// <summary>Give up after this long (default 5 minutes).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}
