using System.CommandLine;
using System.Text.Json;
using DropboxFs.Api;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>`dropboxfs link create|list|revoke`: shared links.</summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var command = new Command("link", "Create, list and revoke shared links.")
        {
            CreateCreate(),
            CreateList(),
            CreateRevoke(),
        };
        return command;
    }

    private static Command CreateCreate()
    {
        var path = new Argument<string>("PATH") { Description = "Remote file or folder to share." }.RejectOptionLike();
        var expires = new Option<string?>("--expires") { Description = "Expiry time (ISO 8601, e.g. 2030-01-01T00:00:00Z)." };
        var password = new Option<string?>("--password") { Description = "Require this password (implies --visibility password)." };
        var visibility = new Option<string?>("--visibility") { Description = "public, team or password." };
        visibility.AcceptOnlyFromAmong("public", "team", "password");
        var json = new Option<bool>("--json") { Description = "Machine-readable output (the link shape)." };
        var command = new Command("create", "Create a shared link and print its URL.") { path, expires, password, visibility, json };
        command.SetCliAction(async ctx =>
        {
            var remote = RemotePath.Normalize(ctx.Get(path));
            ctx.Subject.Path = RemotePath.Display(remote);
            ctx.Subject.ConflictHint = "a link already exists; `dropboxfs link list PATH` shows it";
            var secret = ctx.Get(password);
            var requested = ctx.Get(visibility) switch
            {
                "team" => "team_only",
                null when secret is not null => "password",
                var v => v,
            };
            if (requested == "password" && secret is null)
            {
                throw new CliException(ExitCode.Usage, "--visibility password needs --password P");
            }

            var client = await ctx.GetClientAsync();
            var link = await client.CreateSharedLinkAsync(remote, new SharedLinkSettings
            {
                Expires = PutCommand.ParseTime(ctx.Get(expires), "--expires"),
                Password = secret,
                Visibility = requested,
            }, ctx.Cancellation);
            if (ctx.Get(json))
            {
                JsonOutput.WriteLine(w => WriteLink(w, link));
            }
            else
            {
                Console.WriteLine(link.Url);
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static Command CreateList()
    {
        var path = new Argument<string?>("PATH") { Description = "Only links to this file or folder.", Arity = ArgumentArity.ZeroOrOne }.RejectOptionLike();
        var json = new Option<bool>("--json") { Description = "Machine-readable output: {\"links\":[…]}." };
        var command = new Command("list", "List shared links (all, or those of PATH).") { path, json };
        command.SetCliAction(async ctx =>
        {
            var remote = ctx.Get(path) is { } p ? RemotePath.Normalize(p) : null;
            ctx.Subject.Path = remote is null ? "/" : RemotePath.Display(remote);
            var client = await ctx.GetClientAsync();
            var links = new List<SharedLinkMetadata>();
            string? cursor = null;
            do
            {
                var page = await client.ListSharedLinksAsync(remote, cursor, directOnly: remote is not null, ctx.Cancellation);
                links.AddRange(page.Links);
                cursor = page.HasMore ? page.Cursor : null;
            }
            while (cursor is not null);

            if (ctx.Get(json))
            {
                JsonOutput.WriteLine(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("links");
                    links.ForEach(l => WriteLink(w, l));
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }
            else
            {
                foreach (var link in links)
                {
                    var visibility = link.LinkPermissions?.ResolvedVisibility ?? "-";
                    var expiry = link.Expires is { } e ? JsonOutput.Iso(e) : "never";
                    Console.WriteLine($"{link.Url}  {link.PathLower ?? link.Name}  {visibility}  expires {expiry}");
                }
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static Command CreateRevoke()
    {
        var url = new Argument<string>("URL") { Description = "The link to revoke (from `dropboxfs link list`)." }.RejectOptionLike();
        var command = new Command("revoke", "Revoke a shared link.") { url };
        command.SetCliAction(async ctx =>
        {
            var link = ctx.Get(url);
            ctx.Subject.Path = link;
            var client = await ctx.GetClientAsync();
            await client.RevokeSharedLinkAsync(link, ctx.Cancellation);
            Console.WriteLine($"revoked {link}");
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>Link shape: {url, name, path_lower, type, expires, visibility, id}.</summary>
    private static void WriteLink(Utf8JsonWriter w, SharedLinkMetadata link)
    {
        w.WriteStartObject();
        w.WriteString("url", link.Url);
        w.WriteString("name", link.Name);
        w.WriteString("path_lower", link.PathLower);
        w.WriteString("type", link switch { FileLinkMetadata => "file", FolderLinkMetadata => "folder", _ => null });
        w.WriteString("expires", link.Expires is { } e ? JsonOutput.Iso(e) : null);
        w.WriteString("visibility", link.LinkPermissions?.ResolvedVisibility);
        w.WriteString("id", link.Id);
        w.WriteEndObject();
    }
}
