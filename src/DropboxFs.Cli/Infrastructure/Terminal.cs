namespace DropboxFs.Cli.Infrastructure;

/// <summary>What kind of terminal we talk to: progress bars and colour only on an interactive one.</summary>
internal static class Terminal
{
    /// <summary>True when stderr is a terminal (progress goes to stderr so stdout stays clean).</summary>
    public static bool IsInteractive =>
        !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    public static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : $"{value:0.0} {units[unit]}";
    }
}
