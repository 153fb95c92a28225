using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Infrastructure;

internal static partial class LoggerExtensions
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Command failed")]
    public static partial void LogDebugException(this ILogger logger, Exception exception);
}
