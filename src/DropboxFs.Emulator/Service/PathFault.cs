using System.Text.Json.Nodes;

namespace DropboxFs.Emulator.Service;

/// <summary>Which side of an operation a path error belongs to; handlers map it to their union tag.</summary>
internal enum PathRole
{
    /// <summary>LookupError of the (source) path: path, path_lookup, from_lookup.</summary>
    Lookup,
    /// <summary>WriteError of the (source) path: path, path_write, from_write.</summary>
    Write,
    /// <summary>WriteError of a destination: to.</summary>
    Target,
}

/// <summary>A LookupError or WriteError raised by <see cref="DropboxState"/>, wrapped by the route's handler.</summary>
internal sealed class PathFault(PathRole role, JsonObject inner) : Exception(inner.ToJsonString())
{
    public PathRole Role { get; } = role;

    public JsonObject Inner { get; } = inner;
}
