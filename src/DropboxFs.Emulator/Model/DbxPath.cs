using System.Globalization;

namespace DropboxFs.Emulator.Model;

/// <summary>
/// Dropbox path rules (reference §6): case-insensitive keys, the name checks that give
/// <c>malformed_path</c> or <c>disallowed_name</c>, and the BMP-only rule (a 400).
/// </summary>
internal static class DbxPath
{
    // Names the desktop client refuses to sync; the API answers disallowed_name on write (§6.2).
    private static readonly HashSet<string> s_disallowed = new(StringComparer.OrdinalIgnoreCase)
    {
        "desktop.ini", "thumbs.db", ".ds_store", "icon\r", ".dropbox", ".dropbox.attr", ".dropbox.cache",
    };

    // rclone counts 255 runes; the BMP-only rule makes runes and UTF-16 units the same here.
    public const int MaxComponentLength = 255;

    public static string Lower(string path) => path.ToLowerInvariant();

    public static string NameOf(string path)
    {
        var i = path.LastIndexOf('/');
        return i < 0 ? path : path[(i + 1)..];
    }

    public static string ParentOf(string path)
    {
        var i = path.LastIndexOf('/');
        return i <= 0 ? "" : path[..i];
    }

    public static string Combine(string parent, string name) => parent + "/" + name;

    /// <summary>Index of the first character outside the BMP, or -1.</summary>
    public static int FirstNonBmpIndex(string path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            if (char.IsSurrogate(path[i]))
            {
                return new StringInfo(path[..i]).LengthInTextElements;
            }
        }

        return -1;
    }

    /// <summary>True when a "/..." path has a well-formed shape and well-formed names.</summary>
    public static bool IsWellFormed(string path)
    {
        if (path.Length < 2 || path[0] != '/' || path[^1] == '/')
        {
            return false;
        }

        foreach (var name in path[1..].Split('/'))
        {
            if (!IsWellFormedName(name))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsWellFormedName(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Length > MaxComponentLength || char.IsWhiteSpace(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            // Backslash, DEL and control characters other than the icon\r case (§6.2, [inf]).
            if (c == '\\' || c == '\u007f' || (c < ' ' && c != '\r') || c == '/')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when some component is a name Dropbox refuses to store.</summary>
    public static bool HasDisallowedName(string path) => path.Split('/').Any(s_disallowed.Contains);

    /// <summary>Ancestors of a path, nearest to the root first, excluding the root and the path.</summary>
    public static IEnumerable<string> Ancestors(string path)
    {
        for (var i = path.IndexOf('/', 1); i > 0; i = path.IndexOf('/', i + 1))
        {
            yield return path[..i];
        }
    }
}
