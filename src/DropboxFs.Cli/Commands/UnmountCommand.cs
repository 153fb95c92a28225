using System.CommandLine;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Fuse;

namespace DropboxFs.Cli.Commands;

/// <summary><c>dropboxfs unmount MOUNTPOINT</c>: lazy unmount; the mount process then exits by itself.</summary>
internal static class UnmountCommand
{
    private static readonly Argument<string> s_mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where Dropbox is mounted." }.RejectOptionLike();

    public static Command Create()
    {
        var command = new Command("unmount", "Unmount a mounted Dropbox (the mount process exits once nothing uses it).") { s_mountPoint };
        command.SetCliAction(ctx =>
        {
            string path = Path.GetFullPath(ctx.Get(s_mountPoint));
            if (!FuseMount.UnmountAt(path))
            {
                throw new CliException(ExitCode.MountFailed, $"nothing is mounted at {path} (or it could not be unmounted); `grep fuse /proc/mounts` lists FUSE mounts");
            }

            Console.WriteLine($"Unmounted {path}.");
            return Task.FromResult(ExitCode.Ok);
        });
        return command;
    }
}
