using System.Text.Json;

namespace DropboxFs.Cli.Commands;

internal sealed partial class MountStatusServer
{
    /// <summary>`"encryption": {"undecryptable": N, "undecryptable_recent": [stored names]}` on encrypted mounts.</summary>
    private static void WriteEncryption(Utf8JsonWriter w)
    {
        if (MountCommand.MountedCrypt is not { } crypt)
        {
            return;
        }

        w.WriteStartObject("encryption");
        w.WriteNumber("undecryptable", crypt.Undecryptable.Count);
        w.WriteStartArray("undecryptable_recent");
        foreach (string name in crypt.Undecryptable.Recent)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
