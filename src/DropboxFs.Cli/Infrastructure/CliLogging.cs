using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Display;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// Serilog behind Microsoft.Extensions.Logging, writing to stderr only (stdout carries results and
/// --json). Every line passes through <see cref="RedactingSink"/> so a token can never reach
/// the log, whatever a library puts into a message.
/// </summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(string level, IEnumerable<string?> secrets) =>
        Create(level, secrets, Console.Error, "HH:mm:ss");

    /// <summary>The same logging into another writer (the mount's --log-file), with its own timestamp format.</summary>
    public static ILoggerFactory Create(string level, IEnumerable<string?> secrets, TextWriter output, string timestampFormat)
    {
        var minimum = level.ToLowerInvariant() switch
        {
            "verbose" => LogEventLevel.Verbose,
            "debug" => LogEventLevel.Debug,
            "information" => LogEventLevel.Information,
            "error" => LogEventLevel.Error,
            "fatal" => LogEventLevel.Fatal,
            _ => LogEventLevel.Warning,
        };
        var formatter = new MessageTemplateTextFormatter(
            "[{Timestamp:" + timestampFormat + "} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        var serilog = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .WriteTo.Sink(new RedactingSink(formatter, output, secrets))
            .CreateLogger();
        return new SerilogLoggerFactory(serilog, dispose: true);
    }
}
