using Microsoft.Extensions.Logging;

namespace DropboxFs.Api;

/// <summary>Settings of <see cref="DropboxClient"/>.</summary>
public sealed record DropboxClientOptions
{
    /// <summary>One origin for every route (api, content, notify and OAuth), e.g. the emulator's BaseUri.
    /// Null = the real Dropbox hosts.</summary>
    public Uri? Endpoint { get; init; }
    /// <summary>Supplies "Bearer …" for user routes. Required.</summary>
    public required ITokenSource Tokens { get; init; }
    /// <summary>Fragment size of resumable uploads: default 10 MiB; at most 150 MiB (the per-request limit).</summary>
    public int FragmentSize { get; init; } = 10 * 1024 * 1024;
    /// <summary>Retries after the first attempt for 429, 5xx and network errors (per request). 0 disables retries.</summary>
    public int MaxRetries { get; init; } = 5;
    /// <summary>First back-off delay; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Cap of computed back-off delays.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Cap of a server's Retry-After (a bogus huge value must not hang a mount).</summary>
    public TimeSpan RetryAfterCap { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Timeout of one RPC attempt (headers and JSON body). Transfers have no overall timeout.</summary>
    public TimeSpan RpcTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>A download body that delivers no byte for this long counts as interrupted and is resumed from the
    /// first missing byte (default 60 s; <see cref="Timeout.InfiniteTimeSpan"/> disables).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Logging; null = no logs. Tokens are never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
    /// <summary>Clock for back-off, Retry-After and longpoll backoff (tests inject a fake).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    /// <summary>Replaces the pooled SocketsHttpHandler (tests' fault doubles). Not disposed by the client.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; init; }
    /// <summary>User-Agent header.</summary>
    public string UserAgent { get; init; } = "DropboxFs/1.0";
}
