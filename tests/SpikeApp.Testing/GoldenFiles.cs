using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace SpikeApp.Testing;

/// <summary>
/// Golden-file checks: what a service answers (or names), as text, against a file checked in under <c>Golden/</c> of
/// the calling test project. An answer is its status, the headers of the contract and the exact body, with only what
/// differs from run to run masked: generated order ids and anonymous buyers, ISO-8601 times, epoch numbers,
/// <c>traceId</c> values and <c>Age</c>. The folder is found from the calling test's source file (the nearest folder above
/// it with a project file), so the files are read and rewritten in place, never copied to the build output.
/// <para>
/// To accept a change on purpose, run the tests with <c>SPIKE_UPDATE_GOLDEN=1</c>: each check then rewrites its file from
/// what the code answers now instead of comparing; review the result with <c>git diff</c> before committing it.
/// </para>
/// </summary>
public static partial class GoldenFiles
{
    public const string UpdateVariable = "SPIKE_UPDATE_GOLDEN";

    /// <summary>The headers that are part of the contract, in the order they are written.</summary>
    private static readonly string[] ContractHeaders = ["Content-Type", "Location", "Retry-After", "Cache-Control", "Age", "Allow", "ETag"];

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>Compares <paramref name="response"/>, as <see cref="FormatAsync"/> writes it, with <c>Golden/{name}.txt</c>.</summary>
    public static async Task AssertMatchesAsync(string name, HttpResponseMessage response, [CallerFilePath] string callerPath = "")
    {
        ArgumentNullException.ThrowIfNull(response);
        AssertMatches(name, await FormatAsync(response), callerPath);
    }

    /// <summary>Compares <paramref name="actual"/> with <c>Golden/{name}.txt</c>, or rewrites the file when updating.</summary>
    public static void AssertMatches(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        ArgumentNullException.ThrowIfNull(actual);
        var path = GoldenPath(name, callerPath);
        actual = actual.ReplaceLineEndings("\n");
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual + "\n");
            return;
        }

        if (!File.Exists(path))
        {
            throw new GoldenMismatchException($"No golden file {path}. Run the tests with {UpdateVariable}=1 to write it from this answer:\n{actual}");
        }

        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        expected = expected.EndsWith('\n') ? expected[..^1] : expected;
        if (expected != actual)
        {
            throw new GoldenMismatchException(
                $"{name} differs from {path} (- expected, + actual); {UpdateVariable}=1 rewrites it if the change is intended.\n{Diff(expected, actual)}");
        }
    }

    /// <summary>
    /// "HTTP status reason", the contract headers present ("Name: value"), a blank line and the body as sent, then
    /// masked.
    /// </summary>
    public static async Task<string> FormatAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}\n");
        foreach (var header in ContractHeaders)
        {
            if (response.Headers.TryGetValues(header, out var values) || response.Content.Headers.TryGetValues(header, out values))
            {
                text.Append(CultureInfo.InvariantCulture, $"{header}: {string.Join(", ", values)}\n");
            }
        }

        // The bytes as sent, read as UTF-8: a re-serialization would hide a change of escaping or of property order.
        text.Append('\n').Append(Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
        return Mask(text.ToString());
    }

    /// <summary>Replaces what differs from run to run with a placeholder; everything else is left as it is.</summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = TraceIdValue().Replace(text, "\"traceId\":\"<trace-id>\"");
        // The offset stays: "Z" or "+00:00" is part of the format.
        text = IsoTime().Replace(text, "<time>");
        text = OrderId().Replace(text, "<order-id>");
        text = AnonymousBuyer().Replace(text, "<anon-buyer>");
        text = EpochNumber().Replace(text, "<epoch>");
        return AgeHeader().Replace(text, "Age: <age>");
    }

    /// <summary>The file for <paramref name="name"/> under <c>Golden/</c> of the project that holds <paramref name="callerPath"/>.</summary>
    private static string GoldenPath(string name, string callerPath)
    {
        var directory = Path.GetDirectoryName(callerPath);
        while (directory is not null && Directory.GetFiles(directory, "*.csproj").Length == 0)
        {
            directory = Path.GetDirectoryName(directory);
        }

        return Path.Combine(directory ?? throw new InvalidOperationException($"No test project above {callerPath}."), "Golden", name + ".txt");
    }

    /// <summary>A line diff (longest common subsequence), and where the first changed line starts to differ.</summary>
    private static string Diff(string expected, string actual)
    {
        var (old, @new) = (expected.Split('\n'), actual.Split('\n'));
        var common = new int[old.Length + 1, @new.Length + 1];
        for (var i = old.Length - 1; i >= 0; i--)
        {
            for (var j = @new.Length - 1; j >= 0; j--)
            {
                common[i, j] = old[i] == @new[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var diff = new StringBuilder();
        string? firstRemoved = null, firstAdded = null;
        var (x, y) = (0, 0);
        while (x < old.Length || y < @new.Length)
        {
            if (x < old.Length && y < @new.Length && old[x] == @new[y])
            {
                diff.Append("  ").Append(old[x++]).Append('\n');
                y++;
            }
            else if (x < old.Length && (y == @new.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                firstRemoved ??= old[x];
                diff.Append("- ").Append(old[x++]).Append('\n');
            }
            else
            {
                firstAdded ??= @new[y];
                diff.Append("+ ").Append(@new[y++]).Append('\n');
            }
        }

        if (firstRemoved is not null && firstAdded is not null)
        {
            var column = 0;
            while (column < firstRemoved.Length && column < firstAdded.Length && firstRemoved[column] == firstAdded[column])
            {
                column++;
            }

            diff.Append(CultureInfo.InvariantCulture, $"First change at column {column + 1}: expected \"{Around(firstRemoved, column)}\", got \"{Around(firstAdded, column)}\"");
        }

        return diff.ToString();
    }

    private static string Around(string line, int column) => line.Substring(Math.Min(column, line.Length), Math.Min(40, line.Length - Math.Min(column, line.Length)));

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceIdValue();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?")]
    private static partial Regex IsoTime();

    /// <summary>96 random bits in lowercase hex (<c>RedisSaleStore</c>'s order ids).</summary>
    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{24}(?![0-9a-f])")]
    private static partial Regex OrderId();

    [GeneratedRegex(@"anon-[0-9a-f]{12}-\d+")]
    private static partial Regex AnonymousBuyer();

    /// <summary>Unix milliseconds or microseconds (a sale's epoch): 13 digits or more.</summary>
    [GeneratedRegex(@"(?<![\w.])\d{13,}(?![\w.])")]
    private static partial Regex EpochNumber();

    [GeneratedRegex(@"^Age: \d+$", RegexOptions.Multiline)]
    private static partial Regex AgeHeader();
}
