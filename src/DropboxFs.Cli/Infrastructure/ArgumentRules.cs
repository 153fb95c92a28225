using System.CommandLine;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>Shared validation for positional arguments.</summary>
internal static class ArgumentRules
{
    /// <summary>
    /// A positional value that looks like an option ("--bogus", "-x") is almost always a typo; without
    /// this, `dropboxfs ls --bogus` would list a folder named "/--bogus" and exit NotFound instead of 2.
    /// A real name starting with '-' can still be given as "/-name".
    /// </summary>
    public static Argument<T> RejectOptionLike<T>(this Argument<T> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length > 1 && token.Value.StartsWith('-'))
                {
                    result.AddError($"Unrecognized option '{token.Value}' (a path starting with '-' is written '/{token.Value}' or './{token.Value}').");
                }
            }
        });
        return argument;
    }
}
