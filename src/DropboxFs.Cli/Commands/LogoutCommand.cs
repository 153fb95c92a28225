using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs logout`: revokes the stored token at Dropbox, then deletes the token file.</summary>
internal static partial class LogoutCommand
{
    public static Command Create()
    {
        var command = new Command("logout", "Revoke the linked account's token and delete it from this machine.");
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var stored = await ctx.TokenStore.LoadAsync(ctx.Cancellation);
        if (stored is null)
        {
            Console.WriteLine("Not linked; nothing to do.");
            return ExitCode.Ok;
        }

        var endpoint = ctx.EndpointUri ?? (stored.Endpoint is null ? null : new Uri(stored.Endpoint));
        using var client = new DropboxClient(new DropboxClientOptions
        {
            Endpoint = endpoint,
            Tokens = new StaticTokenSource(stored.AccessToken),
            LoggerFactory = ctx.LoggerFactory,
            MaxRetries = 1,
        });
        var revoked = true;
        try
        {
            await client.RevokeTokenAsync(ctx.Cancellation);
        }
        catch (DropboxApiException e) when (e.IsAuthError)
        {
            // Already expired or revoked: nothing left to revoke remotely.
        }
        catch (HttpRequestException e)
        {
            // Offline: still forget the token locally; it stays valid at Dropbox until revoked there.
            revoked = false;
            LogRevokeFailed(ctx.Logger, e);
        }

        ctx.TokenStore.Delete();
        Console.WriteLine(revoked
            ? $"Logged out; deleted {ctx.TokenStore.FilePath}."
            : $"Deleted {ctx.TokenStore.FilePath}, but Dropbox could not be reached to revoke the token; revoke it under Settings → Connected apps.");
        return ExitCode.Ok;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token revocation failed")]
    private static partial void LogRevokeFailed(ILogger logger, Exception exception);
}
