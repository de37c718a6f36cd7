using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SpikeApp.Contracts.Problems;

public static class ValidationProblems
{
    public static ValidationProblem InvalidIds(params ReadOnlySpan<(string Name, string? Value)> ids)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in ids)
        {
            if (!Ids.IsValid(value))
            {
                errors[name] = [$"{name} must be 1-{Ids.MaxLength} characters of A-Z, a-z, 0-9, '_' or '-'."];
            }
        }

        return Invalid(errors);
    }

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, type: ProblemTypes.InvalidInput);
}
