using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using DropboxFs.Api;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// The stable --json shapes (documented in the README's CLI section). Written by hand with
/// Utf8JsonWriter, not by serialising API records, so a change in DropboxFs.Api cannot silently
/// change what scripts parse. Field names are snake_case like the Dropbox API; absent values are null.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes one JSON document (one line) to stdout.</summary>
    public static void WriteLine(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_options))
        {
            write(writer);
        }

        var stdout = Console.OpenStandardOutput();
        stdout.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    /// <summary>Entry shape: {type, name, path, path_lower, id, size, rev, client_modified, server_modified, content_hash}.</summary>
    public static void WriteEntry(Utf8JsonWriter w, Metadata entry)
    {
        w.WriteStartObject();
        WriteEntryFields(w, entry);
        w.WriteEndObject();
    }

    /// <summary>Search match shape: the entry's fields plus "match_type".</summary>
    public static void WriteEntry(Utf8JsonWriter w, Metadata entry, string? matchType)
    {
        w.WriteStartObject();
        WriteEntryFields(w, entry);
        w.WriteString("match_type", matchType);
        w.WriteEndObject();
    }

    private static void WriteEntryFields(Utf8JsonWriter w, Metadata entry)
    {
        w.WriteString("type", TypeOf(entry));
        w.WriteString("name", entry.Name);
        w.WriteString("path", entry.PathDisplay ?? entry.PathLower);
        w.WriteString("path_lower", entry.PathLower);
        switch (entry)
        {
            case FileMetadata f:
                w.WriteString("id", f.Id);
                w.WriteNumber("size", f.Size);
                w.WriteString("rev", f.Rev);
                w.WriteString("client_modified", Iso(f.ClientModified));
                w.WriteString("server_modified", Iso(f.ServerModified));
                w.WriteString("content_hash", f.ContentHash);
                break;
            case FolderMetadata d:
                w.WriteString("id", d.Id);
                WriteNulls(w, "size", "rev", "client_modified", "server_modified", "content_hash");
                break;
            default:
                WriteNulls(w, "id", "size", "rev", "client_modified", "server_modified", "content_hash");
                break;
        }
    }

    public static void WriteEntries(Utf8JsonWriter w, string property, IEnumerable<Metadata> entries)
    {
        w.WriteStartArray(property);
        foreach (var entry in entries)
        {
            WriteEntry(w, entry);
        }

        w.WriteEndArray();
    }

    public static string TypeOf(Metadata entry) => entry switch
    {
        FileMetadata => "file",
        FolderMetadata => "folder",
        _ => "deleted",
    };

    public static string Iso(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteNulls(Utf8JsonWriter w, params string[] names)
    {
        foreach (var name in names)
        {
            w.WriteNull(name);
        }
    }
}
