using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Names;

/// <summary>
/// Local names ↔ the names stored on Dropbox, for names Dropbox refuses or mangles (Uploads/README.md,
/// "Name escaping"). Two independent bijections over all strings, composed (ToRemote = Leading ∘ Trailing):
/// <list type="bullet">
/// <item><b>Leading</b>: a name starting with <c>~$</c> or <c>.~</c> (Office and LibreOffice lock files) gets
/// its <c>~</c> as U+FF5E <c>～</c>; a reserved name (<c>desktop.ini</c>, <c>thumbs.db</c>, <c>.ds_store</c>,
/// <c>.dropbox</c>, <c>.dropbox.attr</c>, <c>.dropbox.cache</c>, any case) gets its first character in
/// fullwidth form (<c>ｄesktop.ini</c>).</item>
/// <item><b>Trailing</b>: a last character <c>' '</c> becomes U+2420 <c>␠</c>, a last <c>'.'</c> U+FF0E <c>．</c>.</item>
/// </list>
/// Names that already look escaped, and raw names of the escaped kind created by other Dropbox clients,
/// are told apart by a run of U+201B <c>‛</c> quotes at that end: escaped-looking names get one more quote
/// on the server, raw names one more quote locally (<c>~$a</c> made by the web shows as <c>‛~$a</c>).
/// Every name round-trips both ways. Control characters, <c>\</c>, DEL and characters outside the BMP are
/// refused (InvalidName), as is a name that would still be refused after escaping.
/// </summary>
internal static class NameEscaping
{
    public const char Quote = '\u201B';

    /// <summary>Dropbox's component limit (API reference §6.2), in UTF-16 units (BMP only, so = characters).</summary>
    public const int MaxRemoteLength = 255;

    private static readonly HashSet<string> s_reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "desktop.ini", "thumbs.db", ".ds_store", ".dropbox", ".dropbox.attr", ".dropbox.cache",
    };

    /// <summary>The name to send to Dropbox for a local name; FsException InvalidName / NameTooLong when it cannot exist there.</summary>
    public static string ToRemote(string local)
    {
        foreach (var c in local)
        {
            if (c < ' ' || c == '\\' || c == '\u007f' || char.IsSurrogate(c))
            {
                throw new FsException(FsError.InvalidName, $"'{local}' has a character Dropbox cannot store (control, \\, DEL or outside the BMP)");
            }
        }

        var remote = Leading(Trailing(local, encode: true), encode: true);
        if (remote.Length > MaxRemoteLength)
        {
            throw new FsException(FsError.NameTooLong, $"'{local}' is longer than Dropbox allows ({MaxRemoteLength})");
        }

        if (char.IsWhiteSpace(remote[^1]) || s_reserved.Contains(remote))
        {
            throw new FsException(FsError.InvalidName, $"'{local}' cannot be stored on Dropbox");
        }

        return remote;
    }

    /// <summary>The local name of a name Dropbox listed.</summary>
    public static string ToLocal(string remote) => remote.Length == 0 ? remote : Trailing(Leading(remote, encode: false), encode: false);

    // Escaping at one end: s = run of quotes + core (leading) or core + run (trailing). With F = needs
    // escaping, G = looks escaped and esc: F → G a bijection, the map
    //   (m, F) → m = 0 ? (0, esc) : (m − 1, F);   (m, G) → (m + 1, G);   else unchanged
    // is a bijection on all strings, and its inverse is the decoder below.
    private static string Leading(string s, bool encode)
    {
        var m = 0;
        while (m < s.Length && s[m] == Quote)
        {
            m++;
        }

        var core = s[m..];
        var quotes = s[..m];
        if (IsLeadingRaw(core))
        {
            return encode ? (m == 0 ? EscapeLeading(core) : quotes[1..] + core) : Quote + s;
        }

        if (IsLeadingEscaped(core))
        {
            return encode ? Quote + s : (m == 0 ? UnescapeLeading(core) : quotes[1..] + core);
        }

        return s;
    }

    private static string Trailing(string s, bool encode)
    {
        var end = s.Length;
        while (end > 0 && s[end - 1] == Quote)
        {
            end--;
        }

        if (end == 0)
        {
            return s;
        }

        var m = s.Length - end;
        var core = s[..end];
        if (core is "." or ".." or "\uFF0E" or ".\uFF0E")
        {
            return s; // their other form would be "." or "..": left alone both ways
        }

        var c = core[^1];
        if (c is ' ' or '.')
        {
            return encode ? (m == 0 ? core[..^1] + (c == ' ' ? '\u2420' : '\uFF0E') : s[..^1]) : s + Quote;
        }

        if (c is '\u2420' or '\uFF0E')
        {
            return encode ? s + Quote : (m == 0 ? core[..^1] + (c == '\u2420' ? ' ' : '.') : s[..^1]);
        }

        return s;
    }

    private static bool IsLeadingRaw(string core) =>
        core.StartsWith("~$", StringComparison.Ordinal) || core.StartsWith(".~", StringComparison.Ordinal) || s_reserved.Contains(core);

    private static bool IsLeadingEscaped(string core) =>
        core.StartsWith("\uFF5E$", StringComparison.Ordinal) || core.StartsWith(".\uFF5E", StringComparison.Ordinal)
        || (core.Length > 0 && core[0] is >= '\uFF01' and <= '\uFF5E' && s_reserved.Contains(FromFullwidth(core[0]) + core[1..]));

    private static string EscapeLeading(string core) =>
        core[0] == '~' ? "\uFF5E" + core[1..]
        : core.StartsWith(".~", StringComparison.Ordinal) ? ".\uFF5E" + core[2..]
        : (char)(core[0] + 0xFEE0) + core[1..];

    private static string UnescapeLeading(string core) =>
        core[0] == '\uFF5E' ? "~" + core[1..]
        : core.StartsWith(".\uFF5E", StringComparison.Ordinal) ? ".~" + core[2..]
        : FromFullwidth(core[0]) + core[1..];

    private static char FromFullwidth(char c) => (char)(c - 0xFEE0);
}
