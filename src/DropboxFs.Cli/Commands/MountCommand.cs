using System.CommandLine;
using System.Globalization;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// <c>dropboxfs mount MOUNTPOINT</c>: serves the account (or --remote-root) through FUSE until
/// Ctrl-C, SIGTERM or <c>dropboxfs unmount</c>. Read-write unless --read-only (MountCommand.Writes.cs).
/// </summary>
internal static partial class MountCommand
{
    private static readonly Argument<string> s_mountPoint = new Argument<string>("MOUNTPOINT") { Description = "An empty local directory." }.RejectOptionLike();
    private static readonly Option<string?> s_remoteRoot = new("--remote-root") { Description = "Mount this Dropbox folder instead of the whole account, e.g. /Photos." };
    private static readonly Option<string?> s_cacheDir = new("--cache-dir") { Description = "Metadata and block cache (rebuildable). Default: ~/.cache/dropboxfs/<account>." };
    private static readonly Option<string> s_cacheSize = new("--cache-size") { Description = "Cap on cached file bytes: 10G, 500M, 1T or bytes.", DefaultValueFactory = _ => "10G" };
    private static readonly Option<bool> s_readOnly = new("--read-only") { Description = "Mount read-only (the kernel refuses every write)." };
    private static readonly Option<bool> s_foreground = new("--foreground") { Description = "Stay in the foreground (the default)." };
    private static readonly Option<bool> s_daemon = new("--daemon") { Description = "Detach and run in the background once mounted; stop with `dropboxfs unmount`." };
    private static readonly Option<string?> s_logFile = new("--log-file") { Description = "Write the log here instead of stderr." };
    private static readonly Option<bool> s_allowOther = new("--allow-other") { Description = "Let other users (and root) see the mount; non-root needs user_allow_other in /etc/fuse.conf." };
    private static readonly Option<bool> s_emulator = new("--emulator") { Description = "Serve the built-in emulator (data in ~/.local/share/dropboxfs/emulator) instead of Dropbox." };

    public static Command Create()
    {
        var command = new Command("mount", "Mount Dropbox as a local folder (FUSE).")
        {
            s_mountPoint, s_remoteRoot, s_cacheDir, s_cacheSize, s_readOnly, s_foreground, s_daemon, s_logFile, s_allowOther, s_emulator, s_at,
        };
        foreach (var option in WriteOptions().Concat(CryptOptionsOfMount()))
        {
            command.Options.Add(option);
        }

        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        if (ctx.Get(s_daemon) && ctx.Get(s_foreground))
        {
            throw new CliException(ExitCode.Usage, "--daemon and --foreground exclude each other; pick one");
        }

        var settings = new MountSettings(
            MountPoint: Path.GetFullPath(ctx.Get(s_mountPoint)),
            RemoteRoot: NormalizeRemoteRoot(ctx.Get(s_remoteRoot)),
            CacheDirectory: ctx.Get(s_cacheDir),
            CacheSizeBytes: ParseSize(ctx.Get(s_cacheSize)),
            ReadOnly: ctx.Get(s_readOnly) || ctx.Get(s_at) is not null, // the past is read-only
            AllowOther: ctx.Get(s_allowOther),
            LogFile: ctx.Get(s_logFile) is { } log ? Path.GetFullPath(log) : null,
            UseEmulator: ctx.Get(s_emulator),
            Writes: ReadWriteSettings(ctx, ctx.Get(s_readOnly) || ctx.Get(s_at) is not null),
            At: ParseAt(ctx.Get(s_at), TimeProvider.System),
            Crypt: ReadCryptSettings(ctx));

        return ctx.Get(s_daemon)
            ? await RunDaemonAsync(ctx, settings)
            : await RunForegroundAsync(ctx, settings);
    }

    private sealed record MountSettings(
        string MountPoint,
        string RemoteRoot,
        string? CacheDirectory,
        long CacheSizeBytes,
        bool ReadOnly,
        bool AllowOther,
        string? LogFile,
        bool UseEmulator,
        WriteSettings Writes,
        DateTimeOffset? At,
        CryptSettings? Crypt);

    /// <summary>"10G" → 10 GiB; suffixes K, M, G, T are powers of 1024; a plain number is bytes.</summary>
    internal static long ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant().TrimEnd('B', 'I');
        int shift = t.Length == 0 ? 0 : t[^1] switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        string number = shift == 0 ? t : t[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0 || value * Math.Pow(2, shift) > long.MaxValue)
        {
            throw new CliException(ExitCode.Usage, $"--cache-size must look like 10G, 500M or 1073741824, not '{text}'");
        }

        return (long)(value * Math.Pow(2, shift));
    }

    private static string NormalizeRemoteRoot(string? root)
    {
        if (string.IsNullOrWhiteSpace(root) || root.Trim() == "/")
        {
            return "";
        }

        string r = root.Trim().TrimEnd('/');
        return r.StartsWith('/') ? r : "/" + r;
    }

    private static string StateDirectory()
    {
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        return Path.Combine(string.IsNullOrEmpty(state) ? Path.Combine(Home(), ".local", "state") : state, "dropboxfs");
    }

    private static string CacheRoot()
    {
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return Path.Combine(string.IsNullOrEmpty(cache) ? Path.Combine(Home(), ".cache") : cache, "dropboxfs");
    }

    private static string EmulatorDataDirectory() => Path.Combine(Home(), ".local", "share", "dropboxfs", "emulator");

    private static string Home() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
}
