using System.Collections.Concurrent;

namespace DropboxFs.Tests.Infrastructure;

/// <summary>Real clock whose timers record the requested delay and then fire after that delay divided by
/// <c>speedUp</c>: tests can assert "waited 7 s as Retry-After said" without sleeping 7 s.</summary>
public sealed class RecordingTimeProvider(double speedUp = 100) : TimeProvider
{
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Delays.Enqueue(dueTime);
            dueTime = TimeSpan.FromTicks((long)(dueTime.Ticks / speedUp));
        }
        return TimeProvider.System.CreateTimer(callback, state, dueTime, period);
    }
}
