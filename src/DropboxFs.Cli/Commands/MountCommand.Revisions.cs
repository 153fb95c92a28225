using System.CommandLine;
using System.Globalization;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Core;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Revisions;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

// Issue 7: `--at TIME` and the revision decorators around the facade. The live mount serves
// RevisionsFileSystem (adds the read-only `.dropbox` views); `--at` serves PointInTimeFileSystem
// (the whole tree as it was, read-only) over the same facade, API client and block cache.
internal static partial class MountCommand
{
    private static readonly Option<string?> s_at = new("--at")
    {
        HelpName = "TIME",
        Description = "Mount the tree read-only as it was at this time, e.g. 2026-11-01T00:00:00Z (UTC unless an offset is given).",
    };

    /// <summary>"2026-11-01T00:00:00Z" (or a date, or a time with an offset) → UTC; null when the flag is absent.</summary>
    internal static DateTimeOffset? ParseAt(string? text, TimeProvider time)
    {
        if (text is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            throw new CliException(ExitCode.Usage, $"--at must be a time such as 2026-11-01T00:00:00Z, not '{text}'");
        }

        if (at > time.GetUtcNow())
        {
            throw new CliException(ExitCode.Usage, $"--at {at:yyyy-MM-dd'T'HH:mm:ss'Z'} is in the future; give a past time (UTC)");
        }

        return at;
    }

    /// <summary>
    /// "-at" for an --at mount's default cache: the cache has no lock, so a past mount running next to the live mount
    /// of the same account must not share its metadata database and block files (revisions are cached there too).
    /// </summary>
    private static string AtCacheSuffix(MountSettings s) => s.At is null ? "" : "-at";

    /// <summary>
    /// What the adapter serves: the past tree with --at, else <paramref name="top"/> (the facade, or a decorator over
    /// it) plus the `.dropbox` views. The views read the facade directly, so over a layer that changes names or
    /// content (encryption) they would show the stored form: they are left out there, and --at is refused.
    /// </summary>
    private static IFileSystem ComposeFileSystem(MountSettings s, DropboxFileSystem fs, IFileSystem top, ILogger logger)
    {
        bool layered = !ReferenceEquals(top, fs);
        if (s.At is { } at)
        {
            if (layered)
            {
                throw new CliException(ExitCode.Usage, "--at cannot be combined with encryption yet; mount without one of them");
            }

            logger.LogInformation("Serving the tree as it was at {At:O} (read-only)", at);
            return new PointInTimeFileSystem(fs, at);
        }

        if (layered)
        {
            logger.LogInformation("The .dropbox revision views are not available on an encrypted mount; use `dropboxfs revisions`");
            return top;
        }

        return new RevisionsFileSystem(top, fs);
    }
}
