using System.Diagnostics;

namespace DropboxFs.Emulator.Http;

/// <summary>
/// A bandwidth cap shared by every request in one direction: a virtual clock advanced by
/// bytes/rate, with 100 ms of burst so small bodies are not delayed. Uses the real clock even when
/// a fake TimeProvider drives timestamps, so shaping never deadlocks a test.
/// </summary>
internal sealed class Throttle
{
    private static readonly double s_burstSeconds = 0.1;
    private readonly object _gate = new();
    private double _nextFreeSeconds;

    public long BytesPerSecond { get; set; }

    public ValueTask WaitAsync(int bytes, CancellationToken ct)
    {
        var rate = BytesPerSecond;
        if (rate <= 0)
        {
            return ValueTask.CompletedTask;
        }

        double wait;
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
            _nextFreeSeconds = Math.Max(_nextFreeSeconds, now - s_burstSeconds) + (bytes / (double)rate);
            wait = _nextFreeSeconds - now;
        }

        return wait > 0 ? new ValueTask(Task.Delay(TimeSpan.FromSeconds(wait), ct)) : ValueTask.CompletedTask;
    }
}
