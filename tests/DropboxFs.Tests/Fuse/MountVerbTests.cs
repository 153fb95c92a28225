using System.Diagnostics;
using System.Text;
using DropboxFs.Api;
using DropboxFs.Emulator;
using DropboxFs.Fuse;
using DropboxFs.Tests.Cli;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

/// <summary>
/// Black-box: the real `dropboxfs mount` in its own process against an in-process emulator, read
/// with standard tools, stopped with SIGTERM. Fails if a mount is left behind.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MountVerbTests : IAsyncLifetime
{
    private static readonly TimeSpan s_step = ProcessRunner.DefaultTimeout;
    private readonly MountScratch _scratch = new("dropboxfs-mountverb-");
    private EmulatorServer _server = null!;
    private DropboxClient _client = null!;

    private string Dir => _scratch.Dir;

    private string Mnt => _scratch.MountPoint;

    public async Task InitializeAsync()
    {
        _server = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0 });
        _client = new DropboxClient(new DropboxClientOptions { Endpoint = _server.BaseUri, Tokens = new StaticTokenSource(_server.StaticToken) });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _scratch.Dispose();
    }

    private string[] MountArgs(params string[] extra) =>
        ["mount", Mnt, "--endpoint", _server.BaseUri.AbsoluteUri, "--token", _server.StaticToken, "--cache-dir", Path.Combine(Dir, "cache"),
            "--state-dir", Path.Combine(Dir, "state"), .. extra];

    [Fact]
    public async Task MountServesTheAccountTakesWritesShowsRemoteChangesAndSigtermUnmountsCleanly()
    {
        byte[] report = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("quarterly numbers\n", 5000)));
        await _client.UploadAsync("/Docs/report.txt", new MemoryStream(report));
        await _client.UploadAsync("/Ünïcode name.txt", new MemoryStream("ü\n"u8.ToArray()));

        using var mount = CliProcess.Start(MountArgs());
        try
        {
            await mount.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), s_step);

            Assert.Equal("Docs\nÜnïcode name.txt\n", await ProcessRunner.ShAsync($"ls '{Mnt}'"));
            Assert.Equal(report, await File.ReadAllBytesAsync(Path.Combine(Mnt, "Docs", "report.txt")));
            Assert.Equal($"{report.Length} {(report.Length + 511) / 512}\n", await ProcessRunner.ShAsync($"stat -c '%s %b' '{Mnt}/Docs/report.txt'"));
            var touch = await ProcessRunner.RunAsync("/bin/sh", "-c", $"printf 'written\\n' > '{Mnt}/new.txt'");
            Assert.True(touch.Exit == 0, touch.Output);
            Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(Mnt, "new.txt")));

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
            await ProcessRunner.SignalAsync(mount.Id, "TERM");
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
        var env = new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = Path.Combine(Dir, "run") };
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

            string socket = Directory.GetFiles(Path.Combine(Dir, "run", "dropboxfs"), "*.sock").Single();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(socket)!));
        }
        finally
        {
            await ProcessRunner.SignalAsync(mount.Id, "TERM");
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
        Assert.Contains(" ro,", await ProcessRunner.ShAsync($"grep ' {Mnt} ' /proc/mounts"));
        var touch = await ProcessRunner.RunAsync("/bin/sh", "-c", $"touch '{Mnt}/new.txt'");
        Assert.NotEqual(0, touch.Exit);
        Assert.Contains("Read-only file system", touch.Output);

        await mount.InterruptAsync();
        var result = await mount.WaitForExitAsync(s_step);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(FuseMount.IsMountPoint(Mnt));
    }

    [Fact]
    public async Task SigtermWhileBusyDetachesAndWaitsAndASecondSigtermEndsTheProcess()
    {
        using var mount = CliProcess.Start(MountArgs());
        await mount.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), s_step);
        using var busy = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exec sleep 120"]) { WorkingDirectory = Mnt })!;
        try
        {
            await ProcessRunner.SignalAsync(mount.Id, "TERM");
            await mount.WaitForLineAsync(l => l.Contains("unmounting", StringComparison.Ordinal), s_step);

            Assert.False(FuseMount.IsMountPoint(Mnt)); // detached from the namespace at once
            Assert.True(Directory.Exists($"/proc/{mount.Id}")); // still serving the program inside it

            await ProcessRunner.SignalAsync(mount.Id, "TERM");
            var result = await mount.WaitForExitAsync(s_step);
            Assert.NotEqual(0, result.ExitCode);
        }
        finally
        {
            busy.Kill();
        }
    }

    [Fact]
    public async Task KillNineLeavesNoDeadMountBehind()
    {
        using var mount = CliProcess.Start(MountArgs());
        await mount.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), s_step);
        Assert.True(FuseMount.IsMountPoint(Mnt));

        await ProcessRunner.SignalAsync(mount.Id, "KILL");

        await mount.WaitForExitAsync(s_step);

        // fusermount3 (auto_unmount) notices its socket closing and detaches the mount.
        var waited = Stopwatch.StartNew();
        while (FuseMount.IsMountPoint(Mnt) && waited.Elapsed < s_step)
        {
            await Task.Delay(50);
        }

        Assert.False(FuseMount.IsMountPoint(Mnt), $"still mounted 30 s after kill -9; access errno {(DropboxFs.Fuse.Native.Libc.Access(Mnt, 0) == 0 ? 0 : DropboxFs.Fuse.Native.Libc.LastErrno)}; "
            + (await ProcessRunner.RunAsync("/bin/sh", "-c", "pgrep -a fusermount3; grep fuse /proc/mounts; ls -l /proc/*/fd 2>/dev/null | grep -c /dev/fuse")).Output);

        Assert.True(Directory.Exists(Mnt));
    }

    [Fact]
    public async Task MountOnAMissingDirectoryExitsWithMountFailedAndSaysWhatToDo()
    {
        string missing = Path.Combine(Dir, "missing");
        var result = await CliProcess.RunAsync(["mount", missing, "--endpoint", _server.BaseUri.AbsoluteUri, "--token", _server.StaticToken, "--cache-dir", Path.Combine(Dir, "cache")], timeout: s_step);

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
}
