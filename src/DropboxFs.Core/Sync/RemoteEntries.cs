using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;

namespace DropboxFs.Core.Sync;

/// <summary>One state change to apply: an entry now at Key, or (Entry null) nothing at Key or below.</summary>
internal readonly record struct Change(string Key, EntryRecord? Entry)
{
    public bool IsDelete => Entry is null;
}

/// <summary>Converts API metadata into the store's rows.</summary>
internal static class RemoteEntries
{
    public static Change ToChange(Api.Metadata metadata)
    {
        var key = PathKey.Normalize(metadata.PathLower ?? metadata.PathDisplay ?? throw new InvalidDataException($"entry {metadata.Name} has no path"));
        return metadata switch
        {
            FileMetadata f => new Change(key, FromFile(key, f)),
            FolderMetadata d => new Change(key, new EntryRecord(key, d.Name, FsNodeKind.Directory, d.Id, 0, null, null, default, default, Complete: false)),
            _ => new Change(key, null),
        };
    }

    public static EntryRecord FromFile(string key, FileMetadata f) =>
        new(key, f.Name, FsNodeKind.File, f.Id, f.Size, f.Rev, f.ContentHash, f.ServerModified, f.ClientModified, Complete: false);
}
