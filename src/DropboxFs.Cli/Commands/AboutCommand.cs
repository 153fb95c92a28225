using System.CommandLine;
using System.Reflection;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs about`: version, where config/cache/state live, and the linked account with its
/// space usage (when a token is available).</summary>
internal static class AboutCommand
{
    private static readonly Option<bool> s_json = new("--json") { Description = "Machine-readable output." };

    public static Command Create()
    {
        var command = new Command("about", "Print the version, where configuration, cache and state live, and the linked account.")
        {
            s_json,
        };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        var version = typeof(AboutCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var config = Path.GetDirectoryName(ctx.TokenStore.FilePath)!;
        var cache = Path.Combine(XdgDir("XDG_CACHE_HOME", ".cache"), "dropboxfs");
        var state = Path.Combine(XdgDir("XDG_DATA_HOME", Path.Combine(".local", "share")), "dropboxfs");

        FullAccount? account = null;
        SpaceUsage? usage = null;
        var linked = ctx.Token is not null || File.Exists(ctx.TokenStore.FilePath);
        if (linked)
        {
            var client = await ctx.GetClientAsync();
            account = await client.GetCurrentAccountAsync(ctx.Cancellation);
            usage = await client.GetSpaceUsageAsync(ctx.Cancellation);
        }

        if (ctx.Get(s_json))
        {
            JsonOutput.WriteLine(w =>
            {
                w.WriteStartObject();
                w.WriteString("version", version);
                w.WriteString("endpoint", ctx.Endpoint);
                w.WriteString("config_dir", config);
                w.WriteString("token_file", ctx.TokenStore.FilePath);
                w.WriteString("cache_dir", cache);
                w.WriteString("state_dir", state);
                if (account is null)
                {
                    w.WriteNull("account");
                }
                else
                {
                    w.WriteStartObject("account");
                    w.WriteString("account_id", account.AccountId);
                    w.WriteString("display_name", account.Name.DisplayName);
                    w.WriteString("email", account.Email);
                    w.WriteString("account_type", account.AccountType);
                    w.WriteEndObject();
                }

                if (usage is null)
                {
                    w.WriteNull("space");
                }
                else
                {
                    w.WriteStartObject("space");
                    w.WriteNumber("used", usage.Used);
                    w.WriteNumber("allocated", usage.Allocation.Allocated);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            });
            return ExitCode.Ok;
        }

        Console.WriteLine($"dropboxfs {version}");
        Console.WriteLine($"endpoint:   {ctx.Endpoint ?? "Dropbox (api.dropboxapi.com, content.dropboxapi.com)"}");
        Console.WriteLine($"config:     {config} (token: {ctx.TokenStore.FilePath})");
        Console.WriteLine($"cache:      {cache}");
        Console.WriteLine($"state:      {state}");
        if (account is null || usage is null)
        {
            Console.WriteLine("account:    not linked (run `dropboxfs login`, or pass --token / set DROPBOXFS_TOKEN)");
            return ExitCode.Ok;
        }

        Console.WriteLine($"account:    {account.Name.DisplayName} <{account.Email}> ({account.AccountType}, {account.AccountId})");
        var percent = usage.Allocation.Allocated > 0 ? 100.0 * usage.Used / usage.Allocation.Allocated : 0;
        Console.WriteLine($"space:      {Terminal.FormatSize(usage.Used)} of {Terminal.FormatSize(usage.Allocation.Allocated)} used ({percent:0.0}%)");
        return ExitCode.Ok;
    }

    private static string XdgDir(string variable, string fallback)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(value)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), fallback)
            : value;
    }
}
