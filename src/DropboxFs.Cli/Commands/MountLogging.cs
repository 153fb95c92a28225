using DropboxFs.Cli.Infrastructure;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Display;

namespace DropboxFs.Cli.Commands;

/// <summary>--log-file for the long-running mount: the same redaction as stderr logging, appended to a file.</summary>
internal sealed class MountLogging : IDisposable
{
    private readonly StreamWriter _writer;

    private MountLogging(StreamWriter writer, ILoggerFactory factory)
    {
        _writer = writer;
        Factory = factory;
    }

    public ILoggerFactory Factory { get; }

    public static MountLogging ToFile(string path, string level, IEnumerable<string?> secrets)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var writer = new StreamWriter(stream) { AutoFlush = true };
        var minimum = level.ToLowerInvariant() switch
        {
            "verbose" => LogEventLevel.Verbose,
            "debug" => LogEventLevel.Debug,
            "information" => LogEventLevel.Information,
            "error" => LogEventLevel.Error,
            "fatal" => LogEventLevel.Fatal,
            _ => LogEventLevel.Warning,
        };
        var formatter = new MessageTemplateTextFormatter("[{Timestamp:yyyy-MM-dd HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        var serilog = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .WriteTo.Sink(new RedactingSink(formatter, writer, secrets))
            .CreateLogger();
        return new MountLogging(writer, new SerilogLoggerFactory(serilog, dispose: true));
    }

    public void Dispose()
    {
        Factory.Dispose();
        _writer.Dispose();
    }
}
