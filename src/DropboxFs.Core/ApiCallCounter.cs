using System.Collections.Concurrent;

namespace DropboxFs.Core;

/// <summary>API calls made by Core, per route (for <c>dropboxfs status</c>).</summary>
internal sealed class ApiCallCounter
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Count(string route) => _counts.AddOrUpdate(route, 1, static (_, n) => n + 1);

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);
}
