using System.CommandLine;

namespace DropboxFs.Cli.Commands;

/// <summary>The list of verbs. Add one line per verb file.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return LoginCommand.Create();
        yield return LogoutCommand.Create();
        yield return AboutCommand.Create();
        yield return LsCommand.Create();
        yield return GetCommand.Create();
        yield return PutCommand.Create();
        yield return MkdirCommand.Create();
        yield return RmCommand.Create();
        yield return RelocateCommand.CreateMove();
        yield return RelocateCommand.CreateCopy();
        yield return RevisionsCommand.Create();
        yield return RestoreCommand.Create();
        yield return SearchCommand.Create();
        yield return LinkCommand.Create();
        yield return ChangesCommand.Create();
        yield return EmulatorCommand.Create();
        yield return MountCommand.Create();
        yield return UnmountCommand.Create();
        yield return StatusCommand.Create();
    }
}
