using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// The CLI's only log sink: renders each event, replaces every known secret and anything shaped like
/// "Bearer xyz" / "access_token": "xyz" with "***", then writes the line to stderr. Redacting the
/// rendered text (not the template) catches secrets in exceptions and library messages too.
/// </summary>
internal sealed partial class RedactingSink : ILogEventSink
{
    private readonly ITextFormatter _formatter;
    private readonly TextWriter _output;
    private readonly string[] _secrets;
    private readonly Lock _gate = new();

    public RedactingSink(ITextFormatter formatter, TextWriter output, IEnumerable<string?> secrets)
    {
        _formatter = formatter;
        _output = output;
        // Secrets shorter than 8 characters would redact ordinary words; real tokens are 40+.
        _secrets = secrets.Where(s => s is { Length: >= 8 }).Select(s => s!).Distinct().ToArray();
    }

    public void Emit(LogEvent logEvent)
    {
        using var buffer = new StringWriter();
        _formatter.Format(logEvent, buffer);
        var text = Redact(buffer.ToString());
        lock (_gate)
        {
            _output.Write(text);
            _output.Flush();
        }
    }

    internal string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        text = BearerPattern().Replace(text, "$1***");
        return TokenFieldPattern().Replace(text, "$1***");
    }

    [GeneratedRegex(@"(Bearer\s+)[A-Za-z0-9\-._~+/=]+", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"(""?(?:access_token|refresh_token|code_verifier|client_secret|password)""?\s*[:=]\s*""?)[A-Za-z0-9\-._~+/=]+", RegexOptions.IgnoreCase)]
    private static partial Regex TokenFieldPattern();
}
