namespace SpikeApp.LoadGen;

public static class ExitCodes
{
    public const int Success = 0;
    public const int InvariantFailed = 1;
    public const int Usage = 2;
}
