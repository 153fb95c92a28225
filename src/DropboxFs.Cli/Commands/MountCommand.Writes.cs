using System.CommandLine;
using System.Globalization;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

// The write side of `mount`: where the upload journal lives and how uploads are timed.
internal static partial class MountCommand
{
    private static readonly Option<string?> s_stateDir = new("--state-dir") { Description = "Upload journal and staging (never deleted automatically). Default: ~/.local/share/dropboxfs/<account>." };
    private static readonly Option<string?> s_writeBackDelay = new("--write-back-delay") { Description = "Wait this long after a file is closed before uploading it (editor re-saves coalesce): 2s (default), 500ms, 1m, 0." };
    private static readonly Option<bool> s_syncUploads = new("--sync-uploads") { Description = "close() returns only once the file is committed to Dropbox (slower; for those who want that)." };

    /// <summary>The upper bound of --write-back-delay: a longer wait is almost certainly a typo (1h vs 1s).</summary>
    private static readonly TimeSpan s_maxWriteBackDelay = TimeSpan.FromHours(1);

    private static IEnumerable<Option> WriteOptions() => [s_stateDir, s_writeBackDelay, s_syncUploads];

    private sealed record WriteSettings(string? StateDirectory, TimeSpan WriteBackDelay, bool SyncUploads);

    private static WriteSettings ReadWriteSettings(CliContext ctx, bool readOnly)
    {
        string? delayText = ctx.Get(s_writeBackDelay);
        if (readOnly && (delayText is not null || ctx.Get(s_syncUploads)))
        {
            throw new CliException(ExitCode.Usage, "--write-back-delay and --sync-uploads apply to writable mounts; drop them or drop --read-only");
        }

        return new WriteSettings(
            ctx.Get(s_stateDir) is { } dir ? Path.GetFullPath(dir) : null,
            delayText is null ? TimeSpan.FromSeconds(2) : ParseDuration(delayText, "--write-back-delay", s_maxWriteBackDelay),
            ctx.Get(s_syncUploads));
    }

    /// <summary>"2s", "500ms", "1.5s", "1m", "0"; a bare number is seconds.</summary>
    internal static TimeSpan ParseDuration(string text, string option, TimeSpan max)
    {
        string t = text.Trim().ToLowerInvariant();
        (string number, double unitMs) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.Ordinal) => (t[..^2], 1.0),
            _ when t.EndsWith('s') => (t[..^1], 1000.0),
            _ when t.EndsWith('m') => (t[..^1], 60_000.0),
            _ when t.EndsWith('h') => (t[..^1], 3_600_000.0),
            _ => (t, 1000.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || double.IsNaN(value) || value * unitMs > max.TotalMilliseconds)
        {
            throw new CliException(ExitCode.Usage,
                $"{option} must be a duration such as 2s, 500ms, 1m or 0 (at most {max.TotalMinutes:0} min), not '{text}'");
        }

        return TimeSpan.FromMilliseconds(value * unitMs);
    }

    /// <summary>
    /// Creates the state folder (0700: it holds unsent file contents) and proves it is writable before
    /// anything is mounted, so a bad --state-dir fails with a sentence instead of EIO on the first write.
    /// </summary>
    private static string PrepareStateDirectory(string dir)
    {
        try
        {
            _ = OperatingSystem.IsWindows()
                ? Directory.CreateDirectory(dir)
                : Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.LocalIo,
                $"cannot write the state folder {dir} ({e.Message}); the upload journal must live on a writable local disk: pass --state-dir DIR, or --read-only");
        }
    }

    /// <summary>~/.local/share/dropboxfs/&lt;key&gt;, the key being the same hash the cache folder uses.</summary>
    private static string DefaultStateDirectory(string cacheKey)
    {
        string? data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return Path.Combine(string.IsNullOrEmpty(data) ? Path.Combine(Home(), ".local", "share") : data, "dropboxfs", cacheKey);
    }
}
