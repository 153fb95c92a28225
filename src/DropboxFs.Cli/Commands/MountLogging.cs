using DropboxFs.Cli.Infrastructure;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

/// <summary>--log-file for the long-running mount: CliLogging's redacted lines, appended to a file.</summary>
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
        return new MountLogging(writer, CliLogging.Create(level, secrets, writer, "yyyy-MM-dd HH:mm:ss"));
    }

    public void Dispose()
    {
        Factory.Dispose();
        _writer.Dispose();
    }
}
