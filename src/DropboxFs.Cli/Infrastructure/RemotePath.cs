namespace DropboxFs.Cli.Infrastructure;

/// <summary>Remote path spelling accepted on the command line.</summary>
internal static class RemotePath
{
    /// <summary>
    /// "/a/b" stays; "a/b" becomes "/a/b"; "/" and "" become "" (Dropbox's root for listings);
    /// id:…, rev:… and ns:… forms pass through unchanged. A trailing '/' is dropped (Dropbox rejects it).
    /// </summary>
    public static string Normalize(string path)
    {
        var p = path.Trim();
        if (p.StartsWith("id:", StringComparison.Ordinal) || p.StartsWith("rev:", StringComparison.Ordinal) || p.StartsWith("ns:", StringComparison.Ordinal))
        {
            return p;
        }

        p = p.TrimEnd('/');
        if (p.Length == 0)
        {
            return "";
        }

        return p.StartsWith('/') ? p : "/" + p;
    }

    /// <summary>How to show a normalized path to a human ("" is the root, "/").</summary>
    public static string Display(string normalized) => normalized.Length == 0 ? "/" : normalized;
}
