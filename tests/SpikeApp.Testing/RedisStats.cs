using System.Globalization;
using StackExchange.Redis;

namespace SpikeApp.Testing;

/// <summary>Counters from Redis' INFO commandstats and stats: what clients really asked of the server.</summary>
public sealed record RedisStats(IReadOnlyDictionary<string, long> CommandCalls, long ConnectionsReceived)
{
    /// <summary>Commands that probe or manage connections (health checks, heartbeats, a test's own INFO) rather than touch sale data.</summary>
    private static readonly HashSet<string> HousekeepingCommands = new(StringComparer.Ordinal)
    {
        "ping", "echo", "info", "client", "hello", "auth", "select", "config", "cluster", "command", "subscribe", "psubscribe",
    };

    public long ScriptCalls => CallsTo("evalsha") + CallsTo("eval");

    /// <summary>Every other command, including those a script runs (Redis 7 counts them too); "config|get" counts as "config".</summary>
    public long DataCommandCalls => CommandCalls
        .Where(entry => !HousekeepingCommands.Contains(entry.Key.Split('|')[0]))
        .Sum(entry => entry.Value);

    /// <summary>Calls to one command by its lowercase name, e.g. <c>"evalsha"</c>; 0 if it was never called.</summary>
    public long CallsTo(string command) => CommandCalls.GetValueOrDefault(command);

    /// <summary>Reads the counters of the (single) server <paramref name="redis"/> is connected to.</summary>
    public static async Task<RedisStats> ReadAsync(IConnectionMultiplexer redis)
    {
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        long connections = 0;
        // Plain INFO leaves out commandstats; ask for both sections by name.
        foreach (var group in (await server.InfoAsync("commandstats")).Concat(await server.InfoAsync("stats")))
        {
            foreach (var entry in group)
            {
                if (entry.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
                {
                    // cmdstat_evalsha: calls=12,usec=...
                    var callsField = entry.Value.Split(',')[0];
                    calls[entry.Key["cmdstat_".Length..]] = long.Parse(callsField["calls=".Length..], CultureInfo.InvariantCulture);
                }
                else if (entry.Key == "total_connections_received")
                {
                    connections = long.Parse(entry.Value, CultureInfo.InvariantCulture);
                }
            }
        }

        return new RedisStats(calls, connections);
    }
}
