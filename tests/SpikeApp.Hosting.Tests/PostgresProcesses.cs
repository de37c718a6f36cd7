using System.Globalization;

namespace SpikeApp.Hosting.Tests;

/// <summary>The processes of a local PostgreSQL server and the accounts they run under, read from /proc and /etc/passwd.</summary>
internal static class PostgresProcesses
{
    /// <summary>The postmaster's process id: the first line of postmaster.pid in its data folder.</summary>
    public static int Postmaster(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>The postmaster, its children (checkpointer, walwriter, backends...) and, as root, the runuser above it.</summary>
    public static IReadOnlyList<int> Of(string dataDirectory)
    {
        var postmaster = Postmaster(dataDirectory);
        var processes = new List<int> { postmaster };
        processes.AddRange(Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, CultureInfo.InvariantCulture, out _))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == postmaster));
        if (ParentOf(postmaster) is int parent && Path.GetFileName(File.ReadAllText($"/proc/{parent}/cmdline").Split('\0')[0]) == "runuser")
        {
            processes.Add(parent);
        }

        return processes;
    }

    /// <summary>True while the process exists and is not a zombie waiting to be reaped.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            return Stat(pid)[0] != "Z";
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    public static int UserIdOf(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(line => line.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    public static int UserId(string userName) =>
        int.Parse(File.ReadLines("/etc/passwd").Select(line => line.Split(':')).First(fields => fields[0] == userName)[2], CultureInfo.InvariantCulture);

    private static int? ParentOf(int pid)
    {
        try
        {
            return int.Parse(Stat(pid)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The fields of /proc/PID/stat after the command name (which may hold spaces): state, parent, ...</summary>
    private static string[] Stat(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
