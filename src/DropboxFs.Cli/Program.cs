using System.CommandLine;
using DropboxFs.Cli.Commands;

namespace DropboxFs.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRootCommand();
        return await root.Parse(args).InvokeAsync();
    }

    /// <summary>Every verb is one file under Commands/; each adds itself here.</summary>
    internal static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("dropboxfs: mount a Dropbox account as a filesystem, and script every Dropbox operation.");
        GlobalOptions.AddTo(root);
        foreach (var command in CommandRegistry.All())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
