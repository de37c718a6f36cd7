namespace SpikeApp.Contracts;

/// <summary>Sale and user ids become parts of Redis keys and hash tags, so only a short, safe alphabet is accepted.</summary>
public static class Ids
{
    public const int MaxLength = 64;
    public const string Pattern = "^[A-Za-z0-9_-]{1,64}$";

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
