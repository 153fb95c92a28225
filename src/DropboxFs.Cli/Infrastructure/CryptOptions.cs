using System.CommandLine;
using System.Text;
using DropboxFs.Core.Crypto;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>The keys and name cipher of an rclone crypt remote, from <see cref="CryptOptions"/>.</summary>
internal sealed record CryptSettings(CryptKeys Keys, NameCipher Names);

/// <summary>
/// The rclone crypt flags shared by get, put and mount. Passwords come only from files (never
/// from the command line, where `ps` shows them); they are never logged or written anywhere.
/// Each command makes its own instance (an option belongs to one command).
/// </summary>
internal sealed class CryptOptions
{
    // rclone's names for the modes; "standard" is rclone's default.
    private static readonly string[] s_modes = ["standard", "obfuscate", "off"];

    public Option<string?> PasswordFile { get; } = new("--password-file")
    {
        Description = "Encrypt/decrypt as rclone crypt with the password in this file (first line; trailing newline ignored).",
    };

    public Option<string?> SaltFile { get; } = new("--salt-file")
    {
        Description = "rclone crypt's second password (password2, the salt), from this file.",
    };

    public Option<string> FilenameEncryption { get; } = CreateModeOption();

    public Option<bool> DirectoryNameEncryption { get; } = new("--directory-name-encryption")
    {
        Description = "Encrypt directory names too (true|false, rclone's directory_name_encryption).",
        DefaultValueFactory = _ => true,
    };

    public IEnumerable<Option> All => [PasswordFile, SaltFile, FilenameEncryption, DirectoryNameEncryption];

    /// <summary>
    /// The settings when a password file was given, else null (and naming flags without one are
    /// a usage error). Derives the keys: scrypt takes about 0.2 s and 16 MiB.
    /// </summary>
    public CryptSettings? Read(CliContext ctx, string passwordFlagHint = "--password-file")
    {
        string? passwordFile = ctx.Get(PasswordFile);
        if (passwordFile is null)
        {
            foreach (var option in new Option[] { SaltFile, FilenameEncryption, DirectoryNameEncryption })
            {
                if (ctx.Parse.GetResult(option) is { Implicit: false })
                {
                    throw new CliException(ExitCode.Usage, $"{option.Name} only applies to encrypted transfers; add {passwordFlagHint} FILE");
                }
            }

            return null;
        }

        string password = ReadSecretFile(passwordFile, "--password-file");
        string? salt = ctx.Get(SaltFile) is { } saltFile ? ReadSecretFile(saltFile, "--salt-file") : null;
        var mode = ctx.Get(FilenameEncryption) switch
        {
            "off" => NameEncryptionMode.Off,
            "obfuscate" => NameEncryptionMode.Obfuscate,
            _ => NameEncryptionMode.Standard,
        };
        var keys = CryptKeys.Derive(password, salt);
        return new CryptSettings(keys, new NameCipher(keys, mode, ctx.Get(DirectoryNameEncryption)));
    }

    /// <summary>The first line of a secret file, without its line ending; refuses an empty one.</summary>
    internal static string ReadSecretFile(string path, string flag)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new CliException(ExitCode.LocalIo, $"{flag} {path} cannot be read ({e.GetType().Name}); give a readable UTF-8 text file holding the password");
        }

        int end = text.IndexOfAny(['\r', '\n']);
        string secret = end < 0 ? text : text[..end];
        if (secret.Length == 0)
        {
            throw new CliException(ExitCode.Usage, $"{flag} {path} is empty; write the password on its first line");
        }

        return secret;
    }

    private static Option<string> CreateModeOption()
    {
        var option = new Option<string>("--filename-encryption")
        {
            Description = "How names are stored: standard (encrypted), obfuscate, or off (.bin appended).",
            DefaultValueFactory = _ => "standard",
        };
        option.AcceptOnlyFromAmong(s_modes);
        return option;
    }
}
