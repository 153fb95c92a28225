using System.Text.Json;

namespace DropboxFs.Tests.Emulator;

/// <summary>Checks of the exact wire shapes (§1.2, §1.8).</summary>
internal static class EmulatorAssert
{
    /// <summary>A 409 whose error_summary starts with <paramref name="summaryPrefix"/> (e.g. "path/not_found/"); returns the error object.</summary>
    public static async Task<JsonElement> ConflictAsync(HttpResponseMessage response, string summaryPrefix)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(409 == (int)response.StatusCode, $"expected 409 {summaryPrefix}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        var root = JsonDocument.Parse(text).RootElement;
        var summary = root.GetProperty("error_summary").GetString()!;
        Assert.StartsWith(summaryPrefix, summary);
        Assert.Matches("^[a-z_/]+/\\.{0,3}$", summary);
        return root.GetProperty("error").Clone();
    }

    /// <summary>A 400 plain-text error naming the route; returns the text.</summary>
    public static async Task<string> BadRequestAsync(HttpResponseMessage response, string route, string? contains = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(400 == (int)response.StatusCode, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
        Assert.StartsWith($"Error in call to API function \"{route}\": ", text);
        if (contains != null)
        {
            Assert.Contains(contains, text);
        }

        return text;
    }

    /// <summary>A 200 with Content-Type exactly application/json; returns the parsed body.</summary>
    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"expected 200, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string Tag(JsonElement e) => e.GetProperty(".tag").GetString()!;

    public static bool HasTag(JsonElement e) => e.TryGetProperty(".tag", out _);
}
