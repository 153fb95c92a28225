using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace DropboxFs.Api;

public sealed partial class DropboxOAuth
{
    /// <summary>Installed-app flow: listens on 127.0.0.1 (random or configured port), opens the browser at the
    /// authorize URL (or only shows it), waits for the redirect carrying the code, checks state and exchanges the
    /// code with the PKCE verifier.</summary>
    public async Task<StoredToken> AuthorizeWithLoopbackAsync(LoopbackAuthorizeOptions? options = null, CancellationToken ct = default)
    {
        options ??= new LoopbackAuthorizeOptions();
        var listener = new TcpListener(IPAddress.Loopback, options.Port);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var redirectUri = $"http://localhost:{port}/";
            var pkce = Pkce.Create();
            var state = Pkce.Base64Url(RandomNumberGenerator.GetBytes(16));
            var url = BuildAuthorizeUri(redirectUri, state, pkce, "offline", options.ExtraParameters);
            options.ShowUrl?.Invoke(url);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Timeout);
            var accept = WaitForRedirectAsync(listener, state, timeout.Token);
            if (options.OpenBrowser is { } open)
            {
                await open(url, timeout.Token).ConfigureAwait(false);
            }
            else if (!options.NoBrowser)
            {
                LaunchBrowser(url);
            }
            var code = await accept.ConfigureAwait(false);
            return await ExchangeCodeAsync(code, redirectUri, pkce.Verifier, ct).ConfigureAwait(false);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<string> WaitForRedirectAsync(TcpListener listener, string state, CancellationToken ct)
    {
        while (true)
        {
            using var client = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            await using var stream = client.GetStream();
            var target = await ReadRequestTargetAsync(stream, ct).ConfigureAwait(false);
            var q = target is null ? null : ParseQuery(new Uri(new Uri("http://localhost/"), target).Query);
            if (q is null || (!q.ContainsKey("code") && !q.ContainsKey("error")))
            {
                await WriteResponseAsync(stream, 404, "Not found", ct).ConfigureAwait(false);
                continue; // favicon and stray requests
            }
            if (q.TryGetValue("error", out var error))
            {
                await WriteResponseAsync(stream, 400, "Authorization failed. You can close this window.", ct).ConfigureAwait(false);
                throw new DropboxApiException("oauth2/authorize", 400, error, q.GetValueOrDefault("error_description") ?? error);
            }
            if (!q.TryGetValue("state", out var got) || got != state)
            {
                await WriteResponseAsync(stream, 400, "State mismatch; start the login again.", ct).ConfigureAwait(false);
                throw new DropboxApiException("oauth2/authorize", 400, "state_mismatch", "The redirect's state does not match this login");
            }
            await WriteResponseAsync(stream, 200, "DropboxFs is linked. You can close this window.", ct).ConfigureAwait(false);
            return q["code"];
        }
    }

    private static async Task<string?> ReadRequestTargetAsync(NetworkStream stream, CancellationToken ct)
    {
        // Request line and headers only; 16 KiB is far more than a redirect needs.
        var buffer = new byte[16 * 1024];
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            total += n;
            if (buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }
        var text = Encoding.ASCII.GetString(buffer, 0, total);
        var line = text.Split("\r\n", 2)[0].Split(' ');
        return line.Length >= 2 && line[0] == "GET" ? line[1] : null;
    }

    private static async Task WriteResponseAsync(NetworkStream stream, int status, string message, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes($"<!doctype html><html><body><p>{WebUtility.HtmlEncode(message)}</p></body></html>");
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(head, ct).ConfigureAwait(false);
        await stream.WriteAsync(body, ct).ConfigureAwait(false);
    }

    private static void LaunchBrowser(Uri url)
    {
        var psi = OperatingSystem.IsWindows() ? new ProcessStartInfo("cmd", $"/c start \"\" \"{url}\"")
            : new ProcessStartInfo(OperatingSystem.IsMacOS() ? "open" : "xdg-open", [url.ToString()]);
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        try
        {
            using var p = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No browser launcher installed: the URL was already shown via ShowUrl.
        }
    }
}
