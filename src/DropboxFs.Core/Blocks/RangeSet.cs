using System.Buffers.Binary;

namespace DropboxFs.Core.Blocks;

/// <summary>
/// A set of byte ranges [start, end) kept sorted, non-overlapping and non-adjacent (touching ranges
/// merge), so its size is bounded by the number of holes, not by the bytes cached. Not thread-safe:
/// the owning <see cref="CachedVersion"/> guards it.
/// </summary>
internal sealed class RangeSet
{
    private readonly List<(long Start, long End)> _ranges = [];

    public long TotalBytes { get; private set; }

    public int Count => _ranges.Count;

    public IReadOnlyList<(long Start, long End)> Ranges => _ranges;

    /// <summary>Adds [start, end); returns how many bytes were not present before.</summary>
    public long Add(long start, long end)
    {
        if (end <= start)
        {
            return 0;
        }

        var i = FirstEndingAtOrAfter(start);
        var newStart = start;
        var newEnd = end;
        var covered = 0L;
        var j = i;
        while (j < _ranges.Count && _ranges[j].Start <= end)
        {
            var (s, e) = _ranges[j];
            covered += Math.Min(e, end) - Math.Max(s, start);
            newStart = Math.Min(newStart, s);
            newEnd = Math.Max(newEnd, e);
            TotalBytes -= e - s;
            j++;
        }

        _ranges.RemoveRange(i, j - i);
        _ranges.Insert(i, (newStart, newEnd));
        TotalBytes += newEnd - newStart;
        return end - start - Math.Max(0, covered);
    }

    public bool Contains(long start, long end)
    {
        if (end <= start)
        {
            return true;
        }

        var i = FirstEndingAtOrAfter(start + 1);
        return i < _ranges.Count && _ranges[i].Start <= start && _ranges[i].End >= end;
    }

    /// <summary>The parts of [start, end) that are not in the set, in order.</summary>
    public List<(long Start, long End)> Gaps(long start, long end)
    {
        var gaps = new List<(long, long)>();
        var cursor = start;
        for (var i = FirstEndingAtOrAfter(start + 1); i < _ranges.Count && cursor < end; i++)
        {
            var (s, e) = _ranges[i];
            if (s > cursor)
            {
                gaps.Add((cursor, Math.Min(s, end)));
            }

            cursor = Math.Max(cursor, e);
        }

        if (cursor < end)
        {
            gaps.Add((cursor, end));
        }

        return gaps;
    }

    /// <summary>How many bytes from <paramref name="start"/> on are present without a hole.</summary>
    public long ContiguousFrom(long start)
    {
        var i = FirstEndingAtOrAfter(start + 1);
        return i < _ranges.Count && _ranges[i].Start <= start ? _ranges[i].End - start : 0;
    }

    public void Clear()
    {
        _ranges.Clear();
        TotalBytes = 0;
    }

    /// <summary>16 bytes per range, little-endian (start, end).</summary>
    public byte[] Serialize()
    {
        var bytes = new byte[_ranges.Count * 16];
        for (var i = 0; i < _ranges.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 16), _ranges[i].Start);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 16 + 8), _ranges[i].End);
        }

        return bytes;
    }

    public static RangeSet Deserialize(ReadOnlySpan<byte> bytes)
    {
        var set = new RangeSet();
        for (var i = 0; i + 16 <= bytes.Length; i += 16)
        {
            set.Add(BinaryPrimitives.ReadInt64LittleEndian(bytes[i..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[(i + 8)..]));
        }

        return set;
    }

    /// <summary>Index of the first range whose end is ≥ <paramref name="position"/> (binary search).</summary>
    private int FirstEndingAtOrAfter(long position)
    {
        int lo = 0, hi = _ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ranges[mid].End < position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
