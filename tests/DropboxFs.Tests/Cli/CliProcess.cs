using System.Diagnostics;

namespace DropboxFs.Tests.Cli;

/// <summary>The outcome of one `dropboxfs` run.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built `dropboxfs` as a separate process (black-box), always with a timeout: a hung CLI
/// fails the test instead of hanging the suite, and the process is killed.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string> s_dll = new(FindDll);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _lineArrived = new(0);
    private readonly string _commandLine;

    private CliProcess(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? env)
    {
        _commandLine = "dropboxfs " + string.Join(' ', args);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(s_dll.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A clean environment for what the CLI reads: tests pass endpoint and token explicitly.
        start.Environment.Remove("DROPBOXFS_ENDPOINT");
        start.Environment.Remove("DROPBOXFS_TOKEN");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (env is not null)
        {
            foreach (var (key, value) in env)
            {
                start.Environment[key] = value;
            }
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(_stdout, _stdoutClosed, e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(_stderr, _stderrClosed, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    public int Id => _process.Id;

    /// <summary>Runs to completion (or fails after <paramref name="timeout"/>).</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        using var process = Start(args, env);
        return await process.WaitForExitAsync(timeout);
    }

    /// <summary>Starts without waiting, for verbs that run until something happens (changes, login).</summary>
    public static CliProcess Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? env = null) => new(args, env);

    /// <summary>Waits until a stdout or stderr line satisfies <paramref name="match"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? s_defaultTimeout);
        while (true)
        {
            lock (_stdout)
            {
                var hit = _stdout.Concat(_stderr).FirstOrDefault(match);
                if (hit is not null)
                {
                    return hit;
                }
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"{_commandLine} exited ({_process.ExitCode}) without the expected line:\n{Snapshot()}");
            }

            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                throw new TimeoutException($"{_commandLine}: expected line did not appear in time:\n{Snapshot()}");
            }
        }
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<CliResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? s_defaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_commandLine} did not finish in time:\n{Snapshot()}");
        }

        lock (_stdout)
        {
            return new CliResult(_process.ExitCode, Join(_stdout), Join(_stderr));
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _lineArrived.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Not started or already reaped.
        }
    }

    private void OnLine(List<string> lines, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
        }
        else
        {
            lock (_stdout)
            {
                lines.Add(line);
            }
        }

        _lineArrived.Release();
    }

    private string Snapshot()
    {
        lock (_stdout)
        {
            return $"--- stdout\n{Join(_stdout)}\n--- stderr\n{Join(_stderr)}";
        }
    }

    private static string Join(List<string> lines) => lines.Count == 0 ? "" : string.Join('\n', lines) + "\n";

    private static string FindDll()
    {
        // The test project references DropboxFs.Cli, so dropboxfs.dll (+ runtimeconfig/deps) is copied
        // next to the test assembly; fall back to the CLI's own bin folder.
        var local = Path.Combine(AppContext.BaseDirectory, "dropboxfs.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "dropboxfs.runtimeconfig.json")))
        {
            return local;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DropboxFs.sln")))
        {
            dir = dir.Parent;
        }

        var config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var candidate = dir is null ? null : Path.Combine(dir.FullName, "src", "DropboxFs.Cli", "bin", config, "net10.0", "dropboxfs.dll");
        return candidate is not null && File.Exists(candidate)
            ? candidate
            : throw new FileNotFoundException("dropboxfs.dll not found next to the tests or in src/DropboxFs.Cli/bin; build src/DropboxFs.Cli first.");
    }
}
