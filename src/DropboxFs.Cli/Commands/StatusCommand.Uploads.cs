using System.Text.Json;

namespace DropboxFs.Cli.Commands;

// The upload part of the human `status` output: a summary, then the first rows and every conflict.
internal static partial class StatusCommand
{
    /// <summary>20 rows: the oldest are the ones a user waits for; --json has them all.</summary>
    private const int ShownRows = 20;

    private static void PrintUploads(JsonElement u)
    {
        if (u.ValueKind == JsonValueKind.Null)
        {
            Console.WriteLine("  uploads:   none (read-only mount)");
            return;
        }

        var rows = u.GetProperty("pending").EnumerateArray().ToList();
        Console.WriteLine($"  uploads:   {u.GetProperty("pending_count").GetInt32()} pending ({Bytes(u.GetProperty("bytes_pending").GetInt64())} to send), "
            + $"{u.GetProperty("failed_count").GetInt32()} failed; journal in {u.GetProperty("state_dir").GetString()}");
        foreach (var j in rows.Take(ShownRows))
        {
            long size = j.GetProperty("size").GetInt64();
            long sent = j.GetProperty("bytes_sent").GetInt64();
            string error = j.GetProperty("last_error").GetString() is { } e ? $", last error: {e}" : "";
            Console.WriteLine($"    {j.GetProperty("state").GetString(),-10} {j.GetProperty("path").GetString()}  "
                + $"{Bytes(sent)} of {Bytes(size)}{(size > 0 ? $" ({100.0 * sent / size:0}%)" : "")}, tries {j.GetProperty("tries").GetInt32()}{error}");
        }

        if (rows.Count > ShownRows)
        {
            Console.WriteLine($"    … and {rows.Count - ShownRows} more (`dropboxfs status --json` lists them all)");
        }

        var conflicts = u.GetProperty("conflicts").EnumerateArray().ToList();
        Console.WriteLine($"  conflicts: {(conflicts.Count == 0 ? "none" : conflicts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        foreach (var c in conflicts)
        {
            Console.WriteLine($"    {c.GetProperty("path").GetString()} → kept as {c.GetProperty("conflict_path").GetString()} "
                + $"({c.GetProperty("reason").GetString()}, {c.GetProperty("at").GetString()})");
        }
    }
}
