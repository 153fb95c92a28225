using System.Diagnostics;

namespace DropboxFs.Tests.Infrastructure;

/// <summary>Runs a tool (ls, dd, gcc, sh -c …) with a timeout; a hung tool is killed and fails the test.</summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task<(int Exit, string Output)> RunAsync(string file, params string[] args) => RunAsync(file, args, DefaultTimeout);

    /// <summary>Exit code and stdout followed by stderr.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }

        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>Sends a signal (TERM, INT, KILL) to a process.</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        var (exit, output) = await RunAsync("kill", $"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exit == 0, $"kill -{signal} {pid}: {output}");
    }

    /// <summary>Runs <paramref name="command"/> with /bin/sh, asserts exit 0, returns its output.</summary>
    public static async Task<string> ShAsync(string command)
    {
        var (exit, output) = await RunAsync("/bin/sh", "-c", command);
        Assert.True(exit == 0, $"`{command}` exited {exit}: {output}");
        return output;
    }
}
