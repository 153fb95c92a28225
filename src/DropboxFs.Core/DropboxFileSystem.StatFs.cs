using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core;

/// <summary>statfs from users/get_space_usage: answered from memory, refreshed in the background.</summary>
public sealed partial class DropboxFileSystem
{
    // 60 s: quota moves slowly; df is called often by desktop file managers.
    private static readonly TimeSpan s_spaceMaxAge = TimeSpan.FromSeconds(60);

    // Dropbox has no inode limit; report a large constant so tools don't think the disk is full.
    private const long FileSlots = 1L << 32;

    private readonly object _spaceGate = new();
    private FsStatFs _space = new(0, 0, FileSlots, FileSlots, MaxNameLength);
    private DateTimeOffset _spaceAt = DateTimeOffset.MinValue;
    private Task? _spaceRefresh;
    private readonly CancellationTokenSource _spaceStop = new();

    public ValueTask<FsStatFs> StatFsAsync(CancellationToken ct)
    {
        lock (_spaceGate)
        {
            if (_time.GetUtcNow() - _spaceAt > s_spaceMaxAge && _spaceRefresh is null or { IsCompleted: true } && _disposed == 0)
            {
                _spaceRefresh = RefreshSpaceAsync(_spaceStop.Token);
            }

            return ValueTask.FromResult(_space);
        }
    }

    private void SetSpace(SpaceUsage usage)
    {
        var allocated = usage.Allocation.Allocated;
        var used = usage.Allocation.Used ?? usage.Used;
        lock (_spaceGate)
        {
            _space = new FsStatFs(allocated, Math.Max(0, allocated - used), FileSlots, FileSlots, MaxNameLength);
            _spaceAt = _time.GetUtcNow();
        }
    }

    /// <summary>Background root: failures are logged and the old value stays.</summary>
    private async Task RefreshSpaceAsync(CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            _calls.Count("users/get_space_usage");
            SetSpace(await _client.GetSpaceUsageAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogWarning("Refreshing the space usage failed ({Error}); df shows the previous value", e.Message);
            lock (_spaceGate)
            {
                _spaceAt = _time.GetUtcNow(); // retry after another interval, not on every df
            }
        }
    }

    private async Task StopSpaceRefreshAsync()
    {
        await _spaceStop.CancelAsync().ConfigureAwait(false);
        Task? refresh;
        lock (_spaceGate)
        {
            refresh = _spaceRefresh;
        }

        if (refresh is not null)
        {
            await refresh.ConfigureAwait(false);
        }
    }
}
