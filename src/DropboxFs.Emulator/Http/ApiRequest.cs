using System.Text.Json.Nodes;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Http;

/// <summary>One API call after the pipeline checked auth, Content-Type and the argument.</summary>
internal sealed class ApiRequest(HttpContext http, RouteDef route, EmulatorRuntime runtime, ArgReader? args, FaultRule? fault, string? token)
{
    public HttpContext Http { get; } = http;

    public RouteDef Route { get; } = route;

    public EmulatorRuntime Runtime { get; } = runtime;

    public DropboxState State => Runtime.State;

    /// <summary>The argument; an empty object reader for void routes called without one.</summary>
    public ArgReader Args { get; } = args ?? ArgReader.Root(System.Text.Json.JsonDocument.Parse("{}").RootElement, "request body");

    /// <summary>A scripted fault this request must act out (offset, longpoll reset, space, reset mid-body).</summary>
    public FaultRule? Fault { get; } = fault;

    public bool Has(FaultKind kind) => Fault?.Kind == kind;

    /// <summary>The bearer token of the call (null for noauth routes).</summary>
    public string? Token { get; } = token;

    public CancellationToken Aborted => Http.RequestAborted;

    public Task OkAsync(JsonNode? result) => Responses.JsonAsync(Http, 200, WireJson.Body(result));

    /// <summary>
    /// Runs state work under the state lock; a <see cref="PathFault"/> becomes the route's 409 with
    /// the union tag for its role, e.g. ("path_lookup", "path_write") for delete_v2.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<T> work, string lookupTag = "path", string writeTag = "path", string targetTag = "to")
    {
        try
        {
            return await State.RunAsync(work, Aborted);
        }
        catch (PathFault f)
        {
            throw Errors.Route(f.Role switch
            {
                PathRole.Lookup => lookupTag,
                PathRole.Write => writeTag,
                _ => targetTag,
            }, f.Inner);
        }
    }
}
