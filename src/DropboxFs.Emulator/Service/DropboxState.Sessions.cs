using System.Globalization;
using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Service;

internal sealed partial class DropboxState
{
    /// <summary>Sessions live 7 days (§5.8); after that every call gets not_found.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(7);

    public UploadSession NewSessionLocked(bool concurrent, long length, bool closed, string ranges = "")
    {
        var s = new UploadSession(NewOpaque(16), concurrent, length, closed, NowSeconds, ranges);
        Sessions.Insert(s);
        return s;
    }

    /// <summary>Turns the body of a failed files/upload into a closed session (§5.7).</summary>
    public string AdoptAsSessionLocked(string file, long length)
    {
        var s = NewSessionLocked(concurrent: false, length, closed: true);
        File.Move(file, Blobs.SessionPath(s.Id));
        return s.Id;
    }

    /// <summary>The session, or null when unknown or older than 7 days (then it is dropped).</summary>
    public UploadSession? LiveSessionLocked(string id)
    {
        var s = Sessions.Get(id);
        if (s != null && s.Created + (long)SessionLifetime.TotalSeconds < NowSeconds)
        {
            Sessions.Delete(id);
            Blobs.DeleteSession(id);
            return null;
        }

        return s;
    }

    /// <summary>Adds a received chunk to a concurrent session's "offset:length;" list.</summary>
    public static string AddRange(string ranges, long offset, long length) =>
        ranges + string.Create(CultureInfo.InvariantCulture, $"{offset}:{length};");

    /// <summary>True when the ranges cover [0, total) without holes.</summary>
    public static bool CoversAll(string ranges, long total)
    {
        var list = ranges.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.Split(':'))
            .Select(p => (Offset: long.Parse(p[0], CultureInfo.InvariantCulture), Length: long.Parse(p[1], CultureInfo.InvariantCulture)))
            .OrderBy(r => r.Offset);
        long covered = 0;
        foreach (var (offset, length) in list)
        {
            if (offset > covered)
            {
                return false;
            }

            covered = Math.Max(covered, offset + length);
        }

        return covered >= total;
    }
}
