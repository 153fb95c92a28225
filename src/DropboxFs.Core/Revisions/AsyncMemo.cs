namespace DropboxFs.Core.Revisions;

/// <summary>
/// Computes each key's value once and shares it with concurrent callers; a failed or cancelled
/// computation is forgotten, so the next caller tries again (a transient error is not cached).
/// </summary>
/// <remarks>One lock (<c>_gate</c>), held only to read or swap dictionary entries.</remarks>
internal sealed class AsyncMemo<T>
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Task<T>> _values = new(StringComparer.Ordinal);

    public Task<T> GetAsync(string key, Func<Task<T>> compute)
    {
        lock (_gate)
        {
            if (!_values.TryGetValue(key, out var task) || task.IsFaulted || task.IsCanceled)
            {
                task = compute();
                _values[key] = task;
            }

            return task;
        }
    }
}
