namespace SpikeApp.Testing;

/// <summary>What a test answered or named is not what its golden file holds; the message shows the difference.</summary>
public sealed class GoldenMismatchException : Exception
{
    public GoldenMismatchException()
    {
    }

    public GoldenMismatchException(string message) : base(message)
    {
    }

    public GoldenMismatchException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
