using System.Globalization;
using DropboxFs.Api;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>Plain aligned text for humans (no Spectre tables: they wrap at 80 columns when piped).</summary>
internal static class HumanOutput
{
    /// <summary>One line per entry: "name" (folders end in '/'), or with --long "type size modified rev path".</summary>
    public static void WriteEntries(IEnumerable<Metadata> entries, bool longFormat, bool fullPaths)
    {
        foreach (var entry in entries)
        {
            var name = fullPaths ? entry.PathDisplay ?? entry.Name : entry.Name;
            if (entry is FolderMetadata)
            {
                name += "/";
            }

            Console.WriteLine(longFormat ? FormatLong(entry, name) : name);
        }
    }

    public static string FormatLong(Metadata entry, string name) => entry switch
    {
        FileMetadata f => string.Create(CultureInfo.InvariantCulture, $"file    {f.Size,14} {JsonOutput.Iso(f.ServerModified)} {f.Rev,-16} {name}"),
        FolderMetadata => $"folder  {"-",14} {"-",-20} {"-",-16} {name}",
        _ => $"deleted {"-",14} {"-",-20} {"-",-16} {name}",
    };
}
