namespace SpikeApp.LoadGen.Bell;

/// <summary>A replica's first order of the run, by its <c>createdAt</c> (Redis' clock), and how long after the opening that was.</summary>
public sealed record ReplicaFirstSale(string ReplicaId, DateTimeOffset FirstSaleAt, double OffsetMs);
