using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>Argument structs shared by several routes.</summary>
internal static class HandlerArgs
{
    /// <summary>CommitInfo (§5.7), validated strictly; <c>client_modified</c> must be whole seconds.</summary>
    public static CommitInfo ReadCommit(ArgReader r)
    {
        var path = PathPatterns.Read(r, "path", PathPatterns.WritePathOrId);
        var mode = r.OptUnion("mode", "add", "overwrite", "update");
        string? rev = null;
        if (mode?.Tag == "update")
        {
            var body = mode.Value.Body ?? throw r.Fail("mode", "'update' needs a rev");
            rev = body.ReqString("update");
            PathPatterns.Check(body, "update", rev, PathPatterns.Rev, 9);
            body.Done();
        }
        else
        {
            mode?.Body?.Done();
        }

        long? clientModified = null;
        var cm = r.OptString("client_modified");
        if (cm != null)
        {
            clientModified = WireJson.TryParseTimestamp(cm, out var t)
                ? t
                : throw r.Fail("client_modified", $"time data '{cm}' does not match format '%Y-%m-%dT%H:%M:%SZ'");
        }

        var info = new CommitInfo(path, mode?.Tag ?? "add", rev, r.Bool("autorename"), clientModified, r.Bool("strict_conflict"));
        r.Bool("mute");
        r.Ignore("property_groups");
        return info;
    }

    /// <summary>An optional content_hash argument: 64 hex characters.</summary>
    public static string? ReadContentHash(ArgReader r)
    {
        var h = r.OptString("content_hash");
        if (h != null && (h.Length != 64 || !h.All(Uri.IsHexDigit)))
        {
            throw r.Fail("content_hash", $"'{h}' did not match pattern '[0-9a-f]{{64}}'");
        }

        return h?.ToLowerInvariant();
    }

    /// <summary>UploadSessionCursor {session_id, offset}.</summary>
    public static (string SessionId, long Offset) ReadCursor(ArgReader r)
    {
        var id = r.ReqString("session_id");
        var offset = r.ReqLong("offset");
        r.Done();
        return (id, offset);
    }
}
