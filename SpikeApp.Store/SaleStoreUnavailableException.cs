namespace SpikeApp.Store;

/// <summary>Redis did not answer (error, timeout or no connection): the caller answers 503, nothing is known to have changed.</summary>
public sealed class SaleStoreUnavailableException : Exception
{
    public SaleStoreUnavailableException()
        : base("The sale store (Redis) did not answer.")
    {
    }

    public SaleStoreUnavailableException(string message)
        : base(message)
    {
    }

    public SaleStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
