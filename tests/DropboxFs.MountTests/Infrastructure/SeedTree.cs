using System.Security.Cryptography;
using System.Text;

namespace DropboxFs.MountTests.Infrastructure;

/// <summary>
/// The local tree the emulator is seeded from (POST /_emulator/seed copies it, mtime → client_modified).
/// Nested folders, unicode names (é, 日本, ☃; the emulator rejects non-BMP characters such as emoji,
/// as Dropbox does), an empty file and folder, a 64 MiB random file, an odd-sized file, and one folder
/// with 10,000 entries. Every file gets a distinct whole-second mtime so `stat` can check times.
/// </summary>
public sealed class SeedTree
{
    public const int ManyCount = 10_000;
    public const string Remote = "/Tree";

    private static readonly DateTime s_baseTime = new(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    public SeedTree(string root) => Root = root;

    /// <summary>Local folder whose content appears as /Tree in the account.</summary>
    public string Root { get; }

    public static string Large => "large.bin";

    public static string Odd => "Café/odd size résumé.bin";

    public static IReadOnlyList<string> SmallFiles { get; } =
    [
        "readme.txt",
        "folder/file.txt",
        "nested/a/b/c/deep.txt",
        "nested/a/sibling.txt",
        "Café/crème brûlée.txt",
        "日本/東京.txt",
        "日本/大阪/梅田.txt",
        "☃ snow/ünïcödé name with spaces.txt",
    ];

    public void Create()
    {
        Directory.CreateDirectory(Root);
        int i = 0;
        foreach (string rel in SmallFiles)
        {
            Write(rel, Encoding.UTF8.GetBytes($"content of {rel}\n" + new string('x', 100 * i)), i++);
        }

        Write("empty.bin", [], i++);
        Directory.CreateDirectory(Path.Combine(Root, "empty folder"));
        Write(Large, RandomNumberGenerator.GetBytes(64 << 20), i++);
        Write(Odd, RandomNumberGenerator.GetBytes((3 << 20) + 17), i++);

        string many = Path.Combine(Root, "many");
        Directory.CreateDirectory(many);
        for (int n = 0; n < ManyCount; n++)
        {
            // Sizes 0..99 bytes: names and sizes both have to come through the listing.
            string path = Path.Combine(many, ManyName(n));
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes(new string((char)('a' + (n % 26)), n % 100)));
            File.SetLastWriteTimeUtc(path, s_baseTime.AddSeconds(n));
        }

        // Folder mtimes are not part of the Dropbox model; only files are compared.
    }

    public static string ManyName(int n) => $"f{n:D5}.txt";

    public string Local(string rel) => Path.Combine(Root, rel);

    /// <summary>Relative path → size for every file, and every folder (size -1), '/'-separated, NFC as written.</summary>
    public SortedDictionary<string, long> Expected()
    {
        var map = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string f in Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(Root, f);
            map[rel] = Directory.Exists(f) ? -1 : new FileInfo(f).Length;
        }

        return map;
    }

    private void Write(string rel, byte[] bytes, int index)
    {
        string path = Local(rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, s_baseTime.AddDays(index + 1));
    }
}
