namespace SpikeApp.LoadGen.CommandLine;

/// <summary>What the command line asked for: a load test, the help text, or nothing valid.</summary>
public sealed record CommandLineResult(LoadGenOptions? Options, string? Error, bool HelpRequested)
{
    public int ExitCode => Error is null ? ExitCodes.Success : ExitCodes.Usage;

    public static CommandLineResult Parsed(LoadGenOptions options) => new(options, null, false);

    public static CommandLineResult Help() => new(null, null, true);

    public static CommandLineResult Failed(string error) => new(null, error, false);

    /// <summary>Writes the help (to <paramref name="output"/>) or the error and usage (to <paramref name="error"/>); returns the exit code.</summary>
    public int WriteHelpOrError(TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (Error is null)
        {
            output.WriteLine(LoadGenCommandLine.Usage);
        }
        else
        {
            error.WriteLine(Error);
            error.WriteLine();
            error.WriteLine(LoadGenCommandLine.Usage);
        }

        return ExitCode;
    }
}
