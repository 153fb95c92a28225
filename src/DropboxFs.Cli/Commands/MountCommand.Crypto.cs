using System.CommandLine;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Core.Crypto.Mount;
using DropboxFs.Core.FileSystem;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Cli.Commands;

// `mount --encrypt`: the rclone crypt layer (CryptFileSystem) between FUSE and the facade, so the
// block cache holds ciphertext only. Hooks: the options in Create, ReadCryptSettings in RunAsync,
// OpenCryptAsync and the notifier in ServeAsync, and the status lines (MountStatusServer.Crypto.cs).
internal static partial class MountCommand
{
    private static readonly Option<bool> s_encrypt = new("--encrypt")
    {
        Description = "Encrypt names and contents as rclone crypt (needs --password-file); the folder stays readable by rclone.",
    };

    private static readonly CryptOptions s_crypt = new();

    // The crypt layer of this process's mount (one mount per process), for the status socket.
    private static CryptFileSystem? s_mountedCrypt;

    internal static CryptFileSystem? MountedCrypt => s_mountedCrypt;

    private static IEnumerable<Option> CryptOptionsOfMount() => [s_encrypt, .. s_crypt.All];

    /// <summary>The keys and name settings with --encrypt (derived before anything starts), else null.</summary>
    private static CryptSettings? ReadCryptSettings(CliContext ctx)
    {
        if (!ctx.Get(s_encrypt))
        {
            if (ctx.Get(s_crypt.PasswordFile) is not null)
            {
                throw new CliException(ExitCode.Usage, "--password-file applies to encrypted mounts; add --encrypt");
            }

            _ = s_crypt.Read(ctx, "--encrypt --password-file"); // refuses naming flags on a plain mount
            return null;
        }

        return s_crypt.Read(ctx, "--encrypt --password-file")
            ?? throw new CliException(ExitCode.Usage, "--encrypt needs --password-file FILE (the password is never taken on the command line)");
    }

    /// <summary>
    /// With --encrypt: checks that the password opens the folder (a few names and file headers),
    /// then wraps the facade. Refuses to mount rather than show garbage.
    /// </summary>
    private static async Task<IFileSystem> OpenCryptAsync(CryptSettings? crypt, IFileSystem fs, ILoggerFactory loggers, ILogger logger, CancellationToken ct)
    {
        if (crypt is null)
        {
            return fs;
        }

        var check = await CryptMountCheck.RunAsync(fs, crypt.Keys, crypt.Names, ct);
        if (!check.Passed)
        {
            throw new CliException(ExitCode.DecryptFailed,
                $"refusing to mount: none of the {check.NamesChecked} names and {check.FilesChecked} file headers checked decrypt with this password. "
                + "Check the password file and --salt-file, and --filename-encryption / --directory-name-encryption (rclone's settings for this folder), "
                + "or mount without --encrypt if the folder is not encrypted");
        }

        logger.LogInformation("Encrypted mount ({Mode} names, directory names {DirectoryNames}): {Names} of {NamesChecked} names and {Files} of {FilesChecked} files checked decrypt",
            crypt.Names.Mode, crypt.Names.EncryptDirectoryNames ? "encrypted" : "plain", check.NamesDecrypted, check.NamesChecked, check.FilesDecrypted, check.FilesChecked);
        return s_mountedCrypt = new CryptFileSystem(fs, crypt.Keys, crypt.Names, loggers);
    }

    /// <summary>The kernel notifier for the facade: through the crypt layer when there is one.</summary>
    private static IKernelNotifier CryptNotifier(IFileSystem top, IKernelNotifier kernel) =>
        top is CryptFileSystem crypt ? crypt.WrapNotifier(kernel) : kernel;
}
