namespace DropboxFs.Cli.Infrastructure;

/// <summary>A failure the CLI itself detects (bad local file, not linked…): exit code plus a message
/// that says what to do next.</summary>
internal sealed class CliException(ExitCode code, string message) : Exception(message)
{
    public ExitCode Code { get; } = code;
}
