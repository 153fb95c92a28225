using System.Diagnostics;
using System.Globalization;

namespace DropboxFs.MountTests.Infrastructure;

/// <summary>The outcome of one finished process.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs short external commands (ls, find, dd, stat, sha256sum, df) with a timeout on every call: a hung
/// FUSE request must fail the test, never hang the run. Output is bytes-exact UTF-8.
/// </summary>
public static class Run
{
    /// <summary>30 s: the slowest single step (sha256sum of 10,000 files over a cold mount) takes ~10 s.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>Start info shared by every process the mount tests launch: all three streams redirected, cwd `/`
    /// (never inside a mount, so a test cannot keep one busy).</summary>
    public static ProcessStartInfo CreateStartInfo(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    public static async Task<RunResult> ProcessAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var psi = CreateStartInfo(file, args);
        psi.Environment["LC_ALL"] = "C.UTF-8";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? Step);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {(timeout ?? Step).TotalSeconds} s");
        }

        return new RunResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>`sh -c command`, whatever its exit code.</summary>
    public static Task<RunResult> ShAsync(string command, TimeSpan? timeout = null) =>
        ProcessAsync("/bin/sh", ["-c", command], timeout);

    /// <summary>`sh -c command`; fails the test unless it exits 0; returns stdout.</summary>
    public static async Task<string> ShOkAsync(string command, TimeSpan? timeout = null)
    {
        var r = await ShAsync(command, timeout);
        Assert.True(r.ExitCode == 0, $"`{command}` failed: {r}");
        return r.Stdout;
    }

    /// <summary>Single-quoted for sh.</summary>
    public static string Q(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static async Task SignalAsync(int pid, string signal)
    {
        var r = await ProcessAsync("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(r.ExitCode == 0, $"kill -{signal} {pid}: {r}");
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="within"/> passes.</summary>
    public static async Task<bool> PollAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (sw.Elapsed > within)
            {
                return false;
            }

            await Task.Delay(50);
        }
    }
}
