namespace DropboxFs.Emulator.Handlers;

/// <summary>auth/token/revoke (§2.3). The static dev token cannot be revoked: it always works.</summary>
internal static class AuthHandlers
{
    public static async Task RevokeAsync(Http.ApiRequest req)
    {
        req.Args.Done();
        if (req.Token != null && req.Token != req.Runtime.StaticToken)
        {
            await req.State.RunAsync(() => req.State.RevokeLocked(req.Token));
        }

        await req.OkAsync(null);
    }
}
