namespace DropboxFs.Api;

/// <summary>"Last occurrence wins" for change pages: a page may list the same item more than once (an id, or a
/// path). Keeps, for every id and every lower-case path, only its last entry, in the order of those last entries.
/// Applying the result in order gives the same final state as applying the page in order.</summary>
public static class ChangeCoalescer
{
    /// <summary>Coalesces <paramref name="entries"/>.</summary>
    public static IReadOnlyList<Metadata> Coalesce(IReadOnlyList<Metadata> entries)
    {
        if (entries.Count < 2)
        {
            return entries;
        }
        var lastByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            foreach (var key in KeysOf(entries[i]))
            {
                lastByKey[key] = i;
            }
        }
        var result = new List<Metadata>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var keep = true;
            foreach (var key in KeysOf(entries[i]))
            {
                if (lastByKey[key] != i)
                {
                    keep = false;
                }
            }
            if (keep)
            {
                result.Add(entries[i]);
            }
        }
        return result;
    }

    private static IEnumerable<string> KeysOf(Metadata m)
    {
        var id = m switch
        {
            FileMetadata f => f.Id,
            FolderMetadata d => d.Id,
            _ => null,
        };
        if (!string.IsNullOrEmpty(id))
        {
            yield return "id\0" + id;
        }
        var path = m.PathLower ?? m.PathDisplay?.ToLowerInvariant();
        if (path is not null)
        {
            yield return "path\0" + path;
        }
    }
}
