using System.Text;

namespace DropboxFs.Core.Metadata;

/// <summary>
/// Keys are Dropbox paths from the account root, NFC-normalised and lower-cased ("" is the account
/// root, "/a/b" below it). Server paths and kernel names go through the same <see cref="Normalize"/>,
/// so a lookup matches whatever casing the caller used.
/// </summary>
internal static class PathKey
{
    public const string AccountRoot = "";

    public static string Normalize(string value) =>
        value.Normalize(NormalizationForm.FormC).ToLowerInvariant();

    /// <summary>The key of a remote-root option such as "/Some/Folder" (or "" / "/" for the account).</summary>
    public static string FromRemoteRoot(string remoteRoot)
    {
        var trimmed = remoteRoot.Trim().TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return AccountRoot;
        }

        return Normalize(trimmed.StartsWith('/') ? trimmed : "/" + trimmed);
    }

    public static string Child(string parentKey, string name) => parentKey + "/" + Normalize(name);

    public static string Parent(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash <= 0 ? AccountRoot : key[..slash];
    }

    public static string LastComponent(string key) => key[(key.LastIndexOf('/') + 1)..];

    /// <summary>True when <paramref name="key"/> is <paramref name="ancestor"/> or below it.</summary>
    public static bool IsSameOrBelow(string key, string ancestor) =>
        ancestor.Length == 0 || key == ancestor || (key.StartsWith(ancestor, StringComparison.Ordinal) && key.Length > ancestor.Length && key[ancestor.Length] == '/');
}
