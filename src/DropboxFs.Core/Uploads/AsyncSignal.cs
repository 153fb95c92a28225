namespace DropboxFs.Core.Uploads;

/// <summary>A pulse that wakes every waiter that captured <see cref="Next"/> before it. Capture first,
/// then check the condition, then await: no pulse between the check and the await is lost.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _tcs).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
