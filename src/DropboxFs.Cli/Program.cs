using System.CommandLine;
using System.CommandLine.Invocation;
using DropboxFs.Cli.Commands;

namespace DropboxFs.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRootCommand();
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // System.CommandLine answers parse errors with exit code 1; scripts need to tell
            // "you typed it wrong" (2) apart from "it failed" (1), so usage errors are handled here.
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"dropboxfs: {error.Message}");
            }

            Console.Error.WriteLine($"Run `dropboxfs {VerbPath(parse)}--help` for usage.");
            return (int)ExitCode.Usage;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl-C cancels the running operation; the action returns 130 after cleanup.
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            // ProcessTerminationTimeout = null: our own handler above owns Ctrl-C, so the verb
            // can finish cleanly (close files, abandon the upload session) before the process ends.
            var config = new InvocationConfiguration { ProcessTerminationTimeout = null };
            return await parse.InvokeAsync(config, cancel.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
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

    private static string VerbPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }

        return names.Count == 0 ? string.Empty : string.Join(' ', names) + " ";
    }
}
