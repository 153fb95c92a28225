using System.CommandLine;
using System.Reflection;

namespace DropboxFs.Cli.Commands;

internal static class AboutCommand
{
    public static Command Create()
    {
        var command = new Command("about", "Print the version and where configuration, cache and state live.");
        command.SetAction(_ =>
        {
            var version = typeof(AboutCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
            Console.WriteLine($"dropboxfs {version}");
            return (int)ExitCode.Ok;
        });
        return command;
    }
}
