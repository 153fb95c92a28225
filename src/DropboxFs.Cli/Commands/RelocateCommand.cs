using System.CommandLine;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs mv|cp FROM TO`: move_v2 / copy_v2 (one file holds both: they differ in one call).</summary>
internal static class RelocateCommand
{
    public static Command CreateMove() => Create("mv", "Move or rename a remote file or folder.", move: true);

    public static Command CreateCopy() => Create("cp", "Copy a remote file or folder (server-side).", move: false);

    private static Command Create(string name, string description, bool move)
    {
        var from = new Argument<string>("FROM") { Description = "Source path." }.RejectOptionLike();
        var to = new Argument<string>("TO") { Description = "Destination path (a path ending in '/' keeps the source's name)." }.RejectOptionLike();
        var autorename = new Option<bool>("--autorename") { Description = "If TO exists, pick a free name instead of failing." };
        var command = new Command(name, description) { from, to, autorename };
        command.SetCliAction(async ctx =>
        {
            var source = RemotePath.Normalize(ctx.Get(from));
            var rawTarget = ctx.Get(to);
            var target = RemotePath.Normalize(rawTarget);
            if (rawTarget.EndsWith('/') || target.Length == 0)
            {
                target = $"{target}/{source[(source.LastIndexOf('/') + 1)..]}";
            }

            ctx.Subject.Path = RemotePath.Display(source);
            ctx.Subject.Other = target;
            ctx.Subject.ConflictHint = "pass --autorename to pick a free name, or remove it first";
            var client = await ctx.GetClientAsync();
            var options = new RelocationOptions { Autorename = ctx.Get(autorename) };
            var result = move
                ? await client.MoveAsync(source, target, options, ctx.Cancellation)
                : await client.CopyAsync(source, target, options, ctx.Cancellation);
            Console.WriteLine($"{(move ? "moved" : "copied")} {RemotePath.Display(source)} -> {result.PathDisplay}");
            return ExitCode.Ok;
        });
        return command;
    }
}
