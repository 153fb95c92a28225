using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Handlers;

/// <summary>create_folder_v2, delete_v2, move_v2, copy_v2 (§5.9–5.11).</summary>
internal static class FilesNamespaceHandlers
{
    public static async Task CreateFolderAsync(ApiRequest req)
    {
        var path = PathPatterns.Read(req.Args, "path", PathPatterns.WritePath);
        var autorename = req.Args.Bool("autorename");
        req.Args.Done();
        if (req.Has(FaultKind.InsufficientSpace))
        {
            throw Errors.Route("path", Errors.InsufficientSpace);
        }

        var folder = await req.RunAsync(() => req.State.CreateFolderLocked(path, autorename));
        await req.OkAsync(new JsonObject { ["metadata"] = MetadataJson.Folder(folder, tagged: false) });
    }

    public static async Task DeleteAsync(ApiRequest req)
    {
        var path = PathPatterns.Read(req.Args, "path", PathPatterns.WritePathOrId);
        var parentRev = req.Args.OptString("parent_rev");
        if (parentRev != null)
        {
            PathPatterns.Check(req.Args, "parent_rev", parentRev, PathPatterns.Rev, 9);
        }

        req.Args.Done();
        var gone = await req.RunAsync(() => req.State.DeleteLocked(path, parentRev), "path_lookup", "path_write");
        await req.OkAsync(new JsonObject { ["metadata"] = MetadataJson.Of(gone, tagged: true) });
    }

    public static Task MoveAsync(ApiRequest req) => RelocateAsync(req, move: true);

    public static Task CopyAsync(ApiRequest req) => RelocateAsync(req, move: false);

    private static async Task RelocateAsync(ApiRequest req, bool move)
    {
        var from = PathPatterns.Read(req.Args, "from_path", PathPatterns.WritePathOrId);
        var to = PathPatterns.Read(req.Args, "to_path", PathPatterns.WritePathOrId);
        req.Args.Bool("allow_shared_folder");
        var autorename = req.Args.Bool("autorename");
        req.Args.Bool("allow_ownership_transfer");
        req.Args.Done();
        if (req.Has(FaultKind.InsufficientSpace))
        {
            throw Errors.Route("to", Errors.InsufficientSpace);
        }

        var result = await req.RunAsync(
            () => move ? req.State.MoveLocked(from, to, autorename) : req.State.CopyLocked(from, to, autorename),
            "from_lookup", "from_write", "to");
        await req.OkAsync(new JsonObject { ["metadata"] = MetadataJson.Of(result, tagged: true) });
    }
}
