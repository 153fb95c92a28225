using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DropboxFs.Core.Nodes;

/// <summary>
/// st_ino from the Dropbox id: the first 8 bytes of SHA-256("id" + salt). Stable across remounts
/// because ids survive rename and overwrite. 0 is invalid to the kernel and 1 is the root, so both
/// are skipped; a collision with a different live id takes the next salt.
/// </summary>
internal static class InodeNumbers
{
    public static ulong Derive(string stableId, int salt = 0)
    {
        Span<byte> hash = stackalloc byte[32];
        var input = salt == 0 ? stableId : stableId + "#" + salt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        return value <= 1 ? value + 2 : value;
    }
}
