using System.Text;
using System.Text.Json.Nodes;

namespace DropboxFs.Emulator.Http;

/// <summary>Writes bodies with the exact headers SDKs check (§1.2, §1.8).</summary>
internal static class Responses
{
    public static async Task JsonAsync(HttpContext ctx, int status, byte[] body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.Headers.ContentType = "application/json"; // exactly; no charset ([py] asserts it)
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    public static async Task TextAsync(HttpContext ctx, int status, string text, string contentType = "text/plain; charset=utf-8")
    {
        var body = Encoding.UTF8.GetBytes(text);
        ctx.Response.StatusCode = status;
        ctx.Response.Headers.ContentType = contentType;
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    /// <summary>The wire shape of every error: 400 text, 401/409/429 JSON envelope, 5xx text.</summary>
    public static Task ErrorAsync(HttpContext ctx, string route, ApiException e)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort(); // mid-download: the only honest signal left is a cut connection
            return Task.CompletedTask;
        }

        if (e.RetryAfter is int seconds)
        {
            ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (e.OAuthBody != null)
        {
            return JsonAsync(ctx, e.Status, WireJson.Body(e.OAuthBody));
        }

        if (e.Error != null)
        {
            var envelope = new JsonObject { ["error_summary"] = Errors.Summary(e.Error), ["error"] = e.Error.DeepClone() };
            return JsonAsync(ctx, e.Status, WireJson.Body(envelope));
        }

        var text = e.Status == 400 ? $"Error in call to API function \"{route}\": {e.PlainText}" : e.PlainText ?? "";
        return TextAsync(ctx, e.Status, text);
    }
}
