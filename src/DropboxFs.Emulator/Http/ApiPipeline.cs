using System.Text.Json;

namespace DropboxFs.Emulator.Http;

/// <summary>
/// The request path every API call takes: count, latency, scripted faults, method, auth,
/// Content-Type, argument decoding, handler, and one place where errors become wire shapes.
/// </summary>
internal sealed partial class ApiPipeline(EmulatorRuntime runtime)
{
    private const int MaxRpcBody = 16 * 1024 * 1024;
    private const string ArgHeader = "Dropbox-API-Arg";

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        ctx.Response.Headers["X-Dropbox-Request-Id"] = Guid.NewGuid().ToString("n");
        if (path.StartsWith("/2/", StringComparison.Ordinal))
        {
            await ApiAsync(ctx, path[3..]);
            return;
        }

        var endpoint = RouteTable.Endpoint(path);
        var isControl = path.StartsWith("/_emulator/", StringComparison.Ordinal);
        if (endpoint == null || (isControl && !runtime.Options.EnableControlApi))
        {
            await Responses.TextAsync(ctx, 404, "Not found");
            return;
        }

        if (!isControl)
        {
            // Links count under their prefix ("_link", "s"), not per token.
            var name = path.TrimStart('/');
            runtime.Count(name.StartsWith("oauth2/", StringComparison.Ordinal) ? name : name.Split('/')[0]);
            await DelayAsync(ctx);
        }

        try
        {
            await endpoint(runtime, ctx);
        }
        catch (ApiException e)
        {
            await Responses.ErrorAsync(ctx, path.TrimStart('/'), e);
        }
    }

    private async Task ApiAsync(HttpContext ctx, string route)
    {
        runtime.Count(route);
        await DelayAsync(ctx);
        try
        {
            if (!RouteTable.Api.TryGetValue(route, out var def))
            {
                throw Errors.BadRequest("Unknown API function");
            }

            var fault = runtime.Faults.Take(route);
            switch (fault?.Kind)
            {
                case FaultKind.TooManyRequests:
                    throw Errors.RateLimited("too_many_requests", fault.RetryAfterSeconds);
                case FaultKind.TooManyWriteOperations:
                    throw Errors.RateLimited("too_many_write_operations", fault.RetryAfterSeconds);
                case FaultKind.InternalServerError:
                    throw Errors.Status(500, "Internal Server Error (scripted fault)");
                case FaultKind.ServiceUnavailable:
                    throw Errors.Status(503, "Service Unavailable (scripted fault)", fault.RetryAfterSeconds);
                case FaultKind.ResetConnection when def.Style == RouteStyle.Rpc:
                    ctx.Abort();
                    return;
            }

            var method = ctx.Request.Method;
            if (method != "POST" && !(method == "GET" && def.Style == RouteStyle.Download))
            {
                throw Errors.Status(405, "Method not allowed; API calls are POST");
            }

            var token = def.NoAuth ? CheckNoAuth(ctx) : await AuthenticateAsync(ctx);
            CheckPathRoot(ctx);
            var args = def.Style == RouteStyle.Rpc ? await ReadRpcArgAsync(ctx, def) : ReadHeaderArg(ctx, def);
            await def.Handler(new ApiRequest(ctx, def, runtime, args, fault, token));
        }
        catch (ApiException e)
        {
            await Responses.ErrorAsync(ctx, route, e);
        }
    }

    private Task DelayAsync(HttpContext ctx) =>
        runtime.Latency > TimeSpan.Zero ? Task.Delay(runtime.Latency, ctx.RequestAborted) : Task.CompletedTask;

    private static string? CheckNoAuth(HttpContext ctx)
    {
        if (ctx.Request.Headers.ContainsKey("Authorization"))
        {
            throw Errors.BadRequest("Your request includes an Authorization header, but this function does not use it.");
        }

        return null;
    }

    private async Task<string> AuthenticateAsync(HttpContext ctx)
    {
        string? value = ctx.Request.Headers.Authorization;
        value ??= ctx.Request.Query["authorization"];
        if (string.IsNullOrEmpty(value))
        {
            throw Errors.BadRequest("Must provide HTTP header \"Authorization\" or URL parameter \"authorization\".");
        }

        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.Length <= 7 || value[7..].Trim().Length == 0)
        {
            throw Errors.BadRequest($"Invalid authorization value in HTTP header \"Authorization\": \"{value}\".  Expecting \"Bearer <oauth2-access-token>\".");
        }

        var token = value[7..].Trim();
        if (token != runtime.StaticToken)
        {
            await runtime.State.RunAsync(() => runtime.State.ValidateAccessTokenLocked(token), ctx.RequestAborted);
        }

        return token;
    }
}
