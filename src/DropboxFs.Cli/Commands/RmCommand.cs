using System.CommandLine;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs rm PATH`: deletes a file or a whole folder (recoverable with restore for files).</summary>
internal static class RmCommand
{
    private static readonly Argument<string> s_path = new Argument<string>("PATH") { Description = "Remote file or folder to delete." }.RejectOptionLike();
    private static readonly Option<string?> s_ifRevision = new("--if-revision") { Description = "Only delete this revision of the file." };

    public static Command Create()
    {
        var command = new Command("rm", "Delete a remote file or folder (folders with everything inside).") { s_path, s_ifRevision };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var path = RemotePath.Normalize(ctx.Get(s_path));
        ctx.Subject.Path = RemotePath.Display(path);
        if (path.Length == 0)
        {
            throw new CliException(ExitCode.Usage, "refusing to delete the root folder; name what to delete, e.g. /Photos");
        }

        var client = await ctx.GetClientAsync();
        var deleted = await client.DeleteAsync(path, ctx.Get(s_ifRevision), ctx.Cancellation);
        Console.WriteLine($"deleted {deleted.PathDisplay ?? RemotePath.Display(path)}");
        return ExitCode.Ok;
    }
}
