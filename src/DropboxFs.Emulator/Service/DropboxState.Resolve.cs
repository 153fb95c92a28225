using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Service;

/// <summary>A resolved path: lower-case key and display form; both "" for the root.</summary>
internal readonly record struct Target(string Lower, string Display)
{
    public bool IsRoot => Lower.Length == 0;

    public string Name => DbxPath.NameOf(Display);
}

internal sealed partial class DropboxState
{
    /// <summary>
    /// Resolves "/a/b", "id:…[/rel]", "ns:N[/rel]" or "" (root). Non-BMP characters are a 400
    /// (§6.2); bad names are <c>malformed_path</c> and, for writes, reserved names
    /// <c>disallowed_name</c>, both raised under <paramref name="role"/>.
    /// </summary>
    public Target ResolveLocked(string raw, string field, PathRole role, bool write)
    {
        var path = raw;
        if (raw.StartsWith("id:", StringComparison.Ordinal))
        {
            var slash = raw.IndexOf('/');
            var id = slash < 0 ? raw : raw[..slash];
            var e = Entries.GetById(id);
            if (e == null)
            {
                throw new PathFault(role, role == PathRole.Lookup ? Errors.NotFound : Errors.MalformedPath);
            }

            path = e.PathDisplay + (slash < 0 ? "" : raw[slash..]);
        }
        else if (raw.StartsWith("ns:", StringComparison.Ordinal))
        {
            var slash = raw.IndexOf('/');
            var ns = slash < 0 ? raw[3..] : raw[3..slash];
            if (ns != NamespaceId)
            {
                throw new PathFault(role, role == PathRole.Lookup ? Errors.NotFound : Errors.MalformedPath);
            }

            path = slash < 0 ? "" : raw[slash..];
        }

        if (path.Length == 0)
        {
            return new Target("", "");
        }

        var bad = DbxPath.FirstNonBmpIndex(path);
        if (bad >= 0)
        {
            throw Errors.BadArg(field, $"invalid path: character at index {bad}: not part of the Unicode Basic Multilingual Plane");
        }

        if (!DbxPath.IsWellFormed(path))
        {
            throw new PathFault(role, Errors.MalformedPath);
        }

        if (write && DbxPath.HasDisallowedName(path))
        {
            throw new PathFault(role == PathRole.Lookup ? PathRole.Write : role, Errors.DisallowedName);
        }

        return new Target(DbxPath.Lower(path), CanonicalDisplayLocked(path));
    }

    /// <summary>The stored casing of the item or of its deepest existing ancestor; the caller's casing for the rest.</summary>
    private string CanonicalDisplayLocked(string path)
    {
        var lower = DbxPath.Lower(path);
        var self = Entries.GetByPath(lower);
        if (self != null)
        {
            return self.PathDisplay;
        }

        // The deepest existing ancestor lends its stored casing; new components keep the caller's.
        for (var cut = lower.LastIndexOf('/'); cut > 0; cut = lower.LastIndexOf('/', cut - 1))
        {
            var ancestor = Entries.GetByPath(lower[..cut]);
            if (ancestor != null)
            {
                return ancestor.PathDisplay + path[cut..];
            }
        }

        return path;
    }

    /// <summary>The file or folder at a target, or a <c>not_found</c> lookup fault.</summary>
    public Entry RequireLocked(Target t, PathRole role = PathRole.Lookup)
    {
        if (t.IsRoot)
        {
            throw new PathFault(role, Errors.NotFound);
        }

        return Entries.GetByPath(t.Lower) ?? throw new PathFault(role, Errors.NotFound);
    }

    /// <summary>Lookup of a ReadPath that may be "rev:…": the revision, or the live entry.</summary>
    public Entry LookupReadPathLocked(string raw, string field)
    {
        if (raw.StartsWith("rev:", StringComparison.Ordinal))
        {
            return Revisions.Get(raw[4..]) ?? throw new PathFault(PathRole.Lookup, Errors.NotFound);
        }

        return RequireLocked(ResolveLocked(raw, field, PathRole.Lookup, write: false));
    }
}
