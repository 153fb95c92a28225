using System.Text.Json;

namespace DropboxFs.Tests.Cli;

/// <summary>Helpers to check the documented --json shapes.</summary>
public static class CliJson
{
    private static readonly string[] s_entryFields =
        ["type", "name", "path", "path_lower", "id", "size", "rev", "client_modified", "server_modified", "content_hash"];

    public static JsonElement Parse(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"--json must print exactly one line:\n{result}");
        return JsonDocument.Parse(lines[0]).RootElement.Clone();
    }

    /// <summary>Every entry has exactly the documented fields, with types matching its "type".</summary>
    public static void AssertEntryShape(JsonElement entry)
    {
        foreach (var field in s_entryFields)
        {
            Assert.True(entry.TryGetProperty(field, out _), $"entry lacks \"{field}\": {entry}");
        }

        var type = entry.GetProperty("type").GetString();
        Assert.Contains(type, new[] { "file", "folder", "deleted" });
        if (type == "file")
        {
            Assert.Equal(JsonValueKind.Number, entry.GetProperty("size").ValueKind);
            Assert.Matches("^[0-9a-f]{9,}$", entry.GetProperty("rev").GetString());
            Assert.Matches("^[0-9a-f]{64}$", entry.GetProperty("content_hash").GetString());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", entry.GetProperty("server_modified").GetString());
            Assert.StartsWith("id:", entry.GetProperty("id").GetString());
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("size").ValueKind);
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("rev").ValueKind);
        }
    }
}
