using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace DropboxFs.Api;

// Retry policy. Two layers:
// 1. Polly (per HTTP exchange): 429 and 503 always (the server refused; nothing happened), other 5xx and network
//    errors only for idempotent routes, and connection failures before anything was sent for every route.
//    Delay = Retry-After when present (capped), else exponential back-off with jitter.
// 2. MutateAsync (per mutation): when the outcome of a mutation is unknown (reset mid-exchange, 500/502/504),
//    the current state is read first (get_metadata, content_hash, existence) and the mutation is only
//    repeated if it verifiably did not happen.
public sealed partial class DropboxClient
{
    private static readonly ResiliencePropertyKey<bool> s_idempotentKey = new("dropbox.idempotent");
    private static readonly ResiliencePropertyKey<string> s_routeKey = new("dropbox.route");

    private ResiliencePipeline BuildPipeline()
    {
        if (_options.MaxRetries <= 0)
        {
            return ResiliencePipeline.Empty;
        }
        return new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && ShouldRetry(ex, args.Context.Properties.GetValue(s_idempotentKey, false), args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is DropboxApiException { RetryAfter: { } after }
                        ? (TimeSpan?)(after > _options.RetryAfterCap ? _options.RetryAfterCap : after)
                        : null),
                OnRetry = args =>
                {
                    var route = args.Context.Properties.GetValue(s_routeKey, "?");
                    var reason = args.Outcome.Exception is DropboxApiException api ? $"{api.StatusCode} {api.TagPath}" : args.Outcome.Exception?.GetType().Name;
                    _log.LogWarning("Dropbox {Route} failed ({Reason}); retry {Attempt} in {Delay} ms",
                        route, reason, args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            })
            .Build();
    }

    private async Task<T> RunAsync<T>(string route, bool idempotent, Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(s_idempotentKey, idempotent);
        context.Properties.Set(s_routeKey, route);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false),
                context, attempt).ConfigureAwait(false);
        }
        catch (Exception ex) when (UploadSourceException.FindIn(ex) is { } sourceError)
        {
            // The caller's stream failed, not the network: surface its own exception.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(sourceError);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    internal static bool ShouldRetry(Exception ex, bool idempotent, CancellationToken ct)
    {
        if (ct.IsCancellationRequested || UploadSourceException.FindIn(ex) is not null)
        {
            return false;
        }
        return ex switch
        {
            DropboxApiException api => api.StatusCode is 429 or 503 || api.IsRateLimited || (idempotent && api.StatusCode >= 500),
            _ when IsNotSent(ex) => true,
            _ => idempotent && IsNetworkFailure(ex),
        };
    }

    /// <summary>Network-level failure: reset, refused, truncated body, per-attempt timeout.</summary>
    internal static bool IsNetworkFailure(Exception ex) =>
        ex is HttpRequestException or IOException or TimeoutException or SocketException;

    /// <summary>The request certainly never reached the server (connect failed), so even a mutation may be repeated.</summary>
    private static bool IsNotSent(Exception ex) =>
        ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };

    /// <summary>Whether a mutation's result is unknown: the exchange broke, or a 5xx other than 503 answered.</summary>
    private static bool IsOutcomeUnknown(Exception ex) =>
        UploadSourceException.FindIn(ex) is null && (IsNetworkFailure(ex) || ex is DropboxApiException { StatusCode: >= 500 and not 503 });

    /// <summary>Runs a mutation; if its outcome is unknown, asks <paramref name="verify"/> whether it took effect
    /// (returning the result if so) before repeating it.</summary>
    private async Task<T> MutateAsync<T>(string route, Func<CancellationToken, Task<T>> mutation, Func<CancellationToken, Task<T?>> verify, CancellationToken ct)
        where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await mutation(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < _options.MaxRetries && IsOutcomeUnknown(ex) && !ct.IsCancellationRequested)
            {
                var delay = TimeSpan.FromTicks(Math.Min(_options.RetryMaxDelay.Ticks, _options.RetryBaseDelay.Ticks << Math.Min(attempt, 20)));
                _log.LogWarning("Outcome of {Route} unknown ({Error}); checking state before repeating it", route, ex.GetType().Name);
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                if (await verify(ct).ConfigureAwait(false) is { } done)
                {
                    _log.LogInformation("{Route} had taken effect; not repeating it", route);
                    return done;
                }
            }
        }
    }
}
