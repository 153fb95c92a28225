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
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
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
    public async Task StatusShowsTheRunningMountsSyncCacheAndApiCallsOverAPrivateSocket()
    {
        await _client.UploadAsync("/a.txt", new MemoryStream(new byte[5000]));
        var env = new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = Path.Combine(_dir, "run") };
        using var mount = CliProcess.Start(MountArgs(), env);
        try
        {
            await mount.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), s_step);
            Assert.Equal(5000, (await File.ReadAllBytesAsync(Path.Combine(Mnt, "a.txt"))).Length);

            var json = await CliProcess.RunAsync(["status", Mnt, "--json"], env, s_step);
            var human = await CliProcess.RunAsync(["status"], env, s_step);

            Assert.True(json.ExitCode == 0, json.ToString());
            using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
            var root = doc.RootElement;
            Assert.Equal(Mnt, root.GetProperty("mountpoint").GetString());
            Assert.Equal(mount.Id, root.GetProperty("pid").GetInt32());
            Assert.True(root.GetProperty("sync").GetProperty("running").GetBoolean());
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, root.GetProperty("sync").GetProperty("cursor_taken_at").ValueKind);
            Assert.True(root.GetProperty("sync").GetProperty("metadata_entries").GetInt64() >= 2); // root and a.txt
            Assert.True(root.GetProperty("cache").GetProperty("used_bytes").GetInt64() >= 5000);
            Assert.True(root.GetProperty("cache").GetProperty("capacity_bytes").GetInt64() > 0);
            Assert.NotEmpty(root.GetProperty("api_calls").EnumerateObject());
            Assert.StartsWith("7.", root.GetProperty("fuse").GetProperty("protocol").GetString());
            Assert.True(root.GetProperty("fuse").GetProperty("requests").GetProperty("read").GetInt64() > 0);
            Assert.True(human.ExitCode == 0, human.ToString());
            Assert.Contains(Mnt, human.Stdout);
            Assert.Contains("hit rate", human.Stdout);

            string socket = Directory.GetFiles(Path.Combine(_dir, "run", "dropboxfs"), "*.sock").Single();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(socket)!));
        }
        finally
        {
            using var term = Process.Start("kill", ["-TERM", mount.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            await mount.WaitForExitAsync(s_step);
        }

        var after = await CliProcess.RunAsync(["status", Mnt], env, s_step);
        Assert.Equal(3, after.ExitCode);
        Assert.Contains("no dropboxfs mount is running", after.Stderr);
    }

    [Fact]
    public async Task CtrlCUnmountsAndExitsZero()
    {
        using var mount = CliProcess.Start(MountArgs("--read-only"));
        await mount.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), s_step);
        Assert.Contains(" ro,", await ShAsync($"grep ' {Mnt} ' /proc/mounts"));

        await mount.InterruptAsync();
        var result = await mount.WaitForExitAsync(s_step);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(FuseMount.IsMountPoint(Mnt));
    }

    [Fact]
    public async Task KillNineLeavesNoDeadMountBehind()
    {
        using var mount = CliProcess.Start(MountArgs());
        await mount.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), s_step);
        Assert.True(FuseMount.IsMountPoint(Mnt));

        using (var kill = Process.Start("kill", ["-KILL", mount.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await mount.WaitForExitAsync(s_step);

        // fusermount3 (auto_unmount) notices its socket closing and detaches the mount.
        var waited = Stopwatch.StartNew();
        while (FuseMount.IsMountPoint(Mnt) && waited.Elapsed < s_step)
        {
            await Task.Delay(50);
        }

        Assert.False(FuseMount.IsMountPoint(Mnt), $"still mounted 30 s after kill -9; access errno {(DropboxFs.Fuse.Native.Libc.Access(Mnt, 0) == 0 ? 0 : DropboxFs.Fuse.Native.Libc.LastErrno)}; "
            + (await RunAsync("/bin/sh", "-c", "pgrep -a fusermount3; grep fuse /proc/mounts; ls -l /proc/*/fd 2>/dev/null | grep -c /dev/fuse")).Output);

        Assert.True(Directory.Exists(Mnt));
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

    [Theory]
    [InlineData("10G", 10L << 30)]
    [InlineData("500M", 500L << 20)]
    [InlineData("1.5T", 3L << 39)]
    [InlineData("64k", 64L << 10)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1073741824", 1L << 30)]
    public void CacheSizeAcceptsBinarySuffixes(string text, long bytes) =>
        Assert.Equal(bytes, DropboxFs.Cli.Commands.MountCommand.ParseSize(text));

    [Fact]
    public void CacheSizeRejectsNonsense() =>
        Assert.ThrowsAny<Exception>(() => DropboxFs.Cli.Commands.MountCommand.ParseSize("lots"));

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
