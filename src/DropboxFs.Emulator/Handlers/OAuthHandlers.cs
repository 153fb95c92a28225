using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>
/// /oauth2/authorize (a page with Approve/Deny; <c>emulator_auto_approve=1</c> approves with an
/// immediate 302) and /oauth2/token (authorization_code with PKCE or a secret, refresh_token).
/// Any client_id is accepted: the emulator has no app registry.
/// </summary>
internal static class OAuthHandlers
{
    public static async Task AuthorizeAsync(EmulatorRuntime rt, HttpContext ctx)
    {
        var p = await ReadParamsAsync(ctx);
        var clientId = p.GetValueOrDefault("client_id");
        var responseType = p.GetValueOrDefault("response_type") ?? "code";
        var method = p.GetValueOrDefault("code_challenge_method") ?? "S256";
        if (string.IsNullOrEmpty(clientId) || responseType is not ("code" or "token") || method is not ("S256" or "plain"))
        {
            await Responses.TextAsync(ctx, 400, "Invalid authorization request: client_id, response_type (code|token) and code_challenge_method (S256|plain) are checked.");
            return;
        }

        var action = p.GetValueOrDefault("emulator_auto_approve") is "1" or "true" ? "approve" : ctx.Request.Method == "POST" ? p.GetValueOrDefault("action") : null;
        var redirect = p.GetValueOrDefault("redirect_uri");
        var state = p.GetValueOrDefault("state");
        if (action == null)
        {
            await Responses.TextAsync(ctx, 200, ApprovalPage(p), "text/html; charset=utf-8");
            return;
        }

        if (action != "approve")
        {
            await RedirectOrShowAsync(ctx, redirect, $"error=access_denied&error_description={Uri.EscapeDataString("The user denied access")}", state, fragment: false);
            return;
        }

        var scope = p.GetValueOrDefault("scope") ?? DropboxState.DefaultScope;
        if (responseType == "token")
        {
            var issued = await rt.State.RunAsync(() => rt.State.ExchangeCodeLocked(
                rt.State.IssueCodeLocked(clientId, new CodeBinding(null, null, null, "online", scope)), clientId, "implicit", null, null, rt.Options.AccessTokenLifetime));
            var q = $"access_token={issued.AccessToken}&token_type=bearer&account_id={Uri.EscapeDataString(UsersHandlers.AccountId)}&uid={UsersHandlers.Uid}&expires_in={issued.ExpiresIn}";
            await RedirectOrShowAsync(ctx, redirect, q, state, fragment: true);
            return;
        }

        var binding = new CodeBinding(redirect, p.GetValueOrDefault("code_challenge"), method, p.GetValueOrDefault("token_access_type") ?? "offline", scope);
        var code = await rt.State.RunAsync(() => rt.State.IssueCodeLocked(clientId, binding));
        await RedirectOrShowAsync(ctx, redirect, "code=" + code, state, fragment: false);
    }

    public static async Task TokenAsync(EmulatorRuntime rt, HttpContext ctx)
    {
        if (ctx.Request.Method != "POST")
        {
            throw Errors.Status(405, "Method not allowed; use POST");
        }

        var p = await ReadParamsAsync(ctx);
        var (clientId, secret) = (p.GetValueOrDefault("client_id"), p.GetValueOrDefault("client_secret"));
        string? basic = ctx.Request.Headers.Authorization;
        if (basic != null && basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..].Trim())).Split(':', 2);
                clientId = Uri.UnescapeDataString(pair[0]);
                secret = pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null;
            }
            catch (FormatException)
            {
                throw Errors.OAuth("invalid_client", "malformed Basic credentials");
            }
        }

        var lifetime = rt.Options.AccessTokenLifetime;
        JsonObject body;
        switch (p.GetValueOrDefault("grant_type"))
        {
            case "authorization_code":
                var code = p.GetValueOrDefault("code") ?? throw Errors.OAuth("invalid_request", "No auth code provided");
                var t = await rt.State.RunAsync(() => rt.State.ExchangeCodeLocked(code, clientId, secret, p.GetValueOrDefault("code_verifier"), p.GetValueOrDefault("redirect_uri"), lifetime));
                body = new JsonObject
                {
                    ["access_token"] = t.AccessToken,
                    ["token_type"] = "bearer",
                    ["expires_in"] = t.ExpiresIn,
                    ["scope"] = t.Scope,
                };
                if (t.RefreshToken != null)
                {
                    body["refresh_token"] = t.RefreshToken;
                }

                body["account_id"] = UsersHandlers.AccountId;
                body["uid"] = UsersHandlers.Uid; // [py] requires it (§2.2)
                break;
            case "refresh_token":
                var refresh = p.GetValueOrDefault("refresh_token") ?? throw Errors.OAuth("invalid_request", "No refresh token provided");
                var r = await rt.State.RunAsync(() => rt.State.RefreshLocked(refresh, clientId, lifetime));
                body = new JsonObject { ["access_token"] = r.AccessToken, ["token_type"] = "bearer", ["expires_in"] = r.ExpiresIn };
                break;
            case null:
                throw Errors.OAuth("invalid_request", "No grant_type provided");
            default:
                throw Errors.OAuth("unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
        }

        await Responses.JsonAsync(ctx, 200, WireJson.Body(body));
    }

    /// <summary>Query string and, for form posts, the body: [js] sends token parameters in the query (§2.2).</summary>
    private static async Task<Dictionary<string, string>> ReadParamsAsync(HttpContext ctx)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in ctx.Request.Query)
        {
            p[k] = v.ToString();
        }

        if (ctx.Request.HasFormContentType)
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            foreach (var (k, v) in form)
            {
                p[k] = v.ToString();
            }
        }

        return p;
    }

    private static async Task RedirectOrShowAsync(HttpContext ctx, string? redirect, string query, string? state, bool fragment)
    {
        if (state != null)
        {
            query += "&state=" + Uri.EscapeDataString(state);
        }

        if (string.IsNullOrEmpty(redirect))
        {
            // No redirect_uri: Dropbox shows the code for the user to paste.
            await Responses.TextAsync(ctx, 200, $"<!doctype html><title>Dropbox emulator</title><p>Copy this into the app:</p><pre id=\"result\">{WebUtility.HtmlEncode(query)}</pre>", "text/html; charset=utf-8");
            return;
        }

        var sep = fragment ? "#" : redirect.Contains('?') ? "&" : "?";
        ctx.Response.StatusCode = 302;
        ctx.Response.Headers.Location = redirect + sep + query;
    }

    private static string ApprovalPage(Dictionary<string, string> p)
    {
        var hidden = new StringBuilder();
        foreach (var (k, v) in p)
        {
            hidden.Append($"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(k)}\" value=\"{WebUtility.HtmlEncode(v)}\">");
        }

        return $"""
            <!doctype html><html><head><meta charset="utf-8"><title>Dropbox emulator: authorize</title></head>
            <body><h1>Allow “{WebUtility.HtmlEncode(p.GetValueOrDefault("client_id"))}” to access the emulated Dropbox?</h1>
            <form method="post" action="/oauth2/authorize">{hidden}
            <button name="action" value="approve" id="approve">Approve</button>
            <button name="action" value="deny" id="deny">Deny</button></form></body></html>
            """;
    }
}
