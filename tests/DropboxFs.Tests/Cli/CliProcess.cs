using System.Diagnostics;

namespace DropboxFs.Tests.Cli;

/// <summary>The outcome of one `dropboxfs` run.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built `dropboxfs` as a separate process (black-box), always with a timeout: a hung
/// CLI fails the test instead of hanging the suite, and the process tree is killed.
/// </summary>
public static class CliProcess
{
    private static readonly Lazy<string> s_dll = new(FindDll);

    public static async Task<CliResult> RunAsync(
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(s_dll.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A clean environment for what the CLI reads: tests pass endpoint/token explicitly.
        start.Environment.Remove("DROPBOXFS_ENDPOINT");
        start.Environment.Remove("DROPBOXFS_TOKEN");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        if (env is not null)
        {
            foreach (var (key, value) in env)
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"dropboxfs {string.Join(' ', args)} did not finish in time; stderr so far:\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindDll()
    {
        // The test project references DropboxFs.Cli, so dropboxfs.dll (+ runtimeconfig/deps) is
        // copied next to the test assembly; fall back to the CLI's own bin folder.
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

        if (dir is not null)
        {
            var config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var candidate = Path.Combine(dir.FullName, "src", "DropboxFs.Cli", "bin", config, "net10.0", "dropboxfs.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("dropboxfs.dll not found next to the tests or in src/DropboxFs.Cli/bin; build src/DropboxFs.Cli first.");
    }
}
