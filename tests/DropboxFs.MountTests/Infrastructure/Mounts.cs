namespace DropboxFs.MountTests.Infrastructure;

/// <summary>Reads /proc/mounts (octal escapes decoded) to see what is mounted under a folder.</summary>
public static class Mounts
{
    public static IReadOnlyList<(string Source, string Target, string Type, string Options)> All()
    {
        var list = new List<(string, string, string, string)>();
        foreach (string line in File.ReadAllLines("/proc/mounts"))
        {
            string[] f = line.Split(' ');
            if (f.Length >= 4)
            {
                list.Add((Unescape(f[0]), Unescape(f[1]), f[2], f[3]));
            }
        }

        return list;
    }

    public static bool IsMounted(string path) => All().Any(m => m.Target == path.TrimEnd('/'));

    /// <summary>Every mount at or below <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> Under(string folder)
    {
        string f = folder.TrimEnd('/');
        return All().Where(m => m.Target == f || m.Target.StartsWith(f + "/", StringComparison.Ordinal)).Select(m => m.Target).ToList();
    }

    /// <summary>Lazy detach of a leftover; fusermount3 first (works for non-root), umount -l as root.</summary>
    public static async Task DetachAsync(string target)
    {
        var r = await Run.ProcessAsync("fusermount3", ["-u", "-z", target], TimeSpan.FromSeconds(10));
        if (r.ExitCode != 0)
        {
            await Run.ProcessAsync("umount", ["-l", target], TimeSpan.FromSeconds(10));
        }
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var bytes = new List<byte>();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && s[(i + 1)..(i + 4)].All(c => c is >= '0' and <= '7'))
            {
                bytes.Add(Convert.ToByte(s[(i + 1)..(i + 4)], 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(s[i].ToString()));
            }
        }

        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}
