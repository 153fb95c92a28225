using System.CommandLine;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>Runs a verb body with the shared context, the one error mapping and clean Ctrl-C.</summary>
internal static class CliRunner
{
    /// <summary>Sets the command's action to <paramref name="body"/>, wrapped by <see cref="RunAsync"/>.</summary>
    public static void SetCliAction(this Command command, Func<CliContext, Task<ExitCode>> body) =>
        command.SetAction((parse, ct) => RunAsync(parse, ct, body));

    public static async Task<int> RunAsync(ParseResult parse, CancellationToken ct, Func<CliContext, Task<ExitCode>> body)
    {
        CliContext? context = null;
        try
        {
            context = new CliContext(parse, ct);
            return (int)await body(context);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("dropboxfs: interrupted");
            PrintAfterFailure(context);
            return (int)ExitCode.Interrupted;
        }
        catch (Exception error) // the CLI's root: every failure becomes one message and one exit code
        {
            var (code, message) = ErrorMapper.Map(error, context?.Subject ?? new ErrorSubject(), context?.Endpoint);
            Console.Error.WriteLine($"dropboxfs: {message}");
            context?.Logger.LogDebugException(error);
            PrintAfterFailure(context);
            return (int)code;
        }
        finally
        {
            context?.Dispose();
        }
    }

    private static void PrintAfterFailure(CliContext? context)
    {
        if (context?.Subject.AfterFailure?.Invoke() is { } hint)
        {
            Console.Error.WriteLine($"dropboxfs: {hint}");
        }
    }
}
