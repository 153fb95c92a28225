using System.Diagnostics;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Fuse;

namespace DropboxFs.Cli.Commands;

// --daemon: .NET cannot fork, so we start ourselves again in a new session (setsid) with --foreground,
// output appended to the log file, and return once the child says "Mounted" (or failed).
internal static partial class MountCommand
{
    private static async Task<ExitCode> RunDaemonAsync(CliContext ctx, MountSettings s)
    {
        string log = s.LogFile ?? Path.Combine(StateDirectory(), "mount.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        long start = File.Exists(log) ? new FileInfo(log).Length : 0;

        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec setsid \"$@\" </dev/null >>\"$DROPBOXFS_DAEMON_LOG\" 2>&1");
        psi.ArgumentList.Add("sh");
        foreach (string a in ChildCommandLine())
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DROPBOXFS_DAEMON_LOG"] = log;
        using var child = Process.Start(psi) ?? throw new CliException(ExitCode.Error, "could not start the background mount");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while (true)
        {
            string output = ReadFrom(log, start);
            if (output.Contains("Mounted ", StringComparison.Ordinal))
            {
                Console.Write(output);
                Console.WriteLine($"Running in the background (pid {child.Id}, log {log}).");
                return ExitCode.Ok;
            }

            if (child.HasExited)
            {
                Console.Error.Write(output);
                throw new CliException(child.ExitCode == (int)ExitCode.MountFailed ? ExitCode.MountFailed : ExitCode.Error,
                    $"the background mount exited with code {child.ExitCode}; see {log}");
            }

            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                FuseMount.UnmountAt(s.MountPoint);
                throw new CliException(ExitCode.MountFailed, $"the background mount did not become ready; see {log}");
            }
        }
    }

    /// <summary>This process's command line with --daemon replaced by --foreground.</summary>
    private static IEnumerable<string> ChildCommandLine()
    {
        string self = Environment.ProcessPath ?? throw new CliException(ExitCode.Error, "cannot find the dropboxfs executable");
        string[] args = Environment.GetCommandLineArgs();
        yield return self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            yield return args[0]; // dotnet dropboxfs.dll …
        }

        foreach (string a in args.Skip(1).Where(a => a != "--daemon"))
        {
            yield return a;
        }

        yield return "--foreground";
    }

    private static string ReadFrom(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
