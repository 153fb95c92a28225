using System.CommandLine;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs mkdir PATH`: creates a folder (Dropbox creates missing parents too).</summary>
internal static class MkdirCommand
{
    private static readonly Argument<string> s_path = new Argument<string>("PATH") { Description = "Remote folder to create." }.RejectOptionLike();
    private static readonly Option<bool> s_parents = new("--parents", "-p") { Description = "No error if the folder already exists." };

    public static Command Create()
    {
        var command = new Command("mkdir", "Create a remote folder (and any missing parents).") { s_path, s_parents };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var path = RemotePath.Normalize(ctx.Get(s_path));
        ctx.Subject.Path = RemotePath.Display(path);
        ctx.Subject.ConflictHint = "pass -p to accept an existing folder";
        var client = await ctx.GetClientAsync();
        try
        {
            var folder = await client.CreateFolderAsync(path, ct: ctx.Cancellation);
            Console.WriteLine($"created {folder.PathDisplay}");
        }
        catch (Api.DropboxApiException e) when (e.IsConflict && ctx.Get(s_parents))
        {
            // -p accepts an existing folder, but not a file in the way.
            if (await client.TryGetMetadataAsync(path, ct: ctx.Cancellation) is not Api.FolderMetadata)
            {
                throw;
            }

            Console.WriteLine($"exists {RemotePath.Display(path)}");
        }

        return ExitCode.Ok;
    }
}
