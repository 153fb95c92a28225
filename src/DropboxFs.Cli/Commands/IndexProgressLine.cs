using DropboxFs.Cli.Infrastructure;
using DropboxFs.Core;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// One self-overwriting stderr line for big listings and the change catch-up after a restart, on an
/// interactive terminal only. Reports arrive on background threads; at most 10 redraws a second, and
/// only work above 1000 entries is shown (small folders list in well under a second).
/// </summary>
internal sealed class IndexProgressLine : IProgress<IndexProgress>
{
    private const long ShowAbove = 1000;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private DateTimeOffset _lastDraw;
    private bool _lineOpen;

    private IndexProgressLine(TimeProvider time) => _time = time;

    /// <summary>A progress sink for the mount, or null when stderr is not a terminal.</summary>
    public static IndexProgressLine? ForTerminal(TimeProvider time) => Terminal.IsInteractive ? new IndexProgressLine(time) : null;

    public void Report(IndexProgress value)
    {
        if (value.Entries < ShowAbove)
        {
            return;
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (value.Completed)
            {
                Console.Error.Write($"\r\u001b[2KIndexed {value.What}: {value.Entries:N0} entries\n");
                _lineOpen = false;
                return;
            }

            if (now - _lastDraw < TimeSpan.FromMilliseconds(100))
            {
                return;
            }

            _lastDraw = now;
            Console.Error.Write($"\r\u001b[2KIndexing {value.What}: {value.Entries:N0} entries…");
            _lineOpen = true;
        }
    }

    /// <summary>Ends an unfinished line so later output starts on its own line.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_lineOpen)
            {
                Console.Error.Write('\n');
                _lineOpen = false;
            }
        }
    }
}
