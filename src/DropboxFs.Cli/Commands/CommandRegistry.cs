using System.CommandLine;

namespace DropboxFs.Cli.Commands;

/// <summary>The list of verbs. Add one line per verb file.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return AboutCommand.Create();
        yield return EmulatorCommand.Create();
    }
}
