namespace SpikeApp.Hosting.Servers;

internal static class Executables
{
    public static string? FindOnPath(string executable)
    {
        var names = OperatingSystem.IsWindows() ? new[] { executable + ".exe", executable } : [executable];
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
