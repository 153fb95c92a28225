using System.Text.Json;
using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;

namespace DropboxFs.Emulator.Handlers;

/// <summary>
/// /_emulator/* (only with EnableControlApi): the HTTP face of <see cref="EmulatorControl"/>.
/// Bodies are small JSON objects; answers are JSON. See README.md for every verb.
/// </summary>
internal static class ControlHandlers
{
    public static async Task HandleAsync(EmulatorRuntime rt, HttpContext ctx)
    {
        var verb = (ctx.Request.Path.Value ?? "")["/_emulator/".Length..].TrimEnd('/');
        var control = new EmulatorControl(rt);
        var body = await ReadBodyAsync(ctx);
        JsonNode? result = null;
        switch (ctx.Request.Method, verb)
        {
            case ("POST", "reset"):
                await control.ResetAsync();
                break;
            case ("POST", "seed"):
                await control.SeedFromDirectoryAsync(Str(body, "local_path") ?? throw Bad("local_path is required"), Str(body, "remote_path") ?? "", ctx.RequestAborted);
                break;
            case ("POST", "latency"):
                control.SetLatency(TimeSpan.FromMilliseconds(Num(body, "ms")));
                break;
            case ("POST", "bandwidth"):
                control.SetBandwidth(Num(body, "bytes_per_second"));
                break;
            case ("POST", "quota"):
                control.SetQuota(Num(body, "bytes"));
                break;
            case ("POST", "longpoll_backoff"):
                control.SetLongpollBackoff((int)Num(body, "seconds"));
                break;
            case ("POST", "faults"):
                control.AddFault(ParseFault(body));
                break;
            case ("DELETE", "faults"):
            case ("POST", "faults/clear"):
                control.ClearFaults();
                break;
            case ("POST", "expire_tokens"):
                control.ExpireAllAccessTokens();
                break;
            case ("POST", "longpoll_reset"):
                control.ForceLongpollReset();
                break;
            case ("GET", "counters"):
                var routes = new JsonObject();
                foreach (var (k, v) in control.RequestCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    routes[k] = v;
                }

                result = new JsonObject { ["routes"] = routes, ["total_api"] = control.TotalApiRequests };
                break;
            case ("POST", "counters/reset"):
                control.ResetRequestCounts();
                break;
            case ("GET", "status"):
                result = new JsonObject
                {
                    ["base_uri"] = rt.BaseUri.ToString(),
                    ["epoch"] = rt.State.Epoch,
                    ["faults"] = rt.Faults.Count,
                    ["latency_ms"] = rt.Latency.TotalMilliseconds,
                    ["bandwidth_bytes_per_second"] = rt.Downstream.BytesPerSecond,
                    ["quota_bytes"] = rt.State.QuotaBytes,
                    ["used_bytes"] = await rt.State.RunAsync(() => rt.State.UsedBytesLocked),
                };
                break;
            default:
                await Responses.TextAsync(ctx, 404, $"Unknown control endpoint: {ctx.Request.Method} /_emulator/{verb}");
                return;
        }

        await Responses.JsonAsync(ctx, 200, WireJson.Body(result));
    }

    private static FaultRule ParseFault(JsonObject? b)
    {
        var kind = Str(b, "kind") switch
        {
            "too_many_requests" or "429" => FaultKind.TooManyRequests,
            "too_many_write_operations" => FaultKind.TooManyWriteOperations,
            "internal_server_error" or "500" => FaultKind.InternalServerError,
            "service_unavailable" or "503" => FaultKind.ServiceUnavailable,
            "reset_connection" => FaultKind.ResetConnection,
            "incorrect_offset" => FaultKind.IncorrectOffset,
            "longpoll_reset" or "reset" => FaultKind.LongpollReset,
            "insufficient_space" => FaultKind.InsufficientSpace,
            var k => throw Bad($"unknown fault kind '{k}'"),
        };
        return new FaultRule
        {
            Route = Str(b, "route"),
            Kind = kind,
            Times = b?["times"] is null ? 1 : (int)Num(b, "times"),
            Rate = b?["rate"] is null ? 1.0 : b["rate"]!.GetValue<double>(),
            Skip = (int)Num(b, "skip"),
            RetryAfterSeconds = b?["retry_after"] is null ? 1 : (int)Num(b, "retry_after"),
            AfterBytes = Num(b, "after_bytes"),
        };
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw Bad("body must be a JSON object");
        }
        catch (JsonException)
        {
            throw Bad("body is not JSON");
        }
    }

    private static string? Str(JsonObject? b, string key) => b?[key]?.GetValue<string>();

    private static long Num(JsonObject? b, string key)
    {
        try
        {
            return b?[key]?.GetValue<long>() ?? 0;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw Bad($"{key} must be an integer");
        }
    }

    private static ApiException Bad(string message) => Errors.BadRequest(message);
}
