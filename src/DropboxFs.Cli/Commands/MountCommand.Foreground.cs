using System.Security.Cryptography;
using System.Text;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Core;
using DropboxFs.Core.FileSystem;
using DropboxFs.Emulator;
using DropboxFs.Fuse;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

// The composition: (emulator) → DropboxClient → DropboxFileSystem → FuseMount, and the order of
// start and stop: mount, attach the notifier, start sync; on exit unmount, stop sync, stop emulator.
internal static partial class MountCommand
{
    private static async Task<ExitCode> RunForegroundAsync(CliContext ctx, MountSettings s)
    {
        if (!Directory.Exists(s.MountPoint) && !File.Exists(s.MountPoint))
        {
            // Before anything is created (the state folder, the emulator's data): a typo must leave no trace.
            throw new CliException(ExitCode.MountFailed, $"Mountpoint {s.MountPoint} does not exist; create it with: mkdir -p '{s.MountPoint}'");
        }

        using var fileLogging = s.LogFile is null ? null : MountLogging.ToFile(s.LogFile, ctx.Get(GlobalOptions.LogLevel), [ctx.Token]);
        var loggers = fileLogging?.Factory ?? ctx.LoggerFactory;
        var logger = loggers.CreateLogger("dropboxfs.mount");

        EmulatorServer? emulator = null;
        DropboxClient? ownClient = null;
        try
        {
            DropboxClient client;
            if (s.UseEmulator)
            {
                emulator = await StartEmulatorAsync(ctx);
                ownClient = client = new DropboxClient(new DropboxClientOptions
                {
                    Endpoint = emulator.BaseUri,
                    Tokens = new StaticTokenSource(emulator.StaticToken),
                    LoggerFactory = loggers,
                });
            }
            else
            {
                client = await ctx.GetClientAsync();
            }

            // The emulator's port changes on every start; its data folder identifies the account instead.
            string? endpointKey = emulator is null ? ctx.Endpoint : "emulator:" + EmulatorDataDirectory();
            string? accountKey = s.CacheDirectory is null || (!s.ReadOnly && s.Writes.StateDirectory is null)
                ? await AccountKeyAsync(client, endpointKey, s.RemoteRoot, ctx.Cancellation)
                : null;
            string cacheDir = s.CacheDirectory ?? Path.Combine(CacheRoot(), accountKey! + AtCacheSuffix(s));
            string? stateDir = s.ReadOnly ? null : PrepareStateDirectory(s.Writes.StateDirectory ?? DefaultStateDirectory(accountKey!));
            ctx.Subject.Path = s.RemoteRoot.Length == 0 ? "/" : s.RemoteRoot;
            var progress = IndexProgressLine.ForTerminal(TimeProvider.System);
            await using var fs = await DropboxFileSystem.OpenAsync(client, new DropboxFileSystemOptions
            {
                CacheDirectory = cacheDir,
                StateDirectory = stateDir,
                CacheSizeBytes = s.CacheSizeBytes,
                RemoteRoot = s.RemoteRoot,
                ReadOnly = s.ReadOnly,
                WriteBackDelay = s.Writes.WriteBackDelay,
                SyncUploads = s.Writes.SyncUploads,
                IndexProgress = progress,
                LoggerFactory = loggers,
            }, ctx.Cancellation);
            try
            {
                return await ServeAsync(ctx, s, fs, loggers, logger, cacheDir, stateDir);
            }
            finally
            {
                progress?.Finish();
            }
        }
        catch (FuseMountException e)
        {
            throw new CliException(ExitCode.MountFailed, e.Message);
        }
        catch (FsException e) when (e.Error is FsError.NotFound or FsError.NotDirectory && s.RemoteRoot.Length > 0)
        {
            // Before the mount serves anything, the only path the facade resolves is the remote root.
            throw new CliException(ExitCode.NotFound, $"--remote-root {s.RemoteRoot} is not a folder in this Dropbox ({e.Error}); `dropboxfs ls /` shows what is there");
        }
        finally
        {
            ownClient?.Dispose();
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }
        }
    }

    private static async Task<ExitCode> ServeAsync(CliContext ctx, MountSettings s, DropboxFileSystem fs, ILoggerFactory loggers, ILogger logger, string cacheDir, string? stateDir)
    {
        var top = await OpenCryptAsync(s.Crypt, fs, loggers, logger, ctx.Cancellation);
        var mount = new FuseMount(ComposeFileSystem(s, fs, top, logger), new FuseMountOptions
        {
            MountPoint = s.MountPoint,
            ReadOnly = s.ReadOnly,
            AllowOther = s.AllowOther,
            HandleSignals = true, // SIGTERM and SIGINT → lazy unmount → readers see ENODEV → exit 0
            LoggerFactory = loggers,
        });
        await using (mount)
        {
            fs.AttachNotifier(CryptNotifier(top, mount.Notifier));
            var run = mount.RunAsync(ctx.Cancellation); // Ctrl-C cancels: same lazy unmount
            await Task.WhenAny(mount.Ready, run);
            await mount.Ready; // throws FuseMountException when the mount failed
            await fs.StartSyncAsync(ctx.Cancellation);
            await using var status = MountStatusServer.Start(s.MountPoint, s.RemoteRoot, stateDir, fs, mount, TimeProvider.System, logger);
            Console.WriteLine($"Mounted {(s.RemoteRoot.Length == 0 ? "Dropbox" : s.RemoteRoot)} at {s.MountPoint}{(s.ReadOnly ? " (read-only)" : "")}. "
                + $"Stop with Ctrl-C or `dropboxfs unmount {s.MountPoint}`.");
            logger.LogInformation("Cache in {CacheDirectory}, upload journal in {StateDirectory}", cacheDir, stateDir ?? "(none: read-only)");
            await run;
            if (!status.ForceRequested)
            {
                await DrainOnExitAsync(fs, logger); // the status socket stays up meanwhile, so `status` shows it
            }
        }

        Console.WriteLine($"Unmounted {s.MountPoint}.");
        return ExitCode.Ok;
    }

    private static async Task<EmulatorServer> StartEmulatorAsync(CliContext ctx)
    {
        string data = EmulatorDataDirectory();
        Directory.CreateDirectory(data);
        var server = await EmulatorServer.StartAsync(new EmulatorOptions { DataDirectory = data, Port = 0 }, ctx.Cancellation);
        Console.WriteLine($"No Dropbox account linked: serving the built-in emulator (data in {data}, API at {server.BaseUri}). "
            + "Run `dropboxfs login` to mount your real Dropbox.");
        return server;
    }

    /// <summary>Hash of endpoint, account and remote root: the folder name under the cache and state roots,
    /// so another account (or another remote root) never sees this cache or this upload journal.</summary>
    private static async Task<string> AccountKeyAsync(DropboxClient client, string? endpoint, string remoteRoot, CancellationToken ct)
    {
        var account = await client.GetCurrentAccountAsync(ct);
        string key = $"{endpoint ?? "dropbox"}|{account.AccountId}|{remoteRoot.ToLowerInvariant()}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
    }
}
