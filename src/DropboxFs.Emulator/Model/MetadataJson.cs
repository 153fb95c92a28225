using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;

namespace DropboxFs.Emulator.Model;

/// <summary>
/// Metadata in stone wire order (§3.1). <c>tagged</c> is true where the declared type is the
/// Metadata union (list_folder, get_metadata, delete_v2, move_v2) and false where it is
/// FileMetadata/FolderMetadata statically (upload, download, restore, list_revisions).
/// </summary>
internal static class MetadataJson
{
    public static JsonObject Of(Entry e, bool tagged) => e.IsFolder ? Folder(e, tagged) : File(e, tagged);

    public static JsonObject File(Entry e, bool tagged)
    {
        var o = Head(tagged ? "file" : null, e.Name, e.PathLower, e.PathDisplay);
        o["id"] = e.Id;
        o["client_modified"] = WireJson.Timestamp(e.ClientModified);
        o["server_modified"] = WireJson.Timestamp(e.ServerModified);
        o["rev"] = e.Rev;
        o["size"] = e.Size;
        o["is_downloadable"] = true;
        o["content_hash"] = e.ContentHash;
        return o;
    }

    public static JsonObject Folder(Entry e, bool tagged)
    {
        var o = Head(tagged ? "folder" : null, e.Name, e.PathLower, e.PathDisplay);
        o["id"] = e.Id;
        return o;
    }

    public static JsonObject Deleted(string pathLower, string pathDisplay) =>
        Head("deleted", DbxPath.NameOf(pathDisplay), pathLower, pathDisplay);

    private static JsonObject Head(string? tag, string name, string pathLower, string pathDisplay)
    {
        var o = new JsonObject();
        if (tag != null)
        {
            o[".tag"] = tag;
        }

        o["name"] = name;
        o["path_lower"] = pathLower;
        o["path_display"] = pathDisplay;
        return o;
    }
}
