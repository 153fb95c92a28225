using DropboxFs.Cli.Infrastructure;

namespace DropboxFs.Cli.Commands;

/// <summary>
/// Progress of `dropboxfs unmount` while the mount uploads its queue, on stderr: one self-overwriting line
/// on a terminal, else at most one line per second (a 1,000-file drain reports 1,000 changes).
/// </summary>
internal sealed class DrainProgressLine
{
    private readonly bool _interactive = Terminal.IsInteractive;
    private long? _lastLineMs;
    private bool _lineOpen;
    private bool _shown;

    public void Show(int pending, long bytes)
    {
        _shown |= pending > 0;
        if (!_shown)
        {
            return; // nothing queued: unmount says nothing about uploads
        }

        string text = $"Uploading before unmount: {pending} file(s), {Terminal.FormatSize(bytes)} left";
        if (_interactive)
        {
            Console.Error.Write($"\r\u001b[2K{text}");
            _lineOpen = true;
            return;
        }

        long now = Environment.TickCount64;
        if (_lastLineMs is not { } last || now - last >= 1000)
        {
            _lastLineMs = now;
            Console.Error.WriteLine(text);
        }
    }

    public void Finish(int failed)
    {
        if (_lineOpen)
        {
            Console.Error.Write("\r\u001b[2K");
        }

        if (_shown || failed > 0)
        {
            Console.Error.WriteLine(failed == 0 ? "Every upload is committed." : $"Uploads done; {failed} failed.");
        }
    }
}
