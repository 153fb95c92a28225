using DropboxFs.Cli.Infrastructure;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace DropboxFs.Tests.Cli;

public sealed class RedactingSinkTests
{
    private static string Render(string message, params string?[] secrets)
    {
        using var output = new StringWriter();
        var sink = new RedactingSink(new MessageTemplateTextFormatter("{Message:lj}"), output, secrets);
        var template = new MessageTemplateParser().Parse(message.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
        sink.Emit(new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Warning, null, template, []));
        return output.ToString();
    }

    [Fact]
    public void KnownTokenBearerHeadersAndTokenFieldsNeverReachTheLog()
    {
        var text = Render(
            "sent Authorization: Bearer sl.ABCDEF123456 with secret-token-0123456789 and {\"access_token\": \"xyz987654321\", \"refresh_token\":\"r-555666777\"}",
            "secret-token-0123456789");

        Assert.DoesNotContain("sl.ABCDEF123456", text);
        Assert.DoesNotContain("secret-token-0123456789", text);
        Assert.DoesNotContain("xyz987654321", text);
        Assert.DoesNotContain("r-555666777", text);
        Assert.Contains("Bearer ***", text);
        Assert.Contains("sent Authorization", text);
    }

    [Fact]
    public void ShortSecretsAreNotUsedSoOrdinaryWordsSurvive()
    {
        var text = Render("listing /docs took 3 ms", "docs");

        Assert.Equal("listing /docs took 3 ms", text);
    }
}
