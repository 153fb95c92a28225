using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs login`: OAuth2 authorization code + PKCE through a loopback redirect, then the
/// token (with its refresh token) goes to the TokenStore (0600).</summary>
internal static class LoginCommand
{
    private static readonly Option<bool> s_noBrowser = new("--no-browser") { Description = "Print the authorization URL instead of opening a browser." };
    private static readonly Option<int> s_port = new("--port") { Description = "Port of the 127.0.0.1 redirect listener (0 = random)." };

    public static Command Create()
    {
        var command = new Command("login", "Link a Dropbox account (OAuth2 with PKCE; set DROPBOXFS_CLIENT_ID to your app key for real Dropbox).")
        {
            s_noBrowser,
            s_port,
        };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var port = ctx.Get(s_port);
        if (port is < 0 or > 65535)
        {
            throw new CliException(ExitCode.Usage, $"--port must be 0..65535, not {port}");
        }

        using var oauth = ctx.CreateOAuth();
        var noBrowser = ctx.Get(s_noBrowser);
        var token = await oauth.AuthorizeWithLoopbackAsync(new LoopbackAuthorizeOptions
        {
            Port = port,
            NoBrowser = noBrowser,
            ShowUrl = url =>
            {
                // stdout, flushed at once: a script (or a test) reads the URL from here.
                Console.Out.WriteLine(noBrowser
                    ? $"Open this URL in a browser to link DropboxFs:\n{url}"
                    : $"Opening the browser; if it does not open, visit:\n{url}");
                Console.Out.Flush();
            },
        }, ctx.Cancellation);

        token = token with { Endpoint = ctx.Endpoint, ClientId = oauth.Options.ClientId };
        await ctx.TokenStore.SaveAsync(token, ctx.Cancellation);

        var client = await ctx.GetClientAsync();
        var account = await client.GetCurrentAccountAsync(ctx.Cancellation);
        Console.WriteLine($"Linked {account.Name.DisplayName} <{account.Email}>; token saved to {ctx.TokenStore.FilePath}");
        return ExitCode.Ok;
    }
}
