using System.Diagnostics;
using System.Text;
using DropboxFs.Api;
using DropboxFs.Emulator;
using DropboxFs.Fuse;
using DropboxFs.Tests.Cli;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Fuse;

/// <summary>
/// Black-box: the real `dropboxfs mount` in its own process against an in-process emulator, read
/// with standard tools, stopped with SIGTERM. Fails if a mount is left behind.
/// </summary>
public sealed class MountVerbTests : IAsyncLifetime
{
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("dropboxfs-mountverb-").FullName;
    private EmulatorServer _server = null!;
    private DropboxClient _client = null!;

    private string Mnt => Path.Combine(_dir, "mnt");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Mnt);
        _server = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0 });
        _client = new DropboxClient(new DropboxClientOptions { Endpoint = _server.BaseUri, Tokens = new StaticTokenSource(_server.StaticToken) });
    }

    public async Task DisposeAsync()
    {
        bool leftBehind = FuseMount.IsMountPoint(Mnt);
        if (leftBehind)
        {
            FuseMount.DetachMount(Mnt, NullLogger.Instance);
        }

        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
        Assert.False(leftBehind, "a mount was left behind");
    }

    private string[] MountArgs(params string[] extra) =>
        ["mount", Mnt, "--endpoint", _server.BaseUri.AbsoluteUri, "--token", _server.StaticToken, "--cache-dir", Path.Combine(_dir, "cache"), .. extra];

    [Fact]
    public async Task MountServesTheAccountRefusesWritesShowsRemoteChangesAndSigtermUnmountsCleanly()
    {
        byte[] report = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("quarterly numbers\n", 5000)));
        await _client.UploadAsync("/Docs/report.txt", new MemoryStream(report));
        await _client.UploadAsync("/Ünïcode name.txt", new MemoryStream("ü\n"u8.ToArray()));

        using var mount = CliProcess.Start(MountArgs());
        try
        {
            await mount.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), s_step);

            Assert.Equal("Docs\nÜnïcode name.txt\n", await ShAsync($"ls '{Mnt}'"));
            Assert.Equal(report, await File.ReadAllBytesAsync(Path.Combine(Mnt, "Docs", "report.txt")));
            Assert.Equal($"{report.Length} {(report.Length + 511) / 512}\n", await ShAsync($"stat -c '%s %b' '{Mnt}/Docs/report.txt'"));
            var touch = await RunAsync("/bin/sh", "-c", $"touch '{Mnt}/new.txt'");
            Assert.NotEqual(0, touch.Exit);
            Assert.Contains("Read-only file system", touch.Output);

            // A change made elsewhere reaches the mount through the change feed and inval_entry.
            await _client.UploadAsync("/Docs/added later.txt", new MemoryStream("new\n"u8.ToArray()));
            string added = Path.Combine(Mnt, "Docs", "added later.txt");
            using var deadline = new CancellationTokenSource(s_step);
            while (!File.Exists(added))
            {
                await Task.Delay(100, deadline.Token);
            }

            Assert.Equal("new\n", await File.ReadAllTextAsync(added));
        }
        finally
        {
            using var term = Process.Start("kill", ["-TERM", mount.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }

        var result = await mount.WaitForExitAsync(s_step);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Unmounted", result.Stdout);
        Assert.False(FuseMount.IsMountPoint(Mnt));
    }

    [Fact]
    public async Task MountOnAMissingDirectoryExitsWithMountFailedAndSaysWhatToDo()
    {
        string missing = Path.Combine(_dir, "missing");
        var result = await CliProcess.RunAsync(["mount", missing, "--endpoint", _server.BaseUri.AbsoluteUri, "--token", _server.StaticToken, "--cache-dir", Path.Combine(_dir, "cache")], timeout: s_step);

        Assert.Equal(9, result.ExitCode);
        Assert.Contains("mkdir -p", result.Stderr);
    }

    [Fact]
    public async Task UnmountOfSomethingNotMountedFails()
    {
        var result = await CliProcess.RunAsync(["unmount", Mnt], timeout: s_step);

        Assert.Equal(9, result.ExitCode);
        Assert.Contains("nothing is mounted", result.Stderr);
    }

    private static async Task<string> ShAsync(string command)
    {
        var (exit, output) = await RunAsync("/bin/sh", "-c", command);
        Assert.True(exit == 0, $"`{command}` exited {exit}: {output}");
        return output;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(s_step);
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }
}
