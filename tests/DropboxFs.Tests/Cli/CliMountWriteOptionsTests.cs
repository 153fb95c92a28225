using DropboxFs.Cli;
using DropboxFs.Cli.Commands;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Tests.Cli;

/// <summary>
/// The write flags of `dropboxfs mount` and the drain side of `unmount`: bad input fails with exit 2 (or 8
/// for a state folder that cannot be written) and a sentence naming the flag, before anything is mounted.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CliMountWriteOptionsTests(CliFixture fx) : IDisposable
{
    private readonly CliScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string MountPoint
    {
        get
        {
            string mnt = Path.Combine(_scratch.Local, "mnt");
            Directory.CreateDirectory(mnt);
            return mnt;
        }
    }

    /// <summary>Everything the mount could write goes below the scratch folder.</summary>
    private Dictionary<string, string?> IsolatedHome() => new()
    {
        ["XDG_DATA_HOME"] = Path.Combine(_scratch.Local, "data"),
        ["XDG_CACHE_HOME"] = Path.Combine(_scratch.Local, "cache"),
        ["XDG_RUNTIME_DIR"] = Path.Combine(_scratch.Local, "run"),
    };

    [Theory]
    [InlineData("2s", 2000)]
    [InlineData("500ms", 500)]
    [InlineData("0", 0)]
    [InlineData("1.5s", 1500)]
    [InlineData("1m", 60_000)]
    [InlineData("3", 3000)]
    [InlineData(" 250MS ", 250)]
    public void WriteBackDelayAcceptsSecondsMillisecondsAndMinutes(string text, int ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), MountCommand.ParseDuration(text, "--write-back-delay", TimeSpan.FromHours(1)));

    [Theory]
    [InlineData("soon")]
    [InlineData("-1s")]
    [InlineData("2x")]
    [InlineData("")]
    [InlineData("2h")]
    [InlineData("NaN")]
    public void WriteBackDelayRejectsNonsenseNegativesAndMoreThanAnHour(string text)
    {
        var e = Assert.Throws<CliException>(() => MountCommand.ParseDuration(text, "--write-back-delay", TimeSpan.FromHours(1)));

        Assert.Equal(ExitCode.Usage, e.Code);
        Assert.Contains("--write-back-delay", e.Message);
        Assert.Contains("2s, 500ms", e.Message);
    }

    [Fact]
    public async Task ABadWriteBackDelayIsAUsageErrorAndMountsNothing()
    {
        var result = await CliProcess.RunAsync(fx.Args("mount", MountPoint, "--write-back-delay", "fast"), IsolatedHome());

        Assert.True(result.ExitCode == (int)ExitCode.Usage, result.ToString());
        Assert.Contains("--write-back-delay must be a duration such as 2s, 500ms, 1m or 0", result.Stderr);
        Assert.Contains("'fast'", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_scratch.Local, "data")), "a usage error must not create the state folder");
    }

    [Theory]
    [InlineData("--sync-uploads")]
    [InlineData("--write-back-delay", "1s")]
    public async Task WriteFlagsOnAReadOnlyMountAreAUsageError(params string[] flag)
    {
        var result = await CliProcess.RunAsync(fx.Args(["mount", MountPoint, "--read-only", .. flag]), IsolatedHome());

        Assert.True(result.ExitCode == (int)ExitCode.Usage, result.ToString());
        Assert.Contains("apply to writable mounts", result.Stderr);
    }

    [Fact]
    public async Task AStateDirThatCannotBeCreatedFailsBeforeMountingAndSaysWhatToDo()
    {
        // Below a regular file: no folder can be made there, not even by root.
        string file = _scratch.WriteLocal("not-a-folder", [1]);
        string stateDir = Path.Combine(file, "state");
        string mnt = MountPoint;

        var result = await CliProcess.RunAsync(fx.Args("mount", mnt, "--state-dir", stateDir, "--cache-dir", Path.Combine(_scratch.Local, "c")), IsolatedHome());

        Assert.True(result.ExitCode == (int)ExitCode.LocalIo, result.ToString());
        Assert.Contains($"cannot write the state folder {stateDir}", result.Stderr);
        Assert.Contains("--state-dir", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain(File.ReadAllLines("/proc/mounts"), l => l.Contains(mnt, StringComparison.Ordinal));
        Assert.Equal([1], await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task AMissingMountPointFailsBeforeAnyStateFolderIsCreated()
    {
        string missing = Path.Combine(_scratch.Local, "no-such-folder");

        var result = await CliProcess.RunAsync(fx.Args("mount", missing), IsolatedHome());

        Assert.True(result.ExitCode == (int)ExitCode.MountFailed, result.ToString());
        Assert.Contains($"mkdir -p '{missing}'", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_scratch.Local, "data")), "a failed mount must not leave a state folder behind");
        Assert.False(Directory.Exists(Path.Combine(_scratch.Local, "cache")), "a failed mount must not leave a cache folder behind");
    }

    [Fact]
    public async Task UnmountForceOfSomethingNotMountedFailsClearly()
    {
        var result = await CliProcess.RunAsync(["unmount", "--force", MountPoint], IsolatedHome());

        Assert.True(result.ExitCode == (int)ExitCode.MountFailed, result.ToString());
        Assert.Contains("nothing is mounted at", result.Stderr);
    }

    [Fact]
    public void StatusJsonShowsEveryQueuedUploadWithItsProgressAndEveryConflict()
    {
        var at = new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
        var uploads = new UploadsSnapshot("/state",
            [
                new DropboxFs.Core.Uploads.UploadJobStatus(1, "/a.bin", DropboxFs.Core.Uploads.UploadState.Uploading, 100, 40, 2, "reset", false),
                new DropboxFs.Core.Uploads.UploadJobStatus(2, "/full.bin", DropboxFs.Core.Uploads.UploadState.Failed, 10, 0, 1, "insufficient_space", true),
            ],
            [new DropboxFs.Core.Uploads.UploadConflict(3, "/doc.txt", "/doc (conflicted copy).txt", "0123456789", at, "changed remotely")]);

        byte[] json = MountStatusServer.Render("/mnt", "", 42, at, at, new DropboxFs.Core.FileSystemStats(),
            new DropboxFs.Fuse.FuseStats(31, new Dictionary<string, long>(), 0, 0, 0), uploads);

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var u = doc.RootElement.GetProperty("uploads");
        Assert.Equal("/state", u.GetProperty("state_dir").GetString());
        Assert.Equal(1, u.GetProperty("pending_count").GetInt32());
        Assert.Equal(1, u.GetProperty("failed_count").GetInt32());
        Assert.Equal(60 + 10, u.GetProperty("bytes_pending").GetInt64());
        var first = u.GetProperty("pending")[0];
        Assert.Equal("/a.bin", first.GetProperty("path").GetString());
        Assert.Equal("uploading", first.GetProperty("state").GetString());
        Assert.Equal(40, first.GetProperty("bytes_sent").GetInt64());
        Assert.Equal(2, first.GetProperty("tries").GetInt32());
        Assert.True(u.GetProperty("pending")[1].GetProperty("no_space").GetBoolean());
        var conflict = Assert.Single(u.GetProperty("conflicts").EnumerateArray());
        Assert.Equal("/doc (conflicted copy).txt", conflict.GetProperty("conflict_path").GetString());
        Assert.Equal("2026-11-26T20:00:00Z", conflict.GetProperty("at").GetString());
    }

    [Fact]
    public void StatusJsonSaysNullUploadsOnAReadOnlyMount()
    {
        var now = DateTimeOffset.UnixEpoch;
        byte[] json = MountStatusServer.Render("/mnt", "", 1, now, now, new DropboxFs.Core.FileSystemStats(),
            new DropboxFs.Fuse.FuseStats(31, new Dictionary<string, long>(), 0, 0, 0), uploads: null);

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, doc.RootElement.GetProperty("uploads").ValueKind);
    }

    [Fact]
    public void TheDrainAnswerListsFailedUploadsWithTheirErrors()
    {
        var line = MountStatusServer.DrainLine(new DropboxFs.Core.Uploads.UploadDrainProgress(0, 1, 0), done: true,
            [new DropboxFs.Core.Uploads.UploadJobStatus(7, "/Big/é.bin", DropboxFs.Core.Uploads.UploadState.Failed, 10, 0, 3, "insufficient_space", true)]);

        Assert.Equal("{\"done\":true,\"pending\":0,\"failed\":1,\"bytes_pending\":0,\"failed_uploads\":[{\"path\":\"/Big/é.bin\",\"last_error\":\"insufficient_space\",\"no_space\":true}]}\n",
            System.Text.Encoding.UTF8.GetString(line));
    }
}
