using System.Diagnostics;

namespace DropboxFs.MountTests.Infrastructure;

/// <summary>
/// A long-running `dropboxfs` (emulator or mount) in its own process, started from the built binary
/// (DROPBOXFS_BIN, else the CLI's Release/Debug output). Every wait has a timeout; a process still
/// running at dispose is killed (and the owner reports it as a leftover).
/// </summary>
public sealed class DropboxfsProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _commandLine;

    private DropboxfsProcess(IReadOnlyList<string> args)
    {
        _commandLine = "dropboxfs " + string.Join(' ', args);
        var psi = Run.CreateStartInfo(Binary.Value, args);
        psi.Environment.Remove("DROPBOXFS_ENDPOINT");
        psi.Environment.Remove("DROPBOXFS_TOKEN");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, _stdoutClosed);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _stderrClosed);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    public static Lazy<string> Binary { get; } = new(FindBinary);

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static DropboxfsProcess Start(params string[] args) => new(args);

    /// <summary>Runs to completion within <paramref name="timeout"/>.</summary>
    public static async Task<RunResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        var r = await Run.ProcessAsync(Binary.Value, args, timeout);
        return r;
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            lock (_lines)
            {
                string? hit = _lines.FirstOrDefault(match);
                if (hit is not null)
                {
                    return hit;
                }
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"{_commandLine} exited ({_process.ExitCode}) without the expected line:\n{Output}");
            }

            if (sw.Elapsed > timeout)
            {
                Kill();
                throw new TimeoutException($"{_commandLine}: the expected line did not appear within {timeout.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits for exit; on timeout kills the process and throws.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_commandLine} did not exit within {timeout.TotalSeconds} s:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process if it still runs; true when it had to.</summary>
    public bool Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Only the process itself, as a crash would: its fusermount3 helper must see the socket
                // close and detach the mount (auto_unmount); killing the helper too would leave it behind.
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(5000);
                return true;
            }
        }
        catch (InvalidOperationException)
        {
            // Already reaped.
        }

        return false;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    private static string FindBinary()
    {
        string? env = Environment.GetEnvironmentVariable("DROPBOXFS_BIN");
        if (!string.IsNullOrEmpty(env))
        {
            Assert.True(File.Exists(env), $"DROPBOXFS_BIN={env} does not exist");
            return env;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DropboxFs.sln")))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, "cannot find the repository root (DropboxFs.sln) above the test assembly");
        // Newest of Release/Debug, so a fresh `dotnet build` is what runs.
        var candidates = new[] { "Release", "Debug" }
            .Select(c => Path.Combine(dir!.FullName, "src", "DropboxFs.Cli", "bin", c, "net10.0", "dropboxfs"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .ToList();
        Assert.True(candidates.Count > 0, "build the CLI first: dotnet build src/DropboxFs.Cli -c Release (or set DROPBOXFS_BIN)");
        return candidates[0];
    }
}
