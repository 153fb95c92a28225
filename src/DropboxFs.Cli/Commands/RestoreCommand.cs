using System.CommandLine;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs restore PATH REV`: makes revision REV the current content of PATH.</summary>
internal static class RestoreCommand
{
    private static readonly Argument<string> s_path = new Argument<string>("PATH") { Description = "Remote file." }.RejectOptionLike();
    private static readonly Argument<string> s_rev = new Argument<string>("REV") { Description = "Revision to restore (from `dropboxfs revisions PATH`)." }.RejectOptionLike();

    public static Command Create()
    {
        var command = new Command("restore", "Restore a file to an earlier revision.") { s_path, s_rev };
        command.SetCliAction(async ctx =>
        {
            var path = RemotePath.Normalize(ctx.Get(s_path));
            var rev = ctx.Get(s_rev);
            ctx.Subject.Path = RemotePath.Display(path);
            var client = await ctx.GetClientAsync();
            var restored = await client.RestoreAsync(path, rev, ctx.Cancellation);
            Console.WriteLine($"restored {restored.PathDisplay} to rev {rev} (now rev {restored.Rev}, {Terminal.FormatSize(restored.Size)})");
            return ExitCode.Ok;
        });
        return command;
    }
}
