using System.CommandLine;

namespace DropboxFs.Cli.Commands;

/// <summary>Options every verb accepts: where Dropbox is, and which token to use.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "Send every route to this origin (e.g. the emulator). Env: DROPBOXFS_ENDPOINT.",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Access token to use instead of the linked account. Env: DROPBOXFS_TOKEN.",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Endpoint);
        root.Options.Add(Token);
    }
}
