using System.CommandLine;

namespace DropboxFs.Cli.Commands;

/// <summary>Options every verb accepts: where Dropbox is, which token to use, how much to log.</summary>
internal static class GlobalOptions
{
    public const string EndpointEnv = "DROPBOXFS_ENDPOINT";
    public const string TokenEnv = "DROPBOXFS_TOKEN";

    public static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "Send every route to this origin (e.g. the emulator). Env: DROPBOXFS_ENDPOINT.",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Access token to use instead of the linked account. Env: DROPBOXFS_TOKEN.",
        Recursive = true,
    };

    public static readonly Option<string> LogLevel = CreateLogLevel();

    public static readonly Option<int> Retries = new("--retries")
    {
        Description = "Retries of a failed request (429, 5xx, network) with exponential back-off; 0 fails at once.",
        Recursive = true,
        DefaultValueFactory = _ => 5,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Endpoint);
        root.Options.Add(Token);
        root.Options.Add(LogLevel);
        root.Options.Add(Retries);
    }

    /// <summary>--endpoint, else DROPBOXFS_ENDPOINT, else null (real Dropbox hosts).</summary>
    public static string? ResolveEndpoint(ParseResult parse) =>
        NullIfEmpty(parse.GetValue(Endpoint)) ?? NullIfEmpty(Environment.GetEnvironmentVariable(EndpointEnv));

    /// <summary>--token, else DROPBOXFS_TOKEN, else null (use the linked account).</summary>
    public static string? ResolveToken(ParseResult parse) =>
        NullIfEmpty(parse.GetValue(Token)) ?? NullIfEmpty(Environment.GetEnvironmentVariable(TokenEnv));

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Option<string> CreateLogLevel()
    {
        var option = new Option<string>("--log-level")
        {
            Description = "Log verbosity on stderr: verbose, debug, information, warning, error, fatal.",
            Recursive = true,
            DefaultValueFactory = _ => "warning",
        };
        option.AcceptOnlyFromAmong("verbose", "debug", "information", "warning", "error", "fatal");
        return option;
    }
}
