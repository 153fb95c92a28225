using System.Text.Json;
using DropboxFs.Core.Uploads;

namespace DropboxFs.Cli.Commands;

/// <summary>The upload queue as `dropboxfs status` shows it: pending rows (oldest first) and conflicts.</summary>
internal sealed record UploadsSnapshot(string? StateDirectory, IReadOnlyList<UploadJobStatus> Pending, IReadOnlyList<UploadConflict> Conflicts)
{
    /// <summary>Null on a read-only mount (no queue).</summary>
    public static UploadsSnapshot? Take(UploadQueue? uploads, string? stateDir) =>
        uploads is null ? null : new(stateDir, uploads.GetStatus(), uploads.GetConflicts());
}

// "uploads" in the status document: null on read-only mounts, else the queue and the conflicts.
internal sealed partial class MountStatusServer
{
    private static void WriteUploads(Utf8JsonWriter w, UploadsSnapshot? u)
    {
        if (u is null)
        {
            w.WriteNull("uploads");
            return;
        }

        w.WriteStartObject("uploads");
        w.WriteString("state_dir", u.StateDirectory);
        w.WriteNumber("pending_count", u.Pending.Count(j => j.State != UploadState.Failed));
        w.WriteNumber("failed_count", u.Pending.Count(j => j.State == UploadState.Failed));
        w.WriteNumber("bytes_pending", u.Pending.Sum(j => Math.Max(0, j.Size - j.BytesUploaded)));
        w.WriteStartArray("pending");
        foreach (var j in u.Pending)
        {
            w.WriteStartObject();
            w.WriteString("path", j.Path);
            w.WriteString("state", j.State.ToString().ToLowerInvariant());
            w.WriteNumber("size", j.Size);
            w.WriteNumber("bytes_sent", j.BytesUploaded);
            w.WriteNumber("tries", j.Tries);
            w.WriteString("last_error", j.LastError);
            w.WriteBoolean("no_space", j.NoSpace);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("conflicts");
        foreach (var c in u.Conflicts)
        {
            w.WriteStartObject();
            w.WriteString("path", c.Path);
            w.WriteString("conflict_path", c.ConflictPath);
            w.WriteString("rev", c.Rev);
            w.WriteString("at", Iso(c.At));
            w.WriteString("reason", c.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
