namespace SpikeApp.LoadGen.Load;

/// <summary>The body of <c>POST /api/sales/{saleId}/orders/{orderId}/payment</c>.</summary>
public sealed record PaymentRequest(string UserId, string PaymentReference);
