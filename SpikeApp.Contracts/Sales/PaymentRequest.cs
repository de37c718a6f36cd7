namespace SpikeApp.Contracts.Sales;

/// <summary>A simulated payment: the buyer and the payment provider's reference.</summary>
public sealed record PaymentRequest(string? UserId, string? PaymentReference);
