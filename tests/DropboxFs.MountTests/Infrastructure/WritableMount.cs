using System.Text.Json;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests.Infrastructure;

/// <summary>
/// A read-write `dropboxfs mount` on its own mountpoint (fx.Dir/rw-NAME) with its own cache and state
/// folders, so a restart after `kill -9` finds the same upload journal. The upload queue is observed only
/// through the CLI (`status --json`, `unmount`), as a user would.
/// </summary>
public sealed class WritableMount : IAsyncDisposable
{
    private static readonly TimeSpan s_exit = TimeSpan.FromSeconds(30);
    private readonly MountFixture _fx;
    private readonly string[] _extra;

    private WritableMount(MountFixture fx, string name, string[] extra)
    {
        _fx = fx;
        _extra = extra;
        Path = System.IO.Path.Combine(fx.Dir, "rw-" + name);
        StateDir = System.IO.Path.Combine(fx.Dir, "state-" + name);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The mountpoint (the whole account appears here).</summary>
    public string Path { get; }

    public string StateDir { get; }

    public DropboxfsProcess Process { get; private set; } = null!;

    public static async Task<WritableMount> StartAsync(MountFixture fx, string name, params string[] extra)
    {
        var m = new WritableMount(fx, name, extra);
        await m.RestartAsync();
        return m;
    }

    /// <summary>Mounts again with the same folders (after an unmount or a kill), with other flags if given.</summary>
    public async Task RestartAsync(params string[] extra) =>
        Process = await _fx.StartMountAsync(Path, ["--state-dir", StateDir, .. extra.Length > 0 ? extra : _extra]);

    /// <summary>`sh -c command` that must exit 0; on failure the message carries the mount's own log too.</summary>
    public async Task<string> ShOkAsync(string command, TimeSpan? timeout = null)
    {
        var r = await ShAsync(command, timeout);
        Assert.True(r.ExitCode == 0, $"`{command}` failed: {r}\n--- the mount's output\n{Process.Output}");
        return r.Stdout;
    }

    /// <summary>The "uploads" object of `dropboxfs status MNT --json`.</summary>
    public async Task<JsonElement> UploadsAsync()
    {
        var r = await DropboxfsProcess.RunAsync(Step, "status", Path, "--json");
        Assert.True(r.ExitCode == 0, $"dropboxfs status: {r}");
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.GetProperty("uploads").Clone();
    }

    /// <summary>Polls status until nothing is pending (failed rows count as settled); returns the last answer.</summary>
    public async Task<JsonElement> WaitForUploadsAsync(TimeSpan within)
    {
        JsonElement last = default;
        bool settled = await PollAsync(async () =>
        {
            last = await UploadsAsync();
            return last.GetProperty("pending_count").GetInt32() == 0;
        }, within);
        Assert.True(settled, $"uploads still pending after {within.TotalSeconds} s: {last}\n{Process.Output}");
        return last;
    }

    /// <summary>`dropboxfs unmount [--force] MNT`, then waits for the mount process to exit 0.</summary>
    public async Task<RunResult> UnmountAsync(bool force = false, TimeSpan? drainWithin = null)
    {
        string[] args = force ? ["unmount", "--force", Path] : ["unmount", Path];
        var r = await Run.ProcessAsync(DropboxfsProcess.Binary.Value, args, drainWithin ?? TimeSpan.FromMinutes(2));
        int exit = await Process.WaitForExitAsync(s_exit);
        Assert.True(exit == 0, $"the mount exited {exit} after `dropboxfs {string.Join(' ', args)}` ({r}):\n{Process.Output}");
        Assert.False(Mounts.IsMounted(Path), $"{Path} is still mounted after `dropboxfs {string.Join(' ', args)}`");
        return r;
    }

    /// <summary>SIGKILL of the daemon (a crash); waits until fusermount3 has detached the mount.</summary>
    public async Task KillAsync()
    {
        await SignalAsync(Process.Id, "KILL");
        await Process.WaitForExitAsync(s_exit);
        Assert.True(await PollAsync(() => Task.FromResult(!Mounts.IsMounted(Path)), TimeSpan.FromSeconds(10)), $"kill -9 left a mount at {Path}");
    }

    /// <summary>A test that failed half-way must not leave its mount for the fixture to report.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Process is { HasExited: false })
        {
            await Run.ProcessAsync(DropboxfsProcess.Binary.Value, ["unmount", "--force", Path], s_exit);
            try
            {
                await Process.WaitForExitAsync(s_exit);
            }
            catch (TimeoutException)
            {
                // Killed; the fixture reports what is left.
            }
        }

        Process?.Dispose();
    }
}
