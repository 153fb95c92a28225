using System.Text.Json;

namespace DropboxFs.Cli.Commands;

internal static partial class StatusCommand
{
    /// <summary>One line on encrypted mounts: how many stored entries were skipped because they do not decrypt.</summary>
    private static void PrintEncryption(JsonElement root)
    {
        if (!root.TryGetProperty("encryption", out var e))
        {
            return;
        }

        var recent = e.GetProperty("undecryptable_recent").EnumerateArray().Select(n => n.GetString()).ToList();
        Console.WriteLine($"  encryption: {e.GetProperty("undecryptable").GetInt64()} stored entries do not decrypt (skipped)"
            + (recent.Count == 0 ? "" : $", last: {string.Join(", ", recent)}"));
    }
}
