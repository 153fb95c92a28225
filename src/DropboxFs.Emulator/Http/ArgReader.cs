using System.Text.Json;

namespace DropboxFs.Emulator.Http;

/// <summary>
/// Strict reader for one JSON argument object, as the stone serializer on the server is strict
/// (§1.5): unknown fields, missing required fields and wrong types are 400s. Handlers read every
/// field of the current spec (or <see cref="Ignore"/> it) and then call <see cref="Done"/>.
/// </summary>
internal sealed class ArgReader
{
    private readonly JsonElement _obj;
    private readonly string _source;
    private readonly string _prefix;
    private readonly HashSet<string> _known = [];

    private ArgReader(JsonElement obj, string source, string prefix)
    {
        _obj = obj;
        _source = source;
        _prefix = prefix;
    }

    /// <summary><paramref name="source"/> is "request body" or <c>HTTP header "Dropbox-API-Arg"</c>.</summary>
    public static ArgReader Root(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Errors.BadRequest($"{source}: expected object, got {Kind(root)}");
        }

        return new ArgReader(root, source, "");
    }

    public string? OptString(string name, int maxLength = int.MaxValue)
    {
        var v = Get(name);
        if (v == null)
        {
            return null;
        }

        var s = v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString()! : throw TypeError(name, "string", v.Value);
        return s.Length <= maxLength ? s : throw Fail(name, $"'{s}' longer than {maxLength}");
    }

    public string ReqString(string name, int maxLength = int.MaxValue) => OptString(name, maxLength) ?? throw Missing(name);

    public bool Bool(string name, bool defaultValue = false)
    {
        var v = Get(name);
        return v == null ? defaultValue
            : v.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw TypeError(name, "boolean", v.Value),
            };
    }

    public long? OptLong(string name, long min = 0, long max = long.MaxValue)
    {
        var v = Get(name);
        if (v == null)
        {
            return null;
        }

        if (v.Value.ValueKind != JsonValueKind.Number || !v.Value.TryGetInt64(out var n))
        {
            throw TypeError(name, "integer", v.Value);
        }

        return n >= min && n <= max ? n : throw Fail(name, $"{n} is not within range {min}..{max}");
    }

    public long ReqLong(string name, long min = 0, long max = long.MaxValue) => OptLong(name, min, max) ?? throw Missing(name);

    public ArgReader? OptObject(string name)
    {
        var v = Get(name);
        if (v == null)
        {
            return null;
        }

        return v.Value.ValueKind == JsonValueKind.Object ? new ArgReader(v.Value, _source, Path(name) + ".") : throw TypeError(name, "object", v.Value);
    }

    public ArgReader ReqObject(string name) => OptObject(name) ?? throw Missing(name);

    /// <summary>A union: the bare string form (void members) or an object with ".tag".</summary>
    public (string Tag, ArgReader? Body)? OptUnion(string name, params string[] allowedTags)
    {
        var v = Get(name);
        if (v == null)
        {
            return null;
        }

        string tag;
        ArgReader? body = null;
        if (v.Value.ValueKind == JsonValueKind.String)
        {
            tag = v.Value.GetString()!;
        }
        else if (v.Value.ValueKind == JsonValueKind.Object && v.Value.TryGetProperty(".tag", out var t) && t.ValueKind == JsonValueKind.String)
        {
            tag = t.GetString()!;
            body = new ArgReader(v.Value, _source, Path(name) + ".");
            body._known.Add(".tag");
        }
        else
        {
            throw TypeError(name, "union", v.Value);
        }

        return allowedTags.Length == 0 || allowedTags.Contains(tag) ? (tag, body) : throw Fail(name, $"unknown tag '{tag}'");
    }

    public List<ArgReader> ReqList(string name, int max = int.MaxValue)
    {
        var v = Get(name) ?? throw Missing(name);
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(name, "list", v);
        }

        var list = v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object
            ? new ArgReader(e, _source, Path(name) + ".")
            : throw TypeError(name, "object", e)).ToList();
        return list.Count <= max ? list : throw Fail(name, $"list has more than {max} items");
    }

    public List<string>? OptStringList(string name)
    {
        var v = Get(name);
        if (v == null)
        {
            return null;
        }

        return v.Value.ValueKind == JsonValueKind.Array
            ? v.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw TypeError(name, "string", e)).ToList()
            : throw TypeError(name, "list", v.Value);
    }

    /// <summary>A list of void union members, each a bare string or {".tag": …}.</summary>
    public List<string>? OptTagList(string name, params string[] allowedTags)
    {
        var v = Get(name);
        if (v == null)
        {
            return null;
        }

        if (v.Value.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(name, "list", v.Value);
        }

        var tags = new List<string>();
        foreach (var e in v.Value.EnumerateArray())
        {
            var tag = e.ValueKind == JsonValueKind.String ? e.GetString()
                : e.ValueKind == JsonValueKind.Object && e.TryGetProperty(".tag", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : throw TypeError(name, "union", e);
            tags.Add(allowedTags.Contains(tag) ? tag! : throw Fail(name, $"unknown tag '{tag}'"));
        }

        return tags;
    }

    /// <summary>Marks spec fields the emulator accepts but does not act on.</summary>
    public ArgReader Ignore(params string[] names)
    {
        foreach (var n in names)
        {
            _known.Add(n);
        }

        return this;
    }

    /// <summary>400 if the object holds a field no reader asked for.</summary>
    public void Done()
    {
        foreach (var p in _obj.EnumerateObject())
        {
            if (!_known.Contains(p.Name))
            {
                throw Errors.BadRequest($"{_source}: unknown field '{_prefix}{p.Name}'");
            }
        }
    }

    public ApiException Fail(string name, string message) => Errors.BadRequest($"{_source}: {Path(name)}: {message}");

    private JsonElement? Get(string name)
    {
        _known.Add(name);
        return _obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    private string Path(string name) => _prefix + name;

    private ApiException Missing(string name) => Errors.BadRequest($"{_source}: missing required field '{_prefix}{name}'");

    private ApiException TypeError(string name, string expected, JsonElement got) =>
        Fail(name, $"expected {expected}, got {Kind(got)}");

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "object",
        _ => "null",
    };
}
