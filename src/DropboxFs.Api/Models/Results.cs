using System.Text.Json.Serialization;

namespace DropboxFs.Api;

/// <summary>One page of <c>files/list_folder</c> or <c>list_folder/continue</c>.</summary>
public sealed record ListFolderResult
{
    /// <summary>Entries in server order. For change pages, <see cref="ChangeCoalescer"/> has already applied
    /// "last occurrence wins" when returned by <see cref="DropboxClient.ListChangesAsync"/>.</summary>
    public IReadOnlyList<Metadata> Entries { get; init; } = [];
    /// <summary>Cursor to continue from; always keep the newest one, even from empty pages.</summary>
    public string Cursor { get; init; } = "";
    /// <summary>True: call continue at once.</summary>
    public bool HasMore { get; init; }
}

/// <summary>Options of <c>files/list_folder</c> and <c>get_latest_cursor</c> (a cursor binds them).</summary>
public sealed record ListFolderOptions
{
    /// <summary>List the whole subtree (the listed folder itself is included, unless it is the root).</summary>
    public bool Recursive { get; init; }
    /// <summary>Include historical deleted entries in the initial listing.</summary>
    public bool IncludeDeleted { get; init; }
    /// <summary>Include shared/team/app folder contents (Dropbox default: true).</summary>
    public bool IncludeMountedFolders { get; init; } = true;
    /// <summary>Approximate page size, 1..2000; null = server default.</summary>
    public int? Limit { get; init; }
}

/// <summary>Answer of <c>files/list_folder/longpoll</c>.</summary>
public sealed record LongpollResult
{
    /// <summary>True: call <see cref="DropboxClient.ListChangesAsync"/>.</summary>
    public bool Changes { get; init; }
    /// <summary>Seconds to wait before the next longpoll; the client enforces it itself.</summary>
    public long? Backoff { get; init; }
}

/// <summary>Answer of <c>files/list_revisions</c>, newest first.</summary>
public sealed record ListRevisionsResult
{
    /// <summary>True when the latest revision is deleted or moved away.</summary>
    public bool IsDeleted { get; init; }
    /// <summary>When it was deleted.</summary>
    public DateTimeOffset? ServerDeleted { get; init; }
    /// <summary>Revisions, newest first (deleted ones omitted).</summary>
    public IReadOnlyList<FileMetadata> Entries { get; init; } = [];
    /// <summary>More revisions exist.</summary>
    public bool HasMore { get; init; }
}

/// <summary>Answer of <c>files/get_temporary_link</c>: a 4-hour direct link.</summary>
public sealed record TemporaryLink
{
    /// <summary>The file.</summary>
    public FileMetadata Metadata { get; init; } = new();
    /// <summary>Direct download URL.</summary>
    public string Link { get; init; } = "";
}

/// <summary><c>users/get_current_account</c> (the subset DropboxFs uses).</summary>
public sealed record FullAccount
{
    /// <summary><c>dbid:…</c>, 40 characters.</summary>
    public string AccountId { get; init; } = "";
    /// <summary>Names.</summary>
    public AccountName Name { get; init; } = new();
    /// <summary>E-mail address.</summary>
    public string Email { get; init; } = "";
    /// <summary>E-mail verified.</summary>
    public bool EmailVerified { get; init; }
    /// <summary>Account disabled.</summary>
    public bool Disabled { get; init; }
    /// <summary>ISO country code.</summary>
    public string? Country { get; init; }
    /// <summary>Locale.</summary>
    public string Locale { get; init; } = "";
    /// <summary>basic, pro or business.</summary>
    [JsonConverter(typeof(UnionTagConverter))]
    public string AccountType { get; init; } = "";
    /// <summary>Root namespace info.</summary>
    public RootInfo? RootInfo { get; init; }
}

/// <summary>Name parts.</summary>
public sealed record AccountName
{
    /// <summary>Given name.</summary>
    public string GivenName { get; init; } = "";
    /// <summary>Surname.</summary>
    public string Surname { get; init; } = "";
    /// <summary>Familiar name.</summary>
    public string FamiliarName { get; init; } = "";
    /// <summary>Display name.</summary>
    public string DisplayName { get; init; } = "";
    /// <summary>Initials.</summary>
    public string AbbreviatedName { get; init; } = "";
}

/// <summary>RootInfo (user or team).</summary>
public sealed record RootInfo
{
    /// <summary>"user" or "team".</summary>
    [JsonPropertyName(".tag")]
    public string? Tag { get; init; }
    /// <summary>Root namespace id (decimal string).</summary>
    public string RootNamespaceId { get; init; } = "";
    /// <summary>Home namespace id.</summary>
    public string HomeNamespaceId { get; init; } = "";
}

/// <summary><c>users/get_space_usage</c>.</summary>
public sealed record SpaceUsage
{
    /// <summary>Bytes used by the user.</summary>
    public long Used { get; init; }
    /// <summary>Allocation.</summary>
    public SpaceAllocation Allocation { get; init; } = new();
}

/// <summary>Space allocation: individual or team (team also reports team-wide <see cref="Used"/>).</summary>
public sealed record SpaceAllocation
{
    /// <summary>"individual", "team" or "other".</summary>
    [JsonPropertyName(".tag")]
    public string Tag { get; init; } = "";
    /// <summary>Quota in bytes.</summary>
    public long Allocated { get; init; }
    /// <summary>Team-wide usage (team allocation only).</summary>
    public long? Used { get; init; }
}
