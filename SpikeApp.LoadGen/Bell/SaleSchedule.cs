namespace SpikeApp.LoadGen.Bell;

/// <summary>
/// The opening fields of <c>GET /api/sales/{saleId}</c>, read on their own: <c>opensAt</c> and <c>closesAt</c> on
/// Redis' clock, and <c>serverTime</c>, the answering replica's reading of that clock.
/// </summary>
public sealed record SaleSchedule(string? State, DateTimeOffset? OpensAt, DateTimeOffset? ClosesAt, DateTimeOffset? ServerTime);
