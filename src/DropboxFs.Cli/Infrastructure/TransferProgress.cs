using Spectre.Console;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// Progress for get/put: a Spectre.Console bar on stderr when stderr is a terminal, nothing while
/// piped (scripts get one summary line on stdout at the end instead).
/// </summary>
internal static class TransferProgress
{
    public static async Task<T> RunAsync<T>(string description, long total, long start, Func<Action<long>, Task<T>> work)
    {
        if (!Terminal.IsInteractive)
        {
            return await work(_ => { });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(true)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
                task.Value = start;
                var result = await work(done => task.Value = done);
                task.Value = task.MaxValue;
                return result;
            });
    }
}
