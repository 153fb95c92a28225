using System.Text.RegularExpressions;

namespace DropboxFs.Emulator.Http;

/// <summary>The stone path patterns (§6.1); a mismatch is a 400, not a 409.</summary>
internal static partial class PathPatterns
{
    public const string PathROrId = @"(/(.|[\r\n])*)?|id:.*|(ns:[0-9]+(/(.|[\r\n])*)?)";
    public const string PathOrId = @"/(.|[\r\n])*|id:.*|(ns:[0-9]+(/(.|[\r\n])*)?)";
    public const string ReadPath = @"(/(.|[\r\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/(.|[\r\n])*)?)";
    public const string WritePath = @"(/(.|[\r\n])*)|(ns:[0-9]+(/(.|[\r\n])*)?)";
    public const string WritePathOrId = @"(/(.|[\r\n])*)|(ns:[0-9]+(/(.|[\r\n])*)?)|(id:.*)";
    public const string Rev = "[0-9a-f]+";

    private static readonly Dictionary<string, Regex> s_compiled = new()
    {
        [PathROrId] = new Regex($"^(?:{PathROrId})$", RegexOptions.Singleline | RegexOptions.CultureInvariant),
        [PathOrId] = new Regex($"^(?:{PathOrId})$", RegexOptions.Singleline | RegexOptions.CultureInvariant),
        [ReadPath] = new Regex($"^(?:{ReadPath})$", RegexOptions.Singleline | RegexOptions.CultureInvariant),
        [WritePath] = new Regex($"^(?:{WritePath})$", RegexOptions.Singleline | RegexOptions.CultureInvariant),
        [WritePathOrId] = new Regex($"^(?:{WritePathOrId})$", RegexOptions.Singleline | RegexOptions.CultureInvariant),
        [Rev] = new Regex($"^(?:{Rev})$", RegexOptions.CultureInvariant),
    };

    /// <summary>Reads a required string field and checks it against a pattern.</summary>
    public static string Read(ArgReader args, string field, string pattern, int minLength = 0)
    {
        var v = args.ReqString(field);
        Check(args, field, v, pattern, minLength);
        return v;
    }

    public static void Check(ArgReader args, string field, string value, string pattern, int minLength = 0)
    {
        if (value.Length < minLength)
        {
            throw args.Fail(field, $"'{value}' must be at least {minLength} characters");
        }

        if (!s_compiled[pattern].IsMatch(value))
        {
            throw args.Fail(field, $"'{value}' did not match pattern '{pattern}'");
        }
    }
}
