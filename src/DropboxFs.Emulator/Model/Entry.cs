namespace DropboxFs.Emulator.Model;

/// <summary>
/// One file or folder (a row of <c>entries</c>), or one stored file revision (a row of
/// <c>revisions</c>, where <see cref="Id"/> is the file id). Times are Unix seconds: the wire has
/// no fractions.
/// </summary>
internal sealed record Entry(
    string Id,
    string PathLower,
    string PathDisplay,
    bool IsFolder,
    string? Rev,
    long Size,
    string? ContentHash,
    long ClientModified,
    long ServerModified)
{
    public string Name => DbxPath.NameOf(PathDisplay);

    public string ParentLower => DbxPath.ParentOf(PathLower);
}

/// <summary>What a change-log row says happened at a path.</summary>
internal enum ChangeKind
{
    Deleted = 0,
    File = 1,
    Folder = 2,
}

/// <summary>A row of the change log; <see cref="Seq"/> is what cursors count.</summary>
internal sealed record ChangeRecord(long Seq, string PathLower, string PathDisplay, ChangeKind Kind, long Time);

/// <summary>An upload session row. Concurrent sessions keep the received ranges.</summary>
internal sealed record UploadSession(string Id, bool Concurrent, long Length, bool Closed, long Created, string Ranges);
