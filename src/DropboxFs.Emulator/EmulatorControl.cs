using DropboxFs.Emulator.Http;

namespace DropboxFs.Emulator;

/// <summary>
/// Test and benchmark controls; the same operations are served at /_emulator/* when
/// <see cref="EmulatorOptions.EnableControlApi"/> is set (see README.md).
/// </summary>
public sealed class EmulatorControl
{
    private readonly EmulatorRuntime _runtime;

    internal EmulatorControl(EmulatorRuntime runtime) => _runtime = runtime;

    /// <summary>Deletes every file, folder, revision, session and link; cursors then get reset.</summary>
    public Task ResetAsync() => _runtime.State.RunAsync(ResetLocked);

    /// <summary>Synchronous form of <see cref="ResetAsync"/>.</summary>
    public void Reset() => _runtime.State.Run(() =>
    {
        ResetLocked();
        return 0;
    });

    private void ResetLocked()
    {
        _runtime.State.ResetLocked();
        _runtime.TemporaryLinks.Clear(); // their blobs are gone
        _runtime.BatchJobs.Clear();
        foreach (var id in _runtime.SessionHashers.Keys)
        {
            _runtime.DropSessionHash(id);
        }
    }

    /// <summary>Copies a local folder tree into the account under <paramref name="remotePath"/> ("" = root).</summary>
    public Task SeedFromDirectoryAsync(string directory, string remotePath = "", CancellationToken ct = default) =>
        Seeder.SeedAsync(_runtime.State, directory, remotePath, ct);

    public void SetLatency(TimeSpan latency) => _runtime.Latency = latency;

    /// <summary>0 = unlimited; otherwise a cap per direction for the whole server.</summary>
    public void SetBandwidth(long bytesPerSecond)
    {
        _runtime.Upstream.BytesPerSecond = bytesPerSecond;
        _runtime.Downstream.BytesPerSecond = bytesPerSecond;
    }

    public void SetQuota(long bytes) => _runtime.State.QuotaBytes = bytes;

    /// <summary>Long-poll answers carry <c>backoff</c> = seconds (0 = off).</summary>
    public void SetLongpollBackoff(int seconds) => _runtime.LongpollBackoffSeconds = seconds;

    public void AddFault(FaultRule rule) => _runtime.Faults.Add(rule);

    public void ClearFaults() => _runtime.Faults.Clear();

    /// <summary>Every OAuth-issued access token expires now (the static token keeps working).</summary>
    public void ExpireAllAccessTokens() =>
        _runtime.State.Run(() =>
        {
            _runtime.State.Tokens.ExpireAllAccess(_runtime.State.NowMs);
            return 0;
        });

    /// <summary>Every cursor handed out so far gets <c>reset</c>; waiting long-polls return it at once.</summary>
    public void ForceLongpollReset() => _runtime.State.Run(_runtime.State.NewEpochLocked);

    /// <summary>Requests served per route since start or <see cref="ResetRequestCounts"/>, e.g. "files/download".</summary>
    public IReadOnlyDictionary<string, long> RequestCounts => new Dictionary<string, long>(_runtime.Counters);

    /// <summary>Requests to one route (0 if none).</summary>
    public long RequestCount(string route) => _runtime.Counters.TryGetValue(route, out var n) ? n : 0;

    /// <summary>Sum over all API routes (/2/…).</summary>
    public long TotalApiRequests => _runtime.Counters.Where(kv => RouteTable.Api.ContainsKey(kv.Key)).Sum(kv => kv.Value);

    public void ResetRequestCounts() => _runtime.Counters.Clear();
}
