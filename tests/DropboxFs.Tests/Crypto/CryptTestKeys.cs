using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

/// <summary>
/// Keys of the fixture folders, derived once per test run: scrypt with N=16384 costs tens to
/// hundreds of milliseconds, so no test derives its own.
/// </summary>
internal static class CryptTestKeys
{
    public const string Password = "correct horse battery staple";
    public const string Salt = "pepper";

    private static readonly Lazy<CryptKeys> s_default = new(() => CryptKeys.Derive(Password, null));
    private static readonly Lazy<CryptKeys> s_salted = new(() => CryptKeys.Derive(Password, Salt));
    private static readonly Lazy<CryptKeys> s_wrong = new(() => CryptKeys.Derive("correct horse battery stapler", null));

    /// <summary>The fixture password with rclone's built-in salt (folders standard/ and obfuscate-plaindirs/).</summary>
    public static CryptKeys Default => s_default.Value;

    /// <summary>The fixture password with password2 "pepper" (folder off-salted/).</summary>
    public static CryptKeys Salted => s_salted.Value;

    /// <summary>A password one character off.</summary>
    public static CryptKeys Wrong => s_wrong.Value;
}

/// <summary>Locations of the golden rclone 1.60.1 fixtures copied to the test output.</summary>
internal static class CryptFixtures
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "rclone-crypt");

    public static string Plain => Path.Combine(Root, "plain");

    /// <summary>Plaintext files as '/'-separated paths relative to plain/.</summary>
    public static IReadOnlyList<string> PlainFiles() => RelativeFiles(Plain);

    public static IReadOnlyList<string> RelativeFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static byte[] ReadPlain(string relative) => File.ReadAllBytes(Path.Combine(Plain, relative));
}
