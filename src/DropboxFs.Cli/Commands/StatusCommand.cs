using System.CommandLine;
using System.Text.Json;
using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary><c>dropboxfs status [MOUNTPOINT]</c>: sync state, cache use, API calls, pending uploads and conflicts of running mounts.</summary>
internal static partial class StatusCommand
{
    private static readonly Argument<string?> s_mountPoint = new Argument<string?>("MOUNTPOINT") { Description = "A mount (default: every running mount).", Arity = ArgumentArity.ZeroOrOne }.RejectOptionLike();
    private static readonly Option<bool> s_json = new("--json") { Description = "One JSON document per mount, one per line." };

    public static Command Create()
    {
        var command = new Command("status", "Show the sync state, cache use, API calls, pending uploads and conflicts of a running mount.") { s_mountPoint, s_json };
        command.SetCliAction(RunAsync);
        return command;
    }

    private static async Task<ExitCode> RunAsync(CliContext ctx)
    {
        string? mountPoint = ctx.Get(s_mountPoint);
        var sockets = mountPoint is not null
            ? [MountStatusServer.SocketPath(mountPoint)]
            : Directory.Exists(MountStatusServer.RunDirectory()) ? Directory.GetFiles(MountStatusServer.RunDirectory(), "*.sock") : [];
        int shown = 0;
        foreach (string socket in sockets)
        {
            string? json = await TryQueryAsync(socket, ctx.Cancellation);
            if (json is null)
            {
                continue; // a mount that died without removing its socket
            }

            if (ctx.Get(s_json))
            {
                Console.WriteLine(json);
            }
            else
            {
                PrintHuman(json, shown > 0);
            }

            shown++;
        }

        if (shown == 0)
        {
            throw new CliException(ExitCode.NotFound, mountPoint is null
                ? "no dropboxfs mount is running; start one with `dropboxfs mount MOUNTPOINT`"
                : $"no dropboxfs mount is running at {Path.GetFullPath(mountPoint)}; `dropboxfs status` lists the running ones");
        }

        return ExitCode.Ok;
    }

    private static async Task<string?> TryQueryAsync(string path, CancellationToken ct)
    {
        var answer = new System.Text.StringBuilder();
        bool answered = await StatusSocket.RequestAsync(path, MountStatusServer.StatusRequest, line => answer.Append(line), ct);
        return answered && answer.Length > 0 ? answer.ToString() : null;
    }

    private static void PrintHuman(string json, bool separate)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        var sync = r.GetProperty("sync");
        var cache = r.GetProperty("cache");
        if (separate)
        {
            Console.WriteLine();
        }

        Console.WriteLine($"{r.GetProperty("mountpoint").GetString()}: {r.GetProperty("remote_root").GetString()} (pid {r.GetProperty("pid").GetInt32()}, mounted {r.GetProperty("mounted_at").GetString()})");
        Console.WriteLine($"  sync:      {(sync.GetProperty("running").GetBoolean() ? "running" : "stopped")}; cursor taken {Age(sync, "cursor_age_seconds")}; "
            + $"last change applied {Age(sync, "last_change_age_seconds")}; {sync.GetProperty("changes_applied").GetInt64()} changes, "
            + $"{sync.GetProperty("cursor_resets").GetInt64()} resets, {sync.GetProperty("folder_listings").GetInt64()} folder listings, "
            + $"{sync.GetProperty("metadata_entries").GetInt64()} entries in metadata, {sync.GetProperty("errors").GetInt64()} errors");
        Console.WriteLine($"  cache:     {Bytes(cache.GetProperty("used_bytes").GetInt64())} of {Bytes(cache.GetProperty("capacity_bytes").GetInt64())}; "
            + $"hit rate {cache.GetProperty("hit_rate").GetDouble() * 100:0.0}% ({cache.GetProperty("hits").GetInt64()} hits, "
            + $"{cache.GetProperty("misses").GetInt64()} misses, {cache.GetProperty("evictions").GetInt64()} evictions)");
        var nodes = r.GetProperty("nodes");
        Console.WriteLine($"  kernel:    {nodes.GetProperty("live").GetInt32()} nodes known, {nodes.GetProperty("open_handles").GetInt32()} open files");
        var fuse = r.GetProperty("fuse");
        var requests = fuse.GetProperty("requests").EnumerateObject().OrderByDescending(p => p.Value.GetInt64()).Take(8).Select(p => $"{p.Name} {p.Value.GetInt64()}");
        Console.WriteLine($"  fuse:      protocol {fuse.GetProperty("protocol").GetString()}, {fuse.GetProperty("in_flight").GetInt32()} in flight, "
            + $"{fuse.GetProperty("notifications_sent").GetInt64()} invalidations sent ({fuse.GetProperty("notifications_dropped").GetInt64()} dropped); "
            + $"requests: {string.Join(", ", requests)}");
        var calls = r.GetProperty("api_calls").EnumerateObject().Select(p => $"{p.Name} {p.Value.GetInt64()}").ToList();
        Console.WriteLine($"  API calls: {(calls.Count == 0 ? "none" : string.Join(", ", calls))}");
        PrintUploads(r.GetProperty("uploads"));
        PrintEncryption(r);
    }

    private static string Age(JsonElement e, string name)
    {
        if (e.GetProperty(name).ValueKind != JsonValueKind.Number)
        {
            return "never";
        }

        double s = e.GetProperty(name).GetDouble();
        string age = s < 120 ? $"{s:0} s" : s < 7200 ? $"{s / 60:0} min" : s < 172800 ? $"{s / 3600:0.0} h" : $"{s / 86400:0.0} days";
        return age + " ago";
    }

    private static string Bytes(long n) => n switch
    {
        >= 1L << 30 => $"{n / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{n / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{n / 1024.0:0.0} KiB",
        _ => $"{n} B",
    };
}
