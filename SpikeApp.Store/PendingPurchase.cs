namespace SpikeApp.Store;

/// <summary>A purchase whose deduction reached Redis without an answer: the buyer and the order id it would have made.</summary>
public readonly record struct PendingPurchase(string UserId, string OrderId);
